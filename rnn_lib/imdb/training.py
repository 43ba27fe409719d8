"""Lesson 07: training the classifier: early stopping on validation accuracy with the best weights
restored, a decaying learning rate, bucketed batches, and seed ensembles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from rnn_lib.imdb.batching import make_dataset, steps_per_epoch
from rnn_lib.imdb.config import BEST_CONFIG, SentimentConfig
from rnn_lib.imdb.model import build_model, compile_model
from rnn_lib.notebook import seed_everything


def training_callbacks(config: SentimentConfig = BEST_CONFIG) -> list:
    """Early stopping on validation accuracy, best weights restored, and a
    learning rate multiplied by ``config.decay`` over every epoch.

    Keras calls every validation check an epoch: with ``checks_per_epoch=2``, its
    "epoch" ``k`` is half an epoch, and the rate is
    ``learning_rate * decay ** (k / checks_per_epoch)``.

    Args:
        config: uses ``patience``, ``learning_rate``, ``decay`` and ``checks_per_epoch``.

    Returns:
        A list of Keras callbacks for ``fit``.
    """
    import keras

    def schedule(check, _lr):
        return config.learning_rate * config.decay ** (check / config.checks_per_epoch)

    return [
        keras.callbacks.EarlyStopping(
            monitor="val_accuracy",
            mode="max",
            patience=config.patience,
            restore_best_weights=True,
        ),
        keras.callbacks.LearningRateScheduler(schedule),
    ]


def steps_per_check(n: int, config: SentimentConfig = BEST_CONFIG) -> int:
    """Training batches between two validation checks.

    Args:
        n: training rows.
        config: uses ``batch_size`` and ``checks_per_epoch``.

    Returns:
        ``ceil(batches per epoch / checks_per_epoch)``.
    """
    return math.ceil(steps_per_epoch(n, config.batch_size) / config.checks_per_epoch)


def fit_model(
    model,
    train_ids: np.ndarray,
    train_labels: np.ndarray,
    val_ids: np.ndarray,
    val_labels: np.ndarray,
    config: SentimentConfig = BEST_CONFIG,
    verbose: int | str = "auto",
    callbacks: Sequence = (),
):
    """Compile and train with :func:`training_callbacks` on bucketed batches.

    Training runs ``config.epochs * config.checks_per_epoch`` Keras "epochs" of
    :func:`steps_per_check` batches each, with a validation check after each.

    Args:
        model: from :func:`build_model` (or any model of the same signature).
        train_ids: shape ``(n_train, maxlen)``; train_labels: ``(n_train,)``.
        val_ids: shape ``(n_val, maxlen)``; val_labels: ``(n_val,)``: the
            validation split, never the test set.
        config: the hyperparameters.
        verbose: Keras' verbosity (``"auto"``/1: a progress bar; 2: a line per check).
        callbacks: more callbacks (e.g. a timer).

    Returns:
        The ``History``; the model holds the weights of its best validation check.
    """
    steps = steps_per_check(len(train_ids), config)
    compile_model(model, config.learning_rate)
    train = make_dataset(
        train_ids, train_labels, config.batch_size, shuffle=True, seed=config.seed, repeat=True
    )
    val = make_dataset(val_ids, val_labels, batch_size=256)
    return model.fit(
        train,
        validation_data=val,
        epochs=config.epochs * config.checks_per_epoch,
        steps_per_epoch=steps,
        callbacks=[*training_callbacks(config), *callbacks],
        shuffle=False,  # make_dataset shuffles; Keras cannot shuffle a tf.data.Dataset
        verbose=verbose,
    )


def train_ensemble(
    vocab_size: int,
    train_ids: np.ndarray,
    train_labels: np.ndarray,
    val_ids: np.ndarray,
    val_labels: np.ndarray,
    config: SentimentConfig = BEST_CONFIG,
    members: int = 3,
    verbose: int | str = "auto",
    pair_vocabulary=None,
) -> list:
    """Train ``members`` copies of :func:`build_model` that differ only in their seed.

    Member ``k`` uses ``config.seed + k`` for its initial weights (every global
    generator is seeded with it before the member is built), its dropout masks
    and its batch order, and is trained by :func:`fit_model` exactly like a single
    model (early stopping on the validation split, best weights restored). Their
    mistakes are partly independent, so the average of their probabilities
    (:func:`average_probabilities`) is more accurate than any one of them.

    Args:
        vocab_size: number of token ids.
        train_ids: shape ``(n_train, maxlen)``; train_labels: ``(n_train,)``.
        val_ids: shape ``(n_val, maxlen)``; val_labels: ``(n_val,)``.
        config: the hyperparameters of every member.
        members: how many models to train, at least 1.
        verbose: Keras' verbosity for each member's ``fit``.
        pair_vocabulary: word-pair keys for :func:`build_model`, or None.

    Returns:
        A list of ``(model, history)`` pairs, one per member.
    """
    if members < 1:
        raise ValueError(f"members must be at least 1, got {members}")
    trained = []
    for k in range(members):
        member_config = config.replace(seed=config.seed + k)
        seed_everything(member_config.seed)  # the member's initial weights
        model = build_model(vocab_size, member_config, pair_vocabulary)
        history = fit_model(
            model, train_ids, train_labels, val_ids, val_labels, member_config, verbose=verbose
        )
        trained.append((model, history))
    return trained


def epochs_run(history) -> int:
    """How many epochs a ``History`` recorded."""
    return len(history.history.get("loss", []))
