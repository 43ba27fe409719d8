"""rnn_lib.gru: gradients against finite differences, and agreement with Keras.

Every test runs for both of Keras' GRU variants, reset_after=True and False.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from masks import example_mask

from rnn_lib.gradcheck import check_gradients
from rnn_lib.gru import (
    gru_backward,
    gru_forward,
    gru_param_names,
    gru_step_backward,
    gru_step_forward,
    last_step_gradient,
)
from rnn_lib.keras_weights import gru_params_from_keras, gru_params_to_keras

GRADIENT_TOLERANCE = 1e-7  # relative error, float64 finite differences
# The five-point stencil: its round-off floor is far below GRADIENT_TOLERANCE (see gradcheck).
FINITE_DIFFERENCES = {"order": 4, "h": 1e-3}
KERAS_FORWARD_TOLERANCE = 1e-5  # max absolute difference, float32
KERAS_BACKWARD_TOLERANCE = 1e-9  # max absolute difference, float64

# (batch, timesteps, input_dim, units)
SHAPES = [(3, 4, 5, 4), (1, 1, 2, 3), (4, 6, 3, 2)]
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


def keras_forward_difference(
    batch_size, timesteps, return_sequences, use_mask, use_initial_state, reset_after, seed=0
):
    """Max |Keras - NumPy| over the output and the final state, in float32."""
    input_dim, units = 3, 4
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size, timesteps, input_dim)).astype(np.float32)
    h0 = rng.standard_normal((batch_size, units)).astype(np.float32) if use_initial_state else None
    mask = example_mask(batch_size, timesteps) if use_mask else None

    layer = keras.layers.GRU(
        units, return_sequences=return_sequences, return_state=True, reset_after=reset_after
    )
    layer.build((None, None, input_dim))
    random_weights = random_params(rng, input_dim, units, reset_after, np.float32)
    layer.set_weights(gru_params_to_keras(random_weights))
    keras_output, keras_h_last = layer(
        x,
        mask=None if mask is None else tf.constant(mask),
        initial_state=None if h0 is None else [h0],
    )

    params = gru_params_from_keras(layer)
    h_all, cache = gru_forward(x, h0, params, mask, reset_after)
    numpy_output = h_all if return_sequences else h_all[:, -1]
    assert numpy_output.dtype == np.float32
    assert keras_output.shape == numpy_output.shape
    return max(
        np.max(np.abs(np.asarray(keras_output) - numpy_output)),
        np.max(np.abs(np.asarray(keras_h_last) - cache["h_last"])),
    )


@RESET_AFTER
@pytest.mark.parametrize(
    "use_mask, use_initial_state",
    [(False, False), (True, False), (False, True), (True, True)],
    ids=["plain", "mask", "initial_state", "mask+initial_state"],
)
@pytest.mark.parametrize("return_sequences", [True, False], ids=["sequences", "last"])
@pytest.mark.parametrize("batch_size, timesteps", [(1, 1), (3, 5), (6, 8)])
def test_forward_matches_keras(
    batch_size, timesteps, return_sequences, use_mask, use_initial_state, reset_after
):
    difference = keras_forward_difference(
        batch_size, timesteps, return_sequences, use_mask, use_initial_state, reset_after
    )
    assert difference <= KERAS_FORWARD_TOLERANCE


def keras_backward_difference(return_sequences, use_mask, reset_after, seed=0):
    """Max |Keras - NumPy| over the gradients w.r.t. x, h0 and the weights, in float64."""
    batch_size, timesteps, input_dim, units = 6, 5, 3, 4
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size, timesteps, input_dim))
    h0 = rng.standard_normal((batch_size, units))
    mask = example_mask(batch_size, timesteps) if use_mask else None
    params = random_params(rng, input_dim, units, reset_after)

    layer = keras.layers.GRU(
        units, return_sequences=return_sequences, reset_after=reset_after, dtype="float64"
    )
    layer.build((None, None, input_dim))
    layer.set_weights(gru_params_to_keras(params))
    x_tensor, h0_tensor = tf.constant(x), tf.constant(h0)
    output_shape = (batch_size, timesteps, units) if return_sequences else (batch_size, units)
    upstream = rng.standard_normal(output_shape)
    with tf.GradientTape() as tape:
        tape.watch([x_tensor, h0_tensor])
        output = layer(
            x_tensor,
            mask=None if mask is None else tf.constant(mask),
            initial_state=[h0_tensor],
        )
        loss = tf.reduce_sum(output * upstream)
    keras_gradients = tape.gradient(loss, [x_tensor, h0_tensor, *layer.trainable_weights])

    _, cache = gru_forward(x, h0, params, mask, reset_after)
    dh_all = upstream if return_sequences else last_step_gradient(upstream, timesteps)
    dx, dh0, dparams = gru_backward(dh_all, cache)
    numpy_gradients = [dx, dh0, *gru_params_to_keras(dparams)]
    return max(
        np.max(np.abs(np.asarray(k) - n))
        for k, n in zip(keras_gradients, numpy_gradients, strict=True)
    )


@RESET_AFTER
@pytest.mark.parametrize("return_sequences", [True, False], ids=["sequences", "last"])
@pytest.mark.parametrize("use_mask", [False, True], ids=["no_mask", "mask"])
def test_backward_matches_keras_gradient_tape(return_sequences, use_mask, reset_after):
    difference = keras_backward_difference(return_sequences, use_mask, reset_after)
    assert difference <= KERAS_BACKWARD_TOLERANCE
