"""rnn_lib.layers.simple_rnn: gradients against finite differences, and agreement with Keras."""

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
from rnn_lib.layers.keras_weights import simple_rnn_params_from_keras, simple_rnn_params_to_keras
from rnn_lib.layers.masking import last_step_gradient, output_started_mask
from rnn_lib.layers.simple_rnn import (
    simple_rnn_backward,
    simple_rnn_forward,
    simple_rnn_step_backward,
    simple_rnn_step_forward,
)


def random_params(rng, input_dim, units, dtype=np.float64):
    return {
        "W": (0.5 * rng.standard_normal((input_dim, units))).astype(dtype),
        "U": (0.5 * rng.standard_normal((units, units))).astype(dtype),
        "b": (0.3 * rng.standard_normal(units)).astype(dtype),
    }


# ---------------------------------------------------------------------------
# Gradients against finite differences (float64)
# ---------------------------------------------------------------------------


def step_gradient_errors(batch_size, input_dim, units, seed=0):
    rng = np.random.default_rng(seed)
    x_t = rng.standard_normal((batch_size, input_dim))
    h_prev = rng.standard_normal((batch_size, units))
    params = random_params(rng, input_dim, units)
    h_next, cache = simple_rnn_step_forward(x_t, h_prev, params)
    dh_next = rng.standard_normal(h_next.shape)
    dx_t, dh_prev, dparams = simple_rnn_step_backward(dh_next, cache)
    return check_gradients(
        lambda: simple_rnn_step_forward(x_t, h_prev, params)[0],
        inputs={"x_t": x_t, "h_prev": h_prev, **params},
        analytic={"x_t": dx_t, "h_prev": dh_prev, **dparams},
        df=dh_next,
        **FINITE_DIFFERENCES,
    )


def sequence_gradient_errors(batch_size, timesteps, input_dim, units, use_mask, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size, timesteps, input_dim))
    h0 = rng.standard_normal((batch_size, units))
    params = random_params(rng, input_dim, units)
    mask = example_mask(batch_size, timesteps) if use_mask else None
    h_all, cache = simple_rnn_forward(x, h0, params, mask)
    dh_all = rng.standard_normal(h_all.shape)
    dx, dh0, dparams = simple_rnn_backward(dh_all, cache)
    return check_gradients(
        lambda: simple_rnn_forward(x, h0, params, mask)[0],
        inputs={"x": x, "h0": h0, **params},
        analytic={"x": dx, "h0": dh0, **dparams},
        df=dh_all,
        **FINITE_DIFFERENCES,
    )


@pytest.mark.parametrize("batch_size, timesteps, input_dim, units", SHAPES)
def test_step_backward_matches_finite_differences(batch_size, timesteps, input_dim, units):
    errors = step_gradient_errors(batch_size, input_dim, units)
    assert set(errors) == {"x_t", "h_prev", "W", "U", "b"}
    assert max(errors.values()) <= GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("use_mask", [False, True], ids=["no_mask", "mask"])
@pytest.mark.parametrize("batch_size, timesteps, input_dim, units", SHAPES)
def test_sequence_backward_matches_finite_differences(
    batch_size, timesteps, input_dim, units, use_mask
):
    errors = sequence_gradient_errors(batch_size, timesteps, input_dim, units, use_mask)
    assert set(errors) == {"x", "h0", "W", "U", "b"}
    assert max(errors.values()) <= GRADIENT_TOLERANCE, errors


def test_many_to_one_backward_with_last_step_gradient():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5, 2))
    h0 = rng.standard_normal((3, 4))
    params = random_params(rng, 2, 4)
    mask = example_mask(3, 5)
    h_all, cache = simple_rnn_forward(x, h0, params, mask)
    dh_last = rng.standard_normal(h_all[:, -1].shape)
    dx, dh0, dparams = simple_rnn_backward(last_step_gradient(dh_last, 5), cache)
    errors = check_gradients(
        lambda: simple_rnn_forward(x, h0, params, mask)[0][:, -1],
        inputs={"x": x, "h0": h0, **params},
        analytic={"x": dx, "h0": dh0, **dparams},
        df=dh_last,
        **FINITE_DIFFERENCES,
    )
    assert max(errors.values()) <= GRADIENT_TOLERANCE, errors


def test_masked_steps_carry_the_state_and_get_no_input_gradient():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 4, 3))
    h0 = rng.standard_normal((2, 5))
    params = random_params(rng, 3, 5)
    mask = np.array([[False, True, False, True], [True, True, True, False]])
    h_all, cache = simple_rnn_forward(x, h0, params, mask)
    np.testing.assert_array_equal(h_all[0, 0], 0)  # before the first real step: zeros
    np.testing.assert_array_equal(h_all[0, 2], h_all[0, 1])  # carried over
    np.testing.assert_array_equal(h_all[1, 3], h_all[1, 2])
    np.testing.assert_array_equal(cache["step_caches"][1]["h_prev"][0], h0[0])  # state kept h0
    dx, _, _ = simple_rnn_backward(rng.standard_normal(h_all.shape), cache)
    np.testing.assert_array_equal(dx[~mask], 0)
    assert np.all(np.abs(dx[mask]) > 0)


def test_output_started_mask():
    mask = np.array([[False, True, False], [False, False, False], [True, False, True]])
    expected = np.array([[False, True, True], [False, False, False], [True, True, True]])
    np.testing.assert_array_equal(output_started_mask(mask), expected)


def test_forward_rejects_a_mask_of_the_wrong_shape():
    rng = np.random.default_rng(0)
    params = random_params(rng, 2, 3)
    with pytest.raises(ValueError, match="mask must have shape"):
        simple_rnn_forward(np.zeros((2, 4, 2)), None, params, mask=np.ones((4, 2), dtype=bool))


# ---------------------------------------------------------------------------
# Agreement with keras.layers.SimpleRNN
# ---------------------------------------------------------------------------


SIMPLE_RNN = LayerCase(
    keras_layer=keras.layers.SimpleRNN,
    random_params=random_params,
    forward=simple_rnn_forward,
    backward=simple_rnn_backward,
    to_keras=simple_rnn_params_to_keras,
    from_keras=simple_rnn_params_from_keras,
)


@forward_settings
def test_forward_matches_keras(
    batch_size, timesteps, return_sequences, use_mask, use_initial_state
):
    difference = keras_forward_difference(
        SIMPLE_RNN, batch_size, timesteps, return_sequences, use_mask, use_initial_state
    )
    assert difference <= KERAS_FORWARD_TOLERANCE


@backward_settings
def test_backward_matches_keras_gradient_tape(return_sequences, use_mask):
    difference = keras_backward_difference(SIMPLE_RNN, return_sequences, use_mask)
    assert difference <= KERAS_BACKWARD_TOLERANCE
