"""Lesson 09: minGRU (Feng et al., 2024, *Were RNNs All We Needed?*) in NumPy.

A GRU's gates read the previous state, so step ``t`` must wait for step ``t - 1``. minGRU
keeps the GRU's interpolation but computes the gate and the candidate from the input alone::

    z_t  = sigmoid(x_t W_z + b_z)            the update gate
    h~_t = x_t W_h + b_h                     the candidate state
    h_t  = (1 - z_t) * h_{t-1} + z_t * h~_t

which is the linear recurrence ``h_t = a_t * h_{t-1} + b_t`` with ``a_t = 1 - z_t`` and
``b_t = z_t * h~_t`` (:mod:`rnn_lib.layers.scan`): the gates of all steps are one matrix
product, and the states one scan. No reset gate, no ``tanh``, and a third of a GRU's
parameters: ``2 * (D * H + H)``.

The paper trains in log space with a positive candidate, ``h~_t = g(x_t W_h + b_h)``,
``g(v) = v + 0.5`` for ``v >= 0`` and ``sigmoid(v)`` below, so that ``log h~_t`` exists
(:func:`min_gru_log_space_forward`).

Parameters, in the course's row convention (``x_t @ W``): ``params["W_z"]``,
``params["W_h"]`` ``(D, H)``, ``params["b_z"]``, ``params["b_h"]`` ``(H,)``. Shapes:
``x`` ``(batch, T, D)``, states ``(batch, T, H)``, ``h0`` ``(batch, H)`` or None (zeros).
"""

from __future__ import annotations

import numpy as np

from rnn_lib.layers.activations import sigmoid
from rnn_lib.layers.scan import linear_recurrence, log_space_recurrence, scan_recurrence

__all__ = [
    "min_gru_coefficients",
    "min_gru_forward",
    "min_gru_log_space_forward",
    "min_gru_param_count",
    "min_gru_step",
    "positive_candidate",
]


def min_gru_step(x_t: np.ndarray, h_prev: np.ndarray, params: dict) -> np.ndarray:
    """One minGRU step: ``(1 - z_t) * h_prev + z_t * h~_t``, gate and candidate from ``x_t``.

    Args:
        x_t: ``(batch, D)``.
        h_prev: ``(batch, H)``.
        params: ``W_z``, ``W_h`` ``(D, H)``; ``b_z``, ``b_h`` ``(H,)``.

    Returns:
        ``h_t``, ``(batch, H)``.
    """
    z = sigmoid(x_t @ params["W_z"] + params["b_z"])
    candidate = x_t @ params["W_h"] + params["b_h"]
    return (1 - z) * h_prev + z * candidate


def min_gru_coefficients(x: np.ndarray, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """The linear recurrence of a minGRU: ``a_t = 1 - z_t``, ``b_t = z_t * h~_t``, all steps.

    Args:
        x: ``(batch, T, D)``.
        params: as for :func:`min_gru_step`.

    Returns:
        ``(a, b)``, each ``(batch, T, H)``.
    """
    x = np.asarray(x, dtype=float)
    z = sigmoid(x @ params["W_z"] + params["b_z"])
    return 1 - z, z * (x @ params["W_h"] + params["b_h"])


def min_gru_forward(
    x: np.ndarray, h0: np.ndarray | None, params: dict, *, method: str = "scan"
) -> np.ndarray:
    """Every state of a minGRU over whole sequences.

    Args:
        x: ``(batch, T, D)``.
        h0: ``(batch, H)``; None for zeros.
        params: as for :func:`min_gru_step`.
        method: ``"scan"`` (:func:`rnn_lib.layers.scan.scan_recurrence`) or ``"loop"``.

    Returns:
        ``(batch, T, H)``.
    """
    a, b = min_gru_coefficients(x, params)
    if method == "scan":
        return scan_recurrence(a, b, h0)
    if method == "loop":
        return linear_recurrence(a, b, h0)
    raise ValueError(f"method is 'scan' or 'loop', not {method!r}")


def positive_candidate(v: np.ndarray) -> np.ndarray:
    """The paper's ``g``: ``v + 0.5`` for ``v >= 0``, ``sigmoid(v)`` below; always positive."""
    v = np.asarray(v, dtype=float)
    return np.where(v >= 0, v + 0.5, sigmoid(np.minimum(v, 0.0)))


def min_gru_log_space_forward(
    x: np.ndarray, h0: np.ndarray | None, params: dict
) -> np.ndarray:
    """The paper's minGRU, ``h~_t = g(x_t W_h + b_h)``, computed in log space.

    ``log(1 - z) = -softplus(k)`` and ``log z = -softplus(-k)`` for ``k = x W_z + b_z``, so
    no gate is ever rounded to 0 or 1 before its logarithm is taken.

    Args:
        x: ``(batch, T, D)``.
        h0: ``(batch, H)``, positive; None for zeros.
        params: as for :func:`min_gru_step`.

    Returns:
        The states (not their logarithms), ``(batch, T, H)``.
    """
    x = np.asarray(x, dtype=float)
    k = x @ params["W_z"] + params["b_z"]
    log_a = -np.logaddexp(0.0, k)  # log(1 - sigmoid(k))
    log_z = -np.logaddexp(0.0, -k)  # log(sigmoid(k))
    log_b = log_z + np.log(positive_candidate(x @ params["W_h"] + params["b_h"]))
    log_h0 = None if h0 is None else np.log(np.asarray(h0, dtype=float))
    return np.exp(log_space_recurrence(log_a, log_b, log_h0))


def min_gru_param_count(input_dim: int, units: int) -> int:
    """``2 * (D * H + H)``: the gate's and the candidate's weights and biases."""
    return 2 * (input_dim * units + units)
