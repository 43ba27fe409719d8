"""Lessons 03-05: checking analytic gradients against centred finite differences.

For a scalar function `f` of an array `x`, the centred difference

    df/dx[i] ~= (f(x + h e_i) - f(x - h e_i)) / (2 h)

has an error of order h**2 (the one-sided version's error is of order h). With
h = 1e-5 in float64 the truncation error (about h**2) and the round-off error
(about 1e-16 / h) are both near 1e-10, which is why gradient checks are run in
float64: in float32 the round-off term alone is about 1e-7 / h.

That round-off floor matters for the elementwise `relative_error`: an entry
whose true gradient is 1e-5 (a sum of terms that happen to cancel) and whose
numerical estimate is off by 1e-11 has a relative error of 1e-6, though the
analytic gradient is right. The five-point stencil (`order=4`)

    df/dx[i] ~= (8 (f(x + h e_i) - f(x - h e_i)) - (f(x + 2h e_i) - f(x - 2h e_i))) / (12 h)

is Richardson's extrapolation of the two-point formula: its error is of order
h**4, so a larger step (h = 1e-3) keeps truncation small while dividing the
round-off by 100. The tests of `rnn_lib` use it to demand a relative error
below 1e-7 on every entry.

For an array-valued `f` (a layer's output) and an upstream gradient `df` of the
same shape as `f(x)`, the quantity checked is the gradient of the scalar
`sum(f(x) * df)`, which is exactly what a backward pass returns when it is
given `df`. This is CS231n's `eval_numerical_gradient_array`.

Agreement is measured with the relative error of `relative_error`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np


def numerical_gradient(
    f: Callable[[np.ndarray], np.ndarray | float],
    x: np.ndarray,
    df: np.ndarray | None = None,
    h: float = 1e-5,
    order: int = 2,
) -> np.ndarray:
    """Centred finite-difference gradient of `f` with respect to `x`.

    Each entry of `x` is perturbed *in place*, by `+h` then `-h` (and by `+2h`,
    `-2h` for `order=4`), and then set back to its exact original value. So `f`
    may either use its argument or ignore it and read `x` through a closure
    (handy for parameters):
    `numerical_gradient(lambda _: layer_forward(x, params)[0], params["W"], df)`.

    Args:
        f: function called as `f(x)`, returning a scalar (when `df` is None) or
            an array of the same shape as `df`.
        x: the array to differentiate with respect to, any shape, float dtype
            (float64 for meaningful results). Modified during the call, restored
            on return.
        df: upstream gradient, same shape as `f(x)`; None when `f` is scalar.
        h: step size; about 1e-5 suits `order=2` and 1e-3 suits `order=4`.
        order: accuracy order of the centred stencil: 2 for the classic
            two-point difference, 4 for the five-point stencil (see the module
            docstring).

    Returns:
        The gradient of `f(x)` (or of `sum(f(x) * df)`), same shape as `x`.
    """
    if order not in (2, 4):
        raise ValueError(f"order must be 2 or 4, got {order}")

    def f_at(index: tuple[int, ...], value: float) -> np.ndarray:
        x[index] = value
        return np.array(f(x), copy=True)

    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            # Differences of f values, so that an f that ignores x[index] gives exactly 0.
            difference = f_at(index, original + h) - f_at(index, original - h)
            if order == 2:
                derivative = difference / (2 * h)
            else:
                wide_difference = f_at(index, original + 2 * h) - f_at(index, original - 2 * h)
                derivative = (8 * difference - wide_difference) / (12 * h)
        finally:
            x[index] = original
        grad[index] = derivative if df is None else np.sum(derivative * df)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise relative error between two arrays.

    The formula is

        max over i of  |a[i] - b[i]| / max(1e-8, |a[i]| + |b[i]|)

    The floor 1e-8 keeps entries where both gradients are (nearly) zero from
    dividing by zero; there the measure becomes an absolute error scaled by 1e8.
    As a rule of thumb in float64: below 1e-7 is right, above 1e-3 is a bug.

    Args:
        a: any shape.
        b: same shape as `a`.

    Returns:
        The relative error, a Python float (0.0 for empty arrays).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def check_gradients(
    f: Callable[[], np.ndarray | float],
    inputs: Mapping[str, np.ndarray],
    analytic: Mapping[str, np.ndarray],
    df: np.ndarray | None = None,
    h: float = 1e-5,
    order: int = 2,
) -> dict[str, float]:
    """Relative error of every analytic gradient against finite differences.

    Args:
        f: function of no arguments that reads the arrays in `inputs` (they are
            perturbed in place) and returns a scalar, or an array of the shape
            of `df`.
        inputs: name -> array that `f` depends on.
        analytic: name -> analytic gradient; each name must be in `inputs` and
            the gradient must have that input's shape.
        df: upstream gradient for an array-valued `f`, else None.
        h: finite-difference step.
        order: 2 or 4, as in `numerical_gradient`.

    Returns:
        Dict name -> `relative_error(numerical, analytic[name])`.
    """
    errors = {}
    for name, gradient in analytic.items():
        numerical = numerical_gradient(lambda _: f(), inputs[name], df=df, h=h, order=order)
        errors[name] = relative_error(numerical, gradient)
    return errors
