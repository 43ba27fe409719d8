"""Lesson 06: seeded sequence-labelling tasks: one label per input step.

The task here is built so that looking *ahead* helps: a token's label depends on
what comes after it. A unidirectional (causal) model reads only the past, so it can
do no better than a known ceiling, which :func:`best_causal_accuracy` computes; a
bidirectional model can beat that ceiling.
"""

from __future__ import annotations

import numpy as np


def repeats_later(
    num_samples: int, length: int, *, num_symbols: int = 6, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Label every token by whether the same symbol appears again later in its sequence.

    Symbols are drawn independently and uniformly from ids ``1 .. num_symbols`` (id 0
    is left free for padding). The label at step ``s`` is 1 when ``tokens[s]`` occurs
    again at some step ``s' > s`` and 0 otherwise, so the last step is always 0.

    Args:
        num_samples: how many sequences.
        length: timesteps per sequence (at least 1).
        num_symbols: size of the symbol alphabet (at least 1).
        seed: the random seed.

    Returns:
        ``(tokens, labels)``, int32 arrays of shape ``(num_samples, length)``.
    """
    if length < 1 or num_symbols < 1:
        raise ValueError("length and num_symbols must be at least 1")
    rng = np.random.default_rng(seed)
    tokens = rng.integers(1, num_symbols + 1, size=(num_samples, length)).astype(np.int32)
    # seen[:, k] is True when symbol k occurs at a step after the current one (scan right to left)
    seen = np.zeros((num_samples, num_symbols + 1), dtype=bool)
    labels = np.zeros((num_samples, length), dtype=np.int32)
    rows = np.arange(num_samples)
    for step in range(length - 1, -1, -1):
        labels[:, step] = seen[rows, tokens[:, step]]
        seen[rows, tokens[:, step]] = True
    return tokens, labels


def repeat_probability(length: int, num_symbols: int) -> np.ndarray:
    """The chance that the token at each step of :func:`repeats_later` gets label 1.

    With independent, uniform symbols, step ``s`` is followed by ``length - 1 - s``
    draws, each equal to its symbol with probability ``1 / num_symbols``.

    Args:
        length: timesteps per sequence.
        num_symbols: size of the symbol alphabet.

    Returns:
        Array of shape ``(length,)``: ``1 - (1 - 1 / num_symbols) ** (length - 1 - s)``.
    """
    steps_after = length - 1 - np.arange(length)
    return 1.0 - (1.0 - 1.0 / num_symbols) ** steps_after


def best_causal_accuracy(length: int, num_symbols: int, *, per_step: bool = False):
    """The best accuracy on :func:`repeats_later` of a model that reads only the past.

    The symbols after step ``s`` are independent of everything up to ``s``, so the
    past says nothing about the label: the best a causal model can do is predict the
    more likely label at each position, and be right with probability
    ``max(p_s, 1 - p_s)`` where ``p_s`` is :func:`repeat_probability`.

    Args:
        length: timesteps per sequence.
        num_symbols: size of the symbol alphabet.
        per_step: return the ceiling at every step instead of its mean.

    Returns:
        A float (the mean over steps), or an array of shape ``(length,)`` if ``per_step``.
    """
    p = repeat_probability(length, num_symbols)
    ceiling = np.maximum(p, 1.0 - p)
    return ceiling if per_step else float(ceiling.mean())
