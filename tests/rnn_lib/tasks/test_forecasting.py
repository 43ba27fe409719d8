"""rnn_lib.tasks.forecasting: chronological splits, the baselines, RMSE, multi-step forecasts."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.sequences.windows import make_windows
from rnn_lib.tasks.forecasting import (
    affine_predictor,
    build_direct_forecaster,
    chronological_split,
    fit_linear_forecaster,
    linear_forecast,
    persistence_forecast,
    recursive_forecast,
    rmse,
    rmse_per_step,
    seasonal_naive_forecast,
    seasonal_naive_multi_step,
    seeded_forecaster,
    split_sizes,
)


def test_split_sizes_round_the_held_out_parts_down():
    assert split_sizes(100) == (70, 15, 15)
    assert split_sizes(502, 0.15, 0.15) == (352, 75, 75)
    assert split_sizes(10, 0.0, 0.25) == (8, 0, 2)
    with pytest.raises(ValueError, match="no training samples"):
        split_sizes(3, 0.67, 0.67)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        split_sizes(10, 1.0, 0.0)


def test_chronological_split_keeps_order_and_never_overlaps():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10) * 10
    X_tr, X_va, X_te, y_tr, y_va, y_te = chronological_split(
        X, y, val_fraction=0.2, test_fraction=0.3
    )
    assert [len(X_tr), len(X_va), len(X_te)] == [5, 2, 3]
    np.testing.assert_array_equal(np.concatenate([X_tr, X_va, X_te]), X)
    np.testing.assert_array_equal(np.concatenate([y_tr, y_va, y_te]), y)
    assert y_tr.max() < y_va.min() and y_va.max() < y_te.min()


def test_chronological_split_rejects_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="different first dimensions"):
        chronological_split(np.zeros(5), np.zeros(6))
    with pytest.raises(ValueError, match="at least one array"):
        chronological_split()


def test_persistence_is_the_last_value_of_each_window():
    X, y = make_windows(np.arange(10.0), window=3)
    np.testing.assert_array_equal(persistence_forecast(X), y - 1)
    np.testing.assert_array_equal(persistence_forecast(X[:, :, 0]), y - 1)


@pytest.mark.parametrize("horizon", [1, 3, 12, 13, 25])
def test_seasonal_naive_reads_the_value_whole_seasons_before_the_target(horizon):
    series = np.arange(80.0)
    X, y = make_windows(series, window=30, horizon=horizon)
    lag = 12 * int(np.ceil(horizon / 12))
    np.testing.assert_array_equal(seasonal_naive_forecast(X, 12, horizon), y - lag)


def test_seasonal_naive_is_exact_on_a_purely_seasonal_series():
    t = np.arange(100)
    series = np.sin(2 * np.pi * t / 12) + (t % 12 == 3)
    X, y = make_windows(series, window=12)
    np.testing.assert_allclose(seasonal_naive_forecast(X), y, atol=1e-12)


def test_seasonal_naive_needs_a_full_season_in_the_window():
    X, _ = make_windows(np.arange(30.0), window=11)
    with pytest.raises(ValueError, match="too short"):
        seasonal_naive_forecast(X, season=12)
    with pytest.raises(ValueError, match=">= 1"):
        seasonal_naive_forecast(X, season=0)


def test_linear_forecaster_recovers_a_noiseless_autoregression():
    rng = np.random.default_rng(0)
    series = list(rng.standard_normal(3))
    for _ in range(200):  # x_t = 0.5 x_{t-1} - 0.3 x_{t-3} + 2
        series.append(0.5 * series[-1] - 0.3 * series[-3] + 2.0)
    X, y = make_windows(np.array(series), window=3)
    coefficients = fit_linear_forecaster(X, y)
    np.testing.assert_allclose(coefficients, [-0.3, 0.0, 0.5, 2.0], atol=1e-8)
    np.testing.assert_allclose(linear_forecast(coefficients, X), y, atol=1e-8)


def test_linear_forecaster_with_several_features_and_ridge():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 4, 2))
    y = X.reshape(50, -1) @ rng.standard_normal(8) + 1.0
    exact = fit_linear_forecaster(X, y)
    assert exact.shape == (9,)
    np.testing.assert_allclose(linear_forecast(exact, X), y, atol=1e-10)
    shrunk = fit_linear_forecaster(X, y, ridge=100.0)
    assert np.linalg.norm(shrunk[:-1]) < np.linalg.norm(exact[:-1])
    with pytest.raises(ValueError, match="fitted on 8"):
        linear_forecast(exact, X[:, :3])


def test_rmse():
    assert rmse([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 0.0
    assert rmse(np.array([0.0, 0.0]), np.array([3.0, -4.0])) == pytest.approx(np.sqrt(12.5))
    assert rmse(np.zeros((3, 1)), np.ones(3)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="shapes differ"):
        rmse(np.zeros(3), np.zeros(4))


def test_baselines_on_the_real_co2_series():
    """The numbers lesson 02 builds on: the seasonal cycle makes persistence poor."""
    from rnn_lib.data.datasets import load_co2

    _, ppm = load_co2()
    X, y = make_windows(ppm, window=24)
    X_tr, _, X_te, y_tr, _, y_te = chronological_split(X, y)
    linear = rmse(y_te, linear_forecast(fit_linear_forecaster(X_tr, y_tr), X_te))
    persistence = rmse(y_te, persistence_forecast(X_te))
    seasonal = rmse(y_te, seasonal_naive_forecast(X_te))
    assert linear < 0.5 < persistence < seasonal


# Several steps ahead (lesson 02, section 7)


@pytest.mark.parametrize("horizon", [1, 3, 12])
def test_multi_step_split_keeps_each_windows_targets_in_one_part(horizon):
    series = np.arange(200.0)
    window = 24
    X, _ = make_windows(series, window, horizon)
    Y = np.stack([series[i + window : i + window + horizon] for i in range(len(X))])
    X_tr, X_va, X_te, Y_tr, Y_va, Y_te = chronological_split(X, Y, horizon=horizon)
    # the one-step split of the same series: its targets are the values window, window + 1, ...
    _, y = make_windows(series, window)
    _, y_va, y_te = chronological_split(y)
    assert Y_tr.max() < y_va.min() <= Y_va.min() and Y_va.max() <= y_va.max() < Y_te.min()
    assert Y_te.max() == series[-1]
    # exactly horizon - 1 windows are lost before each boundary
    assert len(X_tr) + len(X_va) + len(X_te) == len(X) - 2 * (horizon - 1)
    np.testing.assert_array_equal(X_tr[:, -1, 0] + 1, Y_tr[:, 0])


def test_multi_step_split_with_horizon_1_is_the_one_step_split():
    X, y = make_windows(np.arange(60.0), window=5)
    for a, b in zip(chronological_split(X, y), chronological_split(X, y, horizon=1), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=">= 1"):
        chronological_split(X, horizon=0)
    with pytest.raises(ValueError, match="no training samples"):
        chronological_split(np.zeros(4), horizon=12)  # 11 one-step training windows


def test_seasonal_naive_multi_step_repeats_the_last_season():
    X, _ = make_windows(np.arange(40.0), window=24, horizon=12)
    forecasts = seasonal_naive_multi_step(X, 12)
    assert forecasts.shape == (len(X), 12)
    np.testing.assert_array_equal(forecasts, X[:, -12:, 0])
    for step in (1, 5, 14):
        np.testing.assert_array_equal(
            seasonal_naive_multi_step(X, 14)[:, step - 1], seasonal_naive_forecast(X, 12, step)
        )
    with pytest.raises(ValueError, match=">= 1"):
        seasonal_naive_multi_step(X, 0)


def test_rmse_per_step_scores_each_column():
    Y = np.zeros((4, 3))
    forecasts = np.array([[1.0, 0, 3], [1, 0, -3], [-1, 0, 3], [-1, 0, 3]])
    np.testing.assert_allclose(rmse_per_step(Y, forecasts), [1.0, 0.0, 3.0])
    assert rmse_per_step(Y, forecasts)[2] == rmse(Y[:, 2], forecasts[:, 2])
    with pytest.raises(ValueError, match="num_windows, horizon"):
        rmse_per_step(Y, forecasts[:, :2])


def test_recursive_forecast_with_exactly_known_forecasters():
    windows = np.array([[[1.0], [2.0], [3.0], [4.0]], [[10.0], [20.0], [30.0], [40.0]]])
    original = windows.copy()
    last_plus_one = affine_predictor([0, 0, 0, 1], 1.0, column=True)  # (N, 1), as Keras
    np.testing.assert_array_equal(
        recursive_forecast(last_plus_one, windows, 3), [[5, 6, 7], [41, 42, 43]]
    )
    # "the value a window ago": the window repeats, beyond its own length too
    oldest = affine_predictor([1, 0, 0, 0])
    np.testing.assert_array_equal(
        recursive_forecast(oldest, windows, 6), [[1, 2, 3, 4, 1, 2], [10, 20, 30, 40, 10, 20]]
    )
    # x_{t+1} = x_t + x_{t-1}: every forecast reads the two before it
    fibonacci = affine_predictor([0, 0, 1, 1])
    np.testing.assert_array_equal(recursive_forecast(fibonacci, windows[:1], 4), [[7, 11, 18, 29]])
    np.testing.assert_array_equal(windows, original)
    assert recursive_forecast(oldest, windows, 1).shape == (2, 1)
    with pytest.raises(ValueError, match=r"\(N, 4, 1\)"):
        oldest(np.zeros((2, 5, 1)))


def test_recursive_forecast_calls_the_forecaster_once_per_step_on_sliding_windows():
    seen = []

    def mean_of_window(windows):
        seen.append(windows.copy())
        return windows.mean(axis=1)  # (N, 1)

    windows = np.arange(6.0).reshape(2, 3, 1)
    forecasts = recursive_forecast(mean_of_window, windows, 3)
    assert len(seen) == 3 and all(s.shape == (2, 3, 1) for s in seen)
    for step in (1, 2):
        np.testing.assert_array_equal(seen[step][:, :-1], seen[step - 1][:, 1:])
        np.testing.assert_array_equal(seen[step][:, -1, 0], forecasts[:, step - 1])


def test_recursive_forecast_with_a_keras_model():
    model = seeded_forecaster(units=3, seed=0)
    windows = np.random.default_rng(0).normal(size=(4, 6, 1))
    forecasts = recursive_forecast(model, windows, 2)
    first = np.asarray(model(windows))[:, 0]
    slid = np.concatenate([windows[:, 1:], first[:, None, None]], axis=1)
    np.testing.assert_allclose(forecasts[:, 0], first, rtol=1e-6)
    np.testing.assert_allclose(forecasts[:, 1], np.asarray(model(slid))[:, 0], rtol=1e-5)
    # the same weights on every machine: drawn by NumPy, not by Keras
    again = seeded_forecaster(units=3, seed=0)
    for a, b in zip(model.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_direct_forecaster_has_one_output_per_step_and_needs_two_steps():
    model = build_direct_forecaster(window=23, units=16, horizon=12)
    assert model(np.zeros((5, 23, 1))).shape == (5, 12)
    assert model.count_params() == 16 * (1 + 16 + 1) + 16 * 12 + 12
    assert isinstance(model.optimizer, __import__("keras").optimizers.Adam)
    with pytest.raises(ValueError, match="at least 2 steps"):
        build_direct_forecaster(24, 16, horizon=1)
