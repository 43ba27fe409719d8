"""Lesson 02: honest yardsticks for one-step-ahead forecasting of a windowed series.

A forecaster is only as good as the simplest model it beats. The baselines here
all read the same windows as a recurrent model, as made by
`rnn_lib.sequences.windows.make_windows`: `X` of shape (num_windows, window, features)
with the series being forecast in feature 0, and a target `horizon` steps after
each window's last value.

* persistence ("tomorrow equals today"): the window's last value;
* seasonal naive: the value one season (e.g. 12 months) before the target;
* a linear model fitted by least squares on the whole window (an
  autoregressive model, AR(window), with an intercept).

Evaluation splits windows *chronologically* (`chronological_split`): training
windows come first, then validation, then test, never shuffled across the
boundaries, so that no model is tested on a period it has seen.
"""

from __future__ import annotations

import math

import numpy as np


def _series_windows(X: np.ndarray) -> np.ndarray:
    """The forecast series' values in each window, shape (num_windows, window)."""
    X = np.asarray(X)
    if X.ndim == 2:
        return X
    if X.ndim == 3:
        return X[:, :, 0]
    raise ValueError(f"expected windows of shape (num_windows, window[, features]), got {X.shape}")


def split_sizes(
    num_samples: int, val_fraction: float = 0.15, test_fraction: float = 0.15
) -> tuple[int, int, int]:
    """How many samples go to training, validation and test.

    The validation and test sizes are `int(fraction * num_samples)` (rounded
    down); training gets the rest, and must get at least one sample.

    Args:
        num_samples: the number of samples (windows) to split.
        val_fraction: fraction for validation, in [0, 1).
        test_fraction: fraction for test, in [0, 1).

    Returns:
        `(num_train, num_val, num_test)`, summing to `num_samples`.
    """
    if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1):
        raise ValueError("val_fraction and test_fraction must be in [0, 1)")
    num_val = int(val_fraction * num_samples)
    num_test = int(test_fraction * num_samples)
    num_train = num_samples - num_val - num_test
    if num_train < 1:
        raise ValueError(
            f"no training samples left: {num_samples} samples, "
            f"val_fraction={val_fraction}, test_fraction={test_fraction}"
        )
    return num_train, num_val, num_test


def chronological_split(
    *arrays: np.ndarray, val_fraction: float = 0.15, test_fraction: float = 0.15
) -> list[np.ndarray]:
    """Split arrays along their first axis into train, validation and test, in order.

    Nothing is shuffled: the first samples are for training, the next for
    validation and the last (the most recent) for testing. For windows of a
    series, sorted by time as `make_windows` makes them, every test target lies
    after every training target.

    Args:
        *arrays: one or more arrays with the same first dimension, e.g. `X` of
            shape (num_windows, window, features) and `y` of shape (num_windows,).
        val_fraction: fraction of samples for validation.
        test_fraction: fraction of samples for test.

    Returns:
        A flat list `[a_train, a_val, a_test, b_train, b_val, b_test, ...]`, three
        views per input array (like scikit-learn's `train_test_split`).
    """
    if not arrays:
        raise ValueError("give at least one array to split")
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"arrays have different first dimensions: {sorted(lengths)}")
    num_train, num_val, _ = split_sizes(lengths.pop(), val_fraction, test_fraction)
    parts = []
    for array in arrays:
        array = np.asarray(array)
        parts += [
            array[:num_train],
            array[num_train : num_train + num_val],
            array[num_train + num_val :],
        ]
    return parts


def persistence_forecast(X: np.ndarray) -> np.ndarray:
    """The "last value" forecast: every target equals its window's last value.

    Args:
        X: windows, shape (num_windows, window, features) or (num_windows, window);
            the forecast series is feature 0.

    Returns:
        Forecasts, shape (num_windows,).
    """
    return _series_windows(X)[:, -1].copy()


def seasonal_naive_forecast(X: np.ndarray, season: int = 12, horizon: int = 1) -> np.ndarray:
    """The "same time last season" forecast.

    The target `horizon` steps after the window's last value is forecast by the
    most recent value a whole number of seasons before it: the value
    `season * ceil(horizon / season)` steps before the target.

    Args:
        X: windows, shape (num_windows, window, features) or (num_windows, window);
            the forecast series is feature 0.
        season: the season's length in steps (12 for monthly data with a yearly cycle).
        horizon: steps from a window's last value to its target, as in `make_windows`.

    Returns:
        Forecasts, shape (num_windows,).
    """
    if season < 1 or horizon < 1:
        raise ValueError(f"season and horizon must be >= 1, got {season} and {horizon}")
    values = _series_windows(X)
    window = values.shape[1]
    lag = season * math.ceil(horizon / season)  # steps back from the target
    index = window - 1 + horizon - lag
    if index < 0:
        raise ValueError(
            f"a window of {window} steps is too short for a seasonal naive forecast with "
            f"season={season} and horizon={horizon}: it needs at least {lag - horizon + 1} steps"
        )
    return values[:, index].copy()


def fit_linear_forecaster(X: np.ndarray, y: np.ndarray, ridge: float = 0.0) -> np.ndarray:
    """Least-squares linear model on the whole window, with an intercept.

    Solves `min ||A c - y||^2 + ridge * ||c[:-1]||^2` where each row of `A` is a
    flattened window followed by a 1 (the intercept is not penalised).

    Args:
        X: training windows, shape (num_windows, window, features) or (num_windows, window).
        y: training targets, shape (num_windows,).
        ridge: L2 penalty on the weights; 0 for ordinary least squares.

    Returns:
        Coefficients, shape (window * features + 1,): the weights of the flattened
        window, then the intercept.
    """
    X = np.asarray(X, dtype=np.float64)
    design = np.concatenate([X.reshape(len(X), -1), np.ones((len(X), 1))], axis=1)
    y = np.asarray(y, dtype=np.float64).reshape(len(X))
    if ridge > 0:
        penalty = np.sqrt(ridge) * np.eye(design.shape[1])[:-1]
        design = np.concatenate([design, penalty], axis=0)
        y = np.concatenate([y, np.zeros(len(penalty))])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    return coefficients


def linear_forecast(coefficients: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Forecasts of a model fitted by `fit_linear_forecaster`.

    Args:
        coefficients: shape (window * features + 1,).
        X: windows, shape (num_windows, window, features) or (num_windows, window),
            with the same window and features as in the fit.

    Returns:
        Forecasts, shape (num_windows,).
    """
    X = np.asarray(X, dtype=np.float64)
    flat = X.reshape(len(X), -1)
    if flat.shape[1] + 1 != len(coefficients):
        raise ValueError(
            f"windows have {flat.shape[1]} values but the model was fitted on "
            f"{len(coefficients) - 1}"
        )
    return flat @ coefficients[:-1] + coefficients[-1]


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root mean squared error, in the units of the series.

    Args:
        y_true: targets, any shape.
        y_pred: forecasts, same number of entries as `y_true`.

    Returns:
        `sqrt(mean((y_true - y_pred) ** 2))`, a Python float.
    """
    y_true = np.asarray(y_true, dtype=np.float64).ravel()
    y_pred = np.asarray(y_pred, dtype=np.float64).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"shapes differ: {y_true.shape} and {y_pred.shape}")
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))
