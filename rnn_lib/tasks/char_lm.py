"""Lesson 04: character-level language models: a character vocabulary, training pairs, sampling.

A character model reads text one character at a time and predicts the next one.
Its data is one long string (Tiny Shakespeare in lesson 04), so the pipeline is:

1. :func:`rnn_lib.sequences.text.char_vocabulary`: every distinct character gets an id, in sorted
   order (no padding or unknown id: the vocabulary covers the whole corpus);
2. :func:`encode_text` / :func:`decode_chars`: string <-> array of ids;
3. :func:`make_training_sequences`: cut the ids into (input, target) pairs where
   the target is the input shifted by one character, so a many-to-many model
   learns "the next character" at every step;
4. :func:`sample_text`: let a trained Keras model write, one character at a time,
   drawing each character from its predicted distribution sharpened or flattened
   by a *temperature* (:func:`softmax_with_temperature`). Sampling is seeded.

Only :func:`sample_text` needs Keras, and it imports it lazily.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from rnn_lib.sequences.text import decode


def encode_text(text: str, vocabulary: Sequence[str]) -> np.ndarray:
    """The ids of the characters of ``text``.

    Args:
        text: the string to encode.
        vocabulary: the characters, index = id (from
            :func:`rnn_lib.sequences.text.char_vocabulary`).

    Returns:
        int32 array of shape ``(len(text),)``.

    Raises:
        ValueError: a character of ``text`` is not in ``vocabulary``.
    """
    index = {char: i for i, char in enumerate(vocabulary)}
    missing = sorted(set(text) - index.keys())
    if missing:
        raise ValueError(f"characters not in the vocabulary: {missing!r}")
    return np.fromiter((index[char] for char in text), dtype=np.int32, count=len(text))


def decode_chars(ids: Iterable[int], vocabulary: Sequence[str]) -> str:
    """The string whose character ids are ``ids`` (inverse of :func:`encode_text`).

    Args:
        ids: integer ids, any iterable (e.g. an array of shape ``(length,)``).
        vocabulary: the characters, index = id.

    Returns:
        The decoded string: :func:`rnn_lib.sequences.text.decode` with nothing skipped.
    """
    return decode(ids, vocabulary, sep="", skip=())


def make_training_sequences(
    ids: np.ndarray, seq_length: int, *, step: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a long id array into (input, next-character target) sequences.

    Sequence ``k`` starts at ``s = k * step``; its input is ``ids[s : s + seq_length]``
    and its target ``ids[s + 1 : s + seq_length + 1]``, so ``targets[k, t]`` is the
    character that follows ``inputs[k, t]``.

    Args:
        ids: the encoded corpus, shape ``(num_chars,)``.
        seq_length: characters per sequence.
        step: distance between the starts of consecutive sequences; the default
            ``seq_length`` gives non-overlapping inputs.

    Returns:
        ``(inputs, targets)``, int32 arrays of shape ``(num_sequences, seq_length)``
        with ``num_sequences = max(0, (num_chars - 1 - seq_length) // step + 1)``.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be 1-D, got shape {ids.shape}")
    if seq_length < 1:
        raise ValueError("seq_length must be at least 1")
    step = seq_length if step is None else step
    if step < 1:
        raise ValueError("step must be at least 1")
    num_sequences = max(0, (len(ids) - 1 - seq_length) // step + 1)
    starts = np.arange(num_sequences) * step
    offsets = np.arange(seq_length)
    inputs = ids[starts[:, None] + offsets].astype(np.int32)
    targets = ids[starts[:, None] + offsets + 1].astype(np.int32)
    return inputs.reshape(num_sequences, seq_length), targets.reshape(num_sequences, seq_length)


def softmax_with_temperature(
    scores: np.ndarray, temperature: float, *, from_logits: bool = True
) -> np.ndarray:
    """The sampling distribution ``p_k ∝ exp(logit_k / temperature)``.

    A temperature below 1 sharpens the distribution (safer, more repetitive text);
    above 1 it flattens it (more surprising, more mistakes); 1 leaves it unchanged.

    Args:
        scores: the model's output for one step, shape ``(vocab_size,)``: logits,
            or probabilities when ``from_logits`` is False.
        temperature: a positive number.
        from_logits: whether ``scores`` are logits (True) or probabilities.

    Returns:
        float64 probabilities, shape ``(vocab_size,)``, summing to 1.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    scores = np.asarray(scores, dtype=np.float64)
    if from_logits:
        logits = scores
    else:
        with np.errstate(divide="ignore"):
            logits = np.log(scores)
    scaled = logits / temperature
    scaled = scaled - np.max(scaled)
    weights = np.exp(scaled)
    return weights / weights.sum()


def _step_layers(model):
    """The layers of a Sequential model, checked to be steppable one time step at a time."""
    import keras

    if not isinstance(model, keras.Sequential):
        raise ValueError("sample_text needs a keras.Sequential model")
    for layer in model.layers:
        if isinstance(layer, keras.layers.Bidirectional) or (
            isinstance(layer, keras.layers.RNN) and getattr(layer, "go_backwards", False)
        ):
            raise ValueError(f"cannot generate text with {layer.name}: it reads the future")
    return model.layers


def sample_text(
    model,
    vocabulary: Sequence[str],
    prompt: str,
    length: int,
    *,
    temperature: float = 1.0,
    seed: int = 0,
    from_logits: bool = True,
) -> str:
    """Let a character model write ``length`` characters after ``prompt``.

    The model is stepped one character at a time: each recurrent layer runs its
    cell and keeps its state, every other layer (Embedding, Dense, Dropout in
    inference mode) is applied to the single step. This gives exactly the outputs
    of calling the model on the whole text so far, at a fraction of the cost.

    Args:
        model: a ``keras.Sequential`` character model mapping ids of shape
            ``(batch, timesteps)`` to scores of shape ``(batch, timesteps, vocab_size)``,
            e.g. Embedding -> LSTM(return_sequences=True) -> Dense(vocab_size).
        vocabulary: the characters, index = id.
        prompt: text to start from (at least one character, all in ``vocabulary``).
        length: how many characters to generate.
        temperature: see :func:`softmax_with_temperature`.
        seed: seeds the draws; the same model, prompt and seed give the same text.
        from_logits: whether the model outputs logits (True) or probabilities.

    Returns:
        The ``length`` generated characters (without the prompt).
    """
    import keras

    if not prompt:
        raise ValueError("the prompt must hold at least one character")
    layers = _step_layers(model)
    rng = np.random.default_rng(seed)
    recurrent = [layer for layer in layers if isinstance(layer, keras.layers.RNN)]
    states = [layer.cell.get_initial_state(batch_size=1) for layer in recurrent]

    def step(x, states):
        new_states = []
        for layer in layers:
            if isinstance(layer, keras.layers.RNN):
                x, new_state = layer.cell(x, states[len(new_states)], training=False)
                new_states.append(new_state)
            else:
                x = layer(x, training=False)
        return x, new_states

    if keras.backend.backend() == "tensorflow":  # one compiled graph per step: ~10x faster
        import tensorflow as tf

        step = tf.function(step)

    def scores_after(char_id: int) -> np.ndarray:
        nonlocal states
        x = keras.ops.convert_to_tensor(np.array([char_id], dtype=np.int32))
        scores, states = step(x, states)
        return keras.ops.convert_to_numpy(scores)[0]

    for char_id in encode_text(prompt, vocabulary)[:-1]:
        scores_after(int(char_id))
    next_id = int(encode_text(prompt[-1], vocabulary)[0])
    generated = []
    for _ in range(length):
        probabilities = softmax_with_temperature(
            scores_after(next_id), temperature, from_logits=from_logits
        )
        cumulative = np.cumsum(probabilities)
        next_id = int(min(np.searchsorted(cumulative, rng.random() * cumulative[-1],
                                          side="right"), len(probabilities) - 1))
        generated.append(next_id)
    return decode_chars(generated, vocabulary)
