"""Lessons 02-05: the two squashing functions of recurrent networks, and their derivatives.

Recurrent layers use two activations (the Keras defaults):

* the logistic sigmoid for gates, `sigmoid(a) = 1 / (1 + exp(-a))`, with values
  in (0, 1): Keras' `recurrent_activation="sigmoid"`;
* the hyperbolic tangent for states and candidates, `tanh(a)`, with values in
  (-1, 1): Keras' `activation="tanh"`.

Both derivatives are cheapest when written from the function's *output*, which
the forward pass has already computed and stored in its cache:

    s = sigmoid(a)   =>   ds/da = s * (1 - s)
    t = tanh(a)      =>   dt/da = 1 - t**2

so the backward passes call `sigmoid_derivative_from_output(s)` and
`tanh_derivative_from_output(t)` rather than recomputing the activation.
"""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Numerically stable logistic sigmoid, `1 / (1 + exp(-a))`.

    The naive formula overflows in `exp(-a)` for large negative `a`. Writing
    `e = exp(-|a|)`, which is always in (0, 1], gives two safe forms:

        a >= 0:  sigmoid(a) = 1 / (1 + e)
        a <  0:  sigmoid(a) = e / (1 + e)

    Args:
        a: pre-activations, any shape; the dtype (float32 or float64) is kept.

    Returns:
        Array of the same shape and dtype as `a`, with values in [0, 1].
    """
    a = np.asarray(a)
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def tanh(a: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent (NumPy's implementation is already stable).

    Args:
        a: pre-activations, any shape.

    Returns:
        Array of the same shape and dtype as `a`, with values in [-1, 1].
    """
    return np.tanh(a)


def sigmoid_derivative_from_output(s: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid, written from its output `s = sigmoid(a)`.

    Args:
        s: sigmoid outputs, any shape.

    Returns:
        `ds/da = s * (1 - s)`, same shape as `s`.
    """
    return s * (1 - s)


def tanh_derivative_from_output(t: np.ndarray) -> np.ndarray:
    """Derivative of tanh, written from its output `t = tanh(a)`.

    Args:
        t: tanh outputs, any shape.

    Returns:
        `dt/da = 1 - t**2`, same shape as `t`.
    """
    return 1 - t**2
