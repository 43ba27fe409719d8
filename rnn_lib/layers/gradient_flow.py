"""Lesson 03: how gradients travel back through an RNN: vanishing and exploding.

Backpropagation through time multiplies one Jacobian per step. For the
recurrence of `rnn_lib.layers.simple_rnn` (batch-major, `h_t = tanh(x_t @ W + h_{t-1} @ U + b)`)
the Jacobian of one step, for one example, is the (units, units) matrix

    dh_t / dh_{t-1} = diag(1 - h_t**2) @ U.T        (entry [i, j] = (1 - h_t[i]**2) U[j, i])

so the sensitivity of the last state to an earlier one is the product

    dh_T / dh_t = (dh_T / dh_{T-1}) @ ... @ (dh_{t+1} / dh_t).

Each factor is at most `||U||` in norm (tanh' is at most 1), so when the
recurrent matrix is small the product shrinks geometrically with `T - t`
(vanishing gradients); when it is large and the units are not saturated it can
grow geometrically (exploding gradients). The spectral radius of `U` (its
largest eigenvalue in absolute value) sets that geometric rate for long
products: `||U**k|| ** (1 / k)` tends to `radius` (Gelfand's formula). The norm
itself need not be close to `radius**k`: it equals it for orthogonal or
symmetric matrices, but a non-normal `U` can stay far above it for many steps.

The singular values of `U` bound each step on both sides. For tanh the slopes
`1 - h_t**2` lie in (0, 1], so one step's Jacobian has norm at most `sigma_max(U)`:
`sigma_max(U) < 1` is enough for the gradient to vanish, and `sigma_max(U) > 1` is
needed for it to explode (Pascanu, Mikolov & Bengio 2013, "On the difficulty of
training recurrent neural networks", section 2.1). An orthogonal `U` has every
singular value equal to 1: alone (`activation="linear"`) it keeps the size of every
gradient exactly, and with tanh the gradient can only shrink, by the slopes alone.
With ReLU (`activation="relu"`) a slope is exactly 1 or 0, so for `U = I` (Le,
Jaitly & Hinton 2015, "A Simple Way to Initialize Recurrent Networks of Rectified
Linear Units") every `||dh_T / dh_t||` is exactly 1 or 0: 1 while some unit stays
active from step t + 1 to T.

`matrix_with_spectral_radius` makes recurrent matrices with a chosen radius,
`state_gradient_norms` measures `||dh_T / dh_t||` along real trajectories, and
`singular_value_range_of_powers` gives the largest and the smallest singular value
of `(U.T)**k`, the recurrent matrix's part of `dh_T / dh_{T-k}` without the activation.
"""

from __future__ import annotations

import numpy as np

from rnn_lib.layers.params import Params

#: The activations whose step Jacobians this module knows: `h_t = act(a_t)`.
ACTIVATIONS = ("tanh", "linear", "relu")


def _check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")


def _slopes(h: np.ndarray, activation: str) -> np.ndarray:
    """`act'(a_t)` read from the output `h_t = act(a_t)`, same shape as `h`.

    tanh: `1 - h**2`; linear: 1; relu: 1 where `h > 0`, else 0 (a unit exactly at 0
    passes nothing back, as in TensorFlow's ReLU gradient).
    """
    if activation == "tanh":
        return 1 - h**2
    if activation == "relu":
        return (h > 0).astype(np.float64)
    return np.ones_like(h)


def _activate(a: np.ndarray, activation: str) -> np.ndarray:
    if activation == "tanh":
        return np.tanh(a)
    if activation == "relu":
        return np.maximum(a, 0.0)
    return a


def _run_states(
    x: np.ndarray, params: Params, h0: np.ndarray | None, activation: str
) -> tuple[np.ndarray, np.ndarray]:
    """The states h_1 .. h_T, shape (batch, timesteps, units), and U as float64."""
    x = np.asarray(x, dtype=np.float64)
    batch_size, timesteps, _ = x.shape
    W, U, b = (np.asarray(params[name], dtype=np.float64) for name in ("W", "U", "b"))
    h = np.zeros((batch_size, U.shape[0])) if h0 is None else np.asarray(h0, dtype=np.float64)
    states = np.empty((batch_size, timesteps, U.shape[0]))
    for t in range(timesteps):
        h = _activate(x[:, t] @ W + h @ U + b, activation)
        states[:, t] = h
    return states, U


def spectral_radius(matrix: np.ndarray) -> float:
    """The largest absolute value of the eigenvalues of a square matrix.

    Args:
        matrix: shape (n, n).

    Returns:
        A Python float.
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {matrix.shape}")
    if matrix.size == 0:
        return 0.0
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def matrix_with_spectral_radius(
    size: int, radius: float, *, seed: int = 0, orthogonal: bool = False
) -> np.ndarray:
    """A random square matrix rescaled to a given spectral radius.

    Args:
        size: the number of rows and columns (an RNN's `units`).
        radius: the spectral radius wanted, >= 0.
        seed: the random seed; the same seed gives the same matrix for every radius,
            up to the scale factor.
        orthogonal: False for a Gaussian matrix (entries N(0, 1) before rescaling),
            True for a random orthogonal matrix times `radius`: then every
            eigenvalue *and* every singular value equals `radius`, so
            `||U**k|| = radius**k` exactly.

    Returns:
        Float64 array of shape (size, size) whose spectral radius is `radius`.
    """
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    rng = np.random.default_rng(seed)
    gaussian = rng.standard_normal((size, size))
    if orthogonal:
        q, r = np.linalg.qr(gaussian)
        q = q * np.sign(np.diag(r))  # a uniformly random orthogonal matrix
        return radius * q
    return gaussian * (radius / spectral_radius(gaussian))


def state_jacobian_products(
    h_all: np.ndarray, U: np.ndarray, activation: str = "tanh"
) -> np.ndarray:
    """The Jacobians `dh_T / dh_t` for t = 0 .. T along given trajectories.

    Args:
        h_all: the states h_1 .. h_T of a forward pass, shape (batch, timesteps, units)
            (the `h_all` of `rnn_lib.layers.simple_rnn.simple_rnn_forward` without a mask).
        U: the recurrent matrix, shape (units, units).
        activation: "tanh" (the Keras default), "linear" (no squashing, so each
            step's Jacobian is just `U.T`) or "relu" (slope 1 where `h_t > 0`, else 0).

    Returns:
        Array of shape (batch, timesteps + 1, units, units); entry `[n, t]` is the
        Jacobian of h_T with respect to h_t for example n (`t = 0` is the initial
        state, and entry `[n, T]` is the identity).
    """
    _check_activation(activation)
    h_all = np.asarray(h_all, dtype=np.float64)
    batch_size, timesteps, units = h_all.shape
    U = np.asarray(U, dtype=np.float64)
    if U.shape != (units, units):
        raise ValueError(f"U must have shape {(units, units)}, got {U.shape}")
    products = np.empty((batch_size, timesteps + 1, units, units))
    current = np.broadcast_to(np.eye(units), (batch_size, units, units)).copy()
    products[:, timesteps] = current
    for t in range(timesteps, 0, -1):
        # dh_t/dh_{t-1} = diag(s) U.T with s = act'(a_t) (tanh: 1 - h_t**2), one per example.
        slope = _slopes(h_all[:, t - 1], activation)
        current = (current * slope[:, None, :]) @ U.T
        products[:, t - 1] = current
    return products


def state_gradient_norms(
    x: np.ndarray,
    params: Params,
    h0: np.ndarray | None = None,
    activation: str = "tanh",
) -> np.ndarray:
    """Spectral norms `||dh_T / dh_t||` of an RNN run over `x`, for t = 0 .. T.

    Runs `h_t = act(x_t @ W + h_{t-1} @ U + b)` and measures how strongly the last
    state depends on every earlier one: the factor by which a gradient arriving at
    h_T can grow (or shrink) on its way back to h_t.

    Args:
        x: inputs, shape (batch, timesteps, input_dim).
        params: dict with `W` (input_dim, units), `U` (units, units), `b` (units,).
        h0: initial state, shape (batch, units); None means zeros.
        activation: "tanh", "linear" or "relu".

    Returns:
        Array of shape (batch, timesteps + 1): column t is `||dh_T / dh_t||_2` (the
        largest singular value); column T is 1.
    """
    _check_activation(activation)
    x = np.asarray(x, dtype=np.float64)
    batch_size, timesteps, _ = x.shape
    if timesteps == 0:
        return np.ones((batch_size, 1))
    states, U = _run_states(x, params, h0, activation)
    products = state_jacobian_products(states, U, activation)
    # The largest singular value: what np.linalg.norm(products, 2, axis=(-2, -1)) computes.
    return np.linalg.svd(products, compute_uv=False)[..., 0]


def singular_value_range_of_powers(U: np.ndarray, steps: int) -> np.ndarray:
    """The largest and the smallest singular value of `(U.T)**k`, for k = 0 .. steps.

    `(U.T)**k` is `dh_T / dh_{T-k}` of the linear RNN `h_t = x_t @ W + h_{t-1} @ U + b`:
    the recurrent matrix alone, whatever the input. Its largest singular value is the
    most a gradient can grow on its way back k steps, its smallest the least it keeps,
    in the worst direction.

    An SVD resolves singular values only down to about 1e-16 times the largest, so the
    smallest is computed as `1 / ||(U.T)**-k||`, the reciprocal of the largest singular
    value of the inverse's powers, which keeps its relative accuracy however far it falls.

    Args:
        U: the recurrent matrix, shape (units, units).
        steps: the largest k, >= 0.

    Returns:
        Float64 array of shape (steps + 1, 2): row k holds the largest and the smallest
        singular value of `(U.T)**k` (row 0, the identity's: 1 and 1). A singular `U`
        has smallest singular value 0 from k = 1 on.
    """
    U = np.asarray(U, dtype=np.float64)
    if U.ndim != 2 or U.shape[0] != U.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {U.shape}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    units = U.shape[0]
    powers = np.empty((steps + 1, units, units))
    powers[0] = np.eye(units)
    for k in range(1, steps + 1):
        powers[k] = powers[k - 1] @ U.T
    result = np.ones((steps + 1, 2))
    result[:, 0] = np.linalg.svd(powers, compute_uv=False)[:, 0]
    try:
        inverse = np.linalg.inv(U.T)
    except np.linalg.LinAlgError:  # singular: some direction is lost at the first step
        result[1:, 1] = 0.0
        return result
    for k in range(1, steps + 1):
        powers[k] = powers[k - 1] @ inverse  # now (U.T)**-k
    result[1:, 1] = 1.0 / np.linalg.svd(powers[1:], compute_uv=False)[:, 0]
    return result
