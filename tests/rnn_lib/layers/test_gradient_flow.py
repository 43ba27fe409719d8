"""rnn_lib.layers.gradient_flow: matrices of a chosen spectral radius, Jacobian products."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.layers.gradient_flow import (
    matrix_with_spectral_radius,
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
            np.zeros((1, 2, 1)), random_params(np.random.default_rng(0), 1, 2), activation="relu"
        )
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
