"""Lesson 07: the training/validation split and seeded subsets of the reviews.

The validation set is carved from IMDB's training reviews; the test set is only ever
evaluated, once, at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def split_train_validation(
    texts: Sequence[str], labels: np.ndarray, validation_size: int, seed: int = 0
) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """Carve a seeded, shuffled validation set out of the training reviews.

    ``load_imdb`` returns the negatives first, so taking the last reviews without
    shuffling would give a validation set of positives only.

    Args:
        texts: ``n`` training reviews.
        labels: their labels, shape ``(n,)``.
        validation_size: how many reviews to hold out, ``0 < validation_size < n``.
        seed: seeds the permutation.

    Returns:
        ``(train_texts, train_labels, val_texts, val_labels)``: lists of
        ``n - validation_size`` and ``validation_size`` reviews and label arrays of
        shapes ``(n - validation_size,)`` and ``(validation_size,)``.
    """
    labels = np.asarray(labels)
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    if not 0 < validation_size < len(texts):
        raise ValueError(f"validation_size must be in (0, {len(texts)}), got {validation_size}")
    order = np.random.default_rng(seed).permutation(len(texts))
    val, train = order[:validation_size], order[validation_size:]
    return [texts[i] for i in train], labels[train], [texts[i] for i in val], labels[val]


def subsample(
    texts: Sequence[str], labels: np.ndarray, size: int, seed: int = 0
) -> tuple[list[str], np.ndarray]:
    """A seeded random subset of ``size`` reviews (quick mode and tests).

    Args:
        texts: ``n`` reviews.
        labels: shape ``(n,)``.
        size: how many to keep (all of them if ``size >= n``).
        seed: seeds the choice.

    Returns:
        ``(texts, labels)`` with ``min(size, n)`` reviews, labels of shape ``(min(size, n),)``.
    """
    labels = np.asarray(labels)
    picked = np.random.default_rng(seed).permutation(len(texts))[: min(size, len(texts))]
    return [texts[i] for i in picked], labels[picked]
