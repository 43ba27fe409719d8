"""Lessons 06-08: small Keras models their tests and graded cases pass to a learner's functions.

A function that takes a model (``output_change(model, x, t)``, ``held_out_accuracy(encoder,
decoder, ...)``) cannot be given one as data: a model is code and state. A graded case
names one instead, as a recipe, ``model_recipe("rnn_lib.tasks.graded_models.running_sum",
reverse=True)`` (:mod:`rnn_lib.notebook.cases`), and the kernel builds it from these
functions. So every model here is the same on every machine: its weights are fixed or
drawn by NumPy from a seed, never by Keras' initializers.

- :func:`running_sum`: output step ``s`` is ``x_1 + ... + x_s`` (or, reversed,
  ``x_s + ... + x_T``): causal, or seeing the future, with answers known exactly;
- :func:`seeded_recurrent`: a SimpleRNN, GRU or LSTM layer, one-way or bidirectional,
  ``(batch, timesteps, features) -> (batch, timesteps, units or 2 units)``;
- :func:`counting_encoder`, :func:`counting_decoder`: an encoder-decoder pair whose every
  step can be followed by hand (the state is the first source id; the decoder predicts
  ``(token + state) mod vocabulary_size`` and adds 1 to its state);
- :func:`seeded_gru_encoder`, :func:`seeded_gru_decoder`: an untrained GRU
  encoder-decoder with sharp, varied predictions, in the interface of
  :mod:`rnn_lib.tasks.seq2seq` (decoder: ``[tokens (batch, 1), state (batch, units)] ->
  [probabilities (batch, 1, vocabulary_size), new state (batch, units)]``);
- :func:`gru_sentiment_model`: a small review classifier (lesson 07) for a training function;
- :func:`markov_encoder`, :func:`markov_decoder`: an encoder-decoder pair whose next-token
  probabilities are a table, looked up by the decoder's state and the token fed to it
  (lesson 08's beam search): every sequence's probability can be computed by hand.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "counting_decoder",
    "counting_encoder",
    "gru_sentiment_model",
    "markov_decoder",
    "markov_encoder",
    "running_sum",
    "seeded_gru_decoder",
    "seeded_gru_encoder",
    "seeded_recurrent",
]


def _draw_weights(model, seed: int, scale: float = 0.5) -> None:
    """Set every weight of ``model`` to NumPy normal draws (the same on every machine)."""
    rng = np.random.default_rng(seed)
    model.set_weights(
        [rng.normal(scale=scale, size=w.shape).astype("float32") for w in model.get_weights()]
    )


def running_sum(features: int = 2, *, reverse: bool = False):
    """Running sums along time: ``(batch, timesteps, features) -> (batch, timesteps, features)``.

    Args:
        features: features per step.
        reverse: sum from the end instead (output ``s`` is ``x_s + ... + x_T``).

    Returns:
        A ``keras.Sequential`` with no weights.
    """
    import keras

    def forward(z):
        return keras.ops.cumsum(z, axis=1)

    def backward(z):
        return keras.ops.flip(keras.ops.cumsum(keras.ops.flip(z, axis=1), axis=1), axis=1)

    return keras.Sequential(
        [keras.Input((None, features)), keras.layers.Lambda(backward if reverse else forward)]
    )


def seeded_recurrent(
    cell: str, units: int, features: int, *, bidirectional: bool = False, seed: int = 0
):
    """One recurrent layer returning every step, with weights drawn from ``seed``.

    Args:
        cell: ``"SimpleRNN"``, ``"GRU"`` or ``"LSTM"``.
        units: its units.
        features: features per input step.
        bidirectional: wrap it in ``keras.layers.Bidirectional`` (outputs concatenated).
        seed: seeds NumPy's draws of the weights (normal, standard deviation 0.5).

    Returns:
        A ``keras.Sequential``: ``(batch, timesteps, features) -> (batch, timesteps, units)``,
        ``2 * units`` if bidirectional.
    """
    import keras

    layer = getattr(keras.layers, cell)(units, return_sequences=True)
    if bidirectional:
        layer = keras.layers.Bidirectional(layer)
    model = keras.Sequential([keras.Input((None, features)), layer])
    _draw_weights(model, seed)
    return model


def counting_encoder():
    """Source ids ``(batch, source_steps)`` -> state ``(batch, 1)``: the first id, as a float."""
    import keras

    sources = keras.Input((None,), dtype="int32")
    state = keras.layers.Lambda(lambda s: keras.ops.cast(s[:, :1], "float32"))(sources)
    return keras.Model(sources, state)


def counting_decoder(vocabulary_size: int):
    """``[token (batch, 1), state (batch, 1)]`` -> ``[one-hot((token + state) mod V), state + 1]``.

    Args:
        vocabulary_size: ``V``; the probabilities have shape ``(batch, 1, V)``.
    """
    import keras

    tokens, state = keras.Input((1,), dtype="int32"), keras.Input((1,))

    def next_token(inputs):
        token, value = inputs
        total = keras.ops.mod(keras.ops.cast(token, "float32") + value[:, :1], vocabulary_size)
        return keras.ops.one_hot(keras.ops.cast(total, "int32"), vocabulary_size)

    probabilities = keras.layers.Lambda(next_token)([tokens, state])
    new_state = keras.layers.Lambda(lambda value: value + 1)(state)
    return keras.Model([tokens, state], [probabilities, new_state])


def seeded_gru_encoder(
    vocabulary_size: int, units: int, *, embedding_dim: int = 6, seed: int = 0
):
    """Source ids ``(batch, source_steps)`` -> the last GRU state ``(batch, units)``.

    Args:
        vocabulary_size: ids run from 0 to ``vocabulary_size - 1``.
        units: the GRU's units (the decoder's state size).
        embedding_dim: the embedding's size.
        seed: seeds NumPy's draws of the weights.
    """
    import keras

    sources = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(vocabulary_size, embedding_dim)(sources)
    _, state = keras.layers.GRU(units, return_state=True)(embedded)
    model = keras.Model(sources, state)
    _draw_weights(model, seed)
    return model


def seeded_gru_decoder(
    vocabulary_size: int,
    units: int,
    *,
    embedding_dim: int = 6,
    seed: int = 0,
    sharpness: float = 10.0,
):
    """One decoding step of an untrained GRU decoder with sharp predictions.

    Args:
        vocabulary_size: ``V``, the number of token ids.
        units: the GRU's units.
        embedding_dim: the embedding's size.
        seed: seeds NumPy's draws of the weights.
        sharpness: multiplies the output layer's weights (so that the argmax is rarely a
            near-tie).

    Returns:
        A ``keras.Model``: ``[tokens (batch, 1), state (batch, units)] ->
        [probabilities (batch, 1, V), new state (batch, units)]``.
    """
    import keras

    tokens, state = keras.Input((1,), dtype="int32"), keras.Input((units,))
    embedded = keras.layers.Embedding(vocabulary_size, embedding_dim)(tokens)
    output, new_state = keras.layers.GRU(units, return_sequences=True, return_state=True)(
        embedded, initial_state=state
    )
    dense = keras.layers.Dense(vocabulary_size, activation="softmax")
    model = keras.Model([tokens, state], [dense(output), new_state])
    _draw_weights(model, seed)
    kernel, bias = dense.get_weights()
    dense.set_weights([sharpness * kernel, bias])
    return model


def gru_sentiment_model(vocab_size: int, embedding_dim: int, units: int, *, seed: int | None = 0):
    """A small review classifier for lesson 07's tests of ``train_sentiment_model``.

    ``Embedding(mask_zero=True) -> GRU(units) (last state) -> Dense(1, "sigmoid")``: any
    model with one sigmoid output will do for a training function, and this one is not
    the architecture lesson 07 asks the learner to build (that one is bidirectional and
    pools every step), so the kernel can build it while the lesson is graded, and a
    mistake in the learner's model costs only that exercise.

    Args:
        vocab_size: number of token ids (0 is padding).
        embedding_dim: size of the word vectors.
        units: the GRU's units.
        seed: seeds NumPy's draws of the weights (normal, standard deviation 0.5: the
            same on every machine, for a case that compares what training records);
            None keeps Keras' initializers (seeded by ``seed_everything``), which train
            well (held-out accuracy 0.69-0.78 in lesson 07's training test).

    Returns:
        An uncompiled ``keras.Model``: int ids ``(batch, timesteps)`` -> ``(batch, 1)``.
    """
    import keras

    inputs = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True)(inputs)
    x = keras.layers.GRU(units)(x)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))
    if seed is not None:
        _draw_weights(model, seed)
    return model


def markov_encoder(num_states: int):
    """Source ids ``(batch, source_steps)`` -> state ``(batch, 1)``: first id mod ``num_states``.

    The first state of a :func:`markov_decoder` with ``num_states`` states (a float).
    """
    import keras

    sources = keras.Input((None,), dtype="int32")
    state = keras.layers.Lambda(
        lambda s: keras.ops.cast(keras.ops.mod(s[:, :1], num_states), "float32")
    )(sources)
    return keras.Model(sources, state)


def markov_decoder(table):
    """A decoder whose next-token distribution is ``table[state, token]``.

    The state is an integer in ``0 .. S - 1`` (held as a float); after feeding ``token``
    in state ``s`` the new state is ``(s + token) mod S``, so two prefixes that end with the
    same token may still differ in what comes next: a beam search must carry each
    prefix's own state.

    Args:
        table: ``(S, V, V)`` probabilities (nested lists or an array), each
            ``table[s, token]`` a distribution over the ``V`` next tokens.

    Returns:
        A ``keras.Model``: ``[tokens (batch, 1) int32, state (batch, 1)] ->
        [probabilities (batch, 1, V), new state (batch, 1)]``.
    """
    import keras

    table = np.asarray(table, dtype="float32")
    num_states, vocabulary_size = table.shape[0], table.shape[-1]
    if table.shape != (num_states, vocabulary_size, vocabulary_size):
        raise ValueError(f"table must have shape (S, V, V); got {table.shape}")
    rows = keras.ops.convert_to_tensor(table.reshape(num_states * vocabulary_size, vocabulary_size))
    tokens, state = keras.Input((1,), dtype="int32"), keras.Input((1,))

    def next_distribution(inputs):
        token, value = inputs
        index = keras.ops.cast(value, "int32") * vocabulary_size + token  # (batch, 1)
        return keras.ops.take(rows, index, axis=0)  # (batch, 1, V)

    def next_state(inputs):
        token, value = inputs
        return keras.ops.mod(value + keras.ops.cast(token, "float32"), num_states)

    probabilities = keras.layers.Lambda(next_distribution, output_shape=(1, vocabulary_size))(
        [tokens, state]
    )
    new_state = keras.layers.Lambda(next_state, output_shape=(1,))([tokens, state])
    return keras.Model([tokens, state], [probabilities, new_state])
