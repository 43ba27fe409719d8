"""rnn_lib.layers.gru: gradients against finite differences, and agreement with Keras.

Every test runs for both of Keras' GRU variants, reset_after=True and False.
"""

from __future__ import annotations

import functools

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
from rnn_lib.layers.gru import (
    gru_backward,
    gru_forward,
    gru_param_names,
    gru_step_backward,
    gru_step_forward,
)
from rnn_lib.layers.keras_weights import gru_params_from_keras, gru_params_to_keras

RESET_AFTER = pytest.mark.parametrize(
    "reset_after", [True, False], ids=["reset_after", "reset_before"]
)


def random_params(rng, input_dim, units, reset_after, dtype=np.float64):
    shapes = {"W": (input_dim, units), "U": (units, units), "b": (units,), "b_rec": (units,)}
    params = {}
    for name in gru_param_names(reset_after):
        kind = name.rsplit("_", 1)[0]  # "W_z" -> "W", "b_rec_h" -> "b_rec"
        scale = 0.5 if kind in ("W", "U") else 0.3
        params[name] = (scale * rng.standard_normal(shapes[kind])).astype(dtype)
    return params


# ---------------------------------------------------------------------------
# Gradients against finite differences (float64)
# ---------------------------------------------------------------------------


def step_gradient_errors(batch_size, input_dim, units, reset_after, seed=0):
    rng = np.random.default_rng(seed)
    x_t = rng.standard_normal((batch_size, input_dim))
    h_prev = rng.standard_normal((batch_size, units))
    params = random_params(rng, input_dim, units, reset_after)
    h_next, cache = gru_step_forward(x_t, h_prev, params, reset_after)
    dh_next = rng.standard_normal(h_next.shape)
    dx_t, dh_prev, dparams = gru_step_backward(dh_next, cache)
    return check_gradients(
        lambda: gru_step_forward(x_t, h_prev, params, reset_after)[0],
        inputs={"x_t": x_t, "h_prev": h_prev, **params},
        analytic={"x_t": dx_t, "h_prev": dh_prev, **dparams},
        df=dh_next,
        **FINITE_DIFFERENCES,
    )


def sequence_gradient_errors(
    batch_size, timesteps, input_dim, units, reset_after, use_mask, seed=0
):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size, timesteps, input_dim))
    h0 = rng.standard_normal((batch_size, units))
    params = random_params(rng, input_dim, units, reset_after)
    mask = example_mask(batch_size, timesteps) if use_mask else None
    h_all, cache = gru_forward(x, h0, params, mask, reset_after)
    dh_all = rng.standard_normal(h_all.shape)
    dx, dh0, dparams = gru_backward(dh_all, cache)
    return check_gradients(
        lambda: gru_forward(x, h0, params, mask, reset_after)[0],
        inputs={"x": x, "h0": h0, **params},
        analytic={"x": dx, "h0": dh0, **dparams},
        df=dh_all,
        **FINITE_DIFFERENCES,
    )


@RESET_AFTER
@pytest.mark.parametrize("batch_size, timesteps, input_dim, units", SHAPES)
def test_step_backward_matches_finite_differences(
    batch_size, timesteps, input_dim, units, reset_after
):
    errors = step_gradient_errors(batch_size, input_dim, units, reset_after)
    assert set(errors) == {"x_t", "h_prev", *gru_param_names(reset_after)}
    assert max(errors.values()) <= GRADIENT_TOLERANCE, errors


@RESET_AFTER
@pytest.mark.parametrize("use_mask", [False, True], ids=["no_mask", "mask"])
@pytest.mark.parametrize("batch_size, timesteps, input_dim, units", SHAPES)
def test_sequence_backward_matches_finite_differences(
    batch_size, timesteps, input_dim, units, use_mask, reset_after
):
    errors = sequence_gradient_errors(
        batch_size, timesteps, input_dim, units, reset_after, use_mask
    )
    assert set(errors) == {"x", "h0", *gru_param_names(reset_after)}
    assert max(errors.values()) <= GRADIENT_TOLERANCE, errors


@RESET_AFTER
def test_parameters_must_match_the_variant(reset_after):
    params = random_params(np.random.default_rng(0), 2, 3, reset_after)
    with pytest.raises(ValueError, match="reset_after"):
        gru_forward(np.zeros((1, 2, 2)), None, params, reset_after=not reset_after)


def test_update_gate_of_one_keeps_the_old_state():
    """Keras' sign convention: h_t = z * h_{t-1} + (1 - z) * candidate."""
    rng = np.random.default_rng(3)
    params = random_params(rng, 2, 3, reset_after=True)
    params["b_z"] = np.full(3, 50.0)  # z = sigmoid(50 + ...) = 1 to double precision
    h_prev = rng.standard_normal((2, 3))
    h_next, _ = gru_step_forward(rng.standard_normal((2, 2)), h_prev, params)
    np.testing.assert_allclose(h_next, h_prev, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------
# Agreement with keras.layers.GRU
# ---------------------------------------------------------------------------


def gru_case(reset_after: bool) -> LayerCase:
    """The GRU variant ``reset_after`` as a :class:`~harness.LayerCase`."""
    return LayerCase(
        keras_layer=functools.partial(keras.layers.GRU, reset_after=reset_after),
        random_params=lambda rng, d, u, dtype: random_params(rng, d, u, reset_after, dtype),
        forward=lambda x, h0, params, mask: gru_forward(x, h0, params, mask, reset_after),
        backward=gru_backward,
        to_keras=gru_params_to_keras,
        from_keras=gru_params_from_keras,
    )


@RESET_AFTER
@forward_settings
def test_forward_matches_keras(
    batch_size, timesteps, return_sequences, use_mask, use_initial_state, reset_after
):
    difference = keras_forward_difference(
        gru_case(reset_after), batch_size, timesteps, return_sequences, use_mask, use_initial_state
    )
    assert difference <= KERAS_FORWARD_TOLERANCE


@RESET_AFTER
@backward_settings
def test_backward_matches_keras_gradient_tape(return_sequences, use_mask, reset_after):
    difference = keras_backward_difference(gru_case(reset_after), return_sequences, use_mask)
    assert difference <= KERAS_BACKWARD_TOLERANCE
