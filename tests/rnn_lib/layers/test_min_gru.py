"""minGRU in NumPy: step, loop, scan and log space agree, and the step is its equations."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.layers.activations import sigmoid
from rnn_lib.layers.min_gru import (
    min_gru_coefficients,
    min_gru_forward,
    min_gru_log_space_forward,
    min_gru_param_count,
    min_gru_step,
    positive_candidate,
)


def params(seed: int, inputs=4, units=3):
    rng = np.random.default_rng(seed)
    return {
        "W_z": rng.normal(size=(inputs, units)),
        "W_h": rng.normal(size=(inputs, units)),
        "b_z": rng.normal(size=units),
        "b_h": rng.normal(size=units),
    }


def test_the_step_is_the_interpolation_with_gates_from_the_input_only():
    p = params(0)
    rng = np.random.default_rng(1)
    x_t, h_prev = rng.normal(size=(2, 4)), rng.normal(size=(2, 3))
    z = sigmoid(x_t @ p["W_z"] + p["b_z"])
    want = (1 - z) * h_prev + z * (x_t @ p["W_h"] + p["b_h"])
    np.testing.assert_allclose(min_gru_step(x_t, h_prev, p), want)
    a, b = min_gru_coefficients(x_t[:, None], p)
    np.testing.assert_allclose(a[:, 0] * h_prev + b[:, 0], want)


@pytest.mark.parametrize("method", ["loop", "scan"])
def test_whole_sequences_are_the_step_repeated(method):
    p = params(2)
    rng = np.random.default_rng(3)
    x, h0 = rng.normal(size=(2, 9, 4)), rng.normal(size=(2, 3))
    h, states = h0, []
    for t in range(9):
        h = min_gru_step(x[:, t], h, p)
        states.append(h)
    got = min_gru_forward(x, h0, p, method=method)
    np.testing.assert_allclose(got, np.stack(states, 1), atol=1e-12)
    with pytest.raises(ValueError, match="method"):
        min_gru_forward(x, h0, p, method="parallel")


def test_log_space_is_the_paper_s_model_with_a_positive_candidate():
    p = params(4)
    rng = np.random.default_rng(5)
    x, h0 = rng.normal(size=(2, 30, 4)), rng.uniform(0.2, 1.0, size=(2, 3))
    z = sigmoid(x @ p["W_z"] + p["b_z"])
    candidate = positive_candidate(x @ p["W_h"] + p["b_h"])
    h, states = h0, []
    for t in range(30):
        h = (1 - z[:, t]) * h + z[:, t] * candidate[:, t]
        states.append(h)
    np.testing.assert_allclose(min_gru_log_space_forward(x, h0, p), np.stack(states, 1), rtol=1e-9)
    assert np.all(positive_candidate(np.linspace(-30, 30, 61)) > 0)


def test_a_min_gru_has_a_third_of_a_gru_s_parameters_or_fewer():
    assert min_gru_param_count(4, 3) == sum(v.size for v in params(0).values()) == 30
    gru = 3 * (4 * 3 + 3 * 3 + 3)  # one bias row (reset_after=False)
    assert min_gru_param_count(4, 3) < gru / 2
