"""Lesson 04: character-level language models: the data, held-out perplexity, state, sampling.

A character model reads text one character at a time and predicts the next one.
Its data is one long string (Tiny Shakespeare in lesson 04), so the pipeline is:

1. :func:`rnn_lib.sequences.text.char_vocabulary`: every distinct character gets an id, in sorted
   order (no padding or unknown id: the vocabulary covers the whole corpus);
2. :func:`encode_text` / :func:`decode_chars`: string <-> array of ids;
3. :func:`held_out_split`: the text cut chronologically, its last part held out, so that
   the model is measured on text that comes after everything it learned from;
4. :func:`make_training_sequences`: cut the ids into (input, target) windows where the
   target is the input shifted by one character, so a many-to-many model learns "the next
   character" at every step; each window is read from a zero state;
5. :func:`stateful_batches`: the same windows laid out for a *stateful* model: the text
   as ``batch_size`` contiguous tracks, so that row ``i`` of batch ``k + 1`` continues row
   ``i`` of batch ``k`` and the state can be carried from one window to the next
   (:func:`reset_state` starts every track again from zero);
6. :func:`per_character_loss`: the held-out cross-entropy of every character, read window
   by window or with the state carried; its mean's ``exp`` is the perplexity
   (:mod:`rnn_lib.sequences.perplexity` holds that and the count-based yardsticks);
7. :func:`sample_text`: let a trained Keras model write, one character at a time,
   drawing each character from its predicted distribution sharpened or flattened
   by a *temperature* and cut to the ``top_k`` likeliest characters
   (:func:`sampling_distribution`, the reference answer of lesson 04's exercise; the
   lesson passes the learner's own function as ``distribution``). Sampling is seeded.

Keras is imported lazily, by the functions that need a model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

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


def held_out_split(
    ids: np.ndarray, held_out_fraction: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a corpus chronologically: the first part to learn from, the last part held out.

    Text is not a bag of independent examples: neighbouring windows share words, names and
    scenes, so windows drawn at random for a held-out set would sit next to training
    windows and flatter the model. Holding out the *end* of the text measures the model on
    text that comes after everything it learned from (in Tiny Shakespeare, the last tenth
    is most of *The Taming of the Shrew*, a play the first part does not contain).

    Args:
        ids: the encoded corpus, shape ``(num_chars,)``.
        held_out_fraction: the share of the characters held out, in (0, 1).

    Returns:
        ``(train_ids, held_out_ids)``: ``ids[:cut]`` and ``ids[cut:]`` with
        ``cut = len(ids) - round(held_out_fraction * len(ids))``; views, not copies.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be 1-D, got shape {ids.shape}")
    if not 0 < held_out_fraction < 1:
        raise ValueError(f"held_out_fraction must lie in (0, 1), got {held_out_fraction}")
    cut = len(ids) - int(round(held_out_fraction * len(ids)))
    return ids[:cut], ids[cut:]


def stateful_batches(
    ids: np.ndarray, batch_size: int, seq_length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Next-character windows in the order a stateful model must read them.

    The text is cut into ``batch_size`` contiguous *tracks* of equal length (track ``i``
    is the ``i``-th stretch of the text), and each track into windows of ``seq_length``
    characters. Batch ``k`` holds window ``k`` of every track, track ``i`` in row ``i``,
    so row ``i`` of batch ``k + 1`` continues row ``i`` of batch ``k``: a model with
    ``stateful=True`` that keeps each row's state from one batch to the next reads every
    track as one long text. Feed the rows to ``model.fit`` / ``evaluate`` / ``predict``
    in this order, ``batch_size`` at a time, without shuffling. The few characters that do
    not fill a whole batch at the end are dropped.

    Args:
        ids: the encoded text, shape ``(num_chars,)``.
        batch_size: the number of tracks (the model's fixed batch size).
        seq_length: characters per window (the steps of truncated backpropagation).

    Returns:
        ``(inputs, targets)``, int32 arrays of shape ``(num_batches * batch_size,
        seq_length)`` with ``num_batches = (num_chars - 1) // (batch_size * seq_length)``.
        Row ``k * batch_size + i`` is window ``k`` of track ``i``: its input starts at
        ``ids[i * track + k * seq_length]`` with ``track = num_batches * seq_length``, and
        its target is the input shifted by one character.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be 1-D, got shape {ids.shape}")
    if batch_size < 1 or seq_length < 1:
        raise ValueError("batch_size and seq_length must be at least 1")
    num_batches = max(0, (len(ids) - 1) // (batch_size * seq_length))
    track = num_batches * seq_length
    used = batch_size * track

    def layout(stream: np.ndarray) -> np.ndarray:
        windows = stream.reshape(batch_size, num_batches, seq_length)   # track, window, step
        return windows.transpose(1, 0, 2).reshape(num_batches * batch_size, seq_length)

    return layout(ids[:used]).astype(np.int32), layout(ids[1 : used + 1]).astype(np.int32)


def reset_state(model) -> int:
    """Set the state of every stateful recurrent layer of ``model`` back to zeros.

    Keras 3 has no ``model.reset_states()``: each recurrent layer built with
    ``stateful=True`` keeps its own state (one row per sequence of the fixed batch) and
    has a ``reset_state()`` method. Call this before a pass over new text (an epoch, the
    held-out text), so that every track starts from a zero state.

    Args:
        model: a Keras model (its nested layers are searched too).

    Returns:
        How many layers were reset (0 for a model without stateful layers).
    """
    import keras

    count = 0
    pending = list(getattr(model, "layers", ()))
    while pending:
        layer = pending.pop()
        if isinstance(layer, keras.layers.RNN) and layer.stateful:
            layer.reset_state()
            count += 1
        pending.extend(getattr(layer, "layers", ()))
    return count


def per_character_loss(
    model, inputs: np.ndarray, targets: np.ndarray, *, batch_size: int
) -> np.ndarray:
    """The cross-entropy, in nats, of every target character under the model.

    The batches are read in order (never shuffled), so a stateful model given the rows
    of :func:`stateful_batches` (and its batch size) carries its state from one window to
    the next; call :func:`reset_state` first. A stateless model reads every window from a
    zero state. The mean of the result is the loss Keras reports, and its ``exp`` the
    perplexity; its mean over the rows shows the loss at each position in the window.

    Args:
        model: a Keras model mapping ids ``(batch, steps)`` to logits
            ``(batch, steps, vocab_size)``.
        inputs, targets: int arrays of shape ``(num_windows, seq_length)``.
        batch_size: the batch size of the forward passes (a stateful model's own).

    Returns:
        float64 array of shape ``(num_windows, seq_length)``: ``-log p(target)``.
    """
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    if inputs.shape != targets.shape or inputs.ndim != 2:
        raise ValueError(
            f"inputs and targets must share a 2-D shape; got {inputs.shape}, {targets.shape}"
        )
    logits = np.asarray(model.predict(inputs, batch_size=batch_size, verbose=0), dtype=np.float64)
    logits = logits - logits.max(axis=-1, keepdims=True)
    log_normaliser = np.log(np.exp(logits).sum(axis=-1))
    chosen = np.take_along_axis(logits, targets[..., None].astype(np.intp), axis=-1)[..., 0]
    return log_normaliser - chosen


def sampling_distribution(
    logits: np.ndarray,
    temperature: float = 1.0,
    top_k: int | None = None,
) -> np.ndarray:
    """The distribution the next character is drawn from: temperature, then top-k.

    ``p_k ∝ exp(logit_k / temperature)``, computed stably (the largest scaled logit is
    subtracted before ``exp``, so a low temperature cannot overflow). A temperature below
    1 sharpens the distribution (safer, more repetitive text); above 1 it flattens it
    (more surprising, more mistakes); 1 leaves it unchanged. With ``top_k`` only the
    characters whose logit is among the ``top_k`` largest keep their probability (every
    character tied with the ``top_k``-th largest too), the others get exactly 0, and the
    kept ones are renormalised (Fan, Lewis and Dauphin, 2018).

    Lesson 04 asks the learner to write this function; while that lesson is graded, this
    one is a stub.

    Args:
        logits: the model's scores for one step, shape ``(vocab_size,)`` (not changed).
            Log-probabilities are logits too: ``-inf`` (probability 0) stays at 0.
        temperature: a positive number.
        top_k: None (keep every character) or a positive integer; ``top_k >= vocab_size``
            keeps every character.

    Returns:
        float64 probabilities, shape ``(vocab_size,)``, summing to 1.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k must be None or at least 1, got {top_k}")
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    if top_k is not None and top_k < scaled.size:
        kth_largest = np.sort(scaled)[-top_k]
        scaled = np.where(scaled >= kth_largest, scaled, -np.inf)
    weights = np.exp(scaled - np.max(scaled))
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
    top_k: int | None = None,
    seed: int = 0,
    from_logits: bool = True,
    distribution: Callable[[np.ndarray, float, int | None], np.ndarray] | None = None,
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
        temperature: see :func:`sampling_distribution`.
        top_k: see :func:`sampling_distribution` (None: every character may be drawn).
        seed: seeds the draws; the same model, prompt and seed give the same text.
        from_logits: whether the model outputs logits (True) or probabilities (their
            logarithms are passed on as the logits: the same distribution).
        distribution: called as ``distribution(logits, temperature, top_k)`` at every
            step, returns the probabilities to draw from (shape ``(vocab_size,)``);
            default :func:`sampling_distribution`. Lesson 04 passes the learner's own.

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
    distribution = sampling_distribution if distribution is None else distribution
    for _ in range(length):
        scores = scores_after(next_id).astype(np.float64)
        if not from_logits:
            with np.errstate(divide="ignore"):
                scores = np.log(scores)
        probabilities = np.asarray(distribution(scores, temperature, top_k), dtype=np.float64)
        cumulative = np.cumsum(probabilities)
        next_id = int(min(np.searchsorted(cumulative, rng.random() * cumulative[-1],
                                          side="right"), len(probabilities) - 1))
        generated.append(next_id)
    return decode_chars(generated, vocabulary)
