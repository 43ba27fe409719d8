"""rnn_lib.layers.gradient_flow: matrices of a chosen spectral radius, Jacobian products,
their norms and singular values (tanh, linear, ReLU)."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.layers.gradient_flow import (
    matrix_with_spectral_radius,
    singular_value_range_of_powers,
    spectral_radius,
    state_gradient_norms,
    state_jacobian_products,
)
from rnn_lib.layers.simple_rnn import simple_rnn_forward


def random_params(rng, input_dim, units, U=None):
    return {
        "W": 0.5 * rng.standard_normal((input_dim, units)),
        "U": 0.5 * rng.standard_normal((units, units)) if U is None else U,
        "b": 0.3 * rng.standard_normal(units),
    }


@pytest.mark.parametrize("orthogonal", [False, True], ids=["gaussian", "orthogonal"])
@pytest.mark.parametrize("radius", [0.0, 0.5, 1.0, 2.5])
def test_matrix_has_the_requested_spectral_radius(radius, orthogonal):
    matrix = matrix_with_spectral_radius(7, radius, seed=3, orthogonal=orthogonal)
    assert matrix.shape == (7, 7) and matrix.dtype == np.float64
    assert spectral_radius(matrix) == pytest.approx(radius, abs=1e-10)
    assert np.max(np.abs(np.linalg.eigvals(matrix))) == pytest.approx(radius, abs=1e-10)


def test_orthogonal_matrix_has_every_singular_value_equal_to_the_radius():
    matrix = matrix_with_spectral_radius(6, 1.7, seed=0, orthogonal=True)
    np.testing.assert_allclose(np.linalg.svd(matrix, compute_uv=False), 1.7)


def test_same_seed_same_matrix_up_to_scale():
    a = matrix_with_spectral_radius(5, 1.0, seed=4)
    b = matrix_with_spectral_radius(5, 3.0, seed=4)
    np.testing.assert_allclose(3.0 * a, b)
    assert not np.allclose(a, matrix_with_spectral_radius(5, 1.0, seed=5))


def test_bad_arguments():
    with pytest.raises(ValueError, match="square"):
        spectral_radius(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="radius"):
        matrix_with_spectral_radius(3, -1.0)
    with pytest.raises(ValueError, match="size"):
        matrix_with_spectral_radius(0, 1.0)
    with pytest.raises(ValueError, match="activation"):
        state_gradient_norms(
            np.zeros((1, 2, 1)), random_params(np.random.default_rng(0), 1, 2), activation="sigmoid"
        )
    with pytest.raises(ValueError, match="square"):
        singular_value_range_of_powers(np.zeros((2, 3)), 4)
    with pytest.raises(ValueError, match="steps"):
        singular_value_range_of_powers(np.eye(2), -1)
    with pytest.raises(ValueError, match="activation"):
        state_jacobian_products(np.zeros((1, 2, 2)), np.eye(2), activation="softplus")
    with pytest.raises(ValueError, match="U must have shape"):
        state_jacobian_products(np.zeros((1, 2, 3)), np.eye(2))


def final_state(x, h0, params):
    h_all, _ = simple_rnn_forward(x, h0, params)
    return h_all[:, -1]


def test_jacobian_products_match_finite_differences():
    rng = np.random.default_rng(0)
    batch_size, timesteps, input_dim, units = 2, 5, 3, 4
    x = rng.standard_normal((batch_size, timesteps, input_dim))
    h0 = rng.standard_normal((batch_size, units))
    params = random_params(rng, input_dim, units)
    h_all, _ = simple_rnn_forward(x, h0, params)
    products = state_jacobian_products(h_all, params["U"])
    assert products.shape == (batch_size, timesteps + 1, units, units)
    states = np.concatenate([h0[:, None], h_all], axis=1)  # h_0 .. h_T
    eps = 1e-6
    for t in range(timesteps + 1):
        for j in range(units):
            # Restart the recurrence from h_t with its j-th unit nudged.
            plus, minus = states[:, t].copy(), states[:, t].copy()
            plus[:, j] += eps
            minus[:, j] -= eps
            if t == timesteps:
                column = (plus - minus) / (2 * eps)
            else:
                rest = x[:, t:]
                column = (final_state(rest, plus, params) - final_state(rest, minus, params)) / (
                    2 * eps
                )
            np.testing.assert_allclose(products[:, t, :, j], column, atol=1e-8)


def test_linear_orthogonal_rnn_scales_gradients_by_radius_per_step():
    rng = np.random.default_rng(1)
    units, timesteps = 6, 10
    for radius in (0.5, 1.0, 1.5):
        U = matrix_with_spectral_radius(units, radius, seed=2, orthogonal=True)
        params = random_params(rng, 2, units, U=U)
        norms = state_gradient_norms(
            rng.standard_normal((3, timesteps, 2)), params, activation="linear"
        )
        expected = radius ** (timesteps - np.arange(timesteps + 1))
        np.testing.assert_allclose(norms, np.broadcast_to(expected, (3, timesteps + 1)), rtol=1e-10)


def test_tanh_norms_agree_with_the_products_and_vanish_for_a_small_radius():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 30, 1))
    params = random_params(rng, 1, 8, U=matrix_with_spectral_radius(8, 0.5, seed=0))
    norms = state_gradient_norms(x, params)
    assert norms.shape == (4, 31)
    np.testing.assert_allclose(norms[:, -1], 1.0)
    h_all, _ = simple_rnn_forward(x, None, params)
    products = state_jacobian_products(h_all, params["U"])
    np.testing.assert_allclose(norms[1, 7], np.linalg.norm(products[1, 7], 2))
    assert np.all(norms[:, 0] < 1e-6)  # 30 steps at radius 0.5: gone


def test_tanh_norms_explode_in_the_chaotic_regime():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 60, 1))
    params = random_params(rng, 1, 32, U=matrix_with_spectral_radius(32, 3.0, seed=1))
    norms = state_gradient_norms(x, params)
    assert np.all(norms[:, 0] > 1e4)


def test_empty_sequence_has_the_identity_jacobian():
    params = random_params(np.random.default_rng(0), 2, 3)
    norms = state_gradient_norms(np.zeros((2, 0, 2)), params)
    np.testing.assert_array_equal(norms, np.ones((2, 1)))


def relu_final_state(x, h0, params):
    h = h0
    for t in range(x.shape[1]):
        h = np.maximum(x[:, t] @ params["W"] + h @ params["U"] + params["b"], 0.0)
    return h


def relu_states(x, h0, params):
    states, h = [], h0
    for t in range(x.shape[1]):
        h = np.maximum(x[:, t] @ params["W"] + h @ params["U"] + params["b"], 0.0)
        states.append(h)
    return np.stack(states, axis=1)


def test_relu_jacobian_products_match_finite_differences():
    rng = np.random.default_rng(5)
    batch_size, timesteps, input_dim, units = 3, 6, 2, 5
    x = rng.standard_normal((batch_size, timesteps, input_dim))
    h0 = np.abs(rng.standard_normal((batch_size, units)))
    params = random_params(rng, input_dim, units)
    params["b"] = np.abs(params["b"])  # some units on, some off
    h_all = relu_states(x, h0, params)
    previous = np.concatenate([h0[:, None], h_all[:, :-1]], axis=1)
    pre = previous @ params["U"] + x @ params["W"] + params["b"]
    assert np.min(np.abs(pre)) > 1e-4  # no pre-activation near the kink: differences are exact
    assert 0 < np.mean(h_all > 0) < 1
    products = state_jacobian_products(h_all, params["U"], activation="relu")
    states = np.concatenate([h0[:, None], h_all], axis=1)
    eps = 1e-7
    for t in range(timesteps):
        for j in range(units):
            plus, minus = states[:, t].copy(), states[:, t].copy()
            plus[:, j] += eps
            minus[:, j] -= eps
            rest = x[:, t:]
            up, down = relu_final_state(rest, plus, params), relu_final_state(rest, minus, params)
            column = (up - down) / (2 * eps)
            np.testing.assert_allclose(products[:, t, :, j], column, atol=1e-7)


def test_identity_relu_norms_are_exactly_one_while_a_unit_stays_active():
    rng = np.random.default_rng(6)
    batch_size, timesteps, units = 8, 40, 6
    x = rng.standard_normal((batch_size, timesteps, 1))
    params = {"W": 0.5 * rng.standard_normal((1, units)), "U": np.eye(units), "b": np.zeros(units)}
    norms = state_gradient_norms(x, params, activation="relu")
    assert set(np.unique(norms)) == {0.0, 1.0}  # both happen here, nothing in between
    active = relu_states(x, np.zeros((batch_size, units)), params) > 0   # (batch, T, units)
    for t in range(timesteps + 1):
        # dh_T/dh_t = diag(product of the slopes of steps t+1 .. T): norm 1 iff some unit was
        # on throughout
        survived = np.all(active[:, t:], axis=1).any(axis=1) if t < timesteps else True
        np.testing.assert_array_equal(norms[:, t], np.broadcast_to(survived, batch_size))


def test_range_of_powers_matches_the_svd_of_each_power():
    U = 0.6 * np.random.default_rng(7).standard_normal((5, 5))
    extremes = singular_value_range_of_powers(U, 6)
    assert extremes.shape == (7, 2)
    np.testing.assert_array_equal(extremes[0], [1.0, 1.0])
    for k in range(1, 7):
        values = np.linalg.svd(np.linalg.matrix_power(U.T, k), compute_uv=False)
        np.testing.assert_allclose(extremes[k], [values[0], values[-1]], rtol=1e-9)


def test_range_of_powers_largest_is_the_linear_rnn_gradient_norm():
    rng = np.random.default_rng(8)
    params = random_params(rng, 2, 6)
    norms = state_gradient_norms(rng.standard_normal((3, 15, 2)), params, activation="linear")
    extremes = singular_value_range_of_powers(params["U"], 15)
    np.testing.assert_allclose(norms, np.broadcast_to(extremes[::-1, 0], (3, 16)), rtol=1e-10)


def test_range_of_powers_resolves_a_smallest_value_far_below_the_svd_floor():
    # U = Q diag(0.5, 1, 2) Q.T is symmetric: the singular values of U**k are 0.5**k, 1 and 2**k.
    # At k = 60 the smallest, 8.7e-19, is 1e-37 times the largest: no SVD of U**60 resolves it.
    q = matrix_with_spectral_radius(3, 1.0, seed=4, orthogonal=True)
    U = q @ np.diag([0.5, 1.0, 2.0]) @ q.T
    extremes = singular_value_range_of_powers(U, 60)
    k = np.arange(61)
    np.testing.assert_allclose(extremes[:, 0], 2.0**k, rtol=1e-10)
    np.testing.assert_allclose(extremes[:, 1], 0.5**k, rtol=1e-8)
    direct = np.linalg.svd(np.linalg.matrix_power(U, 60), compute_uv=False)[-1]
    assert not np.isclose(direct, 0.5**60, rtol=0.5)  # what a plain SVD would have said


def test_range_of_powers_of_an_orthogonal_matrix_stays_at_one_and_of_a_singular_one_hits_zero():
    U = matrix_with_spectral_radius(10, 1.0, seed=3, orthogonal=True)
    np.testing.assert_allclose(singular_value_range_of_powers(U, 40), 1.0, rtol=1e-12)
    singular = np.diag([1.5, 0.0, 0.7])
    extremes = singular_value_range_of_powers(singular, 5)
    np.testing.assert_allclose(extremes[:, 0], 1.5 ** np.arange(6))
    np.testing.assert_array_equal(extremes[:, 1], [1.0, 0, 0, 0, 0, 0])


def test_orthogonal_recurrence_with_tanh_only_shrinks_the_gradient():
    # One step's Jacobian diag(1 - h**2) U.T has norm max(1 - h**2) <= 1 when U is orthogonal.
    rng = np.random.default_rng(8)
    units, timesteps = 10, 25
    U = matrix_with_spectral_radius(units, 1.0, seed=3, orthogonal=True)
    params = random_params(rng, 1, units, U=U)
    x = rng.standard_normal((4, timesteps, 1))
    norms = state_gradient_norms(x, params)
    assert np.all(norms <= 1 + 1e-12)
    assert np.all(np.diff(norms, axis=1) >= -1e-12)   # never larger further back
    assert np.all(norms[:, 0] < 0.5)
    h_all, _ = simple_rnn_forward(x, None, params)
    products = state_jacobian_products(h_all, U)
    last_step = np.linalg.norm(products[:, timesteps - 1], 2, axis=(-2, -1))
    np.testing.assert_allclose(last_step, np.max(1 - h_all[:, -1] ** 2, axis=-1), rtol=1e-12)


def test_a_random_matrix_spreads_the_singular_values_of_its_powers():
    # Entries of variance 1/units (Glorot's scale for a square matrix): spectral radius near 1,
    # singular values spread over (0, 2); the powers' largest grows and their smallest collapses.
    units = 32
    U = np.random.default_rng(9).standard_normal((units, units)) / np.sqrt(units)
    extremes = singular_value_range_of_powers(U, 40)
    largest, smallest = extremes[:, 0], extremes[:, 1]
    assert largest[40] > 2 * largest[1] > 2.0    # the largest grows
    assert smallest[40] < 1e-20 < 1e-2 < smallest[1]   # the smallest collapses
    assert np.all(np.diff(np.log(smallest[1:])) < 0)
