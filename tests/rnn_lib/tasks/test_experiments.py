"""rnn_lib.tasks.experiments: the shared long-memory task, timed training, curves and tables."""

from __future__ import annotations

import re

import keras
import matplotlib
import numpy as np
import pytest

from rnn_lib.data.synthetic import adding_problem
from rnn_lib.notebook.timing import format_seconds
from rnn_lib.tasks.experiments import (
    STEPS_PER_EXECUTION,
    VALIDATION_BATCH_SIZE,
    adding_classification,
    build_sequence_classifier,
    format_table,
    plot_learning_curves,
    train_model,
)

matplotlib.use("Agg")


def test_adding_classification_labels_the_marked_sum():
    X, y = adding_classification(500, 12, seed=3)
    X_ref, sums = adding_problem(500, 12, seed=3)
    np.testing.assert_array_equal(X, X_ref)
    assert X.shape == (500, 12, 2) and X.dtype == np.float32
    assert y.shape == (500,) and y.dtype == np.int32
    marked = (X[..., 0] * X[..., 1]).sum(axis=1)
    np.testing.assert_array_equal(y, (marked > 1).astype(np.int32))
    assert 0.4 < y.mean() < 0.6  # balanced: guessing scores 50%
    X2, y2 = adding_classification(500, 12, seed=3)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(adding_classification(500, 12, seed=4)[1], y)


@pytest.mark.parametrize("layer_class", [keras.layers.SimpleRNN, keras.layers.LSTM,
                                         keras.layers.GRU])
def test_sequence_classifier_spec(layer_class):
    model = build_sequence_classifier(layer_class, units=7, timesteps=9, input_dim=3,
                                      learning_rate=0.05, global_clipnorm=2.0)
    assert model.input_shape == (None, 9, 3) and model.output_shape == (None, 1)
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]
    assert len(recurrent) == 1 and type(recurrent[0]) is layer_class
    gates = {keras.layers.SimpleRNN: 1, keras.layers.LSTM: 4, keras.layers.GRU: 3}[layer_class]
    extra_bias = 3 * 7 if layer_class is keras.layers.GRU else 0  # reset_after=True
    assert model.count_params() == gates * (7 * (7 + 3) + 7) + extra_bias + 7 + 1
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert model.optimizer.global_clipnorm == 2.0  # all gradients together (lesson 03)
    assert model.optimizer.clipnorm is None  # not per weight array, which turns the direction
    probabilities = model.predict(np.random.default_rng(0).normal(size=(4, 9, 3)), verbose=0)
    assert ((probabilities > 0) & (probabilities < 1)).all()


def test_many_steps_per_call_train_to_the_same_weights():
    # 200 rows in batches of 16: 13 steps an epoch, not a multiple of the steps per call
    X, y = adding_classification(200, 6, seed=0)
    X_val, y_val = adding_classification(50, 6, seed=1)
    runs = []
    for steps in (1, STEPS_PER_EXECUTION):
        keras.utils.set_random_seed(0)
        model = build_sequence_classifier(keras.layers.LSTM, 4, 6, steps_per_execution=steps)
        history, _ = train_model(model, X, y, validation_data=(X_val, y_val), epochs=2,
                                 batch_size=16, seed=3)
        runs.append((model, history))
    (one, one_history), (many, many_history) = runs
    assert many.steps_per_execution == STEPS_PER_EXECUTION > 1
    default = build_sequence_classifier(keras.layers.GRU, 2, 6)
    assert default.steps_per_execution == STEPS_PER_EXECUTION
    assert many_history == one_history  # every step taken, in order: the same metrics
    assert int(many.optimizer.iterations) == int(one.optimizer.iterations) == 2 * 13
    for a, b in zip(one.get_weights(), many.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the same kernels on the same batches: bit for bit


@pytest.mark.slow
def test_train_model_returns_history_and_seconds_per_epoch():
    X, y = adding_classification(64, 6, seed=0)
    X_val, y_val = adding_classification(32, 6, seed=1)
    seen = []

    def run():
        keras.utils.set_random_seed(0)
        model = build_sequence_classifier(keras.layers.GRU, 4, 6)
        return train_model(model, X, y, validation_data=(X_val, y_val), epochs=3,
                           batch_size=16, seed=5,
                           on_epoch_end=lambda epoch, m: seen.append((epoch, m is model)))

    history, seconds = run()
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in history.values())
    assert all(isinstance(v, float) for values in history.values() for v in values)
    assert seconds > 0
    assert seen == [(1, True), (2, True), (3, True)]
    again, _ = run()
    assert again == history  # seeded: identical, metric for metric
    with pytest.raises(ValueError):
        train_model(build_sequence_classifier(keras.layers.GRU, 2, 6), X, y, epochs=0)


def test_train_model_validates_in_large_batches_with_the_same_accuracy(monkeypatch):
    X, y = adding_classification(64, 6, seed=0)
    X_val, y_val = adding_classification(300, 6, seed=1)
    keras.utils.set_random_seed(0)
    model = build_sequence_classifier(keras.layers.GRU, 4, 6)
    passed = {}
    fit = model.fit

    def spy(*args, **kwargs):
        passed.update(kwargs)
        return fit(*args, **kwargs)

    monkeypatch.setattr(model, "fit", spy)
    history, _ = train_model(model, X, y, validation_data=(X_val, y_val), epochs=2, batch_size=16)
    assert passed["batch_size"] == 16 and passed["validation_batch_size"] == VALIDATION_BATCH_SIZE
    assert VALIDATION_BATCH_SIZE >= 1000  # lessons 04-05 validate on 1,000 sequences: one step
    # evaluated 16 at a time, the trained model gets the same accuracy: same predictions, same count
    _, accuracy = model.evaluate(X_val, y_val, batch_size=16, verbose=0)
    assert round(accuracy * len(y_val)) == round(history["val_accuracy"][-1] * len(y_val))


def test_plot_learning_curves_draws_every_run_and_reference():
    histories = {
        "LSTM": {"val_accuracy": [0.5, 0.7, 0.9]},
        "GRU": {"val_accuracy": [0.5, 0.8, 0.95]},
    }
    ax = plot_learning_curves(histories, references={"chance": 0.5, "one number": 0.75},
                              title="t")
    lines = ax.get_lines()
    assert len(lines) == 4
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[1].get_ydata(), [0.5, 0.8, 0.95])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "LSTM", "GRU", "chance", "one number"]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "val_accuracy"
    matplotlib.pyplot.close("all")


def test_format_table_aligns_columns():
    rows = [
        {"layer": "SimpleRNN", "parameters": 4420, "accuracy": 0.5034},
        {"layer": "GRU", "parameters": 12345, "accuracy": 0.9},
    ]
    table = format_table(rows, {"layer": "s", "parameters": ",d", "accuracy": ".3f"})
    assert table.splitlines() == [
        "layer      parameters  accuracy",
        "---------  ----------  --------",
        "SimpleRNN       4,420     0.503",
        "GRU            12,345     0.900",
    ]


def test_format_table_timings_change_only_their_digits():
    def table(seconds):
        rows = [{"layer": "LSTM", "seconds per epoch": s} for s in seconds]
        return format_table(rows, {"layer": "s", "seconds per epoch": format_seconds})

    fast, slow = table([1.25, 9.8]), table([12.3, 123.4])
    assert fast.splitlines()[2] == "LSTM   (1.2 s)"
    # nbval's sanitizer turns every "(N.N s)" into the same text: so must the tables be.
    def sanitize(text):
        return re.sub(r"\(\d+(\.\d+)? s\)", "(TIME s)", text)

    assert sanitize(fast) == sanitize(slow)
