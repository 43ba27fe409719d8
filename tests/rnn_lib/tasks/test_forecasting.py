"""rnn_lib.tasks.forecasting: chronological splits, the three baselines and RMSE."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.sequences.windows import make_windows
from rnn_lib.tasks.forecasting import (
    chronological_split,
    fit_linear_forecaster,
    linear_forecast,
    persistence_forecast,
    rmse,
    seasonal_naive_forecast,
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
