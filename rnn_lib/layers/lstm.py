"""Lesson 04: a long short-term memory (LSTM) layer in NumPy, forward and backward.

Equations, for one time step (batch-major, `*` is the elementwise product)::

    i_t  = sigmoid(x_t @ W_i + h_{t-1} @ U_i + b_i)     input gate
    f_t  = sigmoid(x_t @ W_f + h_{t-1} @ U_f + b_f)     forget gate
    g_t  = tanh   (x_t @ W_c + h_{t-1} @ U_c + b_c)     candidate cell state
    o_t  = sigmoid(x_t @ W_o + h_{t-1} @ U_o + b_o)     output gate
    c_t  = f_t * c_{t-1} + i_t * g_t                    cell state (the "carry")
    h_t  = o_t * tanh(c_t)                              hidden state (the output)

Symbols, shapes and the matching Keras names (`keras.layers.LSTM`)::

    x_t                 (batch, input_dim)   one time step of the layer's input
    h_t                 (batch, units)       hidden ("memory") state, the layer's output
    c_t                 (batch, units)       cell ("carry") state
    h_0, c_0            (batch, units)       `initial_state=[h_0, c_0]`
    W_i, W_f, W_c, W_o  (input_dim, units)   `kernel`, shape (input_dim, 4 units):
                                             the four blocks side by side, order i, f, c, o
    U_i, U_f, U_c, U_o  (units, units)       `recurrent_kernel`, (units, 4 units), same order
    b_i, b_f, b_c, b_o  (units,)             `bias`, (4 units,), same order
    sigmoid                                  `recurrent_activation="sigmoid"`
    tanh                                     `activation="tanh"`

Keras calls the candidate's block "c" (`kernel_c` in its source); we keep its
letter for the weights and call the value itself `g` (a "gate" that writes).
Keras' default `unit_forget_bias=True` only sets the initial `b_f` to ones; it
does not change the equations.

Parameters travel in a plain dict with the twelve keys above (`"W_i"`, ...,
`"b_o"`); backward passes return gradients in a dict with the same keys.
`rnn_lib.layers.keras_weights` converts to and from Keras' concatenated layout.

Masking follows Keras exactly (see `rnn_lib.layers.simple_rnn` for the details): at a
masked step both states, `h` and `c`, are carried over unchanged; the output is
the previous step's output, which is zero before a sequence's first unmasked
step. The many-to-one output (`return_sequences=False`) is `h_all[:, -1]`,
whose gradient enters `lstm_backward` as `last_step_gradient(dh_last, T)`.
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
    "last_step_gradient",
    "lstm_backward",
    "lstm_forward",
    "lstm_step_backward",
    "lstm_step_forward",
]

GATES = ("i", "f", "c", "o")
"""Gate letters, in Keras' order along the last axis of its weights."""


# ---------------------------------------------------------------------------
# One time step
# ---------------------------------------------------------------------------


def lstm_step_forward(
    x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray, dict]:
    """One LSTM step (equations in the module docstring).

    Args:
        x_t: inputs at this step, shape (batch, input_dim).
        h_prev: previous hidden state, shape (batch, units).
        c_prev: previous cell state, shape (batch, units).
        params: dict with `W_<gate>` (input_dim, units), `U_<gate>` (units, units)
            and `b_<gate>` (units,) for each gate in i, f, c, o.

    Returns:
        A tuple `(h_next, c_next, cache)`:
        - `h_next`: next hidden state, shape (batch, units).
        - `c_next`: next cell state, shape (batch, units).
        - `cache`: what `lstm_step_backward` needs.
    """

    def pre_activation(gate: str) -> np.ndarray:
        return x_t @ params[f"W_{gate}"] + h_prev @ params[f"U_{gate}"] + params[f"b_{gate}"]

    i = sigmoid(pre_activation("i"))
    f = sigmoid(pre_activation("f"))
    g = tanh(pre_activation("c"))
    o = sigmoid(pre_activation("o"))

    c_next = f * c_prev + i * g
    tanh_c_next = tanh(c_next)
    h_next = o * tanh_c_next

    cache = {
        "x_t": x_t,
        "h_prev": h_prev,
        "c_prev": c_prev,
        "i": i,
        "f": f,
        "g": g,
        "o": o,
        "tanh_c_next": tanh_c_next,
        "params": params,
    }
    return h_next, c_next, cache


def lstm_step_backward(
    dh_next: np.ndarray, dc_next: np.ndarray, cache: dict
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Params]:
    """Backward pass of `lstm_step_forward`.

    Args:
        dh_next: gradient of the loss w.r.t. `h_next`, shape (batch, units).
        dc_next: gradient of the loss w.r.t. `c_next` coming from later steps,
            shape (batch, units).
        cache: the cache returned by the forward step.

    Returns:
        A tuple `(dx_t, dh_prev, dc_prev, dparams)`:
        - `dx_t`: gradient w.r.t. `x_t`, shape (batch, input_dim).
        - `dh_prev`: gradient w.r.t. `h_prev`, shape (batch, units).
        - `dc_prev`: gradient w.r.t. `c_prev`, shape (batch, units).
        - `dparams`: dict of gradients with the keys and shapes of `params`.
    """
    x_t, h_prev, c_prev, params = cache["x_t"], cache["h_prev"], cache["c_prev"], cache["params"]
    i, f, g, o, tanh_c_next = cache["i"], cache["f"], cache["g"], cache["o"], cache["tanh_c_next"]

    # h_next = o * tanh(c_next): two paths, to o and to c_next.
    do = dh_next * tanh_c_next
    dc = dc_next + dh_next * o * tanh_derivative_from_output(tanh_c_next)

    # c_next = f * c_prev + i * g
    df = dc * c_prev
    di = dc * g
    dg = dc * i
    dc_prev = dc * f

    # Through the activations, to each gate's pre-activation.
    d_pre_activation = {
        "i": di * sigmoid_derivative_from_output(i),
        "f": df * sigmoid_derivative_from_output(f),
        "c": dg * tanh_derivative_from_output(g),
        "o": do * sigmoid_derivative_from_output(o),
    }

    # Each pre-activation is x_t @ W_gate + h_prev @ U_gate + b_gate.
    dx_t = np.zeros_like(x_t, dtype=dh_next.dtype)
    dh_prev = np.zeros_like(h_prev, dtype=dh_next.dtype)
    dparams = {}
    for gate, da in d_pre_activation.items():
        dx_t += da @ params[f"W_{gate}"].T
        dh_prev += da @ params[f"U_{gate}"].T
        dparams[f"W_{gate}"] = x_t.T @ da
        dparams[f"U_{gate}"] = h_prev.T @ da
        dparams[f"b_{gate}"] = da.sum(axis=0)
    return dx_t, dh_prev, dc_prev, dparams


# ---------------------------------------------------------------------------
# A whole sequence
# ---------------------------------------------------------------------------


def lstm_forward(
    x: np.ndarray,
    h0: np.ndarray | None,
    c0: np.ndarray | None,
    params: Params,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, dict]:
    """Runs an LSTM over whole sequences (Keras `return_sequences=True`).

    Args:
        x: inputs, shape (batch, timesteps, input_dim).
        h0: initial hidden state, shape (batch, units); None means zeros.
        c0: initial cell state, shape (batch, units); None means zeros.
            Together they are Keras' `initial_state=[h0, c0]`.
        params: dict of the twelve LSTM parameters (see the module docstring).
        mask: optional booleans, shape (batch, timesteps); False marks steps to
            skip: both states are carried over them.

    Returns:
        A tuple `(h_all, cache)`:
        - `h_all`: the output at every step, shape (batch, timesteps, units);
          the hidden state, except zero before a sequence's first unmasked
          step. `h_all[:, -1]` is the `return_sequences=False` output.
        - `cache`: what `lstm_backward` needs. The final states (Keras'
          `return_state=True`) are in `cache["h_last"]` and `cache["c_last"]`.
    """
    batch_size, timesteps, _ = x.shape
    units = params["U_i"].shape[0]
    if h0 is None:
        h0 = np.zeros((batch_size, units), dtype=x.dtype)
    if c0 is None:
        c0 = np.zeros((batch_size, units), dtype=x.dtype)
    mask = prepare_mask(mask, batch_size, timesteps)
    started = output_started_mask(mask)

    h, c = h0, c0
    outputs, step_caches = [], []
    for t in range(timesteps):
        h_new, c_new, step_cache = lstm_step_forward(x[:, t], h, c, params)
        step_is_real = mask[:, t, None]  # (batch, 1), broadcasts over units
        h = np.where(step_is_real, h_new, h)  # masked rows keep both states
        c = np.where(step_is_real, c_new, c)
        outputs.append(np.where(started[:, t, None], h, 0))
        step_caches.append(step_cache)

    h_all = np.stack(outputs, axis=1)
    cache = {
        "step_caches": step_caches,
        "mask": mask,
        "started": started,
        "x_shape": x.shape,
        "h_last": h,
        "c_last": c,
    }
    return h_all, cache


def lstm_backward(
    dh_all: np.ndarray, cache: dict
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Params]:
    """Backpropagation through time for `lstm_forward`.

    Args:
        dh_all: gradient of the loss w.r.t. every output `h_all`, shape
            (batch, timesteps, units). For a many-to-one loss use
            `last_step_gradient(dh_last, timesteps)`.
        cache: the cache returned by `lstm_forward`.

    Returns:
        A tuple `(dx, dh0, dc0, dparams)`:
        - `dx`: gradient w.r.t. `x`, shape (batch, timesteps, input_dim);
          zero at masked steps.
        - `dh0`: gradient w.r.t. `h0`, shape (batch, units).
        - `dc0`: gradient w.r.t. `c0`, shape (batch, units).
        - `dparams`: dict of gradients, summed over time, keys and shapes of `params`.
    """
    step_caches, mask, started = cache["step_caches"], cache["mask"], cache["started"]
    dx = np.zeros(cache["x_shape"], dtype=dh_all.dtype)
    dparams = zeros_like_params(step_caches[0]["params"])

    # Gradients flowing back into the states h_t and c_t.
    dh = np.zeros_like(dh_all[:, 0])
    dc = np.zeros_like(dh_all[:, 0])
    for t in reversed(range(dh_all.shape[1])):
        dh = dh + np.where(started[:, t, None], dh_all[:, t], 0)
        step_is_real = mask[:, t, None]
        dx_t, dh_prev, dc_prev, dparams_t = lstm_step_backward(
            np.where(step_is_real, dh, 0), np.where(step_is_real, dc, 0), step_caches[t]
        )
        dx[:, t] = dx_t
        # A masked step copied both states: their gradients pass straight through.
        dh = np.where(step_is_real, dh_prev, dh)
        dc = np.where(step_is_real, dc_prev, dc)
        for name in dparams:
            dparams[name] += dparams_t[name]
    return dx, dh, dc, dparams
