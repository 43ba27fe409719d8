"""Lesson 07: predictions in the rows' order, accuracy, ensembles' averages, the confusion matrix
and the most confident mistakes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnn_lib.imdb.batching import dataset_order, make_dataset


def predict_probabilities(model, ids: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """The model's probability of "positive" for every row, in the rows' order.

    Args:
        model: a Keras model from ``(batch, width)`` ids to ``(batch, 1)`` probabilities.
        ids: post-padded ids, shape ``(n, maxlen)``.
        batch_size: rows per batch.

    Returns:
        float array of shape ``(n,)``.
    """
    ids = np.asarray(ids)
    if len(ids) == 0:
        return np.zeros(0)
    sorted_probs = model.predict(make_dataset(ids, batch_size=batch_size), verbose=0)
    probs = np.empty(len(ids))
    probs[dataset_order(ids, batch_size)] = np.asarray(sorted_probs).reshape(-1)
    return probs


def average_probabilities(models: Sequence, ids: np.ndarray) -> np.ndarray:
    """The mean of several models' probabilities of "positive".

    Args:
        models: Keras models of :func:`build_model`'s signature.
        ids: post-padded ids, shape ``(n, maxlen)``.

    Returns:
        float array of shape ``(n,)``.
    """
    return np.mean([predict_probabilities(model, ids) for model in models], axis=0)


def accuracy(probabilities: np.ndarray, labels: np.ndarray, threshold: float = 0.5) -> float:
    """Fraction of reviews whose thresholded probability matches the label.

    Args:
        probabilities: shape ``(n,)``.
        labels: shape ``(n,)``, 0 or 1.
        threshold: probabilities above it mean "positive".

    Returns:
        The accuracy, a float in [0, 1].
    """
    predicted = np.asarray(probabilities).reshape(-1) > threshold
    return float(np.mean(predicted == np.asarray(labels).astype(bool)))


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Counts of (true label, predicted label) pairs for two classes.

    Args:
        labels: true labels, shape ``(n,)``, 0 or 1.
        predicted: predicted labels, shape ``(n,)``, 0 or 1.

    Returns:
        int array of shape ``(2, 2)``: row = true label, column = predicted label,
        so ``[[TN, FP], [FN, TP]]``.
    """
    labels = np.asarray(labels).astype(int).reshape(-1)
    predicted = np.asarray(predicted).astype(int).reshape(-1)
    matrix = np.zeros((2, 2), dtype=int)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def most_confident_errors(probabilities: np.ndarray, labels: np.ndarray, k: int = 5) -> np.ndarray:
    """The wrongly classified reviews the model was surest about.

    Confidence in a prediction is ``|p - 0.5|``; ties keep the lower index first.

    Args:
        probabilities: P(positive), shape ``(n,)``.
        labels: true labels, shape ``(n,)``.
        k: how many to return at most.

    Returns:
        int array of shape ``(min(k, number of errors),)``: indices, most confident first.
    """
    probabilities = np.asarray(probabilities, dtype=float).reshape(-1)
    wrong = np.flatnonzero((probabilities > 0.5) != np.asarray(labels).astype(bool))
    confidence = np.abs(probabilities[wrong] - 0.5)
    return wrong[np.argsort(-confidence, kind="stable")][:k]
