"""rnn_lib.layers.clipping, including agreement with tf.clip_by_global_norm."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import tensorflow as tf

from rnn_lib.layers.clipping import clip_by_global_norm, clip_by_value, global_norm


def example_gradients(scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4, 4), (4,)]
    return [(scale * rng.standard_normal(shape)).astype(np.float32) for shape in shapes]


def test_clip_by_value_clips_every_entry():
    grads = [np.array([-3.0, -0.5, 0.0, 0.5, 3.0]), np.array([[10.0, -10.0]])]
    clipped = clip_by_value(grads, 1.0)
    np.testing.assert_array_equal(clipped[0], [-1.0, -0.5, 0.0, 0.5, 1.0])
    np.testing.assert_array_equal(clipped[1], [[1.0, -1.0]])


def test_clip_by_value_keeps_the_container_and_the_inputs():
    grads = {"W": np.array([5.0, -5.0]), "b": np.array([0.1])}
    before = {name: g.copy() for name, g in grads.items()}
    clipped = clip_by_value(grads, 2.0)
    assert isinstance(clipped, dict) and list(clipped) == ["W", "b"]
    np.testing.assert_array_equal(clipped["W"], [2.0, -2.0])
    for name in grads:
        np.testing.assert_array_equal(grads[name], before[name])
        assert clipped[name] is not grads[name]
    assert isinstance(clip_by_value(tuple(grads.values()), 2.0), tuple)


def test_global_norm_is_the_norm_of_all_entries_together():
    grads = [np.array([3.0]), np.array([[4.0, 0.0]])]
    assert global_norm(grads) == pytest.approx(5.0)
    assert global_norm({"a": grads[0], "b": grads[1]}) == pytest.approx(5.0)


@pytest.mark.parametrize("scale", [0.1, 1.0, 10.0], ids=["small", "medium", "large"])
@pytest.mark.parametrize("max_norm", [1.0, 5.0])
def test_clip_by_global_norm_matches_tensorflow(scale, max_norm):
    grads = example_gradients(scale)
    clipped, norm = clip_by_global_norm(grads, max_norm)
    tf_clipped, tf_norm = tf.clip_by_global_norm([tf.constant(g) for g in grads], max_norm)
    assert norm == pytest.approx(float(tf_norm), rel=1e-6)
    for ours, theirs in zip(clipped, tf_clipped, strict=True):
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6, atol=1e-7)


def test_clip_by_global_norm_rescales_only_when_needed():
    grads = example_gradients(10.0)
    norm = global_norm(grads)
    clipped, reported_norm = clip_by_global_norm(grads, norm / 4)
    assert reported_norm == pytest.approx(norm)  # the norm before clipping
    assert global_norm(clipped) == pytest.approx(norm / 4, rel=1e-6)
    # Same direction: every array scaled by the same factor 1/4.
    for original, scaled in zip(grads, clipped, strict=True):
        np.testing.assert_allclose(scaled, original / 4, rtol=1e-6)

    unchanged, _ = clip_by_global_norm(grads, 2 * norm)
    for original, kept in zip(grads, unchanged, strict=True):
        np.testing.assert_array_equal(kept, original)
        assert kept is not original


def test_clip_by_global_norm_on_a_dict_and_without_touching_inputs():
    grads = dict(zip(["W", "U", "b"], example_gradients(10.0), strict=True))
    before = {name: g.copy() for name, g in grads.items()}
    clipped, norm = clip_by_global_norm(grads, 1.0)
    as_list, list_norm = clip_by_global_norm(list(grads.values()), 1.0)
    assert list(clipped) == ["W", "U", "b"]
    assert norm == list_norm
    for name, expected in zip(grads, as_list, strict=True):
        np.testing.assert_array_equal(clipped[name], expected)
        np.testing.assert_array_equal(grads[name], before[name])


def test_clip_by_global_norm_of_zero_gradients():
    grads = [np.zeros((2, 2)), np.zeros(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division-by-zero warning either
        clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == 0.0
    for g in clipped:
        np.testing.assert_array_equal(g, 0.0)


def test_limits_must_be_positive():
    with pytest.raises(ValueError, match="limit"):
        clip_by_value([np.ones(2)], 0.0)
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm([np.ones(2)], -1.0)
