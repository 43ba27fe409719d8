"""rnn_lib.sequences.perplexity against brute-force counts and exact small cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_lib.sequences.perplexity import (
    best_bigram_mix,
    bigram_next_probabilities,
    bigram_perplexity,
    perplexity,
    unigram_perplexity,
    unigram_probabilities,
)


def test_perplexity_is_the_exponential_of_the_cross_entropy():
    assert perplexity(0.0) == 1.0
    assert perplexity(math.log(65)) == pytest.approx(65)


def test_unigram_of_equally_common_tokens_is_the_uniform_model():
    ids = np.tile(np.arange(5), 20)
    np.testing.assert_allclose(unigram_probabilities(ids, 5), np.full(5, 0.2))
    assert unigram_perplexity(ids, ids, 5) == pytest.approx(5.0)


def test_unigram_smoothing_gives_unseen_tokens_a_count_of_alpha():
    probabilities = unigram_probabilities([0, 0, 1], 3, alpha=0.5)
    np.testing.assert_allclose(probabilities, np.array([2.5, 1.5, 0.5]) / 4.5)
    # hand computation of the perplexity of [0, 2] under that model
    expected = math.exp(-(math.log(2.5 / 4.5) + math.log(0.5 / 4.5)) / 2)
    assert unigram_perplexity([0, 0, 1], [0, 2], 3, alpha=0.5) == pytest.approx(expected)


def brute_force_bigram(train, previous, following, vocab_size, mix, alpha):
    counts = np.bincount(train, minlength=vocab_size) + alpha
    unigram = counts / counts.sum()
    contexts = sum(1 for v in train[:-1] if v == previous)
    if contexts == 0:
        return unigram[following]
    pairs = sum(1 for pair in zip(train[:-1], train[1:], strict=True)
                if pair == (previous, following))
    return mix * pairs / contexts + (1 - mix) * unigram[following]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bigram_matches_brute_force_counts(seed):
    rng = np.random.default_rng(seed)
    vocab_size = 7
    train = rng.integers(0, vocab_size - 1, size=60)        # the last id never in training
    evaluation = rng.integers(0, vocab_size, size=25)
    mix = 0.7
    log_p = [math.log(brute_force_bigram(train, v, w, vocab_size, mix, 1.0))
             for v, w in zip(evaluation[:-1], evaluation[1:], strict=True)]
    assert bigram_perplexity(train, evaluation, vocab_size, mix=mix) == pytest.approx(
        math.exp(-np.mean(log_p)))
    for previous in range(vocab_size):
        row = bigram_next_probabilities(train, vocab_size, previous, mix=mix)
        assert row.sum() == pytest.approx(1.0)
        expected = [brute_force_bigram(train, previous, w, vocab_size, mix, 1.0)
                    for w in range(vocab_size)]
        np.testing.assert_allclose(row, expected)


def test_bigram_beats_unigram_on_text_with_structure():
    text = np.tile([0, 1, 2, 3], 50)                         # each token fixes the next one
    assert unigram_perplexity(text, text, 4) == pytest.approx(4.0)
    assert bigram_perplexity(text, text, 4, mix=0.9) < 1.5
    assert best_bigram_mix(text, text, 4) == 0.95


def test_mix_zero_is_the_unigram_and_bad_input_is_refused():
    rng = np.random.default_rng(3)
    train, evaluation = rng.integers(0, 6, 80), rng.integers(0, 6, 30)
    unigram = unigram_probabilities(train, 6)
    assert bigram_perplexity(train, evaluation, 6, mix=0.0) == pytest.approx(
        math.exp(-np.mean(np.log(unigram[evaluation[1:]]))))
    with pytest.raises(ValueError, match="mix"):
        bigram_perplexity(train, evaluation, 6, mix=1.0)
    with pytest.raises(ValueError, match="token ids"):
        unigram_perplexity(train, [6], 6)
