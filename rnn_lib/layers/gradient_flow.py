"""Lesson 03: how gradients travel back through a tanh RNN: vanishing and exploding.

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

`matrix_with_spectral_radius` makes recurrent matrices with a chosen radius, and
`state_gradient_norms` measures `||dh_T / dh_t||` along real trajectories.
"""

from __future__ import annotations

import numpy as np

from rnn_lib.layers.params import Params


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
        activation: "tanh" (the Keras default) or "linear" (no squashing, so each
            step's Jacobian is just `U.T`).

    Returns:
        Array of shape (batch, timesteps + 1, units, units); entry `[n, t]` is the
        Jacobian of h_T with respect to h_t for example n (`t = 0` is the initial
        state, and entry `[n, T]` is the identity).
    """
    if activation not in ("tanh", "linear"):
        raise ValueError(f"activation must be 'tanh' or 'linear', got {activation!r}")
    h_all = np.asarray(h_all, dtype=np.float64)
    batch_size, timesteps, units = h_all.shape
    U = np.asarray(U, dtype=np.float64)
    if U.shape != (units, units):
        raise ValueError(f"U must have shape {(units, units)}, got {U.shape}")
    products = np.empty((batch_size, timesteps + 1, units, units))
    current = np.broadcast_to(np.eye(units), (batch_size, units, units)).copy()
    products[:, timesteps] = current
    for t in range(timesteps, 0, -1):
        # dh_t/dh_{t-1} = diag(s) U.T with s = tanh'(.) = 1 - h_t**2, one per example.
        slope = 1 - h_all[:, t - 1] ** 2 if activation == "tanh" else np.ones((batch_size, units))
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
        activation: "tanh" or "linear".

    Returns:
        Array of shape (batch, timesteps + 1): column t is `||dh_T / dh_t||_2` (the
        largest singular value); column T is 1.
    """
    if activation not in ("tanh", "linear"):
        raise ValueError(f"activation must be 'tanh' or 'linear', got {activation!r}")
    x = np.asarray(x, dtype=np.float64)
    batch_size, timesteps, _ = x.shape
    W, U, b = (np.asarray(params[name], dtype=np.float64) for name in ("W", "U", "b"))
    h = np.zeros((batch_size, U.shape[0])) if h0 is None else np.asarray(h0, dtype=np.float64)
    states = []
    for t in range(timesteps):
        a = x[:, t] @ W + h @ U + b
        h = np.tanh(a) if activation == "tanh" else a
        states.append(h)
    if timesteps == 0:
        return np.ones((batch_size, 1))
    products = state_jacobian_products(np.stack(states, axis=1), U, activation)
    return np.linalg.norm(products, ord=2, axis=(-2, -1))
