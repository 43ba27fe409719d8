"""Lessons 04 and 06: perplexity, and the count-based yardsticks a language model must beat.

A language model assigns a probability to each next token. Its *perplexity* on a text
of N tokens is ``exp(-(1/N) * sum(log p(token_t | context_t)))``: the exponential of the
mean cross-entropy in nats, the loss Keras reports for
``sparse_categorical_crossentropy``. It reads as an effective number of equally likely
choices: a model that spreads its bets evenly over V tokens has perplexity V, and a
model that always knew the next token would have perplexity 1.

Three yardsticks need no neural network:

- the **uniform** model: perplexity = the vocabulary size;
- the **unigram** model: every token's training frequency, whatever came before;
- the **bigram** model: the frequency of each token after the previous one, mixed with
  the unigram so that an unseen pair still gets some probability (linear interpolation,
  Jelinek & Mercer 1980).

Token ids are integers in ``[0, vocab_size)``. Every count is smoothed by adding
``alpha`` to it (Laplace's add-one rule when ``alpha = 1``), so that a token never seen
in training does not make the perplexity infinite.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "best_bigram_mix",
    "bigram_next_probabilities",
    "bigram_perplexity",
    "perplexity",
    "unigram_perplexity",
    "unigram_probabilities",
]


def perplexity(mean_cross_entropy: float) -> float:
    """The perplexity that a mean cross-entropy (in nats per token) corresponds to.

    Args:
        mean_cross_entropy: the mean of ``-log p(true token)`` over the tokens, natural log
            (Keras' ``sparse_categorical_crossentropy`` loss).

    Returns:
        ``exp(mean_cross_entropy)``, at least 1.
    """
    return float(np.exp(mean_cross_entropy))


def _ids(ids: Sequence[int] | np.ndarray, vocab_size: int) -> np.ndarray:
    ids = np.asarray(ids, dtype=np.int64).reshape(-1)
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"token ids must lie in [0, {vocab_size}); got {ids.min()}..{ids.max()}")
    return ids


def unigram_probabilities(
    train_ids: Sequence[int] | np.ndarray, vocab_size: int, *, alpha: float = 1.0
) -> np.ndarray:
    """Each token's smoothed frequency in the training text.

    Args:
        train_ids: int array of shape ``(N,)`` (or any shape: it is flattened).
        vocab_size: V, the number of token ids.
        alpha: added to every count (> 0).

    Returns:
        float64 array of shape ``(V,)`` that sums to 1.
    """
    counts = np.bincount(_ids(train_ids, vocab_size), minlength=vocab_size) + float(alpha)
    return counts / counts.sum()


def unigram_perplexity(
    train_ids: Sequence[int] | np.ndarray,
    eval_ids: Sequence[int] | np.ndarray,
    vocab_size: int,
    *,
    alpha: float = 1.0,
) -> float:
    """Perplexity on ``eval_ids`` of the unigram model counted on ``train_ids``.

    Args:
        train_ids: int array of shape ``(N,)``.
        eval_ids: int array of shape ``(M,)``.
        vocab_size: V.
        alpha: added to every count.

    Returns:
        The perplexity, between 1 and V (about V for a text whose tokens are equally common).
    """
    probabilities = unigram_probabilities(train_ids, vocab_size, alpha=alpha)
    eval_ids = _ids(eval_ids, vocab_size)
    return perplexity(-np.mean(np.log(probabilities[eval_ids])))


def _pair_counts(train_ids: np.ndarray, vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted codes ``previous * V + next`` of the training pairs, and their counts."""
    codes = train_ids[:-1] * vocab_size + train_ids[1:]
    return np.unique(codes, return_counts=True)


def _bigram_log_probabilities(
    train_ids: np.ndarray, previous: np.ndarray, following: np.ndarray, vocab_size: int,
    mix: float, alpha: float,
) -> np.ndarray:
    unigram = unigram_probabilities(train_ids, vocab_size, alpha=alpha)
    context_counts = np.bincount(train_ids[:-1], minlength=vocab_size).astype(np.float64)
    codes, counts = _pair_counts(train_ids, vocab_size)
    wanted = previous * vocab_size + following
    where = np.clip(np.searchsorted(codes, wanted), 0, max(len(codes) - 1, 0))
    if len(codes):
        pair = np.where(codes[where] == wanted, counts[where], 0)
    else:
        pair = np.zeros(len(wanted))
    seen = context_counts[previous] > 0
    conditional = np.divide(pair, context_counts[previous], out=np.zeros(len(wanted)), where=seen)
    weight = np.where(seen, mix, 0.0)
    return np.log(weight * conditional + (1.0 - weight) * unigram[following])


def bigram_perplexity(
    train_ids: Sequence[int] | np.ndarray,
    eval_ids: Sequence[int] | np.ndarray,
    vocab_size: int,
    *,
    mix: float = 0.8,
    alpha: float = 1.0,
) -> float:
    """Perplexity on ``eval_ids`` of the interpolated bigram model counted on ``train_ids``.

    ``P(w | v) = mix * c(v, w) / c(v) + (1 - mix) * P_unigram(w)``, and ``P_unigram(w)``
    alone when ``v`` never appeared as a context in training. The first token of
    ``eval_ids`` has no previous token and is not scored: ``M - 1`` tokens are.

    Args:
        train_ids: int array of shape ``(N,)``, N >= 2.
        eval_ids: int array of shape ``(M,)``, M >= 2.
        vocab_size: V.
        mix: the bigram's weight, in ``[0, 1)``.
        alpha: added to every unigram count.

    Returns:
        The perplexity, at least 1.
    """
    if not 0.0 <= mix < 1.0:
        raise ValueError(f"mix must lie in [0, 1), got {mix}")
    train_ids, eval_ids = _ids(train_ids, vocab_size), _ids(eval_ids, vocab_size)
    if len(train_ids) < 2 or len(eval_ids) < 2:
        raise ValueError("the training and evaluation texts need at least two tokens each")
    log_p = _bigram_log_probabilities(
        train_ids, eval_ids[:-1], eval_ids[1:], vocab_size, mix, alpha
    )
    return perplexity(-np.mean(log_p))


def bigram_next_probabilities(
    train_ids: Sequence[int] | np.ndarray,
    vocab_size: int,
    previous_id: int,
    *,
    mix: float = 0.8,
    alpha: float = 1.0,
) -> np.ndarray:
    """The interpolated bigram model's distribution over the token after ``previous_id``.

    Args:
        train_ids: int array of shape ``(N,)``, N >= 2.
        vocab_size: V.
        previous_id: the last token of the prompt.
        mix: the bigram's weight, as in :func:`bigram_perplexity`.
        alpha: added to every unigram count.

    Returns:
        float64 array of shape ``(V,)`` that sums to 1.
    """
    train_ids = _ids(train_ids, vocab_size)
    following = np.arange(vocab_size)
    previous = np.full(vocab_size, int(previous_id))
    return np.exp(_bigram_log_probabilities(train_ids, previous, following, vocab_size, mix, alpha))


def best_bigram_mix(
    train_ids: Sequence[int] | np.ndarray,
    tune_ids: Sequence[int] | np.ndarray,
    vocab_size: int,
    mixes: Sequence[float] = (0.5, 0.7, 0.8, 0.9, 0.95),
    *,
    alpha: float = 1.0,
) -> float:
    """The bigram weight with the lowest perplexity on tuning text.

    Tune on text that is neither the training nor the final evaluation text (e.g. the
    validation split), as for any other hyperparameter.

    Args:
        train_ids: int array of shape ``(N,)``.
        tune_ids: int array of shape ``(M,)``.
        vocab_size: V.
        mixes: the candidate weights.
        alpha: added to every unigram count.

    Returns:
        The best of ``mixes``.
    """
    scores = [bigram_perplexity(train_ids, tune_ids, vocab_size, mix=m, alpha=alpha) for m in mixes]
    return float(mixes[int(np.argmin(scores))])
