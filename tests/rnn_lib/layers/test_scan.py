"""Linear recurrences: the loop, the parallel scan, Keras' associative scan and log space agree."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.layers.scan import (
    combine,
    hillis_steele_scan,
    linear_recurrence,
    log_space_recurrence,
    scan_recurrence,
)


def coefficients(seed: int, batch=2, steps=13, units=3):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 1.0, size=(batch, steps, units)), rng.normal(size=(batch, steps, units))


def test_the_loop_is_the_recurrence_written_out():
    a, b = coefficients(0, steps=3)
    h0 = np.ones((2, 3))
    h1 = a[:, 0] * h0 + b[:, 0]
    h2 = a[:, 1] * h1 + b[:, 1]
    h3 = a[:, 2] * h2 + b[:, 2]
    np.testing.assert_allclose(linear_recurrence(a, b, h0), np.stack([h1, h2, h3], axis=1))
    np.testing.assert_allclose(linear_recurrence(a, b)[:, 0], b[:, 0])  # h0 = 0


def test_combine_is_doing_one_map_then_the_other_and_is_associative_but_not_commutative():
    rng = np.random.default_rng(1)
    maps = [tuple(rng.normal(size=2)) for _ in range(3)]
    h = rng.normal()
    a, b = combine(maps[0], maps[1])
    assert np.isclose(a * h + b, maps[1][0] * (maps[0][0] * h + maps[0][1]) + maps[1][1])
    left = combine(combine(maps[0], maps[1]), maps[2])
    right = combine(maps[0], combine(maps[1], maps[2]))
    np.testing.assert_allclose(left, right)
    assert not np.allclose(combine(maps[0], maps[1]), combine(maps[1], maps[0]))


@pytest.mark.parametrize("steps", [1, 2, 5, 8, 13, 64])
def test_the_scan_equals_the_loop_at_every_length(steps):
    a, b = coefficients(steps, steps=steps)
    h0 = np.random.default_rng(steps).normal(size=(2, 3))
    np.testing.assert_allclose(scan_recurrence(a, b, h0), linear_recurrence(a, b, h0), atol=1e-12)
    np.testing.assert_allclose(scan_recurrence(a, b), linear_recurrence(a, b), atol=1e-12)
    A, _ = hillis_steele_scan(a, b)
    np.testing.assert_allclose(A, np.cumprod(a, axis=1))


def test_the_scan_leaves_its_inputs_alone():
    a, b = coefficients(2)
    a0, b0 = a.copy(), b.copy()
    hillis_steele_scan(a, b)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


def test_keras_associative_scan_with_combine_equals_the_loop():
    import keras

    a, b = coefficients(3, steps=37)
    A, B = keras.ops.associative_scan(combine, (a.astype("float32"), b.astype("float32")), axis=1)
    np.testing.assert_allclose(np.asarray(B), linear_recurrence(a, b), atol=1e-5)
    np.testing.assert_allclose(np.asarray(A), np.cumprod(a, axis=1), rtol=1e-5, atol=1e-30)


def test_log_space_agrees_where_the_plain_products_do_not_underflow():
    rng = np.random.default_rng(4)
    a = rng.uniform(0.5, 0.99, size=(2, 50, 3))
    b = rng.uniform(0.1, 1.0, size=(2, 50, 3))
    h0 = rng.uniform(0.1, 1.0, size=(2, 3))
    log_h = log_space_recurrence(np.log(a), np.log(b), np.log(h0))
    np.testing.assert_allclose(np.exp(log_h), linear_recurrence(a, b, h0), rtol=1e-10)
    np.testing.assert_allclose(
        np.exp(log_space_recurrence(np.log(a), np.log(b))), linear_recurrence(a, b), rtol=1e-10
    )


def test_log_space_survives_products_that_underflow():
    # 2000 gates of 0.5: their product, 2**-2000, is 0 even in float64; the state is not.
    steps = 2000
    a = np.full((1, steps, 1), 0.5)
    b = np.full((1, steps, 1), 0.5)
    with np.errstate(under="ignore"):
        products = np.cumprod(a, axis=1)
    assert products[0, -1, 0] == 0.0
    log_h = log_space_recurrence(np.log(a), np.log(b), np.log(np.ones((1, 1))))
    # the fixed point of h = 0.5 h + 0.5 is 1: from h0 = 1 the state stays there
    np.testing.assert_allclose(np.exp(log_h), 1.0, rtol=1e-9)
