"""Lesson 08: attention in NumPy, forward and backward, as Keras computes it.

A decoder step asks a question (the *query*) of every encoder state (the *keys*), turns
the answers (*scores*) into weights that sum to 1 over the source positions (a softmax
that never gives weight to padding), and reads the weighted sum of the *values* (the
*context*). Shapes, batch-major::

    query    (batch, Tq, d)       one row per question (per decoder step)
    keys     (batch, Tk, d)       one row per source position
    values   (batch, Tk, dv)      what is read; Keras uses the keys when none are given
    mask     (batch, Tk) bool     True for a real source position, False for padding
    scores   (batch, Tq, Tk)
    weights  (batch, Tq, Tk)      each row sums to 1 over the real positions
    context  (batch, Tq, dv)      weights @ values

Two score functions, the two families of the literature:

- dot product (Luong et al., 2015), scaled by ``1 / sqrt(d)`` in the Transformer (Vaswani
  et al., 2017): ``scores = scale * query @ keys^T``; Keras' ``keras.layers.Attention``
  (``use_scale=True`` learns the scale, initialised to 1);
- additive (Bahdanau et al., 2014): ``scores[i, j] = v . tanh(q_i + k_j)``, summed over
  the ``d`` features; Keras' ``keras.layers.AdditiveAttention`` with ``use_scale=True``,
  whose ``scale`` weight is ``v``. Bahdanau's projections ``q W_q`` and ``k W_k`` are
  applied before (a ``Dense`` layer each), as Keras expects.

Padding, as Keras does it: a masked score is lowered by 1e9 before the softmax, so its
weight is 0 to the last bit. Only for a query whose every key is masked do the two
differ: Keras then spreads the weight evenly (every score is lowered alike), while
:func:`masked_softmax` gives that row zero weights and so a zero context.

Forward/backward pairs with a cache, as in :mod:`rnn_lib.layers.simple_rnn`; the tests
compare every forward with the Keras layer given the same inputs, and the backward pass
with finite differences.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "additive_scores",
    "attention_forward",
    "dot_product_attention_backward",
    "dot_product_scores",
    "masked_softmax",
]


def masked_softmax(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Softmax over the last axis that gives masked positions exactly zero weight.

    Args:
        scores: ``(..., Tk)``.
        mask: bool, broadcastable to ``scores`` (``(batch, Tk)`` is taken as
            ``(batch, 1, Tk)``): True where a position may receive weight.

    Returns:
        ``(..., Tk)`` weights, each row summing to 1 over its unmasked positions (a row
        with none is all zeros).
    """
    scores = np.asarray(scores, dtype=float)
    if mask is None:
        allowed = np.ones_like(scores, dtype=bool)
    else:
        allowed = np.asarray(mask, dtype=bool)
        if allowed.ndim == 2 and scores.ndim == 3:
            allowed = allowed[:, None, :]
        allowed = np.broadcast_to(allowed, scores.shape)
    shifted = np.where(allowed, scores, -np.inf)
    top = np.max(shifted, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    exponentials = np.where(allowed, np.exp(shifted - top), 0.0)
    totals = np.sum(exponentials, axis=-1, keepdims=True)
    return np.divide(exponentials, totals, out=np.zeros_like(exponentials), where=totals > 0)


def dot_product_scores(query: np.ndarray, keys: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``scale * query @ keys^T``: ``(batch, Tq, d), (batch, Tk, d) -> (batch, Tq, Tk)``.

    ``scale = 1 / sqrt(d)`` is the Transformer's scaled dot product.
    """
    return scale * np.asarray(query) @ np.swapaxes(np.asarray(keys), -1, -2)


def additive_scores(query: np.ndarray, keys: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bahdanau's scores ``v . tanh(q_i + k_j)``: ``(batch, Tq, Tk)``.

    Args:
        query: ``(batch, Tq, d)``, already projected (``q W_q``).
        keys: ``(batch, Tk, d)``, already projected (``k W_k``).
        v: ``(d,)``, the weights of the sum (Keras' ``AdditiveAttention`` ``scale``).
    """
    hidden = np.tanh(np.asarray(query)[:, :, None, :] + np.asarray(keys)[:, None, :, :])
    return np.sum(np.asarray(v) * hidden, axis=-1)


def attention_forward(
    query: np.ndarray,
    keys: np.ndarray,
    values: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    *,
    score: str = "dot",
    scale: float = 1.0,
    v: np.ndarray | None = None,
) -> tuple[np.ndarray, dict]:
    """Attention of every query over the keys, reading the values.

    Args:
        query: ``(batch, Tq, d)``.
        keys: ``(batch, Tk, d)``.
        values: ``(batch, Tk, dv)``; the keys when None (as Keras).
        mask: ``(batch, Tk)`` bool, True for real positions (Keras' value mask).
        score: ``"dot"`` (:func:`dot_product_scores`, times ``scale``) or ``"additive"``
            (:func:`additive_scores`, with ``v``).
        scale: the dot product's factor.
        v: the additive score's weights, ``(d,)``.

    Returns:
        ``(context, cache)``: context ``(batch, Tq, dv)``; the cache holds the inputs,
        ``"scores"`` and ``"weights"`` ``(batch, Tq, Tk)``.
    """
    values = keys if values is None else values
    if score == "dot":
        scores = dot_product_scores(query, keys, scale)
    elif score == "additive":
        if v is None:
            raise ValueError("additive scores need v, shape (d,)")
        scores = additive_scores(query, keys, v)
    else:
        raise ValueError(f"score is 'dot' or 'additive', not {score!r}")
    weights = masked_softmax(scores, mask)
    context = weights @ np.asarray(values)
    cache = {
        "query": query,
        "keys": keys,
        "values": values,
        "scale": scale,
        "scores": scores,
        "weights": weights,
    }
    return context, cache


def dot_product_attention_backward(dcontext: np.ndarray, cache: dict) -> tuple:
    """Backward pass of :func:`attention_forward` with ``score="dot"``.

    Args:
        dcontext: the loss's gradient with respect to the context, ``(batch, Tq, dv)``.
        cache: the forward's cache.

    Returns:
        ``(dquery (batch, Tq, d), dkeys (batch, Tk, d), dvalues (batch, Tk, dv))``; with
        values None in the forward, ``dkeys`` includes the values' share.
    """
    query, keys, values = cache["query"], cache["keys"], cache["values"]
    weights, scale = cache["weights"], cache["scale"]
    dvalues = np.swapaxes(weights, -1, -2) @ dcontext
    dweights = dcontext @ np.swapaxes(values, -1, -2)
    # the softmax's Jacobian; masked positions have weight 0 and so get no gradient
    dscores = weights * (dweights - np.sum(dweights * weights, axis=-1, keepdims=True))
    dquery = scale * dscores @ keys
    dkeys = scale * np.swapaxes(dscores, -1, -2) @ query
    return dquery, dkeys, dvalues
