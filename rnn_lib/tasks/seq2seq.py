"""Lesson 06: encoder-decoder (seq2seq) helpers: toy tasks, character vocabularies, decoding.

Conventions: a character vocabulary is
``rnn_lib.sequences.text.char_vocabulary(strings, SEQ2SEQ_SPECIALS)``, whose first
three entries are reserved: id 0 is padding (``""``), id 1 the start token ``"<s>"``
that opens every decoder input, id 2 the end token ``"</s>"`` that closes every
target. A decoder is trained with *teacher forcing* (its input at step ``i`` is the
true target of step ``i - 1``, see :func:`teacher_forcing_inputs`) and run at
inference by *greedy decoding* (its input is its own previous prediction, see
:func:`greedy_decode`) or by *beam search* (the few most likely prefixes kept at every
step, :func:`beam_search_decode`, lesson 08).

The Keras interface :func:`greedy_decode` expects:

- ``encoder``: a model mapping source ids ``(batch, source_steps)`` to the decoder's
  initial state, one array ``(batch, units)`` (GRU) or a list of them (LSTM: h, c);
- ``decoder``: a model mapping ``[tokens (batch, 1), *states]`` to
  ``[probabilities (batch, 1, vocabulary_size), *new_states]``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import numpy as np

from rnn_lib.sequences.text import END_ID, PAD_ID, SEQ2SEQ_SPECIALS, START_ID, decode

MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip


def reversal_pairs(
    num_samples: int, *, min_length: int = 1, max_length: int = 8, seed: int = 0
) -> tuple[list[str], list[str]]:
    """Random digit strings and their reversals: ``"4071" -> "1704"``.

    Args:
        num_samples: how many pairs.
        min_length: shortest string (at least 1).
        max_length: longest string.
        seed: the random seed.

    Returns:
        ``(sources, targets)``: two lists of ``num_samples`` strings; the lengths are
        uniform in ``min_length .. max_length``.
    """
    if not 1 <= min_length <= max_length:
        raise ValueError("need 1 <= min_length <= max_length")
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, size=num_samples)
    sources = ["".join(map(str, rng.integers(0, 10, size=n))) for n in lengths]
    return sources, [s[::-1] for s in sources]


def date_pairs(num_samples: int, *, seed: int = 0) -> tuple[list[str], list[str]]:
    """Dates written by people, and the same dates in ISO format.

    Sources use four formats at random: ``"7 march 2021"``, ``"march 7, 2021"``,
    ``"7 mar 2021"`` and ``"07.03.2021"`` (day first). Targets are
    ``"2021-03-07"``. Dates are uniform between 1950-01-01 and 2049-12-31.

    Args:
        num_samples: how many pairs.
        seed: the random seed.

    Returns:
        ``(sources, targets)``: two lists of ``num_samples`` strings; targets are
        always 10 characters long.
    """
    rng = np.random.default_rng(seed)
    first = datetime.date(1950, 1, 1).toordinal()
    last = datetime.date(2049, 12, 31).toordinal()
    days = rng.integers(first, last + 1, size=num_samples)
    formats = rng.integers(0, 4, size=num_samples)
    sources, targets = [], []
    for ordinal, style in zip(days, formats, strict=True):
        d = datetime.date.fromordinal(int(ordinal))
        month = MONTHS[d.month - 1]
        sources.append(
            (
                f"{d.day} {month} {d.year}",
                f"{month} {d.day}, {d.year}",
                f"{d.day} {month[:3]} {d.year}",
                f"{d.day:02d}.{d.month:02d}.{d.year}",
            )[style]
        )
        targets.append(d.isoformat())
    return sources, targets


def encode_strings(
    strings: Sequence[str],
    vocabulary: Sequence[str],
    *,
    length: int | None = None,
    add_end: bool = False,
) -> np.ndarray:
    """Character ids of each string, padded with ``PAD_ID`` at the end (post-padding).

    Args:
        strings: the texts.
        vocabulary: from ``char_vocabulary(strings, SEQ2SEQ_SPECIALS)``.
        length: columns of the result; by default the longest encoded string.
        add_end: append ``END_ID`` after each string (targets need it).

    Returns:
        int32 array of shape ``(len(strings), length)``.

    Raises:
        ValueError: a string does not fit in ``length`` or has a character that is
            not in the vocabulary.
    """
    index = {token: i for i, token in enumerate(vocabulary) if i >= len(SEQ2SEQ_SPECIALS)}
    rows = []
    for text in strings:
        unknown = set(text) - set(index)
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {sorted(unknown)}")
        rows.append([index[c] for c in text] + ([END_ID] if add_end else []))
    longest = max((len(r) for r in rows), default=0)
    length = longest if length is None else length
    if longest > length:
        raise ValueError(f"a string needs {longest} steps, more than length={length}")
    ids = np.full((len(rows), length), PAD_ID, dtype=np.int32)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
    return ids


def decode_batch(ids: np.ndarray, vocabulary: Sequence[str]) -> list[str]:
    """Strings from rows of ids: stop at the first ``END_ID``, skip padding and start.

    Args:
        ids: int array of shape ``(batch, steps)``.
        vocabulary: from ``char_vocabulary(strings, SEQ2SEQ_SPECIALS)``.

    Returns:
        A list of ``batch`` strings.
    """
    return [
        decode(row, vocabulary, sep="", skip=(PAD_ID, START_ID), stop=END_ID)
        for row in np.asarray(ids)
    ]


def teacher_forcing_inputs(targets: np.ndarray, start_id: int = START_ID) -> np.ndarray:
    """The decoder's training input: the targets shifted right by one, ``start_id`` first.

    With teacher forcing the decoder predicts ``targets[:, i]`` from the *true*
    ``targets[:, i - 1]`` (and ``start_id`` at step 0)::

        targets         4  0  7  </s>
        decoder input  <s> 4  0  7

    Args:
        targets: int array of shape ``(batch, steps)``, ending with ``END_ID``.
        start_id: the id fed at step 0.

    Returns:
        Array of shape ``(batch, steps)`` and the dtype of ``targets`` (a new array).
    """
    targets = np.asarray(targets)
    inputs = np.empty_like(targets)
    inputs[:, 0] = start_id
    inputs[:, 1:] = targets[:, :-1]
    return inputs


def _as_list(states) -> list:
    return list(states) if isinstance(states, (list, tuple)) else [states]


def greedy_decode(
    encoder, decoder, sources: np.ndarray, *, num_steps: int, start_id: int = START_ID
) -> np.ndarray:
    """Run an encoder-decoder pair greedily: each step's input is the last prediction.

    The encoder's output is the decoder's first state. Step 0 feeds ``start_id``;
    every later step feeds the decoder's own most likely token from the step
    before (never a target), and carries the state the decoder returned. No step
    stops early: positions after an ``END_ID`` hold whatever the decoder said next
    (:func:`sequence_accuracy` and :func:`decode_batch` ignore them).

    Args:
        encoder: Keras model, source ids ``(batch, source_steps)`` -> state(s).
        decoder: Keras model, ``[tokens (batch, 1), *states]`` ->
            ``[probabilities (batch, 1, vocabulary_size), *new_states]``.
        sources: int array of shape ``(batch, source_steps)``.
        num_steps: how many tokens to generate.
        start_id: the token fed at step 0.

    Returns:
        int32 array of shape ``(batch, num_steps)``, the predicted ids.
    """
    sources = np.asarray(sources)
    states = [np.asarray(s) for s in _as_list(encoder(sources, training=False))]
    tokens = np.full((len(sources), 1), start_id, dtype=np.int32)
    predictions = np.zeros((len(sources), num_steps), dtype=np.int32)
    for step in range(num_steps):
        outputs = _as_list(decoder([tokens, *states], training=False))
        probabilities = np.asarray(outputs[0])
        states = [np.asarray(s) for s in outputs[1:]]
        tokens = probabilities[:, -1].argmax(axis=-1).astype(np.int32)[:, None]
        predictions[:, step] = tokens[:, 0]
    return predictions


def beam_search_decode(
    encoder,
    decoder,
    sources: np.ndarray,
    *,
    num_steps: int,
    beam_width: int,
    start_id: int = START_ID,
    end_id: int = END_ID,
    pad_id: int = PAD_ID,
) -> tuple[np.ndarray, np.ndarray]:
    """Beam search (lesson 08): keep the ``beam_width`` most likely prefixes at every step.

    Each prefix is scored by the sum of its tokens' log-probabilities. At every step each
    of the ``beam_width`` prefixes of a sequence is extended by every token, and the
    ``beam_width`` best of those ``beam_width * vocabulary_size`` candidates survive, with
    the decoder states that produced them. A prefix that has produced ``end_id`` is
    finished: it is carried on unchanged (extended by ``pad_id`` at no cost) and competes
    with the others by its score. No length normalisation: a short finished sentence
    competes with longer prefixes by probability alone. ``beam_width=1`` is greedy
    decoding (:func:`greedy_decode`).

    Args:
        encoder, decoder: as for :func:`greedy_decode`.
        sources: int array ``(batch, source_steps)``.
        num_steps: tokens per output sequence.
        beam_width: prefixes kept per sequence (at least 1).
        start_id, end_id, pad_id: the special ids.

    Returns:
        ``(predictions, log_probabilities)``: the best sequence of each source, int32
        ``(batch, num_steps)`` (``pad_id`` after its ``end_id``), and its score ``(batch,)``.
    """
    if beam_width < 1:
        raise ValueError("beam_width must be at least 1")
    sources = np.asarray(sources)
    batch, width = len(sources), beam_width
    states = [np.asarray(s) for s in _as_list(encoder(sources, training=False))]
    states = [np.repeat(s, width, axis=0) for s in states]  # (batch * width, ...)
    tokens = np.full((batch * width, 1), start_id, dtype=np.int32)
    sequences = np.full((batch, width, num_steps), pad_id, dtype=np.int32)
    scores = np.full((batch, width), -np.inf)
    scores[:, 0] = 0.0  # one prefix to start from, not `width` copies of it
    finished = np.zeros((batch, width), dtype=bool)
    for step in range(num_steps):
        outputs = _as_list(decoder([tokens, *states], training=False))
        probabilities = np.asarray(outputs[0], dtype=float)[:, -1]  # (batch * width, vocab)
        vocabulary_size = probabilities.shape[-1]
        with np.errstate(divide="ignore"):
            log_p = np.log(probabilities).reshape(batch, width, vocabulary_size)
        # a finished prefix extends by padding alone, at no cost
        log_p = np.where(finished[:, :, None], -np.inf, log_p)
        log_p[..., pad_id] = np.where(finished, 0.0, log_p[..., pad_id])
        candidates = (scores[:, :, None] + log_p).reshape(batch, width * vocabulary_size)
        best = np.argsort(-candidates, axis=1, kind="stable")[:, :width]
        parent, token = best // vocabulary_size, best % vocabulary_size
        rows = np.arange(batch)[:, None]
        scores = np.take_along_axis(candidates, best, axis=1)
        sequences = sequences[rows, parent]
        sequences[:, :, step] = token
        finished = finished[rows, parent] | (token == end_id)
        flat_parent = (rows * width + parent).reshape(-1)
        states = [np.asarray(s)[flat_parent] for s in outputs[1:]]
        tokens = token.reshape(-1, 1).astype(np.int32)
    return sequences[:, 0], scores[:, 0]


def sequence_accuracy(predictions: np.ndarray, targets: np.ndarray, pad_id: int = PAD_ID) -> float:
    """The fraction of sequences predicted exactly right.

    A row counts as right when it equals the target at every position where the
    target is not padding (the end token included); what a prediction holds where
    the target is padding does not matter.

    Args:
        predictions: int array of shape ``(batch, steps)``.
        targets: int array of shape ``(batch, steps)``, padded with ``pad_id``.
        pad_id: the padding id.

    Returns:
        A float in [0, 1] (0.0 for an empty batch).
    """
    predictions, targets = np.asarray(predictions), np.asarray(targets)
    if predictions.shape != targets.shape:
        raise ValueError(f"shapes differ: {predictions.shape} and {targets.shape}")
    if len(targets) == 0:
        return 0.0
    right = (predictions == targets) | (targets == pad_id)
    return float(right.all(axis=1).mean())
