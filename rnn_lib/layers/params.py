"""Lessons 02-05: parameter dicts, the one layout of the from-scratch layers.

A layer's parameters are a dict of NumPy arrays keyed by name (``"W"``, ``"U"``,
``"b"``, and per gate for the LSTM and GRU); its gradients are a dict with the same
keys and shapes. :mod:`rnn_lib.layers.keras_weights` converts to and from Keras' layout.
"""

from __future__ import annotations

import numpy as np

#: A layer's parameters (or their gradients): name -> array.
Params = dict[str, np.ndarray]


def zeros_like_params(params: Params) -> Params:
    """A gradient accumulator: one zero array per parameter.

    Args:
        params: dict of parameter arrays.

    Returns:
        Dict with the same keys, shapes and dtypes, filled with zeros.
    """
    return {name: np.zeros_like(value) for name, value in params.items()}
