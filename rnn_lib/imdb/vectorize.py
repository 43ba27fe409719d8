"""Lesson 07: raw reviews to post-padded token ids.

A ``keras.layers.TextVectorization`` adapted on the training split, head+tail
truncation, and post-padding with id 0 (:data:`rnn_lib.sequences.text.PAD_ID`), which
``Embedding(mask_zero=True)`` turns into a mask. TensorFlow and Keras are imported
inside the functions that need them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rnn_lib.sequences.text import PAD_ID, UNK_ID


def standardize_review(texts):
    """Lower-case, replace HTML tags such as ``<br />`` by spaces, drop punctuation.

    Keras' default standardisation would keep ``br`` as a word in almost every
    review. Apostrophes inside words stay, so ``don't`` is one token.

    Args:
        texts: a string tensor of any shape.

    Returns:
        A string tensor of the same shape.
    """
    import tensorflow as tf

    texts = tf.strings.lower(texts)
    texts = tf.strings.regex_replace(texts, r"<[^>]+>", " ")
    texts = tf.strings.regex_replace(texts, r"[^a-z0-9' ]", " ")
    return tf.strings.regex_replace(texts, r"(^|\s)'+|'+(\s|$)", " ")


def _words(texts: Sequence[str], batch_size: int = 4096):
    """Yield, batch by batch, the standardised words of each review as a ragged tensor."""
    import tensorflow as tf

    texts = list(texts)
    for start in range(0, len(texts), batch_size):
        yield tf.strings.split(standardize_review(tf.constant(texts[start : start + batch_size])))


def review_lengths(texts: Sequence[str]) -> np.ndarray:
    """The number of words of each review, as the vectoriser will split it.

    Args:
        texts: ``n`` reviews.

    Returns:
        int array of shape ``(n,)``.
    """
    parts = [words.row_lengths().numpy() for words in _words(texts)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=int)


def word_frequencies(texts: Sequence[str]) -> np.ndarray:
    """How often each distinct word occurs, most frequent first.

    Args:
        texts: the reviews.

    Returns:
        int array of shape ``(num_distinct_words,)``, sorted in decreasing order;
        ``counts[:k].sum() / counts.sum()`` is the share of the running text that
        a vocabulary of the ``k`` most frequent words covers.
    """
    from collections import Counter

    counts: Counter = Counter()
    for words in _words(texts):
        counts.update(words.flat_values.numpy().tolist())
    return np.sort(np.fromiter(counts.values(), dtype=np.int64))[::-1]


def make_vectorizer(
    texts: Sequence[str], max_tokens: int, output_mode: str = "int", ngrams: int | None = None
):
    """A ``TextVectorization`` layer adapted on ``texts``.

    Args:
        texts: the training reviews (never the validation or test ones).
        max_tokens: vocabulary size, id 0 (padding) and id 1 (``[UNK]``) included.
        output_mode: ``"int"`` gives ragged token ids (one row per review, its own
            length); ``"multi_hot"`` or ``"count"`` give one sparse
            ``(max_tokens,)`` vector per review, for the bag-of-words baseline.
        ngrams: with ``2``, the vocabulary holds words and word pairs ("not good")
            together, the most frequent first (bag-of-words modes only).

    Returns:
        The adapted layer.
    """
    import keras

    options = {"ragged": True} if output_mode == "int" else {"sparse": True}
    if ngrams is not None:
        if output_mode == "int":
            raise ValueError("ngrams needs a bag-of-words output_mode ('multi_hot' or 'count')")
        options["ngrams"] = ngrams
    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens, standardize=standardize_review, output_mode=output_mode, **options
    )
    vectorizer.adapt(list(texts), batch_size=1024)
    return vectorizer


def fixed_vectorizer(vocabulary: Sequence[str]):
    """A ``TextVectorization`` with a vocabulary given in advance, not adapted.

    Used by lesson 07's graded cases of ``vectorize``, whose arguments travel as data.

    Args:
        vocabulary: the words, ``vocabulary[i]`` getting id ``i + 2`` (0 is padding, 1
            ``[UNK]``).

    Returns:
        The layer: Keras' default standardization (lower case, punctuation removed),
        ``"int"`` mode, ragged rows.
    """
    import keras

    return keras.layers.TextVectorization(vocabulary=list(vocabulary), ragged=True)


def token_ids(vectorizer, texts: Sequence[str], batch_size: int = 4096) -> list[np.ndarray]:
    """Each review's token ids, untruncated.

    Args:
        vectorizer: a ``TextVectorization`` in ``"int"`` mode with ``ragged=True``.
        texts: ``n`` reviews.
        batch_size: reviews vectorised at a time (bounds memory).

    Returns:
        A list of ``n`` int32 arrays, review ``i``'s of shape ``(length_i,)``.
    """
    ids: list[np.ndarray] = []
    texts = list(texts)
    for start in range(0, len(texts), batch_size):
        ragged = vectorizer(texts[start : start + batch_size])
        flat = ragged.flat_values.numpy().astype(np.int32)
        bounds = ragged.row_splits.numpy()
        ids.extend(flat[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1))
    return ids


def truncate_and_pad(ids: Sequence[Sequence[int]], maxlen: int, head: int = 0) -> np.ndarray:
    """Keep at most ``maxlen`` tokens per review and post-pad with id 0.

    A review longer than ``maxlen`` keeps its first ``head`` tokens followed by its
    last ``maxlen - head`` tokens (``head=0`` keeps the end only, ``head=maxlen``
    the start only). Padding goes behind the tokens, so with a mask a recurrent
    layer stops reading where the review ends.

    Args:
        ids: ``n`` sequences of token ids (no zeros inside).
        maxlen: the common length.
        head: tokens kept from the start of a long review, ``0 <= head <= maxlen``.

    Returns:
        An int32 array of shape ``(n, maxlen)``.
    """
    if not 0 <= head <= maxlen:
        raise ValueError(f"head must be in [0, maxlen={maxlen}], got {head}")
    out = np.zeros((len(ids), maxlen), dtype=np.int32)
    tail = maxlen - head
    for row, sequence in enumerate(ids):
        sequence = np.asarray(sequence, dtype=np.int32)
        if len(sequence) > maxlen:
            sequence = np.concatenate([sequence[:head], sequence[len(sequence) - tail :]])
        out[row, : len(sequence)] = sequence
    return out


def vectorize_reviews(vectorizer, texts: Sequence[str], maxlen: int, head: int = 0) -> np.ndarray:
    """Raw reviews to a post-padded id matrix: :func:`token_ids` then :func:`truncate_and_pad`.

    Args:
        vectorizer: an adapted ``TextVectorization`` (``"int"`` mode, ragged).
        texts: ``n`` reviews.
        maxlen: tokens kept per review.
        head: of which from the start of a long review.

    Returns:
        An int32 array of shape ``(n, maxlen)``, 0 for padding. A review with no
        token at all (``"!!!"``) becomes a single ``[UNK]`` (id 1): a row with no
        real step would make the masked mean over time 0 / 0.
    """
    unknown = np.array([UNK_ID], dtype=np.int32)
    ids = [s if len(s) else unknown for s in token_ids(vectorizer, texts)]
    return truncate_and_pad(ids, maxlen, head)


def tail_ids(vectorizer, texts: Sequence[str], length: int) -> np.ndarray:
    """Each review's last ``length`` token ids, post-padded with 0.

    Keras' own ``pad_sequences(truncating="pre", padding="post")`` on the vectoriser's
    rows. Lesson 07's training test prepares its reviews with it (in the learner's
    kernel and in the grader), so that it does not depend on the learner's ``vectorize``,
    whose head+tail truncation is an exercise.

    Args:
        vectorizer: an adapted ``TextVectorization`` (``"int"`` mode, ragged).
        texts: ``n`` reviews, each with at least one token.
        length: ids kept per review.

    Returns:
        An int32 array of shape ``(n, length)``.
    """
    import keras

    rows = [ids.tolist() for ids in token_ids(vectorizer, texts)]
    return keras.utils.pad_sequences(
        rows, maxlen=length, dtype="int32", padding="post", truncating="pre"
    )


def lengths_of(ids: np.ndarray) -> np.ndarray:
    """The number of real tokens of each post-padded row.

    Args:
        ids: post-padded ids, shape ``(n, maxlen)``.

    Returns:
        int array of shape ``(n,)``.
    """
    return np.count_nonzero(np.asarray(ids) != PAD_ID, axis=1)
