"""Lesson 07: word pairs (bigrams) as extra tokens for a model that reads word ids.

A unigram model sees "not" and "good" as two separate words; a bag of words cannot
tell "not good" from "good, not...". Giving every position the id of the **pair**
it closes (the previous word and this one) lets even a linear model use short-range
order, and gives a recurrent layer a richer input at each step.

A pair of word ids ``(a, b)`` with ``a, b`` in ``[1, V)`` is encoded as the single
integer key ``a * V + b``. The pair vocabulary is the sorted array of the keys of
the most common pairs of the training split (by the number of reviews they occur
in). :func:`word_pair_ids` (NumPy) and the Keras layer ``WordPairIds`` (inside a
model, so that the model keeps taking plain word ids) map every position to
``2 +`` the pair's index in that vocabulary; to ``UNKNOWN_PAIR`` (1) when the pair
is not in it or the position is a row's first; and to ``PAD_ID`` (0) at padding.
So ``Embedding(P + 2, ..., mask_zero=True)`` masks exactly the padding, like the
word embedding, and the two can be added with the mask intact.

TensorFlow and Keras are imported only when the layer is first used.
"""

from __future__ import annotations

import functools

import numpy as np

from rnn_lib.sequences.text import PAD_ID

UNKNOWN_PAIR = 1


def word_pair_keys(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """The key ``previous * V + current`` of the pair that ends at every position.

    Args:
        ids: post-padded word ids, shape ``(n, T)``, 0 for padding.
        vocab_size: V, the number of word ids (every id is below it).

    Returns:
        int64 array of shape ``(n, T)``; -1 where there is no pair (the first
        position, and wherever either word is padding).
    """
    ids = np.asarray(ids, dtype=np.int64)
    keys = np.full(ids.shape, -1, dtype=np.int64)
    if ids.shape[1] > 1:
        previous, current = ids[:, :-1], ids[:, 1:]
        pairs = previous * vocab_size + current
        keys[:, 1:] = np.where((previous != PAD_ID) & (current != PAD_ID), pairs, -1)
    return keys


def frequent_word_pairs(ids: np.ndarray, vocab_size: int, max_pairs: int) -> np.ndarray:
    """The keys of the ``max_pairs`` pairs that occur in the most rows.

    Counting rows (reviews), not occurrences, keeps one review that repeats a
    phrase fifty times from buying that phrase a place. Ties go to the smaller key.

    Args:
        ids: post-padded word ids of the training split, shape ``(n, T)``.
        vocab_size: V.
        max_pairs: the size of the pair vocabulary (fewer if fewer pairs occur).

    Returns:
        Sorted int64 array of shape ``(min(max_pairs, distinct pairs),)``.
    """
    keys = word_pair_keys(ids, vocab_size)
    rows = np.broadcast_to(np.arange(len(keys))[:, None], keys.shape)
    real = keys >= 0
    # each (row, pair) once, then how many rows hold each pair
    row_pairs = np.unique(np.stack([rows[real], keys[real]]), axis=1)
    pairs, rows_holding = np.unique(row_pairs[1], return_counts=True)
    most_common = np.lexsort((pairs, -rows_holding))[:max_pairs]
    return np.sort(pairs[most_common])


def word_pair_ids(ids: np.ndarray, pair_vocabulary: np.ndarray, vocab_size: int) -> np.ndarray:
    """Every position's pair id: ``2 +`` the index of its pair in the vocabulary.

    ``UNKNOWN_PAIR`` (1) where the pair is not in the vocabulary or the position
    is the first of its row, ``PAD_ID`` (0) at padding. This is the NumPy
    reference of the ``WordPairIds`` layer.

    Args:
        ids: post-padded word ids, shape ``(n, T)``.
        pair_vocabulary: sorted keys, shape ``(P,)``, from :func:`frequent_word_pairs`.
        vocab_size: V.

    Returns:
        int32 array of shape ``(n, T)`` with values in ``[0, P + 1]``.
    """
    pair_vocabulary = np.asarray(pair_vocabulary, dtype=np.int64)
    ids = np.asarray(ids)
    keys = word_pair_keys(ids, vocab_size)
    pair_ids = np.where(ids != PAD_ID, UNKNOWN_PAIR, PAD_ID).astype(np.int32)
    if len(pair_vocabulary):
        where = np.minimum(np.searchsorted(pair_vocabulary, keys), len(pair_vocabulary) - 1)
        known = (pair_vocabulary[where] == keys) & (keys >= 0)
        pair_ids[known] = where[known] + 2
    return pair_ids


@functools.cache
def _word_pair_layer_class():
    """Define (once) the ``WordPairIds`` layer; Keras is imported only here."""
    import keras
    import tensorflow as tf
    from keras import ops

    @keras.saving.register_keras_serializable(package="rnn_lib")
    class WordPairIds(keras.layers.Layer):
        """Word ids ``(batch, T)`` to pair ids ``(batch, T)``, as :func:`word_pair_ids`.

        Args:
            pair_vocabulary: sorted pair keys, shape ``(P,)``.
            vocab_size: V, the number of word ids.

        The output is in ``[0, P + 1]``: feed it to an
        ``Embedding(P + 2, ..., mask_zero=True)``. The layer has no weights; the
        vocabulary is saved with the model.
        """

        def __init__(self, pair_vocabulary, vocab_size, **kwargs):
            super().__init__(**kwargs)
            self.pair_vocabulary = [int(k) for k in np.asarray(pair_vocabulary)]
            self.vocab_size = int(vocab_size)
            # a (key -> index + 2) table; unknown keys give UNKNOWN_PAIR
            self._table = tf.lookup.StaticHashTable(
                tf.lookup.KeyValueTensorInitializer(
                    tf.constant(self.pair_vocabulary, dtype=tf.int64),
                    tf.range(2, len(self.pair_vocabulary) + 2, dtype=tf.int64),
                ),
                default_value=UNKNOWN_PAIR,
            ) if self.pair_vocabulary else None

        def call(self, ids):
            ids = ops.cast(ids, "int64")
            previous = ops.pad(ids[:, :-1], [[0, 0], [1, 0]])
            keys = previous * self.vocab_size + ids
            found = self._table.lookup(keys) if self._table is not None else UNKNOWN_PAIR
            pair = ops.where(ops.not_equal(previous, PAD_ID), found, UNKNOWN_PAIR)
            return ops.cast(ops.where(ops.not_equal(ids, PAD_ID), pair, PAD_ID), "int32")

        def compute_output_shape(self, input_shape):
            return input_shape

        def get_config(self):
            return {
                **super().get_config(),
                "pair_vocabulary": self.pair_vocabulary,
                "vocab_size": self.vocab_size,
            }

    return WordPairIds


def __getattr__(name: str):
    # ``from rnn_lib.sequences.word_pairs import WordPairIds`` imports Keras then, not before.
    if name == "WordPairIds":
        return _word_pair_layer_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
