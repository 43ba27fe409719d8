"""rnn_lib.tasks.comparison: a learning rate per layer on validation data, seeds on test data."""

from __future__ import annotations

import math

import keras
import matplotlib
import numpy as np
import pytest

from rnn_lib.tasks.comparison import (
    best_rate,
    learning_rate_search,
    log_grid,
    plot_seed_spread,
    seed_runs,
    summarise_seeds,
    test_accuracy,
)
from rnn_lib.tasks.experiments import adding_classification, build_sequence_classifier, train_model

matplotlib.use("Agg")


def test_log_grid_multiplies_by_one_factor():
    assert log_grid(0.002, 0.05, 3) == (0.002, 0.01, 0.05)
    rates = log_grid(0.001, 0.1, 5)
    assert rates == (0.001, 0.00316, 0.01, 0.0316, 0.1)
    assert log_grid(0.02, 0.02, 1) == (0.02,)
    with pytest.raises(ValueError):
        log_grid(0.0, 1.0, 3)
    with pytest.raises(ValueError):
        log_grid(0.1, 0.01, 3)


def test_best_rate_is_the_highest_validation_score_and_a_tie_goes_to_the_smaller_rate():
    assert best_rate({0.001: 0.5, 0.01: 0.9, 0.1: 0.7}) == 0.01
    assert best_rate({0.05: 0.8, 0.005: 0.8, 0.5: 0.1}) == 0.005
    assert best_rate({0.3: 0.6}) == 0.3
    with pytest.raises(ValueError):
        best_rate({})


def test_summarise_seeds_uses_the_sample_standard_deviation():
    summary = summarise_seeds([0.5, 0.7, 0.9, 0.6, 0.8])
    assert summary["n"] == 5
    assert summary["mean"] == pytest.approx(0.7)
    assert summary["std"] == pytest.approx(np.std([0.5, 0.7, 0.9, 0.6, 0.8], ddof=1))
    assert summary["std"] == pytest.approx(math.sqrt(0.025))
    assert (summary["min"], summary["max"]) == (0.5, 0.9)
    single = summarise_seeds([0.75])
    assert single["mean"] == single["min"] == single["max"] == 0.75 and math.isnan(single["std"])
    with pytest.raises(ValueError):
        summarise_seeds([])


@pytest.fixture(scope="module")
def tiny_task():
    train = adding_classification(64, 6, seed=1)
    validation = adding_classification(48, 6, seed=2)
    test = adding_classification(40, 6, seed=3)
    return train, validation, test


def test_search_scores_each_rate_on_validation_data_from_the_same_start(tiny_task):
    train, validation, _ = tiny_task
    scores = learning_rate_search(keras.layers.GRU, 3, [0.001, 0.05], train, validation,
                                  epochs=1, seed=4, batch_size=16)
    assert list(scores) == [0.001, 0.05]
    # each score is what the same seed and rate give when trained by hand
    for rate, score in scores.items():
        from rnn_lib.notebook import seed_everything

        seed_everything(4)
        model = build_sequence_classifier(keras.layers.GRU, 3, 6, 2, learning_rate=rate)
        history, _ = train_model(model, *train, validation_data=validation, epochs=1,
                                 batch_size=16, seed=4)
        assert score == history["val_accuracy"][-1]
        assert float(model.optimizer.learning_rate) == pytest.approx(rate)
        # scored on the validation data, whose labels decide it
        assert score == pytest.approx(
            np.mean((model.predict(validation[0], verbose=0)[:, 0] > 0.5) == validation[1]))


def test_seed_runs_score_each_seed_once_on_the_test_data(tiny_task):
    train, validation, test = tiny_task
    runs = seed_runs(keras.layers.SimpleRNN, 4, 0.01, [3, 7], train, test, epochs=2,
                     validation=validation)
    assert [run.seed for run in runs] == [3, 7]
    for run in runs:
        assert len(run.history["val_accuracy"]) == 2 and run.seconds_per_epoch > 0
        assert float(run.model.optimizer.learning_rate) == pytest.approx(0.01)
        predicted = run.model.predict(test[0], verbose=0)[:, 0] > 0.5
        assert run.test_accuracy == pytest.approx(np.mean(predicted == test[1]))
        assert run.test_accuracy == test_accuracy(run.model, *test)
    # another seed, other initial weights
    first, second = (run.model.layers[0].get_weights()[0] for run in runs)
    assert not np.allclose(first, second)
    again = seed_runs(keras.layers.SimpleRNN, 4, 0.01, [3], train, test, epochs=2)
    assert again[0].test_accuracy == runs[0].test_accuracy
    assert "val_accuracy" not in again[0].history


def test_plot_seed_spread_draws_a_bar_and_a_dot_per_seed():
    scores = {"SimpleRNN": [0.5, 0.51, 0.49], "GRU": [0.9, 0.95, 0.97]}
    ax = plot_seed_spread(scores, references={"chance": 0.5}, title="t")
    dots = [collection for collection in ax.collections if collection.get_offsets().shape[0] == 3]
    assert len(dots) == 2
    np.testing.assert_allclose(sorted(dots[1].get_offsets()[:, 1]), [0.9, 0.95, 0.97])
    assert [label.get_text() for label in ax.get_xticklabels()] == ["SimpleRNN", "GRU"]
    assert ax.get_title() == "t"
    plot_seed_spread({"one seed": [0.7]})  # no error bar to draw, no error
