"""Lesson 07: the hyperparameters of the recurrent model and of its two linear baselines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


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
            (bigrams) :func:`rnn_lib.sequences.word_pairs.frequent_word_pairs` keeps. Each
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

# The two linear baselines, as options of :func:`rnn_lib.imdb.baselines.fit_bag_of_words`:
# the 30,000 most frequent words; and the 200,000 most frequent words and word pairs together.
BAG_OF_WORDS = {"max_tokens": 30_000}
BAG_OF_WORD_PAIRS = {"max_tokens": 200_000, "ngrams": 2}
