"""Lesson 07: length-bucketed batches.

Reviews of similar lengths share a batch, which is cut to its longest review, so a
recurrent layer runs few padding steps: Keras' TensorFlow backend runs the cell on
every step of a batch, padded or not, and only selects the old state at masked steps.
"""

from __future__ import annotations

import math

import numpy as np

from rnn_lib.imdb.vectorize import lengths_of

#: Batches per length-sorted pool when shuffling: :func:`bucketed_batch_indices` and
#: :func:`steps_per_epoch` must agree on it.
BUCKET_POOL = 50


def bucketed_batch_indices(
    lengths: np.ndarray,
    batch_size: int,
    rng: np.random.Generator | None = None,
    pool: int = BUCKET_POOL,
) -> list[np.ndarray]:
    """Group rows of similar lengths into batches.

    Without ``rng`` (evaluation) the rows are sorted by length and cut into
    batches. With ``rng`` (training) the rows are shuffled, every run of
    ``pool * batch_size`` rows is sorted by length and cut into batches, and the
    batches are shuffled: each epoch sees new batches of similar lengths.

    Args:
        lengths: real lengths, shape ``(n,)``.
        batch_size: rows per batch (the last batch of a pool may be smaller).
        rng: a NumPy generator for the shuffles, or None for a fixed order.
        pool: batches per sorted pool when shuffling.

    Returns:
        A list of int arrays of row indices; together they hold every row once.
    """
    lengths = np.asarray(lengths)
    if rng is None:
        order = np.argsort(lengths, kind="stable")
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    order = rng.permutation(len(lengths))
    batches = []
    for start in range(0, len(order), pool * batch_size):
        chunk = order[start : start + pool * batch_size]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def make_dataset(
    ids: np.ndarray,
    labels: np.ndarray | None = None,
    batch_size: int = 64,
    shuffle: bool = False,
    seed: int = 0,
    repeat: bool = False,
):
    """A ``tf.data.Dataset`` of length-bucketed batches, each cut to its longest row.

    Because the rows are post-padded, cutting the columns behind a batch's longest
    review removes only padding, and a masked model gives the same outputs as on
    the full-width rows.

    Args:
        ids: post-padded ids, shape ``(n, maxlen)``.
        labels: shape ``(n,)``, or None for a dataset of inputs only.
        batch_size: rows per batch.
        shuffle: new random batches every epoch (training); otherwise rows are
            sorted by length, see :func:`dataset_order`.
        seed: seeds the shuffles (epoch ``e`` uses ``seed + e``).
        repeat: go on forever, epoch after epoch (for ``fit(steps_per_epoch=...)``).

    Returns:
        A dataset of ``int32 (batch, width)`` inputs, with ``float32 (batch,)``
        labels when ``labels`` is given; its cardinality is the number of batches
        (infinite with ``repeat``).
    """
    import tensorflow as tf

    ids = np.asarray(ids, dtype=np.int32)
    lengths = np.maximum(lengths_of(ids), 1)
    y = None if labels is None else np.asarray(labels, dtype=np.float32)
    rng = np.random.default_rng(seed) if shuffle else None
    num_batches = len(bucketed_batch_indices(lengths, batch_size, rng))
    epoch = [0]

    def batches():
        while True:
            rng = np.random.default_rng(seed + epoch[0]) if shuffle else None
            epoch[0] += 1
            for rows in bucketed_batch_indices(lengths, batch_size, rng):
                x = ids[rows, : lengths[rows].max()]
                yield x if y is None else (x, y[rows])
            if not repeat:
                return

    x_spec = tf.TensorSpec((None, None), tf.int32)
    spec = x_spec if y is None else (x_spec, tf.TensorSpec((None,), tf.float32))
    dataset = tf.data.Dataset.from_generator(batches, output_signature=spec)
    if not repeat:
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(num_batches))
    return dataset.prefetch(2)


def dataset_order(ids: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """The row order of an unshuffled :func:`make_dataset` (rows sorted by length).

    Args:
        ids: post-padded ids, shape ``(n, maxlen)``.
        batch_size: as given to :func:`make_dataset`.

    Returns:
        int array of shape ``(n,)``: ``order[k]`` is the row behind the k-th output.
    """
    lengths = np.maximum(lengths_of(ids), 1)
    return np.concatenate(bucketed_batch_indices(lengths, batch_size))


def steps_per_epoch(n: int, batch_size: int, pool: int = BUCKET_POOL) -> int:
    """Batches per training epoch of :func:`make_dataset` with ``shuffle=True``.

    Args:
        n: training rows.
        batch_size: rows per batch.
        pool: batches per sorted pool.

    Returns:
        The number of batches.
    """
    full, rest = divmod(n, pool * batch_size)
    return full * pool + math.ceil(rest / batch_size)
