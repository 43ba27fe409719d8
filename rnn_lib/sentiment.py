"""Lesson 07's pipeline, from raw IMDB reviews to a recurrent sentiment classifier.

Everything the lesson's notebook and ``benchmarks/imdb_benchmark.py`` share lives
here, so the model the benchmark measures is the model the lesson teaches:

- the split: a seeded validation set carved from the training reviews (the test
  set is only ever evaluated, once, at the end);
- vectorisation: a ``keras.layers.TextVectorization`` adapted on the training
  split, head+tail truncation and post-padding with id 0, which
  ``Embedding(mask_zero=True)`` turns into a mask;
- length-bucketed batches: reviews of similar lengths share a batch, which is cut
  to its longest review, so a recurrent layer runs few padding steps;
- the model: word and word-pair embeddings, a bidirectional GRU (or LSTM) and
  masked mean+max pooling over its outputs, a sigmoid unit on top; and the
  bag-of-words (and bag-of-word-pairs) baselines;
- training (early stopping on validation accuracy, best weights restored, a
  decaying learning rate) and evaluation helpers (confusion matrix, the most
  confidently wrong reviews).

TensorFlow and Keras are imported inside the functions that need them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from rnn_lib.notebook import seed_everything

PAD_ID = 0


@dataclass(frozen=True)
class SentimentConfig:
    """Hyperparameters of the lesson's recurrent classifier.

    Attributes:
        max_tokens: vocabulary size, the padding id 0 and ``[UNK]`` (1) included.
        maxlen: tokens kept per review.
        head: how many of them come from the start of a long review; the other
            ``maxlen - head`` are its last tokens.
        embedding_dim: size of the word vectors (and of the word-pair vectors).
        word_pairs: how many of the training split's most common word pairs
            (bigrams) :func:`rnn_lib.word_pairs.frequent_word_pairs` keeps. Each
            gets a vector, added to the second word's vector, in a model that
            :func:`build_model` is given that pair vocabulary; without it the
            model reads words only, whatever this says.
        units: units of each direction of the recurrent layer.
        cell: ``"gru"`` or ``"lstm"``.
        embedding_dropout: rate of ``SpatialDropout1D`` on the word vectors
            (drops whole embedding channels).
        dropout: rate of the dropout before the output unit.
        batch_size: reviews per batch.
        learning_rate: Adam's initial learning rate.
        decay: the learning rate is multiplied by this over every epoch.
        epochs: the most epochs to train.
        checks_per_epoch: validation checks per epoch; early stopping and the
            learning-rate decay work at this finer grain.
        patience: validation checks without a better accuracy before stopping.
        validation_size: training reviews held out for validation.
        seed: seeds the split, the weights and the batch order.
    """

    max_tokens: int = 30_000
    maxlen: int = 600
    head: int = 100
    embedding_dim: int = 64
    word_pairs: int = 200_000
    units: int = 48
    cell: str = "gru"
    embedding_dropout: float = 0.4
    dropout: float = 0.5
    batch_size: int = 128
    learning_rate: float = 1e-3
    decay: float = 0.6
    epochs: int = 3
    checks_per_epoch: int = 3
    patience: int = 4
    validation_size: int = 2_500
    seed: int = 7

    def to_dict(self) -> dict:
        """The hyperparameters as a plain dict (for JSON)."""
        return asdict(self)

    def replace(self, **changes) -> SentimentConfig:
        """A copy with some hyperparameters changed."""
        return replace(self, **changes)


BEST_CONFIG = SentimentConfig()

# The two linear baselines, as options of :func:`fit_bag_of_words`: the 30,000 most
# frequent words; and the 200,000 most frequent words and word pairs together.
BAG_OF_WORDS = {"max_tokens": 30_000}
BAG_OF_WORD_PAIRS = {"max_tokens": 200_000, "ngrams": 2}


# ----------------------------------------------------------------------------- split


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


# ----------------------------------------------------------------------- vectorising


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
    ids = [s if len(s) else np.array([1], dtype=np.int32) for s in token_ids(vectorizer, texts)]
    return truncate_and_pad(ids, maxlen, head)


def lengths_of(ids: np.ndarray) -> np.ndarray:
    """The number of real tokens of each post-padded row.

    Args:
        ids: post-padded ids, shape ``(n, maxlen)``.

    Returns:
        int array of shape ``(n,)``.
    """
    return np.count_nonzero(np.asarray(ids) != PAD_ID, axis=1)


# --------------------------------------------------------------------------- batches


def bucketed_batch_indices(
    lengths: np.ndarray, batch_size: int, rng: np.random.Generator | None = None, pool: int = 50
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


# ----------------------------------------------------------------------------- model

_POOLING_CLASS = None


def _masked_max_pooling_class():
    """Define (once) the masked max-pooling layer; Keras is imported only here."""
    global _POOLING_CLASS
    if _POOLING_CLASS is None:
        import keras
        from keras import ops

        @keras.saving.register_keras_serializable(package="rnn_lib")
        class MaskedGlobalMaxPooling1D(keras.layers.Layer):
            """Max over time of the real (unmasked) steps only.

            ``keras.layers.GlobalMaxPooling1D`` ignores the mask, so the zeros a
            masked RNN outputs at padded steps would compete in the max. Input
            ``(batch, timesteps, features)``, output ``(batch, features)``; a row
            with no real step gives zeros.
            """

            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.supports_masking = True

            def call(self, inputs, mask=None):
                if mask is None:
                    return ops.max(inputs, axis=1)
                mask = ops.expand_dims(ops.cast(mask, "bool"), -1)
                lowest = ops.full_like(inputs, -np.inf)
                pooled = ops.max(ops.where(mask, inputs, lowest), axis=1)
                return ops.where(ops.any(mask, axis=1), pooled, ops.zeros_like(pooled))

            def compute_mask(self, inputs, mask=None):
                return None

            def compute_output_shape(self, input_shape):
                return (input_shape[0], input_shape[2])

        _POOLING_CLASS = MaskedGlobalMaxPooling1D
    return _POOLING_CLASS


def __getattr__(name: str):
    # ``from rnn_lib.sentiment import MaskedGlobalMaxPooling1D`` imports Keras then, not before.
    if name == "MaskedGlobalMaxPooling1D":
        return _masked_max_pooling_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_model(vocab_size: int, config: SentimentConfig = BEST_CONFIG, pair_vocabulary=None):
    """The lesson's recurrent classifier.

    ``Embedding(mask_zero=True)`` (plus, with a pair vocabulary, the vector of the
    word pair that ends at each step) -> ``SpatialDropout1D`` -> bidirectional GRU
    or LSTM returning every step -> masked mean and max over time, concatenated ->
    ``Dropout`` -> ``Dense(1, "sigmoid")``. The mask made from id 0 keeps padding
    out of the recurrence and out of both poolings.

    Args:
        vocab_size: number of token ids (the vectoriser's vocabulary size).
        config: the hyperparameters (``embedding_dim``, ``units``, ``cell``, dropouts, seed).
        pair_vocabulary: sorted word-pair keys from
            :func:`rnn_lib.word_pairs.frequent_word_pairs` (``P`` of them), or None
            for a model of words only. The pair ids are computed inside the model,
            so it still takes plain word ids.

    Returns:
        An uncompiled ``keras.Model`` from int ids ``(batch, timesteps)`` to
        probabilities ``(batch, 1)``.
    """
    import keras

    seed_everything(config.seed)
    recurrent = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}[config.cell]
    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocab_size, config.embedding_dim, mask_zero=True,
                               name="word_vectors")(inputs)
    if pair_vocabulary is not None:
        from rnn_lib.word_pairs import WordPairIds

        pair_ids = WordPairIds(pair_vocabulary, vocab_size, name="word_pair_ids")(inputs)
        # Pair id 0 is padding, as word id 0 is: both embeddings give the same mask.
        pairs = keras.layers.Embedding(len(pair_vocabulary) + 2, config.embedding_dim,
                                       mask_zero=True, name="word_pair_vectors")(pair_ids)
        x = keras.layers.Add(name="words_and_pairs")([x, pairs])
    x = keras.layers.SpatialDropout1D(config.embedding_dropout, seed=config.seed)(x)
    x = keras.layers.Bidirectional(recurrent(config.units, return_sequences=True))(x)
    pooled = keras.layers.Concatenate()(
        [keras.layers.GlobalAveragePooling1D()(x), _masked_max_pooling_class()()(x)]
    )
    pooled = keras.layers.Dropout(config.dropout, seed=config.seed)(pooled)
    outputs = keras.layers.Dense(1, activation="sigmoid")(pooled)
    name = f"bi{config.cell}_pooling" + ("_word_pairs" if pair_vocabulary is not None else "")
    return keras.Model(inputs, outputs, name=name)


def count_parameters(
    vocab_size: int, embedding_dim: int, units: int, cell: str = "gru", word_pairs: int = 0
) -> int:
    """Trainable parameters of :func:`build_model`, by formula.

    Embedding ``V E`` (and ``(P + 2) E`` for ``P`` word pairs, the padding id 0
    and the "unknown pair" id 1); each direction of a GRU (``reset_after=True``) has
    ``3 (E u + u u + 2 u)``, of an LSTM ``4 (E u + u u + u)``; the output unit
    sees ``4 u`` pooled features (mean and max of ``2 u``).

    Args:
        vocab_size: V.
        embedding_dim: E.
        units: u, per direction.
        cell: ``"gru"`` or ``"lstm"``.
        word_pairs: P, the size of the pair vocabulary (0: no pair vectors).

    Returns:
        The number of parameters.
    """
    v, e, u = vocab_size, embedding_dim, units
    per_direction = 3 * (e * u + u * u + 2 * u) if cell == "gru" else 4 * (e * u + u * u + u)
    pair_vectors = (word_pairs + 2) * e if word_pairs else 0
    return v * e + pair_vectors + 2 * per_direction + 4 * u + 1


def compile_model(model, learning_rate: float = 1e-3):
    """Adam, binary cross-entropy and accuracy (no XLA: batches vary in width).

    Args:
        model: a model with one sigmoid output.
        learning_rate: Adam's initial learning rate.

    Returns:
        The same model, compiled.
    """
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
        jit_compile=False,
    )
    return model


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

    Member ``k`` uses ``config.seed + k`` for its initial weights, its dropout masks
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
        model = build_model(vocab_size, member_config, pair_vocabulary)
        history = fit_model(
            model, train_ids, train_labels, val_ids, val_labels, member_config, verbose=verbose
        )
        trained.append((model, history))
    return trained


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


# ------------------------------------------------------------------------- baseline


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


def build_linear_model(num_features: int, seed: int = 0):
    """One sigmoid unit on a sparse feature vector: logistic regression.

    Args:
        num_features: length of each input vector (the vocabulary size).
        seed: seeds the weights.

    Returns:
        An uncompiled ``keras.Model`` from sparse ``(batch, num_features)`` to
        ``(batch, 1)``, with ``num_features + 1`` parameters.
    """
    import keras

    seed_everything(seed)
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
        seed: seeds the weights and the shuffles.
        verbose: Keras' verbosity.

    Returns:
        ``(model, vectorizer, history)``: the trained linear model (on vectors of
        shape ``(batch, vocab_size)``), the adapted vectoriser and the ``History``.
    """
    import keras

    vectorizer = make_vectorizer(train_texts, max_tokens, output_mode=output_mode, ngrams=ngrams)
    model = compile_model(build_linear_model(vectorizer.vocabulary_size(), seed), learning_rate)
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


# ------------------------------------------------------------------------ evaluation


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


def plot_history(history, checks_per_epoch: int = 1, axes=None):
    """Training and validation loss and accuracy, side by side.

    Args:
        history: a Keras ``History`` (or its ``.history`` dict) with ``loss``,
            ``accuracy``, ``val_loss`` and ``val_accuracy``.
        checks_per_epoch: Keras "epochs" per real epoch (the x axis is in epochs).
        axes: two matplotlib axes, or None for a new figure.

    Returns:
        The two axes.
    """
    import matplotlib.pyplot as plt

    logs = getattr(history, "history", history)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    x = (np.arange(len(logs["loss"])) + 1) / checks_per_epoch
    best = int(np.argmax(logs["val_accuracy"]))
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        ax.plot(x, logs[metric], marker="o", label="training")
        ax.plot(x, logs["val_" + metric], marker="o", label="validation")
        ax.axvline(x[best], color="grey", linestyle=":", label="best validation accuracy")
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.legend(fontsize="small")
    return axes


def plot_validation_curves(
    histories: dict, baselines: dict | None = None, checks_per_epoch: int = 1, ax=None
):
    """Validation accuracy of several training runs, with baselines as horizontal lines.

    Args:
        histories: ``{name: History or its .history dict}``, each with ``val_accuracy``.
        baselines: ``{name: validation accuracy}`` of models that were not trained
            in checks (drawn dashed), or None.
        checks_per_epoch: Keras "epochs" per real epoch (the x axis is in epochs).
        ax: axes to draw on; a new figure when None.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.6))
    for name, history in histories.items():
        curve = getattr(history, "history", history)["val_accuracy"]
        x = (np.arange(len(curve)) + 1) / checks_per_epoch
        ax.plot(x, curve, marker="o", label=f"{name} (best {max(curve):.3f})")
    for k, (name, value) in enumerate((baselines or {}).items()):
        ax.axhline(value, color=f"C{len(histories) + k}", linestyle="--",
                   label=f"{name} ({value:.3f})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.legend(fontsize="small", loc="lower right")
    return ax


def plot_confusion_matrix(matrix: np.ndarray, labels=("negative", "positive"), ax=None):
    """Draw a 2 x 2 confusion matrix with its counts.

    Args:
        matrix: from :func:`confusion_matrix`, shape ``(2, 2)``.
        labels: the class names.
        ax: axes to draw on; a new figure when None.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.6))
    matrix = np.asarray(matrix)
    ax.imshow(matrix, cmap="Blues")
    for (row, column), count in np.ndenumerate(matrix):
        dark = count > matrix.max() / 2
        ax.text(column, row, f"{count:,}", ha="center", va="center",
                color="white" if dark else "black", fontsize=12)
    ax.set_xticks([0, 1], [f"predicted\n{name}" for name in labels])
    ax.set_yticks([0, 1], [f"true\n{name}" for name in labels])
    ax.grid(False)
    return ax


def epochs_run(history) -> int:
    """How many epochs a ``History`` recorded."""
    return len(history.history.get("loss", []))


def steps_per_epoch(n: int, batch_size: int, pool: int = 50) -> int:
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
