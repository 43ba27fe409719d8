"""rnn_lib.data.tagging: the look-ahead labelling task and the ceiling of causal models."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.data.tagging import best_causal_accuracy, repeat_probability, repeats_later


def test_repeats_later_small_example_by_hand():
    tokens, labels = repeats_later(200, 5, num_symbols=3, seed=1)
    row = next(i for i, t in enumerate(tokens) if t.tolist() == [t[0], t[1], t[0], t[3], t[4]])
    assert labels[row, 0] == 1, "the first symbol appears again at step 2"
    assert labels[row, -1] == 0, "nothing comes after the last step"


@pytest.mark.parametrize(("length", "num_symbols"), [(1, 4), (7, 1), (12, 6), (16, 8)])
def test_repeats_later_against_a_plain_loop(length, num_symbols):
    tokens, labels = repeats_later(50, length, num_symbols=num_symbols, seed=length)
    assert tokens.shape == labels.shape == (50, length)
    assert tokens.dtype == labels.dtype == np.int32
    assert tokens.min() >= 1 and tokens.max() <= num_symbols
    for row in range(50):
        for step in range(length):
            later = tokens[row, step + 1 :].tolist()
            assert labels[row, step] == int(tokens[row, step] in later)


def test_repeats_later_is_seeded():
    a, b = repeats_later(20, 6, seed=3), repeats_later(20, 6, seed=3)
    c = repeats_later(20, 6, seed=4)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_repeats_later_rejects_bad_sizes():
    with pytest.raises(ValueError):
        repeats_later(3, 0)
    with pytest.raises(ValueError):
        repeats_later(3, 4, num_symbols=0)


def test_repeat_probability_matches_the_sampled_label_rate():
    _, labels = repeats_later(40_000, 12, num_symbols=6, seed=0)
    p = repeat_probability(12, 6)
    assert p.shape == (12,) and p[-1] == 0.0
    np.testing.assert_allclose(labels.mean(axis=0), p, atol=0.01)


def test_best_causal_accuracy_is_the_positional_rule():
    length, num_symbols = 12, 6
    ceiling = best_causal_accuracy(length, num_symbols, per_step=True)
    p = repeat_probability(length, num_symbols)
    np.testing.assert_allclose(ceiling, np.maximum(p, 1 - p))
    assert best_causal_accuracy(length, num_symbols) == pytest.approx(ceiling.mean())
    # predicting the more likely label at each position scores the ceiling on sampled data
    _, labels = repeats_later(40_000, length, num_symbols=num_symbols, seed=1)
    rule = np.broadcast_to((p > 0.5).astype(np.int32), labels.shape)
    assert (rule == labels).mean() == pytest.approx(ceiling.mean(), abs=0.005)
    # literal values, computed by hand from 1 - (5/6) ** k
    assert best_causal_accuracy(2, 2) == pytest.approx(0.75)
    assert best_causal_accuracy(12, 6) == pytest.approx(0.7405, abs=1e-4)
