"""Attention in NumPy against Keras' own layers (same inputs) and against finite differences."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from rnn_lib.layers.attention import (
    additive_scores,
    attention_forward,
    dot_product_attention_backward,
    dot_product_scores,
    masked_softmax,
)
from rnn_lib.layers.gradcheck import check_gradients

KERAS_TOLERANCE = 1e-5  # float32
GRADIENT_TOLERANCE = 1e-7


def inputs(seed: int, batch=3, tq=4, tk=6, d=5, dv=3):
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(batch, tq, d))
    keys = rng.normal(size=(batch, tk, d))
    values = rng.normal(size=(batch, tk, dv))
    mask = np.ones((batch, tk), dtype=bool)
    mask[0, tk - 2 :] = False  # trailing padding
    mask[1, :1] = False  # leading padding
    return query, keys, values, mask


def test_masked_softmax_gives_padding_no_weight_and_sums_to_one():
    scores = np.array([[[1.0, 2.0, 3.0, 50.0], [0.0, -1.0, 1000.0, 1.0]]])
    mask = np.array([[True, True, True, False]])
    weights = masked_softmax(scores, mask)
    assert np.all(weights[..., 3] == 0.0), "padding gets exactly zero weight"
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    plain = np.exp(scores[0, 0, :3]) / np.exp(scores[0, 0, :3]).sum()
    np.testing.assert_allclose(weights[0, 0, :3], plain)
    np.testing.assert_allclose(weights[0, 1], [0, 0, 1, 0], atol=1e-300)  # no overflow
    np.testing.assert_allclose(masked_softmax(scores + 7.0, mask), weights)  # shift-invariant
    # a query with no real position at all reads nothing (Keras spreads it evenly instead)
    assert np.all(masked_softmax(scores, np.zeros((1, 4), dtype=bool)) == 0.0)


@pytest.mark.parametrize("scaled", [False, True])
def test_dot_product_attention_equals_keras_attention(scaled):
    query, keys, values, mask = inputs(0)
    d = query.shape[-1]
    scale = 1 / np.sqrt(d) if scaled else 1.0
    layer = keras.layers.Attention(use_scale=scaled)
    as32 = [a.astype("float32") for a in (query, values, keys)]
    layer(as32, mask=[None, mask])  # builds it
    if scaled:
        layer.set_weights([np.array(scale, dtype="float32")])
    want, want_weights = layer(as32, mask=[None, mask], return_attention_scores=True)
    context, cache = attention_forward(query, keys, values, mask, scale=scale)
    assert np.max(np.abs(context - np.asarray(want))) <= KERAS_TOLERANCE
    assert np.max(np.abs(cache["weights"] - np.asarray(want_weights))) <= KERAS_TOLERANCE
    np.testing.assert_allclose(cache["scores"], scale * np.einsum("bqd,bkd->bqk", query, keys))


def test_additive_attention_equals_keras_additive_attention():
    query, keys, values, mask = inputs(1)
    v = np.random.default_rng(2).normal(size=query.shape[-1])
    layer = keras.layers.AdditiveAttention(use_scale=True)
    as32 = [a.astype("float32") for a in (query, values, keys)]
    layer(as32, mask=[None, mask])
    layer.set_weights([v.astype("float32")])
    want, want_weights = layer(as32, mask=[None, mask], return_attention_scores=True)
    context, cache = attention_forward(query, keys, values, mask, score="additive", v=v)
    assert np.max(np.abs(context - np.asarray(want))) <= KERAS_TOLERANCE
    assert np.max(np.abs(cache["weights"] - np.asarray(want_weights))) <= KERAS_TOLERANCE
    # one score by hand: v . tanh(q_0 + k_1)
    by_hand = v @ np.tanh(query[2, 0] + keys[2, 1])
    assert np.isclose(additive_scores(query, keys, v)[2, 0, 1], by_hand)


def test_keras_reads_the_keys_when_no_values_are_given():
    query, keys, _, mask = inputs(3, d=4)
    layer = keras.layers.Attention()
    want = layer([query.astype("float32"), keys.astype("float32")], mask=[None, mask])
    context, _ = attention_forward(query, keys, None, mask)
    assert np.max(np.abs(context - np.asarray(want))) <= KERAS_TOLERANCE


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("with_values", [True, False])
def test_dot_product_backward_matches_finite_differences(seed, with_values):
    query, keys, values, mask = inputs(seed, batch=2, tq=3, tk=4, d=3, dv=2)
    if not with_values:
        values = None
    scale = 1 / np.sqrt(query.shape[-1])
    dcontext = np.random.default_rng(seed + 10).normal(
        size=(2, 3, 2 if with_values else 3)
    )
    _, cache = attention_forward(query, keys, values, mask, scale=scale)
    dquery, dkeys, dvalues = dot_product_attention_backward(dcontext, cache)
    if with_values:
        given = {"query": query, "keys": keys, "values": values}
        analytic = {"query": dquery, "keys": dkeys, "values": dvalues}

        def forward():
            return attention_forward(query, keys, values, mask, scale=scale)[0]
    else:
        given = {"query": query, "keys": keys}
        analytic = {"query": dquery, "keys": dkeys + dvalues}  # the keys are the values too

        def forward():
            return attention_forward(query, keys, None, mask, scale=scale)[0]

    errors = check_gradients(forward, inputs=given, analytic=analytic, df=dcontext, order=4, h=1e-3)
    assert max(errors.values()) <= GRADIENT_TOLERANCE, errors
    # padding never receives gradient through the weights: its keys' gradient is zero
    assert np.all(dkeys[0, -2:] == 0.0)


def test_unknown_score_and_missing_v_are_refused():
    query, keys, values, mask = inputs(4)
    with pytest.raises(ValueError, match="'dot' or 'additive'"):
        attention_forward(query, keys, values, mask, score="cosine")
    with pytest.raises(ValueError, match="need v"):
        attention_forward(query, keys, values, mask, score="additive")
    assert dot_product_scores(query, keys).shape == (3, 4, 6)
