"""Lessons 02-05: moving weights between Keras recurrent layers and the NumPy layers of `rnn_lib`.

Keras stores each recurrent layer's parameters in three arrays, with the gates
concatenated along the last axis; `rnn_lib` keeps one array per gate, named as
in the equations. The correspondence (D = input_dim, H = units):

SimpleRNN, `layer.get_weights() == [kernel, recurrent_kernel, bias]`::

    kernel (D, H) = W      recurrent_kernel (H, H) = U      bias (H,) = b

LSTM, gate order i, f, c, o::

    kernel           (D, 4H) = [W_i | W_f | W_c | W_o]
    recurrent_kernel (H, 4H) = [U_i | U_f | U_c | U_o]
    bias             (4H,)   = [b_i | b_f | b_c | b_o]

GRU, gate order z, r, h (update, reset, candidate)::

    kernel           (D, 3H) = [W_z | W_r | W_h]
    recurrent_kernel (H, 3H) = [U_z | U_r | U_h]
    reset_after=True:   bias (2, 3H), bias[0] = [b_z | b_r | b_h]   (input bias)
                                      bias[1] = [b_rec_z | b_rec_r | b_rec_h]
                                                                    (recurrent bias)
    reset_after=False:  bias (3H,) = [b_z | b_r | b_h]

Usage, to run a Keras layer's weights through the NumPy code::

    layer = keras.layers.LSTM(units, return_sequences=True)
    y_keras = layer(x)                      # building the layer creates its weights
    params = lstm_params_from_keras(layer)  # or from layer.get_weights()
    y_numpy, _ = lstm_forward(x, None, None, params)   # equal to y_keras

and back: `layer.set_weights(lstm_params_to_keras(params))`. The `*_to_keras`
functions accept gradient dicts too (they have the same keys), which puts
NumPy gradients in the layout of Keras' `layer.trainable_weights`.

Only layers with `use_bias=True` (the Keras default) are supported. This module
never imports Keras: it only reads `layer.get_weights()` and reshapes arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from rnn_lib.layers.gru import GATES as GRU_GATES
from rnn_lib.layers.lstm import GATES as LSTM_GATES
from rnn_lib.layers.params import Params

LayerOrWeights = Any
"""A built Keras layer (anything with `get_weights()`), or its list of weights."""


def _keras_weights(layer_or_weights: LayerOrWeights, dtype: DTypeLike | None) -> list[np.ndarray]:
    """The `[kernel, recurrent_kernel, bias]` arrays, as fresh NumPy copies."""
    if hasattr(layer_or_weights, "get_weights"):
        weights = layer_or_weights.get_weights()
        if not weights:
            raise ValueError(
                "the layer has no weights yet: build it first, e.g. by calling it on an input"
            )
    else:
        weights = layer_or_weights
    if not isinstance(weights, Sequence) or len(weights) != 3:
        count = len(weights) if isinstance(weights, Sequence) else type(weights).__name__
        raise ValueError(
            "expected the three weights [kernel, recurrent_kernel, bias] of a layer "
            f"with use_bias=True, got {count}"
        )
    return [np.array(w, dtype=dtype, copy=True) for w in weights]


def _split_gates(array: np.ndarray, gates: Sequence[str], prefix: str) -> Params:
    """Splits a Keras array along its last axis into one entry per gate."""
    blocks = np.split(array, len(gates), axis=-1)
    return {f"{prefix}_{gate}": block for gate, block in zip(gates, blocks, strict=True)}


def _join_gates(params: Params, gates: Sequence[str], prefix: str) -> np.ndarray:
    """Concatenates `params[prefix_gate]` along the last axis, in gate order."""
    return np.concatenate([np.asarray(params[f"{prefix}_{gate}"]) for gate in gates], axis=-1)


# ---------------------------------------------------------------------------
# SimpleRNN
# ---------------------------------------------------------------------------


def simple_rnn_params_from_keras(
    layer_or_weights: LayerOrWeights, dtype: DTypeLike | None = None
) -> Params:
    """Parameters of `rnn_lib.layers.simple_rnn` from a Keras `SimpleRNN` layer.

    Args:
        layer_or_weights: a built `keras.layers.SimpleRNN` (or `SimpleRNNCell`),
            or its weights `[kernel (D, H), recurrent_kernel (H, H), bias (H,)]`.
        dtype: dtype of the returned arrays; None keeps Keras' (float32).

    Returns:
        Dict with `W` (D, H), `U` (H, H) and `b` (H,); copies, not views.
    """
    kernel, recurrent_kernel, bias = _keras_weights(layer_or_weights, dtype)
    return {"W": kernel, "U": recurrent_kernel, "b": bias}


def simple_rnn_params_to_keras(params: Params) -> list[np.ndarray]:
    """Keras `SimpleRNN` weights from `rnn_lib.layers.simple_rnn` parameters (or gradients).

    Args:
        params: dict with `W` (D, H), `U` (H, H) and `b` (H,).

    Returns:
        `[kernel (D, H), recurrent_kernel (H, H), bias (H,)]`, ready for
        `layer.set_weights`.
    """
    return [np.array(params[name], copy=True) for name in ("W", "U", "b")]


# ---------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------


def lstm_params_from_keras(
    layer_or_weights: LayerOrWeights, dtype: DTypeLike | None = None
) -> Params:
    """Parameters of `rnn_lib.layers.lstm` from a Keras `LSTM` layer.

    Args:
        layer_or_weights: a built `keras.layers.LSTM` (or `LSTMCell`), or its
            weights `[kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,)]`.
        dtype: dtype of the returned arrays; None keeps Keras' (float32).

    Returns:
        Dict with `W_g` (D, H), `U_g` (H, H), `b_g` (H,) for each gate g in
        i, f, c, o; copies, not views.
    """
    kernel, recurrent_kernel, bias = _keras_weights(layer_or_weights, dtype)
    return {
        **_split_gates(kernel, LSTM_GATES, "W"),
        **_split_gates(recurrent_kernel, LSTM_GATES, "U"),
        **_split_gates(bias, LSTM_GATES, "b"),
    }


def lstm_params_to_keras(params: Params) -> list[np.ndarray]:
    """Keras `LSTM` weights from `rnn_lib.layers.lstm` parameters (or gradients).

    Args:
        params: dict with `W_g` (D, H), `U_g` (H, H), `b_g` (H,) for g in i, f, c, o.

    Returns:
        `[kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,)]`, gates in
        Keras' order i, f, c, o, ready for `layer.set_weights`.
    """
    return [_join_gates(params, LSTM_GATES, prefix) for prefix in ("W", "U", "b")]


# ---------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------


def gru_params_from_keras(
    layer_or_weights: LayerOrWeights,
    reset_after: bool | None = None,
    dtype: DTypeLike | None = None,
) -> Params:
    """Parameters of `rnn_lib.layers.gru` from a Keras `GRU` layer.

    Args:
        layer_or_weights: a built `keras.layers.GRU` (or `GRUCell`), or its
            weights `[kernel (D, 3H), recurrent_kernel (H, 3H), bias]` with
            `bias` of shape (2, 3H) if `reset_after` else (3H,).
        reset_after: the layer's `reset_after`. None reads it from the shape of
            `bias`; True or False is checked against that shape.
        dtype: dtype of the returned arrays; None keeps Keras' (float32).

    Returns:
        Dict with `W_g` (D, H), `U_g` (H, H), `b_g` (H,) for each gate g in
        z, r, h, plus `b_rec_g` (H,) when `reset_after`; copies, not views.
    """
    kernel, recurrent_kernel, bias = _keras_weights(layer_or_weights, dtype)
    bias_has_two_rows = bias.ndim == 2
    if reset_after is not None and reset_after != bias_has_two_rows:
        raise ValueError(
            f"reset_after={reset_after}, but the bias has shape {bias.shape}; Keras uses "
            "(2, 3 * units) with reset_after=True and (3 * units,) with reset_after=False"
        )
    params = {
        **_split_gates(kernel, GRU_GATES, "W"),
        **_split_gates(recurrent_kernel, GRU_GATES, "U"),
    }
    if bias_has_two_rows:
        input_bias, recurrent_bias = bias
        params.update(_split_gates(input_bias, GRU_GATES, "b"))
        params.update(_split_gates(recurrent_bias, GRU_GATES, "b_rec"))
    else:
        params.update(_split_gates(bias, GRU_GATES, "b"))
    return params


def gru_params_to_keras(params: Params, reset_after: bool | None = None) -> list[np.ndarray]:
    """Keras `GRU` weights from `rnn_lib.layers.gru` parameters (or gradients).

    Args:
        params: dict with `W_g` (D, H), `U_g` (H, H), `b_g` (H,) for g in z, r, h,
            and `b_rec_g` (H,) for the reset_after=True variant.
        reset_after: None reads the variant from the keys (`b_rec_*` present or
            not); True or False is checked against them.

    Returns:
        `[kernel (D, 3H), recurrent_kernel (H, 3H), bias]`, gates in Keras'
        order z, r, h, with `bias` of shape (2, 3H) (rows: input bias, recurrent
        bias) when `reset_after`, else (3H,). Ready for `layer.set_weights`.
    """
    has_recurrent_bias = "b_rec_h" in params
    if reset_after is not None and reset_after != has_recurrent_bias:
        raise ValueError(
            f"reset_after={reset_after}, but the parameters "
            f"{'have' if has_recurrent_bias else 'lack'} the recurrent biases b_rec_*"
        )
    kernel = _join_gates(params, GRU_GATES, "W")
    recurrent_kernel = _join_gates(params, GRU_GATES, "U")
    input_bias = _join_gates(params, GRU_GATES, "b")
    if has_recurrent_bias:
        bias = np.stack([input_bias, _join_gates(params, GRU_GATES, "b_rec")])
    else:
        bias = input_bias
    return [kernel, recurrent_kernel, bias]
