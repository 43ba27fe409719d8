"""rnn_lib.layers.lstm: gradients against finite differences, and agreement with Keras."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from harness import (
    FINITE_DIFFERENCES,
    GRADIENT_TOLERANCE,
    KERAS_BACKWARD_TOLERANCE,
    KERAS_FORWARD_TOLERANCE,
    SHAPES,
    LayerCase,
    backward_settings,
    example_mask,
    forward_settings,
    keras_backward_difference,
    keras_forward_difference,
)

from rnn_lib.layers.gradcheck import check_gradients
from rnn_lib.layers.keras_weights import lstm_params_from_keras, lstm_params_to_keras
from rnn_lib.layers.lstm import (
    GATES,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)

PARAM_NAMES = {f"{kind}_{gate}" for kind in ("W", "U", "b") for gate in GATES}


def random_params(rng, input_dim, units, dtype=np.float64):
    params = {}
    for gate in GATES:
        params[f"W_{gate}"] = (0.5 * rng.standard_normal((input_dim, units))).astype(dtype)
        params[f"U_{gate}"] = (0.5 * rng.standard_normal((units, units))).astype(dtype)
        params[f"b_{gate}"] = (0.3 * rng.standard_normal(units)).astype(dtype)
    return params


# ---------------------------------------------------------------------------
# Gradients against finite differences (float64)
# ---------------------------------------------------------------------------


def step_gradient_errors(batch_size, input_dim, units, seed=0):
    """Relative errors of the step's gradients, through both of its outputs."""
    rng = np.random.default_rng(seed)
    x_t = rng.standard_normal((batch_size, input_dim))
    h_prev = rng.standard_normal((batch_size, units))
    c_prev = rng.standard_normal((batch_size, units))
    params = random_params(rng, input_dim, units)
    h_next, c_next, cache = lstm_step_forward(x_t, h_prev, c_prev, params)
    dh_next = rng.standard_normal(h_next.shape)
    dc_next = rng.standard_normal(c_next.shape)
    dx_t, dh_prev, dc_prev, dparams = lstm_step_backward(dh_next, dc_next, cache)

    def both_outputs():
        h, c, _ = lstm_step_forward(x_t, h_prev, c_prev, params)
        return np.stack([h, c])

    return check_gradients(
        both_outputs,
        inputs={"x_t": x_t, "h_prev": h_prev, "c_prev": c_prev, **params},
        analytic={"x_t": dx_t, "h_prev": dh_prev, "c_prev": dc_prev, **dparams},
        df=np.stack([dh_next, dc_next]),
        **FINITE_DIFFERENCES,
    )


def sequence_gradient_errors(batch_size, timesteps, input_dim, units, use_mask, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size, timesteps, input_dim))
    h0 = rng.standard_normal((batch_size, units))
    c0 = rng.standard_normal((batch_size, units))
    params = random_params(rng, input_dim, units)
    mask = example_mask(batch_size, timesteps) if use_mask else None
    h_all, cache = lstm_forward(x, h0, c0, params, mask)
    dh_all = rng.standard_normal(h_all.shape)
    dx, dh0, dc0, dparams = lstm_backward(dh_all, cache)
    return check_gradients(
        lambda: lstm_forward(x, h0, c0, params, mask)[0],
        inputs={"x": x, "h0": h0, "c0": c0, **params},
        analytic={"x": dx, "h0": dh0, "c0": dc0, **dparams},
        df=dh_all,
        **FINITE_DIFFERENCES,
    )


@pytest.mark.parametrize("batch_size, timesteps, input_dim, units", SHAPES)
def test_step_backward_matches_finite_differences(batch_size, timesteps, input_dim, units):
    errors = step_gradient_errors(batch_size, input_dim, units)
    assert set(errors) == {"x_t", "h_prev", "c_prev"} | PARAM_NAMES
    assert max(errors.values()) <= GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("use_mask", [False, True], ids=["no_mask", "mask"])
@pytest.mark.parametrize("batch_size, timesteps, input_dim, units", SHAPES)
def test_sequence_backward_matches_finite_differences(
    batch_size, timesteps, input_dim, units, use_mask
):
    errors = sequence_gradient_errors(batch_size, timesteps, input_dim, units, use_mask)
    assert set(errors) == {"x", "h0", "c0"} | PARAM_NAMES
    assert max(errors.values()) <= GRADIENT_TOLERANCE, errors


def test_masked_steps_carry_both_states():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 3, 2))
    h0, c0 = rng.standard_normal((1, 4)), rng.standard_normal((1, 4))
    params = random_params(rng, 2, 4)
    h_all, cache = lstm_forward(x, h0, c0, params, mask=np.array([[False, True, False]]))
    np.testing.assert_array_equal(h_all[0, 0], 0)  # before the first real step: zeros
    np.testing.assert_array_equal(h_all[0, 2], h_all[0, 1])  # carried over
    second_step = cache["step_caches"][1]
    np.testing.assert_array_equal(second_step["h_prev"], h0)  # the masked step kept h0, c0
    np.testing.assert_array_equal(second_step["c_prev"], c0)
    np.testing.assert_array_equal(cache["h_last"], h_all[:, 1])


# ---------------------------------------------------------------------------
# Agreement with keras.layers.LSTM
# ---------------------------------------------------------------------------


LSTM = LayerCase(
    keras_layer=keras.layers.LSTM,
    random_params=random_params,
    forward=lstm_forward,
    backward=lstm_backward,
    to_keras=lstm_params_to_keras,
    from_keras=lstm_params_from_keras,
    states=("h", "c"),
)


@forward_settings
def test_forward_matches_keras(
    batch_size, timesteps, return_sequences, use_mask, use_initial_state
):
    difference = keras_forward_difference(
        LSTM, batch_size, timesteps, return_sequences, use_mask, use_initial_state
    )
    assert difference <= KERAS_FORWARD_TOLERANCE


@backward_settings
def test_backward_matches_keras_gradient_tape(return_sequences, use_mask):
    assert keras_backward_difference(LSTM, return_sequences, use_mask) <= KERAS_BACKWARD_TOLERANCE
