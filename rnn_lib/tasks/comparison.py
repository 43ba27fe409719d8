"""Lesson 05: a fair comparison of recurrent layers, a learning rate each and several seeds.

Lesson 05 races ``SimpleRNN``, LSTM and GRU at equal parameter budgets on the adding
problem (:mod:`rnn_lib.tasks.experiments`). A race is fair only if each layer runs at its
own best settings and the verdict allows for luck, so this module holds the three steps
of the protocol of Greff et al. (2017) and Melis, Dyer & Blunsom (2018), scaled down:

* :func:`learning_rate_search`: one short training per learning rate on a log grid,
  each scored on *validation* data; :func:`best_rate` picks the winner (validation
  only: the test data are kept for the end);
* :func:`seed_runs`: several seeds at the chosen rate, each scored once on the *test*
  data, which chose nothing;
* :func:`summarise_seeds`: mean, standard deviation and range of those scores, and
  :func:`plot_seed_spread`: the means with error bars, every seed as a dot.

Every training goes through :func:`rnn_lib.tasks.experiments.build_sequence_classifier`
and :func:`rnn_lib.tasks.experiments.train_model`, seeded by
:func:`rnn_lib.notebook.seed_everything`, so a run repeats exactly on one machine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from rnn_lib.notebook import seed_everything
from rnn_lib.tasks.experiments import History, build_sequence_classifier, train_model

__all__ = [
    "SeedRun",
    "best_rate",
    "learning_rate_search",
    "log_grid",
    "plot_seed_spread",
    "seed_runs",
    "summarise_seeds",
    "test_accuracy",
]

#: Samples per batch when a model is scored on held-out data (changes no result).
EVALUATION_BATCH_SIZE = 1000


def log_grid(low: float, high: float, num: int) -> tuple[float, ...]:
    """``num`` rates from ``low`` to ``high``, evenly spaced on a log scale.

    Each rate is the previous one times the same factor, ``(high / low) ** (1 / (num - 1))``,
    rounded to 3 significant digits so that it prints as it is used.

    Args:
        low: the smallest rate (> 0).
        high: the largest rate (>= low).
        num: how many rates (>= 1; one rate is ``low``).

    Returns:
        A tuple of ``num`` floats, ascending.
    """
    if not 0 < low <= high or num < 1:
        raise ValueError("log_grid needs 0 < low <= high and num >= 1")
    if num == 1:
        return (float(f"{low:.3g}"),)
    return tuple(float(f"{value:.3g}") for value in np.geomspace(low, high, num))


def test_accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    """A compiled classifier's accuracy on held-out data (Keras' ``"accuracy"`` metric).

    Args:
        model: a model compiled with ``metrics=["accuracy"]``.
        x: inputs, ``(num_samples, ...)``.
        y: labels, ``(num_samples,)``.

    Returns:
        The accuracy, a float in [0, 1].
    """
    scores = model.evaluate(x, y, batch_size=EVALUATION_BATCH_SIZE, verbose=0, return_dict=True)
    return float(scores["accuracy"])


test_accuracy.__test__ = False  # a library function, not a pytest test


def _train_one(layer_class, units, train, validation, rate, seed, epochs, batch_size):
    """One seeded training of lesson 04's classifier: ``(model, history, seconds per epoch)``."""
    x_train, y_train = train
    _, timesteps, input_dim = np.shape(x_train)
    seed_everything(seed)  # the initial weights; train_model seeds the shuffles again
    model = build_sequence_classifier(
        layer_class, units, timesteps, input_dim, learning_rate=float(rate)
    )
    history, seconds = train_model(
        model, x_train, y_train, validation_data=validation, epochs=epochs,
        batch_size=batch_size, seed=seed,
    )
    return model, history, seconds


def learning_rate_search(
    layer_class,
    units: int,
    rates: Sequence[float],
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int,
    seed: int,
    batch_size: int = 16,
) -> dict[float, float]:
    """Train one model per learning rate, with one seed, and score each on validation data.

    Each model is ``build_sequence_classifier(layer_class, units, T, D, learning_rate=rate)``
    trained for ``epochs`` epochs from ``seed_everything(seed)`` (the same initial weights
    and the same shuffles for every rate, so the rate is the only difference).

    Args:
        layer_class: ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU``.
        units: the layer's units.
        rates: the learning rates to try.
        train: ``(x, y)``, inputs ``(N, T, D)`` and labels ``(N,)``.
        validation: ``(x, y)`` of the same shapes, the data that scores each rate.
        epochs: epochs per training (the search may train less than the final runs).
        seed: the one seed of the search.
        batch_size: samples per gradient step.

    Returns:
        ``{rate: validation accuracy after the last epoch}``, in the order of ``rates``.
    """
    scores: dict[float, float] = {}
    for rate in rates:
        _, history, _ = _train_one(
            layer_class, units, train, validation, rate, seed, epochs, batch_size
        )
        scores[float(rate)] = history["val_accuracy"][-1]
    return scores


def best_rate(scores: Mapping[float, float]) -> float:
    """The learning rate with the highest validation score; a tie goes to the smaller rate.

    Args:
        scores: ``{rate: validation score}`` (higher is better), as
            :func:`learning_rate_search` returns.

    Returns:
        The winning rate.
    """
    if not scores:
        raise ValueError("best_rate needs at least one scored rate")
    return min(scores, key=lambda rate: (-scores[rate], rate))


@dataclass
class SeedRun:
    """One training of :func:`seed_runs`: its seed, test accuracy, history, model, time."""

    seed: int
    test_accuracy: float
    history: History = field(repr=False)
    model: object = field(repr=False)
    seconds_per_epoch: float = field(repr=False)


def seed_runs(
    layer_class,
    units: int,
    rate: float,
    seeds: Sequence[int],
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    batch_size: int = 16,
) -> list[SeedRun]:
    """Train one model per seed at one learning rate and score each once on the test data.

    Args:
        layer_class: ``keras.layers.SimpleRNN``, ``LSTM`` or ``GRU``.
        units: the layer's units.
        rate: the learning rate (chosen on validation data, never on ``test``).
        seeds: one training per seed (initial weights and shuffles).
        train: ``(x, y)``, inputs ``(N, T, D)`` and labels ``(N,)``.
        test: ``(x, y)``, held-out data that played no part in choosing anything.
        epochs: epochs per training.
        validation: when given, recorded in each history after every epoch (for plots).
        batch_size: samples per gradient step.

    Returns:
        One :class:`SeedRun` per seed, in the order of ``seeds``.
    """
    runs = []
    for seed in seeds:
        model, history, seconds = _train_one(
            layer_class, units, train, validation, rate, seed, epochs, batch_size
        )
        runs.append(SeedRun(int(seed), test_accuracy(model, *test), history, model, seconds))
    return runs


def summarise_seeds(values: Sequence[float]) -> dict[str, float]:
    """Mean, spread and range of one score over seeds.

    Args:
        values: one score per seed (at least one).

    Returns:
        ``{"n", "mean", "std", "min", "max"}``: ``std`` is the sample standard deviation
        (``ddof=1``: the seeds are a sample of all the seeds one could have drawn), NaN for
        a single value.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("summarise_seeds needs a non-empty 1-D sequence of scores")
    return {
        "n": int(values.size),
        "mean": float(values.mean()),
        "std": float(values.std(ddof=1)) if values.size > 1 else math.nan,
        "min": float(values.min()),
        "max": float(values.max()),
    }


def plot_seed_spread(
    scores: Mapping[str, Sequence[float]],
    *,
    references: Mapping[str, float] | None = None,
    ylabel: str = "test accuracy",
    title: str = "",
    ax=None,
):
    """Each entry's mean with a standard-deviation error bar, and every seed as a dot.

    Args:
        scores: label (a layer) -> one score per seed.
        references: label -> value of horizontal lines (e.g. chance level).
        ylabel: the y-axis label.
        title: the axes title.
        ax: axes to draw on; a new figure when None.

    Returns:
        The matplotlib ``Axes``.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    for position, values in enumerate(scores.values()):
        summary = summarise_seeds(values)
        error = 0.0 if math.isnan(summary["std"]) else summary["std"]
        colour = f"C{position}"
        ax.errorbar(position, summary["mean"], yerr=error, fmt="s", ms=8, capsize=8, lw=2,
                    color=colour, label="mean ± std" if position == 0 else None)
        offsets = np.linspace(-0.12, 0.12, len(values)) if len(values) > 1 else np.zeros(1)
        ax.scatter(position + 0.25 + offsets, values, s=18, color=colour, alpha=0.8,
                   label="one seed each" if position == 0 else None)
    for i, (label, value) in enumerate((references or {}).items()):
        ax.axhline(value, color="0.4", lw=1, ls=("--", ":", "-.")[i % 3], label=label)
    ax.set_xticks(range(len(scores)), list(scores))
    ax.set_xlim(-0.6, len(scores) - 0.2)
    ax.set(ylabel=ylabel, title=title)
    ax.legend(fontsize="small", loc="center")  # between chance and the gated layers
    return ax
