"""rnn_lib.layers.gradcheck on functions whose gradients are known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.layers.gradcheck import check_gradients, numerical_gradient, relative_error

# Each stencil with its usual step and the accuracy it reaches on these small functions.
ORDERS = pytest.mark.parametrize(
    "order, h, tolerance", [(2, 1e-5, 1e-7), (4, 1e-3, 1e-9)], ids=["order2", "order4"]
)


@ORDERS
def test_gradient_of_a_scalar_function(order, h, tolerance):
    x = np.random.default_rng(0).standard_normal((3, 4))
    numerical = numerical_gradient(lambda v: np.sum(v**3), x, h=h, order=order)
    assert relative_error(numerical, 3 * x**2) < tolerance


@ORDERS
def test_gradient_of_an_array_function_contracted_with_upstream(order, h, tolerance):
    rng = np.random.default_rng(1)
    x, a = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    upstream = rng.standard_normal((2, 4))
    # f(x) = sin(x) @ a, so d sum(f * upstream) / dx = cos(x) * (upstream @ a.T)
    numerical = numerical_gradient(lambda v: np.sin(v) @ a, x, df=upstream, h=h, order=order)
    assert relative_error(numerical, np.cos(x) * (upstream @ a.T)) < tolerance


@ORDERS
def test_the_array_is_restored_bit_for_bit(order, h, tolerance):
    x = np.random.default_rng(2).standard_normal(7) * 1e3
    before = x.copy()
    numerical_gradient(lambda v: np.sum(np.tanh(v)), x, h=h, order=order)
    np.testing.assert_array_equal(x, before)


def test_the_array_is_restored_when_f_raises():
    x = np.arange(3.0)
    before = x.copy()

    def fails_on_a_perturbed_first_entry(v):
        if v[0] != 0.0:
            raise RuntimeError("boom")
        return v.sum()

    with pytest.raises(RuntimeError):
        numerical_gradient(fails_on_a_perturbed_first_entry, x)
    np.testing.assert_array_equal(x, before)


@ORDERS
def test_closure_style_for_parameters(order, h, tolerance):
    """f may ignore its argument and read the perturbed array through a closure."""
    rng = np.random.default_rng(3)
    x, weights = rng.standard_normal((5, 2)), rng.standard_normal((2, 3))
    upstream = rng.standard_normal((5, 3))
    numerical = numerical_gradient(lambda _: x @ weights, weights, df=upstream, h=h, order=order)
    assert relative_error(numerical, x.T @ upstream) < tolerance


@ORDERS
def test_an_input_that_f_ignores_gets_exactly_zero(order, h, tolerance):
    x = np.random.default_rng(4).standard_normal(4)
    constant = np.array([1.0, 2.0, 3.0])
    numerical = numerical_gradient(lambda _: constant * 0.1, x, df=np.ones(3), h=h, order=order)
    np.testing.assert_array_equal(numerical, 0.0)


def test_the_five_point_stencil_is_fourth_order():
    x = np.linspace(-1, 1, 5)
    two_point = numerical_gradient(lambda v: np.sum(np.exp(v)), x, h=1e-3, order=2)
    five_point = numerical_gradient(lambda v: np.sum(np.exp(v)), x, h=1e-3, order=4)
    # Truncation errors: h**2 / 6 ~ 2e-7 and h**4 / 30 ~ 3e-14, relative to exp(x).
    assert 1e-8 < relative_error(two_point, np.exp(x)) < 1e-6
    assert relative_error(five_point, np.exp(x)) < 1e-10


def test_an_unknown_order_is_rejected():
    with pytest.raises(ValueError, match="order"):
        numerical_gradient(np.sum, np.zeros(2), order=3)


def test_relative_error_formula():
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert relative_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)  # 2 / 4
    # Near zero the denominator is floored at 1e-8.
    assert relative_error(np.array([0.0]), np.array([1e-10])) == pytest.approx(1e-2)
    # The maximum over elements.
    assert relative_error(np.array([1.0, 1.0]), np.array([1.0, 1.5])) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="shapes"):
        relative_error(np.zeros(2), np.zeros(3))


def test_check_gradients_accepts_right_and_flags_wrong_gradients():
    rng = np.random.default_rng(5)
    x, weights = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    upstream = rng.standard_normal((4, 2))

    def f():
        return np.tanh(x @ weights)

    dz = upstream * (1 - f() ** 2)
    right = {"x": dz @ weights.T, "weights": x.T @ dz}
    errors = check_gradients(f, {"x": x, "weights": weights}, right, df=upstream)
    assert set(errors) == {"x", "weights"}
    assert max(errors.values()) < 1e-8

    wrong = {"x": right["x"], "weights": right["weights"] * 1.01}
    errors = check_gradients(f, {"x": x, "weights": weights}, wrong, df=upstream)
    assert errors["x"] < 1e-8
    assert errors["weights"] > 1e-3
