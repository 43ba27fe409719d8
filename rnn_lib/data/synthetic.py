"""Lessons 04-06: seeded toy sequence tasks: small, fast, and each testing one ability.

Every generator takes a ``seed`` and returns float32/int arrays in Keras' batch-major
layout, so the same call always gives the same data.
"""

from __future__ import annotations

import numpy as np


def noisy_sines(
    num_series: int,
    length: int,
    *,
    period_range: tuple[float, float] = (10.0, 40.0),
    noise: float = 0.1,
    seed: int = 0,
) -> np.ndarray:
    """Sine waves with random period, phase and amplitude, plus Gaussian noise.

    Args:
        num_series: how many series.
        length: timesteps per series.
        period_range: periods are drawn uniformly from this range (in steps).
        noise: standard deviation of the added noise.
        seed: the random seed.

    Returns:
        Array of shape ``(num_series, length)``, float32.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(length)[None, :]
    period = rng.uniform(*period_range, size=(num_series, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(num_series, 1))
    amplitude = rng.uniform(0.5, 1.5, size=(num_series, 1))
    clean = amplitude * np.sin(2 * np.pi * t / period + phase)
    return (clean + noise * rng.standard_normal((num_series, length))).astype(np.float32)


def adding_problem(
    num_samples: int, length: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter & Schmidhuber, 1997).

    Each input step has two features: a random value in [0, 1) and a marker that is
    1 at exactly two steps (one in each half of the sequence) and 0 elsewhere. The
    target is the sum of the two marked values. Always predicting 1.0 gives a mean
    squared error of about 0.167, the "chance" level a model must beat.

    Args:
        num_samples: how many sequences.
        length: timesteps per sequence (at least 2).
        seed: the random seed.

    Returns:
        ``(X, y)``: ``X`` of shape ``(num_samples, length, 2)`` and ``y`` of shape
        ``(num_samples,)``, both float32.
    """
    if length < 2:
        raise ValueError("length must be at least 2")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(num_samples, length))
    markers = np.zeros((num_samples, length))
    half = length // 2
    rows = np.arange(num_samples)
    first = rng.integers(0, half, size=num_samples)
    second = rng.integers(half, length, size=num_samples)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values[rows, first] + values[rows, second]).astype(np.float32)
    return X, y


def copy_task(
    num_samples: int,
    *,
    copy_length: int = 5,
    delay: int = 20,
    num_symbols: int = 8,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """The copy task: remember a short sequence through a long silence.

    Input: ``copy_length`` random symbols (ids ``2 .. num_symbols + 1``), ``delay``
    blanks (id 0), a "go" marker (id 1), then ``copy_length - 1`` blanks. Target: 0
    everywhere except the last ``copy_length`` steps, which repeat the symbols.
    A memoryless model can only guess, scoring ``1 / num_symbols`` on those steps.

    Args:
        num_samples: how many sequences.
        copy_length: how many symbols to remember.
        delay: blanks between the symbols and the "go" marker.
        num_symbols: size of the symbol alphabet.
        seed: the random seed.

    Returns:
        ``(inputs, targets)``, int32 arrays of shape ``(num_samples, timesteps)`` with
        ``timesteps = 2 * copy_length + delay``.
    """
    rng = np.random.default_rng(seed)
    timesteps = 2 * copy_length + delay
    symbols = rng.integers(2, num_symbols + 2, size=(num_samples, copy_length))
    inputs = np.zeros((num_samples, timesteps), dtype=np.int32)
    targets = np.zeros((num_samples, timesteps), dtype=np.int32)
    inputs[:, :copy_length] = symbols
    inputs[:, copy_length + delay] = 1
    targets[:, -copy_length:] = symbols
    return inputs, targets
