"""Stand-ins for earlier exercises, so that an exercise built on one is graded on its own.

Some exercises compose an earlier one: lesson 02's ``rnn_forward`` loops over the
learner's ``rnn_step``, lesson 03's ``rnn_backward`` over ``rnn_step_backward``, lesson
05's ``gru_forward_masked`` over ``gru_step``, lesson 08's ``attend``
scores with ``dot_product_scores`` and weighs with ``masked_softmax``, and lesson 09's
``parallel_scan`` composes maps with ``combine``. A mistake in the earlier
function must cost only its own exercise. So the later exercise's tests also run it with
the earlier function replaced by a stand-in (:func:`standing_in`) and compare the result
with what the stand-in makes of it, which has a closed form: the later exercise passes if
it is right with the learner's own function, or right with the stand-in.

A stand-in has the signature of the function it replaces and is deliberately *not* its
answer (no RNN step is a running sum): it gives nothing away, and it still tells the
mistakes of the composing exercise apart (a state that is not carried, a gradient that does
not flow back, parameter gradients that are not added up).

Each stand-in names the lesson that uses it; graded cases name them by name
(``expect(..., stand_ins={"rnn_step": "running_total_step"}, stand_in_returns=...)``,
:mod:`rnn_lib.notebook.cases`).
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = [
    "STAND_INS",
    "base_two_softmax",
    "key_position_scores",
    "product_and_sum",
    "product_and_sum_states",
    "running_total_backward",
    "running_total_forward",
    "running_total_step",
    "running_total_step_backward",
    "standing_in",
]


def running_total_step(x_t, h_prev, params):
    """Lesson 02's stand-in for ``rnn_step``: ``h_t = h_prev + (sum of x_t's features)``.

    Args:
        x_t: inputs at one step, ``(N, D)``.
        h_prev: the previous state, ``(N, H)``.
        params: ignored (the parameters of the step it stands in for).

    Returns:
        The next state, ``(N, H)``: every unit adds the step's input total.
    """
    return h_prev + np.sum(x_t, axis=1, keepdims=True)


def running_total_forward(x, h0):
    """What a correct ``rnn_forward`` returns with :func:`running_total_step` as its step.

    Args:
        x: inputs, ``(N, T, D)``.
        h0: the initial state, ``(N, H)``.

    Returns:
        ``h_all`` of shape ``(N, T, H)``: ``h_t = h0 + (x_1 + ... + x_t summed over features)``.
    """
    totals = np.cumsum(np.sum(x, axis=2), axis=1)  # (N, T)
    return h0[:, None, :] + totals[:, :, None]


def running_total_step_backward(dh_next, cache):
    """Lesson 03's stand-in for ``rnn_step_backward``: simple, known gradients of one step.

    Not a gradient of anything: it passes ``dh_next`` back unchanged, scales the step's
    input by the row total of ``dh_next``, and gives every parameter one number per step.

    Args:
        dh_next: the gradient arriving at the step's output, ``(N, H)``.
        cache: a step's cache (``"x_t"`` (N, D) and ``"params"`` are read).

    Returns:
        ``(dx_t, dh_prev, dparams)``: ``dx_t = s * x_t`` with ``s = dh_next.sum(axis=1)`` per
        row, ``dh_prev = dh_next``, and ``dparams["W"]`` and ``["U"]`` filled with
        ``dh_next``'s total, ``dparams["b"] = dh_next.sum(axis=0)``.
    """
    row_totals = np.sum(dh_next, axis=1, keepdims=True)
    params = cache["params"]
    total = float(np.sum(dh_next))
    dparams = {
        "W": np.full(np.shape(params["W"]), total),
        "U": np.full(np.shape(params["U"]), total),
        "b": np.sum(dh_next, axis=0),
    }
    return row_totals * cache["x_t"], np.array(dh_next, dtype=float), dparams


def running_total_backward(dh_all, x, params):
    """What a correct ``rnn_backward`` returns with :func:`running_total_step_backward`.

    The gradient reaching step ``t`` is the sum of ``dh_all`` over steps ``t..T`` (the
    stand-in passes it back unchanged): a reversed cumulative sum.

    Args:
        dh_all: ``(N, T, H)``.
        x: the inputs of the forward run, ``(N, T, D)``.
        params: ``"W"`` (D, H), ``"U"`` (H, H), ``"b"`` (H,).

    Returns:
        ``(dx (N, T, D), dh0 (N, H), dparams)``.
    """
    reaching = np.flip(np.cumsum(np.flip(dh_all, axis=1), axis=1), axis=1)  # (N, T, H)
    total = float(np.sum(reaching))
    dparams = {
        "W": np.full(np.shape(params["W"]), total),
        "U": np.full(np.shape(params["U"]), total),
        "b": np.sum(reaching, axis=(0, 1)),
    }
    return np.sum(reaching, axis=2, keepdims=True) * x, reaching[:, 0], dparams


def key_position_scores(query, keys, scaled=True):
    """Lesson 08's stand-in for ``dot_product_scores``: each key's position, not a dot product.

    Args:
        query: ``(batch, Tq, d)``.
        keys: ``(batch, Tk, d)`` (only the shapes are read).
        scaled: divide by ``sqrt(d)``, as the scaled dot product does.

    Returns:
        ``(batch, Tq, Tk)``: ``scores[b, i, j] = j``, over ``sqrt(d)`` if ``scaled``.
    """
    query, keys = np.asarray(query), np.asarray(keys)
    batch, steps, features = query.shape
    positions = np.arange(keys.shape[1], dtype=float)
    scores = np.broadcast_to(positions, (batch, steps, keys.shape[1])).copy()
    return scores / np.sqrt(features) if scaled else scores


def base_two_softmax(scores, mask=None):
    """Lesson 08's stand-in for ``masked_softmax``: weights proportional to ``2 ** scores``.

    A softmax in base 2 instead of base e: still zero on padding and summing to 1 over
    each row's real positions, but not the answer.

    Args:
        scores: ``(batch, Tq, Tk)``.
        mask: ``(batch, Tk)`` bool, True for a real position, or None.

    Returns:
        ``(batch, Tq, Tk)`` weights.
    """
    scores = np.asarray(scores, dtype=float)
    powers = np.exp2(scores - scores.max(axis=-1, keepdims=True))
    if mask is not None:
        powers = powers * np.asarray(mask, dtype=bool)[:, None, :]
    return powers / powers.sum(axis=-1, keepdims=True)


def product_and_sum(first, second):
    """Lesson 09's stand-in for ``combine``: ``(a1 * a2, b1 + b2)``, not a composition of maps.

    Still associative (a product and a sum), so any correct scan of it gives
    ``(cumprod(a), cumsum(b))`` along the time axis, and ``cumprod(a) * h0 + cumsum(b)``
    as the states (:func:`product_and_sum_states`).
    """
    (a1, b1), (a2, b2) = first, second
    return a1 * a2, b1 + b2


def product_and_sum_states(a, b, h0=None):
    """What a correct ``parallel_scan`` returns with :func:`product_and_sum` as ``combine``.

    Args:
        a, b: ``(batch, T, H)``.
        h0: ``(batch, H)``; None for zeros.

    Returns:
        ``cumprod(a) * h0 + cumsum(b)`` along the time axis, ``(batch, T, H)``.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    totals = np.cumsum(b, axis=1)
    return totals if h0 is None else np.cumprod(a, axis=1) * np.asarray(h0)[:, None, :] + totals


#: The stand-ins a graded case may name (``stand_ins={"rnn_step": "running_total_step"}``).
STAND_INS = {
    "running_total_step": running_total_step,
    "running_total_step_backward": running_total_step_backward,
    "key_position_scores": key_position_scores,
    "base_two_softmax": base_two_softmax,
    "product_and_sum": product_and_sum,
}


@contextmanager
def standing_in(namespace: MutableMapping[str, Any], **stand_ins: Any) -> Iterator[None]:
    """Bind names of ``namespace`` to stand-ins for the block, then restore them.

    Args:
        namespace: a notebook's global names (``globals()``).
        **stand_ins: a name and its stand-in (a function, or the name of one in
            :data:`STAND_INS`): ``standing_in(globals(), rnn_step=running_total_step)``.
    """
    missing = object()
    saved = {name: namespace.get(name, missing) for name in stand_ins}
    try:
        for name, stand_in in stand_ins.items():
            namespace[name] = STAND_INS[stand_in] if isinstance(stand_in, str) else stand_in
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def running_total_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    """Lesson 05's stand-in for ``gru_step``: ``h_next = h_prev + (sum of x_t's features)``.

    Not a GRU (the weights are ignored), but it has ``gru_step``'s signature and returns
    what it returns: ``(h_next, {"z", "r", "n"})``, written as a GRU step with ``z = 0``
    (nothing kept), ``r = 1`` and the candidate ``n = h_next``.

    Args:
        x_t: ``(batch, input_dim)``; h_prev: ``(batch, units)``; kernel, recurrent_kernel,
            bias: ignored (Keras' GRU weights).

    Returns:
        ``(h_next (batch, units), gates)``.
    """
    h_next = np.asarray(h_prev) + np.sum(x_t, axis=1, keepdims=True)
    return h_next, {"z": np.zeros_like(h_next), "r": np.ones_like(h_next), "n": h_next}


def masked_running_total_states(x, mask, units):
    """What a correct ``gru_forward_masked`` returns with :func:`running_total_gru_step`.

    From a zero state, each real step adds its features' sum to every unit, and a padded
    step carries the state: ``h_t = sum over real steps s <= t of sum(x_s)``.

    Args:
        x: ``(batch, T, D)``.
        mask: ``(batch, T)`` bool, True at a real step.
        units: the state's width.

    Returns:
        ``(batch, T, units)``.
    """
    x = np.asarray(x)
    added = np.sum(x, axis=2) * np.asarray(mask, dtype=bool)  # (batch, T)
    totals = np.cumsum(added, axis=1)
    return np.repeat(totals[:, :, None], int(units), axis=2).astype(x.dtype)


# Lesson 05's exercise 2 (gru_forward_masked) composes gru_step.
__all__ += ["masked_running_total_states", "running_total_gru_step"]
STAND_INS["running_total_gru_step"] = running_total_gru_step
