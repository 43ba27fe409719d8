"""rnn_lib.imdb.word_vectors: lesson 07's LSTM sizing and its look at the trained word vectors."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib import imdb


def test_matching_units_finds_the_nearest_lstm_for_the_lessons_gru():
    units = imdb.matching_units(64, 48, "gru", "lstm")
    assert units == 39
    target = imdb.recurrent_parameters(64, 48, "gru")
    gaps = {u: abs(imdb.recurrent_parameters(64, u, "lstm") - target) for u in range(1, 100)}
    assert gaps[units] == min(gaps.values())
    assert imdb.matching_units(16, 7, "gru", "gru") == 7


def test_cosine_similarities_against_a_direct_formula_and_zero_rows():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(6, 4))
    vectors[2] = 0.0
    query = rng.normal(size=4)
    got = imdb.cosine_similarities(vectors, query)
    for i in (0, 1, 3, 4, 5):
        expected = vectors[i] @ query / np.linalg.norm(vectors[i]) / np.linalg.norm(query)
        assert got[i] == pytest.approx(expected)
    assert got[2] == 0.0
    assert np.all(imdb.cosine_similarities(vectors, np.zeros(4)) == 0.0)


def test_nearest_neighbours_skip_padding_unknown_the_word_itself_and_rare_words():
    vocabulary = ["", "[UNK]", "good", "great", "bad", "awful", "rare"]
    vectors = np.array([
        [1.0, 0.0], [1.0, 0.01],            # padding and [UNK]: never neighbours
        [1.0, 0.1], [0.9, 0.12], [-1.0, 0.0], [-0.8, -0.1],
        [1.0, 0.1001],                      # as close to "good" as can be, but rare
    ])
    got = imdb.nearest_neighbours(vectors, vocabulary, "good", k=2, among=6)
    assert [word for word, _ in got] == ["great", "bad"]  # cos -0.995 beats awful's -0.9999
    assert got[0][1] == pytest.approx(imdb.cosine_similarities(vectors[[3]], vectors[2])[0])
    assert imdb.nearest_neighbours(vectors, vocabulary, "good", k=1)[0][0] == "rare"
    assert [w for w, _ in imdb.nearest_neighbours(vectors, vocabulary, "bad", k=1)] == ["awful"]
    with pytest.raises(KeyError):
        imdb.nearest_neighbours(vectors, vocabulary, "missing")


def test_principal_components_match_numpy_and_order_by_variance():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(30, 5)) * np.array([5.0, 2.0, 0.5, 0.1, 0.1])
    projected = imdb.principal_components(points, 2)
    assert projected.shape == (30, 2)
    centred = points - points.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(centred.T))
    for k in range(2):
        axis = eigenvectors[:, -1 - k]
        assert np.allclose(np.abs(projected[:, k]), np.abs(centred @ axis))
        assert np.abs(projected[:, k]).max() == projected[:, k].max()  # the sign rule
    assert projected[:, 0].var() > projected[:, 1].var()
