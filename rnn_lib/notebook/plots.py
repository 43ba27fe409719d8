"""Lessons 01, 07: the plots of series, windows, masks and training runs.

Each returns the matplotlib ``Axes`` it drew on.
"""

from __future__ import annotations

import numpy as np


def _axes(ax, figsize=(8.0, 3.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_series(x, y, *, title: str = "", ylabel: str = "", ax=None, **style):
    """A line plot of one series.

    Args:
        x: positions, shape ``(T,)`` (numbers or ``datetime64``).
        y: values, shape ``(T,)``.
        title: the axes title.
        ylabel: the y-axis label.
        ax: axes to draw on; a new figure when None.
        **style: passed to ``Axes.plot``.
    """
    ax = _axes(ax)
    ax.plot(x, y, **style)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    return ax


def plot_windows(X: np.ndarray, y: np.ndarray, indices, *, horizon: int = 1, ax=None):
    """Draw a few (window, target) pairs on one time axis.

    Args:
        X: windows, shape ``(num_windows, window, 1)``.
        y: targets, shape ``(num_windows,)``.
        indices: which windows to draw; window ``i`` starts at time step ``i``.
        horizon: steps from a window's last value to its target.
        ax: axes to draw on; a new figure when None.
    """
    ax = _axes(ax)
    window = X.shape[1]
    for colour, i in enumerate(indices):
        steps = np.arange(i, i + window)
        line = ax.plot(steps, X[i, :, 0], marker="o", ms=3, color=f"C{colour}",
                       label=f"window {i}")[0]
        ax.plot([i + window + horizon - 1], [y[i]], marker="*", ms=14,
                color=line.get_color(), linestyle="none")
    ax.set_xlabel("time step")
    ax.set_title("Input windows (dots) and their targets (stars)")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_mask(mask: np.ndarray, *, title: str = "mask", ax=None):
    """Show a boolean ``(batch, timesteps)`` mask: dark = real token, light = padding."""
    ax = _axes(ax, figsize=(6.0, 0.45 * mask.shape[0] + 1.0))
    ax.imshow(mask, cmap="Blues", vmin=-0.3, vmax=1, aspect="auto")
    ax.set_xlabel("time step")
    ax.set_ylabel("sequence")
    ax.set_yticks(range(mask.shape[0]))
    ax.set_title(title)
    ax.grid(False)
    return ax


# Lesson 07: training curves of the IMDB models and their confusion matrix.


def plot_history(history, checks_per_epoch: int = 1, axes=None):
    """Training and validation loss and accuracy, side by side.

    Args:
        history: a Keras ``History`` (or its ``.history`` dict) with ``loss``,
            ``accuracy``, ``val_loss`` and ``val_accuracy``.
        checks_per_epoch: Keras "epochs" per real epoch (the x axis is in epochs).
        axes: two matplotlib axes, or None for a new figure.

    Returns:
        The two axes.
    """
    import matplotlib.pyplot as plt

    logs = getattr(history, "history", history)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    x = (np.arange(len(logs["loss"])) + 1) / checks_per_epoch
    best = int(np.argmax(logs["val_accuracy"]))
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        ax.plot(x, logs[metric], marker="o", label="training")
        ax.plot(x, logs["val_" + metric], marker="o", label="validation")
        ax.axvline(x[best], color="grey", linestyle=":", label="best validation accuracy")
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.legend(fontsize="small")
    return axes


def plot_validation_curves(
    histories: dict, baselines: dict | None = None, checks_per_epoch: int = 1, ax=None
):
    """Validation accuracy of several training runs, with baselines as horizontal lines.

    Args:
        histories: ``{name: History or its .history dict}``, each with ``val_accuracy``.
        baselines: ``{name: validation accuracy}`` of models that were not trained
            in checks (drawn dashed), or None.
        checks_per_epoch: Keras "epochs" per real epoch (the x axis is in epochs).
        ax: axes to draw on; a new figure when None.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.6))
    for name, history in histories.items():
        curve = getattr(history, "history", history)["val_accuracy"]
        x = (np.arange(len(curve)) + 1) / checks_per_epoch
        ax.plot(x, curve, marker="o", label=f"{name} (best {max(curve):.3f})")
    for k, (name, value) in enumerate((baselines or {}).items()):
        ax.axhline(value, color=f"C{len(histories) + k}", linestyle="--",
                   label=f"{name} ({value:.3f})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.legend(fontsize="small", loc="lower right")
    return ax


def plot_confusion_matrix(matrix: np.ndarray, labels=("negative", "positive"), ax=None):
    """Draw a 2 x 2 confusion matrix with its counts.

    Args:
        matrix: from :func:`confusion_matrix`, shape ``(2, 2)``.
        labels: the class names.
        ax: axes to draw on; a new figure when None.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.6))
    matrix = np.asarray(matrix)
    ax.imshow(matrix, cmap="Blues")
    for (row, column), count in np.ndenumerate(matrix):
        dark = count > matrix.max() / 2
        ax.text(column, row, f"{count:,}", ha="center", va="center",
                color="white" if dark else "black", fontsize=12)
    ax.set_xticks([0, 1], [f"predicted\n{name}" for name in labels])
    ax.set_yticks([0, 1], [f"true\n{name}" for name in labels])
    ax.grid(False)
    return ax
