"""Shared by the tests of the three NumPy layers: tolerances, masks, the Keras comparisons.

Each layer's test module describes its layer once as a :class:`LayerCase` (the NumPy
functions, their Keras twin and the weight conversions); the comparisons with Keras
below are then the same code for the SimpleRNN, the LSTM and both GRU variants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import tensorflow as tf

from rnn_lib.layers.masking import last_step_gradient

GRADIENT_TOLERANCE = 1e-7  # relative error, float64 finite differences
# The five-point stencil: its round-off floor is far below GRADIENT_TOLERANCE (see gradcheck).
FINITE_DIFFERENCES = {"order": 4, "h": 1e-3}
KERAS_FORWARD_TOLERANCE = 1e-5  # max absolute difference, float32
KERAS_BACKWARD_TOLERANCE = 1e-9  # max absolute difference, float64

# (batch, timesteps, input_dim, units) of the finite-difference checks
SHAPES = [(3, 4, 5, 4), (1, 1, 2, 3), (4, 6, 3, 2)]


def example_mask(batch_size: int, timesteps: int) -> np.ndarray:
    """Each row a different padding pattern: leading, trailing, both, a hole, none, all.

    Returns:
        bool array of shape ``(batch_size, timesteps)``.
    """
    mask = np.ones((batch_size, timesteps), dtype=bool)
    third = max(1, timesteps // 3)
    for row in range(batch_size):
        pattern = row % 6
        if pattern == 0:
            mask[row, :third] = False  # leading padding
        elif pattern == 1:
            mask[row, -third:] = False  # trailing padding
        elif pattern == 2:
            mask[row, 0] = mask[row, -1] = False  # both
        elif pattern == 3:
            mask[row, timesteps // 2] = False  # a hole in the middle
        elif pattern == 5:
            mask[row] = False  # everything masked
        # pattern 4: nothing masked
    return mask


@dataclass(frozen=True)
class LayerCase:
    """A NumPy layer and its Keras twin.

    Attributes:
        keras_layer: ``(units, **options) -> keras layer`` (e.g. ``keras.layers.LSTM``).
        random_params: ``(rng, input_dim, units, dtype) -> params``.
        forward: ``(x, *initial_states, params, mask) -> (h_all, cache)``.
        backward: ``(dh_all, cache) -> (dx, *d_initial_states, dparams)``.
        to_keras: params (or their gradients) to Keras' weight list.
        from_keras: a built Keras layer to params.
        states: the state names, in Keras' order; the cache holds ``f"{name}_last"``.
    """

    keras_layer: Callable
    random_params: Callable
    forward: Callable
    backward: Callable
    to_keras: Callable
    from_keras: Callable
    states: tuple[str, ...] = ("h",)


def forward_settings(test):
    """Parametrize a forward comparison with Keras over every setting it must hold in:
    batch sizes and lengths, every output or the last, with and without a mask and an
    initial state."""
    marks = [
        pytest.mark.parametrize(
            "use_mask, use_initial_state",
            [(False, False), (True, False), (False, True), (True, True)],
            ids=["plain", "mask", "initial_state", "mask+initial_state"],
        ),
        pytest.mark.parametrize("return_sequences", [True, False], ids=["sequences", "last"]),
        pytest.mark.parametrize("batch_size, timesteps", [(1, 1), (3, 5), (6, 8)]),
    ]
    for mark in marks:
        test = mark(test)
    return test


def backward_settings(test):
    """Parametrize a backward comparison with Keras: every output or the last, with and
    without a mask."""
    outputs = pytest.mark.parametrize("return_sequences", [True, False], ids=["sequences", "last"])
    masks = pytest.mark.parametrize("use_mask", [False, True], ids=["no_mask", "mask"])
    return masks(outputs(test))


def keras_forward_difference(
    case: LayerCase, batch_size, timesteps, return_sequences, use_mask, use_initial_state, seed=0
) -> float:
    """Max |Keras - NumPy| over the output and every final state, in float32."""
    input_dim, units = 3, 4
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size, timesteps, input_dim)).astype(np.float32)
    initial = [
        rng.standard_normal((batch_size, units)).astype(np.float32) if use_initial_state else None
        for _ in case.states
    ]
    mask = example_mask(batch_size, timesteps) if use_mask else None

    layer = case.keras_layer(units, return_sequences=return_sequences, return_state=True)
    layer.build((None, None, input_dim))
    layer.set_weights(case.to_keras(case.random_params(rng, input_dim, units, np.float32)))
    keras_output, *keras_last = layer(
        x,
        mask=None if mask is None else tf.constant(mask),
        initial_state=initial if use_initial_state else None,
    )

    h_all, cache = case.forward(x, *initial, case.from_keras(layer), mask)
    numpy_output = h_all if return_sequences else h_all[:, -1]
    assert numpy_output.dtype == np.float32
    assert keras_output.shape == numpy_output.shape
    numpy_last = [cache[f"{name}_last"] for name in case.states]
    return max(
        np.max(np.abs(np.asarray(k) - n))
        for k, n in zip([keras_output, *keras_last], [numpy_output, *numpy_last], strict=True)
    )


def keras_backward_difference(case: LayerCase, return_sequences, use_mask, seed=0) -> float:
    """Max |Keras - NumPy| over the gradients w.r.t. x, the initial states and the
    weights, in float64."""
    batch_size, timesteps, input_dim, units = 6, 5, 3, 4
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size, timesteps, input_dim))
    initial = [rng.standard_normal((batch_size, units)) for _ in case.states]
    mask = example_mask(batch_size, timesteps) if use_mask else None
    params = case.random_params(rng, input_dim, units, np.float64)

    layer = case.keras_layer(units, return_sequences=return_sequences, dtype="float64")
    layer.build((None, None, input_dim))
    layer.set_weights(case.to_keras(params))
    x_tensor, *state_tensors = [tf.constant(a) for a in (x, *initial)]
    output_shape = (batch_size, timesteps, units) if return_sequences else (batch_size, units)
    upstream = rng.standard_normal(output_shape)
    with tf.GradientTape() as tape:
        tape.watch([x_tensor, *state_tensors])
        output = layer(
            x_tensor,
            mask=None if mask is None else tf.constant(mask),
            initial_state=state_tensors,
        )
        loss = tf.reduce_sum(output * upstream)
    keras_gradients = tape.gradient(loss, [x_tensor, *state_tensors, *layer.trainable_weights])

    _, cache = case.forward(x, *initial, params, mask)
    dh_all = upstream if return_sequences else last_step_gradient(upstream, timesteps)
    *input_gradients, dparams = case.backward(dh_all, cache)
    numpy_gradients = [*input_gradients, *case.to_keras(dparams)]
    return max(
        np.max(np.abs(np.asarray(k) - n))
        for k, n in zip(keras_gradients, numpy_gradients, strict=True)
    )
