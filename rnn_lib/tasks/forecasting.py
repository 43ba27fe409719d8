"""Lesson 02: honest yardsticks for forecasting a windowed series, one step and a year ahead.

A forecaster is only as good as the simplest model it beats. The baselines here
all read the same windows as a recurrent model, as made by
`rnn_lib.sequences.windows.make_windows`: `X` of shape (num_windows, window, features)
with the series being forecast in feature 0, and a target `horizon` steps after
each window's last value.

* persistence ("tomorrow equals today"): the window's last value;
* seasonal naive: the value one season (e.g. 12 months) before the target, for one
  target (`seasonal_naive_forecast`) or for every step of a horizon
  (`seasonal_naive_multi_step`);
* a linear model fitted by least squares on the whole window (an
  autoregressive model, AR(window), with an intercept).

Evaluation splits windows *chronologically* (`chronological_split`): training
windows come first, then validation, then test, never shuffled across the
boundaries, so that no model is tested on a period it has seen. Windows with
targets over several steps are split so that all of a window's targets lie in one
part (`horizon=`).

Forecasting several steps ahead (lesson 02, section 7) has two strategies:

* recursive: a one-step forecaster fed its own forecasts (`recursive_forecast`, the
  reference answer to the lesson's exercise, stubbed while that lesson is graded);
* direct: a model with one output per step (`build_direct_forecaster`).

`rmse_per_step` scores either per step ahead. `affine_predictor` and
`seeded_forecaster` are one-step forecasters with known outputs that the lesson's
graded cases name (`rnn_lib.notebook.cases.model_recipe`).
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
    *arrays: np.ndarray, val_fraction: float = 0.15, test_fraction: float = 0.15, horizon: int = 1
) -> list[np.ndarray]:
    """Split arrays along their first axis into train, validation and test, in order.

    Nothing is shuffled: the first samples are for training, the next for
    validation and the last (the most recent) for testing. For windows of a
    series, sorted by time as `make_windows` makes them, every test target lies
    after every training target.

    With `horizon > 1` the samples are windows whose targets span `horizon` steps:
    sample `i`'s targets are the targets of the one-step windows `i, ..., i + horizon - 1`
    of the same series (`make_windows(series, window, horizon)` and the next `horizon`
    values after each window). The parts are those of the one-step split of that
    series, and a sample is kept only if all its targets lie in one part: the
    `horizon - 1` samples before each boundary are dropped, so that no model is trained
    on a month it is validated or tested on.

    Args:
        *arrays: one or more arrays with the same first dimension, e.g. `X` of
            shape (num_windows, window, features) and `y` of shape (num_windows,)
            or, for several steps, `Y` of shape (num_windows, horizon).
        val_fraction: fraction of the one-step windows for validation.
        test_fraction: fraction of the one-step windows for test.
        horizon: the steps each sample's targets span (1: one target each).

    Returns:
        A flat list `[a_train, a_val, a_test, b_train, b_val, b_test, ...]`, three
        views per input array (like scikit-learn's `train_test_split`).
    """
    if not arrays:
        raise ValueError("give at least one array to split")
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"arrays have different first dimensions: {sorted(lengths)}")
    num_samples = lengths.pop()
    num_train, num_val, _ = split_sizes(num_samples + horizon - 1, val_fraction, test_fraction)
    drop = horizon - 1  # the samples whose targets would cross into the next part
    if num_train - drop < 1:
        raise ValueError(
            f"no training samples left: {num_train} one-step training windows cannot hold "
            f"all {horizon} targets of any window"
        )
    parts = []
    for array in arrays:
        array = np.asarray(array)
        parts += [
            array[: num_train - drop],
            array[num_train : max(num_train, num_train + num_val - drop)],
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


def seasonal_naive_multi_step(X: np.ndarray, horizon: int, season: int = 12) -> np.ndarray:
    """The seasonal naive forecast of every step up to `horizon`: the last season repeated.

    Step `k` (1-based) is `seasonal_naive_forecast(X, season, k)`: for `horizon <= season`,
    the values of the window's last season, in order.

    Args:
        X: windows, shape (num_windows, window, features) or (num_windows, window).
        horizon: how many steps ahead to forecast.
        season: the season's length in steps.

    Returns:
        Forecasts, shape (num_windows, horizon); column `k - 1` is `k` steps ahead.
    """
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    return np.stack(
        [seasonal_naive_forecast(X, season, step) for step in range(1, horizon + 1)], axis=1
    )


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


def rmse_per_step(Y_true: np.ndarray, Y_pred: np.ndarray) -> np.ndarray:
    """The root mean squared error at each step ahead, over all windows.

    Args:
        Y_true: targets, shape (num_windows, horizon).
        Y_pred: forecasts, the same shape.

    Returns:
        Shape (horizon,): entry `k - 1` is the RMSE of the forecasts `k` steps ahead.
    """
    Y_true = np.asarray(Y_true, dtype=np.float64)
    Y_pred = np.asarray(Y_pred, dtype=np.float64)
    if Y_true.ndim != 2 or Y_true.shape != Y_pred.shape:
        raise ValueError(
            f"expected two arrays of shape (num_windows, horizon); got {Y_true.shape} and "
            f"{Y_pred.shape}"
        )
    return np.sqrt(np.mean((Y_true - Y_pred) ** 2, axis=0))


def recursive_forecast(predict_one, windows: np.ndarray, horizon: int) -> np.ndarray:
    """Forecast `horizon` steps by feeding a one-step forecaster its own forecasts.

    At each step, `predict_one` forecasts the next value of every window; each
    window then drops its oldest value and takes the forecast as its newest, keeping
    its length, and the next step reads that window. So from the second step on, the
    forecaster reads its own earlier forecasts, and their errors with them.

    Args:
        predict_one: a one-step forecaster, windows (N, window, 1) -> the next value of
            each, shape (N,) or (N, 1) (a Keras model's output will do).
        windows: shape (N, window, 1), the last observed values; left unchanged.
        horizon: how many steps to forecast (>= 1).

    Returns:
        Shape (N, horizon), float64: column `k - 1` is the forecast `k` steps after
        each window's last value.
    """
    current = np.array(windows, dtype=np.float64)  # a copy: the caller's windows stay
    if current.ndim != 3 or current.shape[2] != 1:
        raise ValueError(f"expected windows of shape (N, window, 1); got {current.shape}")
    forecasts = []
    for _ in range(horizon):
        next_values = np.asarray(predict_one(current), dtype=np.float64).reshape(len(current))
        forecasts.append(next_values)
        current = np.concatenate([current[:, 1:], next_values[:, None, None]], axis=1)
    return np.stack(forecasts, axis=1).reshape(len(current), horizon)


def build_direct_forecaster(window: int, units: int, horizon: int, learning_rate: float = 0.01):
    """A compiled direct multi-step forecaster: one output per step ahead.

    `(window, 1) -> SimpleRNN(units) -> Dense(horizon)`, compiled with Adam and the
    mean squared error over all steps: lesson 02's one-step forecaster with `horizon`
    outputs instead of one, so that the two strategies differ only in how they reach
    the later steps. (One model with a vector output; Ben Taieb et al. (2012) call
    this multiple-input multiple-output, MIMO, and "direct" one model per step.)

    Args:
        window: time steps per input window.
        units: the SimpleRNN's units.
        horizon: steps forecast at once, at least 2 (one step ahead is lesson 02's
            `build_forecaster`, an exercise).
        learning_rate: Adam's learning rate.

    Returns:
        A compiled `keras.Sequential`: (batch, window, 1) -> (batch, horizon).
    """
    import keras

    if horizon < 2:
        raise ValueError(
            f"a direct multi-step forecaster forecasts at least 2 steps, got horizon={horizon}"
        )
    model = keras.Sequential(
        [keras.Input(shape=(window, 1)), keras.layers.SimpleRNN(units), keras.layers.Dense(horizon)]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
    return model


def affine_predictor(weights, intercept: float = 0.0, *, column: bool = False):
    """A one-step forecaster with exactly known outputs, for graded cases.

    `predict(windows) = windows[:, :, 0] @ weights + intercept`: `weights=[0, 0, 1]` and
    `intercept=1` forecast "the last value plus one", `weights=[1, 0, 0]` "the value a
    window ago". With integer windows, weights and intercept every forecast is exact.

    Args:
        weights: one weight per time step of a window, oldest first.
        intercept: added to every forecast.
        column: return shape (N, 1), as a Keras model does, instead of (N,).

    Returns:
        The function `predict(windows)`; it raises ValueError for windows of another
        length than `len(weights)`.
    """
    weights = np.asarray(weights, dtype=np.float64)

    def predict(windows):
        values = np.asarray(windows, dtype=np.float64)
        if values.ndim != 3 or values.shape[1:] != (len(weights), 1):
            raise ValueError(
                f"this forecaster reads windows of shape (N, {len(weights)}, 1); got {values.shape}"
            )
        forecasts = values[:, :, 0] @ weights + intercept
        return forecasts[:, None] if column else forecasts

    return predict


def seeded_forecaster(units: int = 3, seed: int = 0):
    """A small untrained Keras forecaster with weights drawn by NumPy (the same everywhere).

    `(None, 1) -> SimpleRNN(units) -> Dense(1)`: windows of any length, one forecast
    each, shape (N, 1) in float32. For graded cases that pass a Keras model as the
    one-step forecaster; uncompiled.

    Args:
        units: the SimpleRNN's units.
        seed: seeds NumPy's draws of the weights (normal, standard deviation 0.5).
    """
    import keras

    model = keras.Sequential(
        [keras.Input(shape=(None, 1)), keras.layers.SimpleRNN(units), keras.layers.Dense(1)]
    )
    rng = np.random.default_rng(seed)
    model.set_weights(
        [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in model.get_weights()]
    )
    return model
