"""The stand-ins' closed forms are what a correct loop makes of them (lessons 02-09)."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.layers.attention import masked_softmax
from rnn_lib.layers.simple_rnn import simple_rnn_forward
from rnn_lib.notebook.stand_ins import (
    base_two_softmax,
    key_position_scores,
    product_and_sum,
    product_and_sum_states,
    running_total_backward,
    running_total_forward,
    running_total_step,
    running_total_step_backward,
    standing_in,
)


def test_running_total_forward_is_the_loop_of_its_step():
    rng = np.random.default_rng(0)
    x, h0 = rng.normal(size=(3, 5, 2)), rng.normal(size=(3, 4))
    h, states = h0, []
    for t in range(5):
        h = running_total_step(x[:, t], h, params={})
        states.append(h)
    np.testing.assert_allclose(running_total_forward(x, h0), np.stack(states, axis=1))


def test_running_total_backward_is_the_loop_of_its_step_backward():
    rng = np.random.default_rng(1)
    N, T, D, H = 2, 4, 3, 5
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    params = {"W": rng.normal(size=(D, H)), "U": rng.normal(size=(H, H)), "b": rng.normal(size=H)}
    _, cache = simple_rnn_forward(x, h0, params)
    dh_all = rng.normal(size=(N, T, H))
    dx, dh = np.zeros((N, T, D)), np.zeros((N, H))
    dparams = {name: np.zeros_like(value) for name, value in params.items()}
    for t in reversed(range(T)):
        dx[:, t], dh, step = running_total_step_backward(dh + dh_all[:, t], cache["step_caches"][t])
        for name in dparams:
            dparams[name] += step[name]
    want_dx, want_dh0, want_dparams = running_total_backward(dh_all, x, params)
    np.testing.assert_allclose(want_dx, dx)
    np.testing.assert_allclose(want_dh0, dh)
    for name in dparams:
        np.testing.assert_allclose(want_dparams[name], dparams[name])


def test_standing_in_restores_the_names_even_after_an_error():
    namespace = {"rnn_step": "mine"}
    stand_ins = standing_in(namespace, rnn_step="running_total_step", new=len)
    with pytest.raises(RuntimeError), stand_ins:
        assert namespace["rnn_step"] is running_total_step and namespace["new"] is len
        raise RuntimeError
    assert namespace == {"rnn_step": "mine"}


def test_key_position_scores_are_the_positions_scaled_like_a_dot_product():
    query, keys = np.ones((2, 3, 4)), np.ones((2, 5, 4))
    scores = key_position_scores(query, keys)
    assert scores.shape == (2, 3, 5)
    np.testing.assert_array_equal(scores[1, 2], np.arange(5) / 2.0)  # over sqrt(d) = 2
    unscaled = key_position_scores(query, keys, scaled=False)
    np.testing.assert_array_equal(unscaled[0, 0], np.arange(5))


def test_base_two_softmax_masks_like_the_answer_but_is_not_it():
    rng = np.random.default_rng(0)
    scores = rng.normal(scale=3, size=(2, 3, 4))
    mask = np.array([[True, True, True, True], [True, False, True, False]])
    weights = base_two_softmax(scores, mask)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    assert np.all(weights[1, :, [1, 3]] == 0)
    # 2 ** s = e ** (s ln 2)
    np.testing.assert_allclose(weights, masked_softmax(scores * np.log(2.0), mask))
    assert not np.allclose(weights, masked_softmax(scores, mask))
    np.testing.assert_allclose(base_two_softmax(scores), masked_softmax(scores * np.log(2.0)))


def test_product_and_sum_is_associative_and_its_scan_has_a_closed_form():
    from rnn_lib.layers.scan import combine

    rng = np.random.default_rng(5)
    maps = [tuple(rng.normal(size=(2, 3)) for _ in range(2)) for _ in range(3)]
    left = product_and_sum(product_and_sum(maps[0], maps[1]), maps[2])
    right = product_and_sum(maps[0], product_and_sum(maps[1], maps[2]))
    np.testing.assert_allclose(left, right)
    assert not np.allclose(product_and_sum(maps[0], maps[1]), combine(maps[0], maps[1]))
    a, b = rng.uniform(0.2, 1, size=(2, 6, 3)), rng.normal(size=(2, 6, 3))
    h0 = rng.normal(size=(2, 3))
    A, B = a[:, 0], b[:, 0]
    states = [A * h0 + B]
    for t in range(1, 6):  # a left fold of the stand-in, one step at a time
        A, B = product_and_sum((A, B), (a[:, t], b[:, t]))
        states.append(A * h0 + B)
    np.testing.assert_allclose(product_and_sum_states(a, b, h0), np.stack(states, axis=1))
    np.testing.assert_allclose(product_and_sum_states(a, b), np.cumsum(b, axis=1))


def test_masked_running_total_states_is_the_masked_loop_of_its_gru_step():
    from rnn_lib.notebook.stand_ins import masked_running_total_states, running_total_gru_step

    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 6, 2)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0]], dtype=bool)
    h, states = np.zeros((3, 4), dtype="float32"), []
    for t in range(6):
        h_new, gates = running_total_gru_step(x[:, t], h, None, None, None)
        np.testing.assert_allclose(h_new, gates["z"] * h + (1 - gates["z"]) * gates["n"])
        h = np.where(mask[:, t, None], h_new, h)
        states.append(h)
    want = masked_running_total_states(x, mask, 4)
    assert want.shape == (3, 6, 4) and want.dtype == np.float32
    np.testing.assert_allclose(want, np.stack(states, axis=1), rtol=1e-6)
    assert np.all(want[2] == 0)
