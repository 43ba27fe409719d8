"""The models graded cases name as recipes: the same on every machine, with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.tasks import graded_models


def test_running_sums_forward_and_reversed():
    x = np.arange(12, dtype="float32").reshape(1, 6, 2)
    forward = np.asarray(graded_models.running_sum()(x))
    backward = np.asarray(graded_models.running_sum(reverse=True)(x))
    np.testing.assert_allclose(forward, np.cumsum(x, axis=1))
    np.testing.assert_allclose(backward, np.cumsum(x[:, ::-1], axis=1)[:, ::-1])


@pytest.mark.parametrize("cell", ["SimpleRNN", "GRU", "LSTM"])
def test_a_seeded_recurrent_model_has_the_same_weights_for_the_same_seed(cell):
    one_way = graded_models.seeded_recurrent(cell, 3, 2, seed=7)
    again = graded_models.seeded_recurrent(cell, 3, 2, seed=7)
    other = graded_models.seeded_recurrent(cell, 3, 2, seed=8)
    for a, b in zip(one_way.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(one_way.get_weights()[0], other.get_weights()[0])
    both_ways = graded_models.seeded_recurrent(cell, 3, 2, bidirectional=True, seed=7)
    x = np.ones((2, 5, 2), dtype="float32")
    assert np.asarray(one_way(x)).shape == (2, 5, 3)
    assert np.asarray(both_ways(x)).shape == (2, 5, 6)


def test_the_counting_pair_steps_as_its_docstring_says():
    encoder, decoder = graded_models.counting_encoder(), graded_models.counting_decoder(11)
    state = np.asarray(encoder(np.array([[2, 7, 7]], dtype="int32")))
    assert state.tolist() == [[2.0]]
    probabilities, new_state = decoder([np.array([[10]], dtype="int32"), state])
    assert np.asarray(probabilities).shape == (1, 1, 11)
    assert int(np.asarray(probabilities)[0, -1].argmax()) == (10 + 2) % 11
    assert np.asarray(new_state).tolist() == [[3.0]]


def test_the_seeded_gru_pair_has_the_seq2seq_interface_and_fixed_weights():
    encoder = graded_models.seeded_gru_encoder(9, 4, seed=3)
    decoder = graded_models.seeded_gru_decoder(9, 4, seed=4)
    state = np.asarray(encoder(np.array([[1, 2, 3], [4, 5, 6]], dtype="int32")))
    assert state.shape == (2, 4)
    probabilities, new_state = decoder([np.array([[1], [2]], dtype="int32"), state])
    assert np.asarray(probabilities).shape == (2, 1, 9) and np.asarray(new_state).shape == (2, 4)
    np.testing.assert_allclose(np.asarray(probabilities).sum(-1), 1, atol=1e-5)
    again = graded_models.seeded_gru_decoder(9, 4, seed=4)
    for a, b in zip(decoder.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_gru_sentiment_model_classifies_ids_with_fixed_weights():
    model = graded_models.gru_sentiment_model(30, 4, 3)
    again = graded_models.gru_sentiment_model(30, 4, 3)
    ids = np.array([[5, 2, 9, 0, 0], [7, 0, 0, 0, 0]], dtype="int32")
    probabilities = np.asarray(model(ids))
    assert probabilities.shape == (2, 1) and np.all((probabilities > 0) & (probabilities < 1))
    np.testing.assert_array_equal(probabilities, np.asarray(again(ids)))
    # the padding is masked: more of it changes nothing
    wider = np.asarray(model(np.pad(ids, ((0, 0), (0, 4)))))
    np.testing.assert_allclose(wider, probabilities, atol=1e-6)


def test_the_markov_pair_looks_up_its_table_by_state_and_token():
    rng = np.random.default_rng(3)
    table = rng.dirichlet(np.ones(5), size=(3, 5))  # 3 states, 5 tokens
    encoder, decoder = graded_models.markov_encoder(3), graded_models.markov_decoder(table)
    state = np.asarray(encoder(np.array([[4, 1], [3, 3], [2, 0]], dtype="int32")))
    assert state.tolist() == [[1.0], [0.0], [2.0]]  # the first id mod 3
    tokens = np.array([[2], [4], [1]], dtype="int32")
    probabilities, new_state = decoder([tokens, state])
    np.testing.assert_allclose(
        np.asarray(probabilities)[:, 0], [table[1, 2], table[0, 4], table[2, 1]], rtol=1e-6
    )
    assert np.asarray(new_state).tolist() == [[0.0], [1.0], [0.0]]  # (state + token) mod 3


def test_the_markov_decoder_rejects_a_table_that_is_not_square_per_state():
    with pytest.raises(ValueError, match="shape"):
        graded_models.markov_decoder(np.full((2, 3, 4), 0.25))
