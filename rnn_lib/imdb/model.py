"""Lesson 07: the recurrent classifier: word (and word-pair) vectors, a bidirectional GRU
or LSTM, masked mean+max pooling, one sigmoid unit. Keras is imported
inside the functions that need it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from rnn_lib.imdb.config import BEST_CONFIG, SentimentConfig

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
    # ``from rnn_lib.imdb import MaskedGlobalMaxPooling1D`` imports Keras then, not before.
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

    The initial weights are drawn from Keras' global generator, which this function
    leaves alone (it reseeds nothing): call :func:`rnn_lib.notebook.seed_everything`
    with ``config.seed`` first to build the same weights again. The dropout layers
    take ``config.seed`` themselves.

    Args:
        vocab_size: number of token ids (the vectoriser's vocabulary size).
        config: the hyperparameters (``embedding_dim``, ``units``, ``cell``, dropouts, seed).
        pair_vocabulary: sorted word-pair keys from
            :func:`rnn_lib.sequences.word_pairs.frequent_word_pairs` (``P`` of them), or None
            for a model of words only. The pair ids are computed inside the model,
            so it still takes plain word ids.

    Returns:
        An uncompiled ``keras.Model`` from int ids ``(batch, timesteps)`` to
        probabilities ``(batch, 1)``.
    """
    import keras

    recurrent = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}[config.cell]
    inputs = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocab_size, config.embedding_dim, mask_zero=True,
                               name="word_vectors")(inputs)
    if pair_vocabulary is not None:
        from rnn_lib.sequences.word_pairs import WordPairIds

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


def build_word_model(vocab_size: int, embedding_dim: int, units: int, cell: str = "gru"):
    """:func:`build_model` of words only, with these sizes (``BEST_CONFIG``'s other settings).

    ``Embedding(mask_zero=True) -> bidirectional GRU (or LSTM) returning every step ->
    masked mean and max pooling -> Dense(1, "sigmoid")``, the model lesson 07's exercise
    asks for: its dropouts hold no weights and do nothing at inference. Lesson 07's graded
    cases name it as the architecture in which the grader runs a learner's weights.

    Args:
        vocab_size: number of token ids.
        embedding_dim: size of the word vectors.
        units: units of each direction of the recurrent layer.
        cell: ``"gru"`` or ``"lstm"``.

    Returns:
        An uncompiled ``keras.Model``: int ids ``(batch, timesteps)`` -> ``(batch, 1)``.
    """
    config = dataclasses.replace(BEST_CONFIG, embedding_dim=embedding_dim, units=units, cell=cell)
    return build_model(vocab_size, config)


def recurrent_parameters(embedding_dim: int, units: int, cell: str = "gru") -> int:
    """Weights of a bidirectional recurrent layer of :func:`rnn_lib.imdb.build_model`.

    Each direction of a GRU (``reset_after=True``) has ``3 (E u + u u + 2 u)``, of an
    LSTM ``4 (E u + u u + u)``.

    Args:
        embedding_dim: E, the size of the vectors read at each step.
        units: u, per direction.
        cell: ``"gru"`` or ``"lstm"``.

    Returns:
        The parameters of both directions.
    """
    e, u = embedding_dim, units
    if cell == "gru":
        return 2 * 3 * (e * u + u * u + 2 * u)
    if cell == "lstm":
        return 2 * 4 * (e * u + u * u + u)
    raise ValueError(f"cell must be 'gru' or 'lstm', got {cell!r}")


def count_parameters(
    vocab_size: int, embedding_dim: int, units: int, cell: str = "gru", word_pairs: int = 0
) -> int:
    """Trainable parameters of :func:`build_model`, by formula.

    Embedding ``V E`` (and ``(P + 2) E`` for ``P`` word pairs, the padding id 0
    and the "unknown pair" id 1); each direction of a GRU (``reset_after=True``) has
    ``3 (E u + u u + 2 u)``, of an LSTM ``4 (E u + u u + u)`` (:func:`recurrent_parameters`);
    the output unit sees ``4 u`` pooled features (mean and max of ``2 u``).

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
    pair_vectors = (word_pairs + 2) * e if word_pairs else 0
    return v * e + pair_vectors + recurrent_parameters(e, u, cell) + 4 * u + 1


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
