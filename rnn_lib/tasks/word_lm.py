"""Lesson 06: a word-level language model: its data, its training record, its next-word guesses.

A word model reads a text one word at a time and predicts the next word, as lesson 04's
character model predicts the next character. Its data is a corpus of documents (IMDB
reviews in lesson 06), so the pipeline is:

1. :func:`split_by_words`: shuffle the documents with a seed and cut them into parts of a
   given number of words (training, tuning, held-out), whole documents only, so that no
   review is split between two parts;
2. :func:`word_vocabulary`: the ``size`` most frequent words of the training part, with
   id 0 for padding (never a target here) and id 1 (``UNK_ID``) for every other word
   (:func:`rnn_lib.sequences.text.build_vocabulary`);
3. :func:`encode_words`: the documents as one stream of word ids, shape ``(N,)``;
4. :func:`next_word_windows`: the stream cut into (input, target) windows whose target
   is the input shifted by one word;
5. :func:`fit_recording_perplexity`: train a Keras model and record, after each epoch,
   its perplexity on a sample of the training windows and on held-out windows (both in
   inference mode) and the seconds the epoch's training took;
6. :func:`top_next_words`: the ``k`` most likely next words after a prompt, with their
   probabilities.

Perplexity itself and the count-based yardsticks (uniform, unigram, bigram) live in
:mod:`rnn_lib.sequences.perplexity`. Only the last two steps need Keras, imported lazily.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np

from rnn_lib.sequences.perplexity import perplexity
from rnn_lib.sequences.text import PAD_ID, UNK, UNK_ID, build_vocabulary, tokenize
from rnn_lib.tasks.char_lm import make_training_sequences

__all__ = [
    "encode_words",
    "fit_recording_perplexity",
    "next_word_probabilities",
    "next_word_windows",
    "split_by_words",
    "top_next_words",
    "word_vocabulary",
]


def split_by_words(
    texts: Sequence[str], words: Sequence[int], *, seed: int
) -> list[list[str]]:
    """Shuffled documents cut into consecutive parts of at least ``words[i]`` words each.

    Args:
        texts: the documents (``D`` strings).
        words: the least number of words (as :func:`rnn_lib.sequences.text.tokenize`
            counts them) of each part, e.g. ``(125_000, 20_000, 40_000)``.
        seed: seeds the shuffle; the same seed gives the same parts.

    Returns:
        One list of documents per entry of ``words``; no document is in two parts. Each
        part takes documents until it holds at least its number of words.

    Raises:
        ValueError: the documents hold too few words for the parts asked for.
    """
    order = np.random.default_rng(seed).permutation(len(texts))
    parts: list[list[str]] = []
    position = 0
    for wanted in words:
        part, count = [], 0
        while count < wanted:
            if position == len(order):
                raise ValueError(
                    f"the {len(texts)} documents hold too few words for parts of {list(words)}"
                )
            text = texts[int(order[position])]
            position += 1
            part.append(text)
            count += len(tokenize(text))
        parts.append(part)
    return parts


def word_vocabulary(texts: Iterable[str], size: int) -> list[str]:
    """The ``size`` most frequent words of ``texts``, padding and ``[UNK]`` included.

    Args:
        texts: the training documents (never the held-out ones).
        size: the vocabulary's length V, the two reserved entries included.

    Returns:
        ``["", "[UNK]", most frequent word, ...]``: index = id (at most ``size`` entries).
    """
    if size < 3:
        raise ValueError(f"a word vocabulary needs room for a word: size >= 3, got {size}")
    return build_vocabulary(texts, max_size=size)


def encode_words(texts: Iterable[str], vocabulary: Sequence[str]) -> np.ndarray:
    """The words of ``texts`` as one stream of ids; a word outside ``vocabulary`` is ``UNK_ID``.

    Args:
        texts: documents (a prompt is a list of one string).
        vocabulary: index = id, as from :func:`word_vocabulary`.

    Returns:
        int32 array of shape ``(N,)``, N the number of words of all ``texts`` together,
        in order.
    """
    index = {word: i for i, word in enumerate(vocabulary) if word and word != UNK}
    return np.fromiter(
        (index.get(word, UNK_ID) for text in texts for word in tokenize(text)), dtype=np.int32
    )


def next_word_windows(
    ids: np.ndarray, window: int, *, step: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a stream of word ids into (input, next-word target) windows.

    Window ``k`` starts at ``s = k * step``: its input is ``ids[s : s + window]`` and its
    target ``ids[s + 1 : s + window + 1]``, so ``targets[k, t]`` is the word that follows
    ``inputs[k, t]`` (:func:`rnn_lib.tasks.char_lm.make_training_sequences`, on words).

    Args:
        ids: the encoded stream, shape ``(N,)``.
        window: words per window (the most context the model sees).
        step: distance between window starts; the default ``window`` gives windows that
            do not overlap, so each word is a target once.

    Returns:
        ``(inputs, targets)``, int32 arrays of shape ``(num_windows, window)``.
    """
    return make_training_sequences(ids, window, step=step)


def fit_recording_perplexity(
    model,
    train: tuple[np.ndarray, np.ndarray],
    held_out: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int,
    batch_size: int,
    train_sample: int | None = None,
    eval_batch_size: int = 256,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Train ``model`` and record its perplexities and its training time after every epoch.

    Both perplexities are measured with ``model.evaluate`` after the epoch, in inference
    mode (no dropout), so they compare like with like. The training perplexity is
    measured on ``train_sample`` training windows drawn once (all of them when None),
    to keep its cost near that of the held-out one. The seconds count ``fit``'s
    training steps only, not the two evaluations.

    Args:
        model: a compiled Keras model mapping ids ``(batch, window)`` to scores
            ``(batch, window, V)``, whose loss is the sparse categorical cross-entropy
            (in nats) and which reports no other metric.
        train: ``(inputs, targets)`` of shape ``(n, window)`` each.
        held_out: ``(inputs, targets)`` of shape ``(m, window)`` each.
        epochs: passes over ``train``.
        batch_size: windows per training step.
        train_sample: training windows to measure the training perplexity on.
        eval_batch_size: windows per evaluation step.
        seed: draws the training sample.

    Returns:
        ``{"train": [...], "held_out": [...], "seconds": [...]}``, one float per epoch.
    """
    import keras

    inputs, targets = train
    if train_sample is not None and train_sample < len(inputs):
        rows = np.sort(np.random.default_rng(seed).choice(len(inputs), train_sample, replace=False))
    else:
        rows = np.arange(len(inputs))
    record: dict[str, list[float]] = {"train": [], "held_out": [], "seconds": []}

    def measure(x, y):
        loss = model.evaluate(x, y, batch_size=eval_batch_size, verbose=0)
        return perplexity(loss[0] if isinstance(loss, list) else loss)

    class _Record(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            record["seconds"].append(time.perf_counter() - self.start)
            record["train"].append(measure(inputs[rows], targets[rows]))
            record["held_out"].append(measure(*held_out))

    model.fit(inputs, targets, batch_size=batch_size, epochs=epochs, verbose=0,
              callbacks=[_Record()])
    return record


def next_word_probabilities(model, prompt_ids: np.ndarray, *, from_logits: bool = True):
    """The model's distribution over the word after ``prompt_ids``.

    Args:
        model: a Keras model mapping ids ``(1, n)`` to scores ``(1, n, V)``.
        prompt_ids: int array of shape ``(n,)``, n >= 1.
        from_logits: whether the model outputs logits (True) or probabilities.

    Returns:
        float64 array of shape ``(V,)`` that sums to 1.
    """
    prompt_ids = np.asarray(prompt_ids, dtype=np.int32).reshape(-1)
    if prompt_ids.size == 0:
        raise ValueError("the prompt holds no word")
    scores = np.asarray(model(prompt_ids[None, :], training=False), dtype=np.float64)[0, -1]
    if not from_logits:
        return scores / scores.sum()
    weights = np.exp(scores - scores.max())
    return weights / weights.sum()


def top_next_words(
    model,
    vocabulary: Sequence[str],
    prompt: str,
    k: int = 5,
    *,
    exclude: Sequence[int] = (PAD_ID, UNK_ID),
    from_logits: bool = True,
) -> list[tuple[str, float]]:
    """The ``k`` most likely next words after ``prompt``, most likely first.

    The probabilities are those of the model's full distribution over the vocabulary,
    so they sum to less than 1. ``exclude`` leaves out ids that are no word: padding,
    and by default ``[UNK]`` (which stands for every word outside the vocabulary; ask
    :func:`next_word_probabilities` for its probability).

    Args:
        model: a Keras model mapping ids ``(1, n)`` to scores ``(1, n, V)``.
        vocabulary: index = id.
        prompt: the text so far (words outside the vocabulary become ``[UNK]``).
        k: how many words to return.
        exclude: ids never returned.
        from_logits: whether the model outputs logits (True) or probabilities.

    Returns:
        ``[(word, probability), ...]``: ``k`` pairs (fewer if the vocabulary is smaller),
        probabilities in decreasing order.
    """
    ids = encode_words([prompt], vocabulary)
    probabilities = next_word_probabilities(model, ids, from_logits=from_logits)
    allowed = np.ones(len(probabilities), dtype=bool)
    allowed[list(exclude)] = False
    candidates = np.flatnonzero(allowed)
    ranked = candidates[np.argsort(-probabilities[candidates], kind="stable")][:k]
    return [(vocabulary[i], float(probabilities[i])) for i in ranked]
