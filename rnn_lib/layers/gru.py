"""Lesson 05: a gated recurrent unit (GRU) layer in NumPy, forward and backward.

Keras has two GRU variants, chosen by its `reset_after` argument. Both are here.

`reset_after=True` (the Keras default, and the cuDNN variant)::

    z_t  = sigmoid(x_t @ W_z + b_z + h_{t-1} @ U_z + b_rec_z)      update gate
    r_t  = sigmoid(x_t @ W_r + b_r + h_{t-1} @ U_r + b_rec_r)      reset gate
    n_t  = tanh   (x_t @ W_h + b_h + r_t * (h_{t-1} @ U_h + b_rec_h))  candidate
    h_t  = z_t * h_{t-1} + (1 - z_t) * n_t

`reset_after=False` (the original GRU of Cho et al., 2014)::

    z_t  = sigmoid(x_t @ W_z + h_{t-1} @ U_z + b_z)
    r_t  = sigmoid(x_t @ W_r + h_{t-1} @ U_r + b_r)
    n_t  = tanh   (x_t @ W_h + (r_t * h_{t-1}) @ U_h + b_h)
    h_t  = z_t * h_{t-1} + (1 - z_t) * n_t

The two differ only in where the reset gate acts: on the product
`h_{t-1} @ U_h` after the matrix multiplication (with its own recurrent bias
`b_rec_h`, which `r_t` also scales), or on `h_{t-1}` before it.

Sign convention: Keras keeps the *old* state where the update gate is 1,
`h_t = z * h_{t-1} + (1 - z) * n_t` (the last line of `GRUCell.call` in
`keras/src/layers/rnn/gru.py`). Cho et al. (2014), PyTorch and the d2l book
write it the same way; others (Chung et al., 2014, and many tutorials) write
`(1 - z) * h_{t-1} + z * n_t`. Both describe the same family of models, with
`z` replaced by `1 - z`; we follow Keras so that its weights load as they are.

Symbols, shapes and the matching Keras weights (`keras.layers.GRU`)::

    x_t            (batch, input_dim)   one time step of the layer's input
    h_t            (batch, units)       the state and output; h_0 is `initial_state`
    n_t            (batch, units)       the candidate state ("hh" in Keras' source)
    W_z, W_r, W_h  (input_dim, units)   `kernel` (input_dim, 3 units), blocks z, r, h
    U_z, U_r, U_h  (units, units)       `recurrent_kernel` (units, 3 units), same order
    b_z, b_r, b_h  (units,)             reset_after=True:  `bias[0]` (the input bias)
                                        reset_after=False: `bias` (3 units,)
    b_rec_z, b_rec_r, b_rec_h  (units,) reset_after=True only: `bias[1]` (the
                                        recurrent bias); `bias` is (2, 3 units)
    sigmoid                             `recurrent_activation="sigmoid"`
    tanh                                `activation="tanh"`

With `reset_after=True`, `b_z + b_rec_z` and `b_r + b_rec_r` only ever appear as
sums, so those pairs are redundant (their gradients are equal); `b_h` and
`b_rec_h` are not, because `r_t` scales `b_rec_h` only.

Parameters travel in a plain dict with the keys above (9 keys, or 12 with
`reset_after=True`); backward passes return gradients in a dict with the same
keys. `rnn_lib.layers.keras_weights` converts to and from Keras' layout.

Masking follows Keras exactly (see `rnn_lib.layers.simple_rnn` for the details): at a
masked step the state is carried over unchanged; the output is the previous
step's output, which is zero before a sequence's first unmasked step. The
many-to-one output (`return_sequences=False`) is `h_all[:, -1]`, whose gradient
enters `gru_backward` as `last_step_gradient(dh_last, T)`.
"""

from __future__ import annotations

import numpy as np

from rnn_lib.layers.activations import (
    sigmoid,
    sigmoid_derivative_from_output,
    tanh,
    tanh_derivative_from_output,
)
from rnn_lib.layers.masking import (
    last_step_gradient,
    output_started_mask,
    prepare_mask,
)
from rnn_lib.layers.params import Params, zeros_like_params

__all__ = [
    "GATES",
    "check_gru_params",
    "gru_backward",
    "gru_forward",
    "gru_param_names",
    "gru_step_backward",
    "gru_step_forward",
    "last_step_gradient",
]

GATES = ("z", "r", "h")
"""Gate letters, in Keras' order along the last axis of its weights."""


def gru_param_names(reset_after: bool = True) -> list[str]:
    """The keys of a GRU parameter dict.

    Args:
        reset_after: which Keras variant.

    Returns:
        `["W_z", "W_r", "W_h", "U_z", ..., "b_h"]`, plus `"b_rec_z"`,
        `"b_rec_r"`, `"b_rec_h"` when `reset_after` is True.
    """
    kinds = ["W", "U", "b", "b_rec"] if reset_after else ["W", "U", "b"]
    return [f"{kind}_{gate}" for kind in kinds for gate in GATES]


def check_gru_params(params: Params, reset_after: bool) -> None:
    """Raises ValueError if `params` does not hold exactly the expected keys.

    Args:
        params: a GRU parameter dict.
        reset_after: the variant the caller asked for.
    """
    expected = set(gru_param_names(reset_after))
    if set(params) != expected:
        raise ValueError(
            f"GRU with reset_after={reset_after} expects parameters {sorted(expected)}, "
            f"got {sorted(params)}"
        )


# ---------------------------------------------------------------------------
# One time step
# ---------------------------------------------------------------------------


def gru_step_forward(
    x_t: np.ndarray, h_prev: np.ndarray, params: Params, reset_after: bool = True
) -> tuple[np.ndarray, dict]:
    """One GRU step (equations in the module docstring).

    Args:
        x_t: inputs at this step, shape (batch, input_dim).
        h_prev: previous state, shape (batch, units).
        params: dict with `W_<gate>` (input_dim, units), `U_<gate>` (units, units)
            and `b_<gate>` (units,) for each gate in z, r, h, and also
            `b_rec_<gate>` (units,) when `reset_after` is True.
        reset_after: apply the reset gate after the recurrent matrix
            multiplication (Keras' default) or before it.

    Returns:
        A tuple `(h_next, cache)`:
        - `h_next`: next state, shape (batch, units).
        - `cache`: what `gru_step_backward` needs.
    """
    check_gru_params(params, reset_after)
    p = params

    if reset_after:
        z = sigmoid(x_t @ p["W_z"] + p["b_z"] + h_prev @ p["U_z"] + p["b_rec_z"])
        r = sigmoid(x_t @ p["W_r"] + p["b_r"] + h_prev @ p["U_r"] + p["b_rec_r"])
        projected_h = h_prev @ p["U_h"] + p["b_rec_h"]  # reset after the product
        n = tanh(x_t @ p["W_h"] + p["b_h"] + r * projected_h)
    else:
        z = sigmoid(x_t @ p["W_z"] + h_prev @ p["U_z"] + p["b_z"])
        r = sigmoid(x_t @ p["W_r"] + h_prev @ p["U_r"] + p["b_r"])
        reset_h = r * h_prev  # reset before the product
        n = tanh(x_t @ p["W_h"] + reset_h @ p["U_h"] + p["b_h"])

    h_next = z * h_prev + (1 - z) * n

    cache = {"x_t": x_t, "h_prev": h_prev, "z": z, "r": r, "n": n, "params": params}
    cache["reset_after"] = reset_after
    if reset_after:
        cache["projected_h"] = projected_h
    else:
        cache["reset_h"] = reset_h
    return h_next, cache


def gru_step_backward(dh_next: np.ndarray, cache: dict) -> tuple[np.ndarray, np.ndarray, Params]:
    """Backward pass of `gru_step_forward` (either variant).

    Args:
        dh_next: gradient of the loss w.r.t. `h_next`, shape (batch, units).
        cache: the cache returned by the forward step.

    Returns:
        A tuple `(dx_t, dh_prev, dparams)`:
        - `dx_t`: gradient w.r.t. `x_t`, shape (batch, input_dim).
        - `dh_prev`: gradient w.r.t. `h_prev`, shape (batch, units).
        - `dparams`: dict of gradients with the keys and shapes of `params`.
    """
    x_t, h_prev, p = cache["x_t"], cache["h_prev"], cache["params"]
    z, r, n = cache["z"], cache["r"], cache["n"]

    # h_next = z * h_prev + (1 - z) * n
    dz = dh_next * (h_prev - n)
    dn = dh_next * (1 - z)
    dh_prev = dh_next * z  # the direct path; the gates add to it below

    da_h = dn * tanh_derivative_from_output(n)  # candidate's pre-activation
    dparams = {"W_h": x_t.T @ da_h, "b_h": da_h.sum(axis=0)}
    dx_t = da_h @ p["W_h"].T

    if cache["reset_after"]:
        # a_h = x_t @ W_h + b_h + r * projected_h, projected_h = h_prev @ U_h + b_rec_h
        dr = da_h * cache["projected_h"]
        dprojected_h = da_h * r
        dparams["U_h"] = h_prev.T @ dprojected_h
        dparams["b_rec_h"] = dprojected_h.sum(axis=0)
        dh_prev = dh_prev + dprojected_h @ p["U_h"].T
    else:
        # a_h = x_t @ W_h + reset_h @ U_h + b_h, reset_h = r * h_prev
        dparams["U_h"] = cache["reset_h"].T @ da_h
        dreset_h = da_h @ p["U_h"].T
        dr = dreset_h * h_prev
        dh_prev = dh_prev + dreset_h * r

    # The two gates: a_g = x_t @ W_g + h_prev @ U_g + b_g (+ b_rec_g).
    d_gate_pre_activation = {
        "z": dz * sigmoid_derivative_from_output(z),
        "r": dr * sigmoid_derivative_from_output(r),
    }
    for gate, da in d_gate_pre_activation.items():
        dx_t = dx_t + da @ p[f"W_{gate}"].T
        dh_prev = dh_prev + da @ p[f"U_{gate}"].T
        dparams[f"W_{gate}"] = x_t.T @ da
        dparams[f"U_{gate}"] = h_prev.T @ da
        dparams[f"b_{gate}"] = da.sum(axis=0)
        if cache["reset_after"]:
            dparams[f"b_rec_{gate}"] = da.sum(axis=0)

    # Same key order as the parameters, so printed dicts line up.
    dparams = {name: dparams[name] for name in p}
    return dx_t, dh_prev, dparams


# ---------------------------------------------------------------------------
# A whole sequence
# ---------------------------------------------------------------------------


def gru_forward(
    x: np.ndarray,
    h0: np.ndarray | None,
    params: Params,
    mask: np.ndarray | None = None,
    reset_after: bool = True,
) -> tuple[np.ndarray, dict]:
    """Runs a GRU over whole sequences (Keras `return_sequences=True`).

    Args:
        x: inputs, shape (batch, timesteps, input_dim).
        h0: initial state, shape (batch, units), like Keras' `initial_state`;
            None means zeros.
        params: dict of GRU parameters (see the module docstring).
        mask: optional booleans, shape (batch, timesteps); False marks steps to
            skip: the state is carried over them.
        reset_after: Keras' `reset_after` (default True, as in Keras).

    Returns:
        A tuple `(h_all, cache)`:
        - `h_all`: the output at every step, shape (batch, timesteps, units);
          the state, except zero before a sequence's first unmasked step.
          `h_all[:, -1]` is the `return_sequences=False` output.
        - `cache`: what `gru_backward` needs. The final state (Keras'
          `return_state=True`) is in `cache["h_last"]`.
    """
    check_gru_params(params, reset_after)
    batch_size, timesteps, _ = x.shape
    if h0 is None:
        h0 = np.zeros((batch_size, params["U_z"].shape[0]), dtype=x.dtype)
    mask = prepare_mask(mask, batch_size, timesteps)
    started = output_started_mask(mask)

    h = h0
    outputs, step_caches = [], []
    for t in range(timesteps):
        h_new, step_cache = gru_step_forward(x[:, t], h, params, reset_after)
        step_is_real = mask[:, t, None]  # (batch, 1), broadcasts over units
        h = np.where(step_is_real, h_new, h)  # masked rows keep their state
        outputs.append(np.where(started[:, t, None], h, 0))
        step_caches.append(step_cache)

    h_all = np.stack(outputs, axis=1)
    cache = {
        "step_caches": step_caches,
        "mask": mask,
        "started": started,
        "x_shape": x.shape,
        "h_last": h,
    }
    return h_all, cache


def gru_backward(dh_all: np.ndarray, cache: dict) -> tuple[np.ndarray, np.ndarray, Params]:
    """Backpropagation through time for `gru_forward`.

    Args:
        dh_all: gradient of the loss w.r.t. every output `h_all`, shape
            (batch, timesteps, units). For a many-to-one loss use
            `last_step_gradient(dh_last, timesteps)`.
        cache: the cache returned by `gru_forward`.

    Returns:
        A tuple `(dx, dh0, dparams)`:
        - `dx`: gradient w.r.t. `x`, shape (batch, timesteps, input_dim);
          zero at masked steps.
        - `dh0`: gradient w.r.t. `h0`, shape (batch, units).
        - `dparams`: dict of gradients, summed over time, keys and shapes of `params`.
    """
    step_caches, mask, started = cache["step_caches"], cache["mask"], cache["started"]
    dx = np.zeros(cache["x_shape"], dtype=dh_all.dtype)
    dparams = zeros_like_params(step_caches[0]["params"])

    dh = np.zeros_like(dh_all[:, 0])  # gradient flowing back into the state h_t
    for t in reversed(range(dh_all.shape[1])):
        dh = dh + np.where(started[:, t, None], dh_all[:, t], 0)
        step_is_real = mask[:, t, None]
        dx_t, dh_prev, dparams_t = gru_step_backward(np.where(step_is_real, dh, 0), step_caches[t])
        dx[:, t] = dx_t
        # A masked step copied h_{t-1} into h_t: its gradient passes straight through.
        dh = np.where(step_is_real, dh_prev, dh)
        for name in dparams:
            dparams[name] += dparams_t[name]
    return dx, dh, dparams
