"""Lessons 02, 03: a vanilla (Elman) recurrent layer in NumPy, forward and backward.

Equations, for one time step (batch-major, rows are examples)::

    h_t = tanh(x_t @ W + h_{t-1} @ U + b)

Symbols, shapes and the matching Keras names (`keras.layers.SimpleRNN`)::

    x_t          (batch, input_dim)   one time step of the layer's input
    h_t          (batch, units)       the state, and the layer's output;
                                      h_0 is Keras' `initial_state`
    W            (input_dim, units)   `kernel`
    U            (units, units)       `recurrent_kernel`
    b            (units,)             `bias`
    tanh                              `activation="tanh"` (the default)

Parameters travel in a plain dict, `params = {"W": ..., "U": ..., "b": ...}`,
and the backward passes return gradients in a dict with the same keys, so that
`params[name] -= learning_rate * dparams[name]` works for every name.
`rnn_lib.layers.keras_weights` converts to and from a Keras layer's weights.

The code follows the forward/backward pattern of CS231n's `rnn_layers.py`:
every forward returns `(output, cache)` and the matching backward takes
`(upstream gradient, cache)` and returns the gradients of the loss with respect
to every input of the forward.

Masking, exactly as Keras does it (read from `keras/src/backend/tensorflow/rnn.py`
and checked against Keras 3.15 in the tests). `mask` is a boolean array of shape
(batch, timesteps); `False` marks padding.

* The state skips masked steps: where `mask[n, t]` is False,
  `h_t[n] = h_{t-1}[n]`, so padding never changes what the layer remembers.
* The output repeats the previous step's output at a masked step. Before the
  first unmasked step of a sequence there is no previous output, and Keras
  outputs zeros there, even when `initial_state` is not zero. Hence the output
  is the state from a sequence's first unmasked step on, and zero before it
  (`rnn_lib.layers.masking.output_started_mask`).
* `return_sequences=False` returns the last step's output, `h_all[:, -1]`:
  the state after the last unmasked step, or zeros for a sequence with every
  step masked. (`return_state=True` returns the carried state itself, which
  is `h_0` for such a sequence; here it is `cache["h_last"]`.)

That is Keras' default, `zero_output_for_mask=False`. With
`zero_output_for_mask=True` (which `keras.layers.Bidirectional` switches on
when returning sequences) every masked step outputs zeros instead; the state
is carried over in both cases.

Many-to-one: Keras' `return_sequences=False` output is `h_all[:, -1]`. Its
gradient `dh_last`, of shape (batch, units), enters the backward pass as
`last_step_gradient(dh_last, timesteps)`: a (batch, timesteps, units) upstream
gradient that is zero everywhere but at the last step. The LSTM and GRU modules
use the same two helpers.
"""

from __future__ import annotations

import numpy as np

from rnn_lib.layers.activations import tanh, tanh_derivative_from_output
from rnn_lib.layers.masking import (
    output_started_mask,
    prepare_mask,
)
from rnn_lib.layers.params import Params, zeros_like_params

# ---------------------------------------------------------------------------
# One time step
# ---------------------------------------------------------------------------


def simple_rnn_step_forward(
    x_t: np.ndarray, h_prev: np.ndarray, params: Params
) -> tuple[np.ndarray, dict]:
    """One step of a vanilla RNN: `h_next = tanh(x_t @ W + h_prev @ U + b)`.

    Args:
        x_t: inputs at this step, shape (batch, input_dim).
        h_prev: previous state, shape (batch, units).
        params: dict with `W` (input_dim, units), `U` (units, units), `b` (units,).

    Returns:
        A tuple `(h_next, cache)`:
        - `h_next`: next state, shape (batch, units).
        - `cache`: what `simple_rnn_step_backward` needs.
    """
    h_next = tanh(x_t @ params["W"] + h_prev @ params["U"] + params["b"])
    cache = {"x_t": x_t, "h_prev": h_prev, "h_next": h_next, "params": params}
    return h_next, cache


def simple_rnn_step_backward(
    dh_next: np.ndarray, cache: dict
) -> tuple[np.ndarray, np.ndarray, Params]:
    """Backward pass of `simple_rnn_step_forward`.

    Args:
        dh_next: gradient of the loss w.r.t. `h_next`, shape (batch, units).
        cache: the cache returned by the forward step.

    Returns:
        A tuple `(dx_t, dh_prev, dparams)`:
        - `dx_t`: gradient w.r.t. `x_t`, shape (batch, input_dim).
        - `dh_prev`: gradient w.r.t. `h_prev`, shape (batch, units).
        - `dparams`: dict of gradients with the keys and shapes of `params`.
    """
    x_t, h_prev, h_next, params = cache["x_t"], cache["h_prev"], cache["h_next"], cache["params"]

    # Through tanh: the pre-activation's gradient.
    da = dh_next * tanh_derivative_from_output(h_next)  # (batch, units)

    dx_t = da @ params["W"].T
    dh_prev = da @ params["U"].T
    dparams = {
        "W": x_t.T @ da,
        "U": h_prev.T @ da,
        "b": da.sum(axis=0),
    }
    return dx_t, dh_prev, dparams


# ---------------------------------------------------------------------------
# A whole sequence
# ---------------------------------------------------------------------------


def simple_rnn_forward(
    x: np.ndarray,
    h0: np.ndarray | None,
    params: Params,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, dict]:
    """Runs a vanilla RNN over whole sequences (Keras `return_sequences=True`).

    Args:
        x: inputs, shape (batch, timesteps, input_dim).
        h0: initial state, shape (batch, units), like Keras' `initial_state`;
            None means zeros (the Keras default).
        params: dict with `W` (input_dim, units), `U` (units, units), `b` (units,).
        mask: optional booleans, shape (batch, timesteps); False marks steps to
            skip (see the module docstring for Keras' exact semantics).

    Returns:
        A tuple `(h_all, cache)`:
        - `h_all`: the output at every step, shape (batch, timesteps, units);
          equal to the state except before a sequence's first unmasked step,
          where it is zero. `h_all[:, -1]` is the `return_sequences=False` output.
        - `cache`: what `simple_rnn_backward` needs. The final state (Keras'
          `return_state=True`) is in `cache["h_last"]`.
    """
    batch_size, timesteps, _ = x.shape
    if h0 is None:
        h0 = np.zeros((batch_size, params["U"].shape[0]), dtype=x.dtype)
    mask = prepare_mask(mask, batch_size, timesteps)
    started = output_started_mask(mask)

    h = h0
    outputs, step_caches = [], []
    for t in range(timesteps):
        h_new, step_cache = simple_rnn_step_forward(x[:, t], h, params)
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


def simple_rnn_backward(dh_all: np.ndarray, cache: dict) -> tuple[np.ndarray, np.ndarray, Params]:
    """Backpropagation through time for `simple_rnn_forward`.

    Args:
        dh_all: gradient of the loss w.r.t. every output `h_all`, shape
            (batch, timesteps, units). For a many-to-one loss use
            `last_step_gradient(dh_last, timesteps)`.
        cache: the cache returned by `simple_rnn_forward`.

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
        # The state h_t is read by the output at step t (when it has started)
        # and by step t + 1 (already in dh).
        dh = dh + np.where(started[:, t, None], dh_all[:, t], 0)
        step_is_real = mask[:, t, None]
        dx_t, dh_prev, dparams_t = simple_rnn_step_backward(
            np.where(step_is_real, dh, 0), step_caches[t]
        )
        dx[:, t] = dx_t
        # A masked step copied h_{t-1} into h_t: its gradient passes straight through.
        dh = np.where(step_is_real, dh_prev, dh)
        for name in dparams:
            dparams[name] += dparams_t[name]
    return dx, dh, dparams
