"""Lesson 07: the baselines the recurrent model must beat: the majority class, and logistic
regression on a bag of words (and of word pairs).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnn_lib.imdb.vectorize import make_vectorizer
from rnn_lib.notebook import seed_everything


def majority_baseline(train_labels: np.ndarray, eval_labels: np.ndarray) -> tuple[int, float]:
    """The classifier that always predicts the training set's most common label.

    Args:
        train_labels: shape ``(n_train,)``, 0 or 1.
        eval_labels: shape ``(n_eval,)``.

    Returns:
        ``(label, accuracy)``: the majority label (ties go to 1) and its accuracy
        on ``eval_labels``.
    """
    train_labels = np.asarray(train_labels)
    label = int(train_labels.mean() >= 0.5)
    return label, float(np.mean(np.asarray(eval_labels) == label))


def text_dataset(
    vectorizer,
    texts: Sequence[str],
    labels: np.ndarray | None = None,
    batch_size: int = 256,
    shuffle: bool = False,
    seed: int = 0,
):
    """Batches of bag-of-words vectors, vectorised once and cached.

    The vectors are sparse: a review uses a few hundred of the ``vocab_size``
    entries, so 25,000 of them fit in memory easily.

    Args:
        vectorizer: an adapted ``TextVectorization`` in ``"multi_hot"`` or
            ``"count"`` mode with ``sparse=True`` (see :func:`make_vectorizer`).
        texts: ``n`` reviews.
        labels: shape ``(n,)``, or None.
        batch_size: reviews per batch.
        shuffle: reshuffle the batches every epoch (seeded).
        seed: the shuffle's seed.

    Returns:
        A dataset of sparse ``float32 (batch, vocab_size)`` vectors, with
        ``float32 (batch,)`` labels when ``labels`` is given.
    """
    import tensorflow as tf

    texts = tf.constant(list(texts))
    if labels is None:
        dataset = tf.data.Dataset.from_tensor_slices(texts).batch(batch_size).map(vectorizer)
    else:
        labels = tf.constant(np.asarray(labels, dtype=np.float32))
        dataset = tf.data.Dataset.from_tensor_slices((texts, labels)).batch(batch_size)
        dataset = dataset.map(lambda x, y: (vectorizer(x), y))
    dataset = dataset.cache()
    if shuffle:
        dataset = dataset.shuffle(1_000, seed=seed, reshuffle_each_iteration=True)
    return dataset.prefetch(2)


def build_linear_model(num_features: int):
    """One sigmoid unit on a sparse feature vector: logistic regression.

    Its initial weights come from Keras' global generator, which it leaves alone;
    :func:`fit_bag_of_words` seeds every generator before building it.

    Args:
        num_features: length of each input vector (the vocabulary size).

    Returns:
        An uncompiled ``keras.Model`` from sparse ``(batch, num_features)`` to
        ``(batch, 1)``, with ``num_features + 1`` parameters.
    """
    import keras

    inputs = keras.Input(shape=(num_features,), sparse=True, name="bag_of_words")
    outputs = keras.layers.Dense(1, activation="sigmoid")(inputs)
    return keras.Model(inputs, outputs, name="bag_of_words")


def fit_bag_of_words(
    train_texts: Sequence[str],
    train_labels: np.ndarray,
    val_texts: Sequence[str],
    val_labels: np.ndarray,
    max_tokens: int = 30_000,
    output_mode: str = "multi_hot",
    ngrams: int | None = None,
    epochs: int = 10,
    learning_rate: float = 3e-3,
    batch_size: int = 128,
    seed: int = 0,
    verbose: int | str = 0,
):
    """The bag-of-words baseline: a vectoriser and a logistic regression on its output.

    Word order is thrown away: with ``"multi_hot"`` the model sees only which
    words occur (and, with ``ngrams=2``, which adjacent pairs of words, the
    only order it keeps). It stops early on validation accuracy and keeps its
    best weights, like the RNN.

    Args:
        train_texts, train_labels: the training split, ``(n_train,)`` labels.
        val_texts, val_labels: the validation split, ``(n_val,)`` labels.
        max_tokens: vocabulary size (words, or words and word pairs together).
        output_mode: ``"multi_hot"`` or ``"count"``.
        ngrams: ``2`` for a bag of words and word pairs (bigrams), None for words only.
        epochs: the most epochs.
        learning_rate: Adam's learning rate.
        batch_size: reviews per batch.
        seed: seeds every global generator (so the initial weights) and the shuffles.
        verbose: Keras' verbosity.

    Returns:
        ``(model, vectorizer, history)``: the trained linear model (on vectors of
        shape ``(batch, vocab_size)``), the adapted vectoriser and the ``History``.
    """
    import keras

    vectorizer = make_vectorizer(train_texts, max_tokens, output_mode=output_mode, ngrams=ngrams)
    seed_everything(seed)  # the initial weights; the shuffles take the seed themselves
    model = build_linear_model(vectorizer.vocabulary_size())
    # Compiled here rather than by compile_model, which is one of lesson 07's answers and
    # so unavailable while that lesson is graded (this baseline runs before its exercises end).
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
        jit_compile=False,
    )
    train = text_dataset(vectorizer, train_texts, train_labels, batch_size, shuffle=True, seed=seed)
    val = text_dataset(vectorizer, val_texts, val_labels)
    stop = keras.callbacks.EarlyStopping(
        monitor="val_accuracy", mode="max", patience=2, restore_best_weights=True
    )
    history = model.fit(
        train, validation_data=val, epochs=epochs, callbacks=[stop], shuffle=False,
        verbose=verbose,
    )
    return model, vectorizer, history
