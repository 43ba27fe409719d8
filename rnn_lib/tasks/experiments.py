"""Lessons 04, 05: fair training experiments: a shared task, timed training, plots, tables.

Lessons 04 and 05 compare recurrent layers on the same long-memory task with the
same budget. This module holds what those comparisons share:

* :func:`adding_classification`: the adding problem as a yes/no question, so that
  accuracy (with a known chance level) measures memory;
* :func:`build_sequence_classifier`: the many-to-one binary classifier both lessons
  train on it (lesson 04 asks you to write it yourself);
* :func:`train_model`: ``model.fit`` for a fixed number of epochs, returning the
  history and the seconds per epoch (the median over the epochs after the first,
  which also builds the graph; the median shrugs off a busy moment of the machine);
* :func:`plot_learning_curves`: one metric of several runs on one set of axes;
* :func:`format_table`: a plain-text results table.

Timings vary from run to run: print them with :func:`rnn_lib.notebook.timing.format_seconds`
(``"(1.2 s)"``), the format nbval's sanitizer ignores.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from rnn_lib.data.synthetic import adding_problem
from rnn_lib.notebook import seed_everything

History = dict[str, list[float]]

#: Samples per batch when :func:`train_model` evaluates the validation data. Evaluation
#: takes no gradient step, so its batch size changes no weight and no accuracy, only
#: how many steps it takes: with the training batch size (16 in lessons 04-05) the
#: validation pass took about an eighth of every epoch.
VALIDATION_BATCH_SIZE = 1000

#: Training batches per call from Python into TensorFlow (Keras' ``steps_per_execution``)
#: in :func:`build_sequence_classifier`. Each batch still takes its own gradient step, in
#: the same order, so the weights come out the same; but a step of these small models
#: costs less than launching it from Python: lesson 05's comparison (nine trainings) took 88 s
#: instead of 110 s (one thread).
STEPS_PER_EXECUTION = 32


def adding_classification(
    num_samples: int, length: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem as a classification task: is the marked sum above 1?

    The inputs are those of :func:`rnn_lib.data.synthetic.adding_problem`: a random value
    and a marker per step, with one marked step in each half of the sequence. The
    label is 1 when the two marked values add up to more than 1. The classes are
    balanced, so guessing scores 50%. A model that remembers only the second
    marked value (the nearer one) can reach 75%; above that it must also carry the
    first value across the sequence.

    Args:
        num_samples: how many sequences.
        length: timesteps per sequence (at least 2).
        seed: the random seed.

    Returns:
        ``(X, y)``: ``X`` of shape ``(num_samples, length, 2)``, float32, and
        ``y`` of shape ``(num_samples,)``, int32 in {0, 1}.
    """
    X, sums = adding_problem(num_samples, length, seed=seed)
    return X, (sums > 1.0).astype(np.int32)


def build_sequence_classifier(
    layer_class,
    units: int,
    timesteps: int,
    input_dim: int = 2,
    *,
    learning_rate: float = 0.02,
    global_clipnorm: float = 1.0,
    steps_per_execution: int = STEPS_PER_EXECUTION,
):
    """A compiled many-to-one binary classifier around one recurrent layer.

    ``Input((timesteps, input_dim)) -> layer_class(units) -> Dense(1, sigmoid)``,
    compiled with Adam, binary cross-entropy and accuracy. The gradients are clipped by
    their global norm (Keras' ``global_clipnorm``, the clipping lesson 03 recommends: it
    scales all of them by one factor and keeps the direction), not per weight array
    (``clipnorm``, which turns the direction).

    Args:
        layer_class: ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU`` (any Keras
            recurrent layer class taking ``units``).
        units: size of the recurrent state.
        timesteps: sequence length.
        input_dim: features per step.
        learning_rate: Adam's learning rate.
        global_clipnorm: the largest global norm of the gradients (all weights together).
        steps_per_execution: training batches per call into TensorFlow (a speed setting;
            it changes no result).

    Returns:
        A compiled ``keras.Sequential``: inputs ``(batch, timesteps, input_dim)``,
        outputs ``(batch, 1)`` probabilities.
    """
    import keras

    model = keras.Sequential(
        [
            keras.Input((timesteps, input_dim)),
            layer_class(units),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate, global_clipnorm=global_clipnorm)
    model.compile(
        optimizer=optimizer,
        loss="binary_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model


def train_model(
    model,
    x,
    y,
    *,
    validation_data: tuple | None = None,
    epochs: int,
    batch_size: int = 32,
    seed: int | None = None,
    on_epoch_end: Callable[[int, object], None] | None = None,
    verbose: int = 0,
) -> tuple[History, float]:
    """Train a compiled Keras model for a fixed budget of epochs and time it.

    Args:
        model: a compiled Keras model.
        x: training inputs, shape ``(num_samples, ...)``.
        y: training targets, shape ``(num_samples, ...)``.
        validation_data: ``(x_val, y_val)``, evaluated after every epoch.
        epochs: how many epochs.
        batch_size: samples per gradient step (validation goes by
            :data:`VALIDATION_BATCH_SIZE`, which changes no result).
        seed: when given, :func:`rnn_lib.notebook.seed_everything` runs first, so the
            shuffling (and any dropout) repeats exactly.
        on_epoch_end: called as ``on_epoch_end(epoch, model)`` after each epoch
            (``epoch`` counts from 1), e.g. to sample text; its time is not counted.
        verbose: passed to ``model.fit``.

    Returns:
        ``(history, seconds_per_epoch)``: ``history`` maps each metric (``"loss"``,
        ``"val_accuracy"``, ...) to a list of ``epochs`` floats; ``seconds_per_epoch``
        is the median wall time of the epochs after the first (the first one also
        traces the graph), or the time of the only epoch when ``epochs == 1``.
    """
    import keras

    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    if seed is not None:
        seed_everything(seed)

    class _EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)
            if on_epoch_end is not None:
                on_epoch_end(epoch + 1, self.model)

    timer = _EpochTimer()
    fitted = model.fit(
        x,
        y,
        validation_data=validation_data,
        epochs=epochs,
        batch_size=batch_size,
        validation_batch_size=VALIDATION_BATCH_SIZE,
        callbacks=[timer],
        verbose=verbose,
    )
    history = {name: [float(v) for v in values] for name, values in fitted.history.items()}
    timed = timer.seconds[1:] or timer.seconds
    return history, float(np.median(timed))


def plot_learning_curves(
    histories: Mapping[str, Mapping[str, Sequence[float]]],
    metric: str = "val_accuracy",
    *,
    references: Mapping[str, float] | None = None,
    title: str = "",
    ylabel: str | None = None,
    ax=None,
):
    """Draw one metric of several training runs against the epoch, on one plot.

    Args:
        histories: run label -> history (metric name -> one value per epoch), as
            returned by :func:`train_model`.
        metric: which metric to draw, e.g. ``"val_accuracy"`` or ``"loss"``.
        references: label -> value of horizontal dashed lines (e.g. chance level).
        title: the axes title.
        ylabel: the y-axis label; default the metric's name.
        ax: axes to draw on; a new figure when None.

    Returns:
        The matplotlib ``Axes``.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 3.5))
    for label, history in histories.items():
        values = history[metric]
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", ms=3, label=label)
    for i, (label, value) in enumerate((references or {}).items()):
        ax.axhline(value, color="0.4", linestyle=("--", ":", "-.")[i % 3], lw=1, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel or metric)
    ax.set_title(title)
    ax.legend(fontsize="small")
    return ax


def format_table(
    rows: Sequence[Mapping[str, object]],
    columns: Mapping[str, str | Callable[[object], str]],
) -> str:
    """A plain-text table, one row per run, columns aligned.

    Args:
        rows: one mapping per row, column name -> value.
        columns: column name -> how to show a value: a format spec such as
            ``",d"`` or ``".3f"`` (for ``format(value, spec)``), or a function
            returning a string, e.g. :func:`rnn_lib.notebook.timing.format_seconds`.
            The column names are the headers, in this order.

    Returns:
        The table as a string: a header line, a rule and one line per row. Numbers
        shown with a format spec are right-aligned; text, and anything shown by a
        function, is left-aligned (so a timing in the last column, whose digits
        vary, changes no other character of the table when its header is wider).
    """
    cells = []
    for row in rows:
        line = []
        for name, how in columns.items():
            value = row[name]
            line.append(how(value) if callable(how) else format(value, how))
        cells.append(line)
    names = list(columns)
    numeric = [
        not callable(columns[name])
        and all(isinstance(row[name], int | float | np.number) for row in rows)
        for name in names
    ]
    widths = [max([len(name)] + [len(line[j]) for line in cells]) for j, name in enumerate(names)]

    def render(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    lines = [render(names), "  ".join("-" * width for width in widths)]
    lines += [render(line) for line in cells]
    return "\n".join(lines)
