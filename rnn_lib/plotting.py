"""Plots the lessons draw more than once. Each returns the matplotlib ``Axes`` it drew on."""

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
