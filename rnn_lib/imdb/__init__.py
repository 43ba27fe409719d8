"""Lesson 07's pipeline, from raw IMDB reviews to a recurrent sentiment classifier.

Everything the lesson's notebook and ``benchmarks/imdb_benchmark.py`` share lives
here, so the model the benchmark measures is the model the lesson teaches. One small
module per step; this package re-exports their names, so a notebook can write
``from rnn_lib import imdb`` and then ``imdb.build_model(...)``:

- :mod:`~rnn_lib.imdb.config`: the hyperparameters (``SentimentConfig``, ``BEST_CONFIG``)
  and the baselines' options;
- :mod:`~rnn_lib.imdb.split`: a seeded validation set carved from the training reviews
  (the test set is only evaluated, once, at the end), and seeded subsets;
- :mod:`~rnn_lib.imdb.vectorize`: ``TextVectorization`` adapted on the training split,
  head+tail truncation, post-padding with id 0;
- :mod:`~rnn_lib.imdb.batching`: length-bucketed batches, each cut to its longest review;
- :mod:`~rnn_lib.imdb.model`: word and word-pair vectors, a bidirectional GRU (or LSTM),
  masked mean+max pooling, a sigmoid unit;
- :mod:`~rnn_lib.imdb.training`: early stopping on validation accuracy, best weights
  restored, a decaying learning rate; seed ensembles;
- :mod:`~rnn_lib.imdb.baselines`: the majority class and the bag-of-words logistic
  regressions;
- :mod:`~rnn_lib.imdb.evaluation`: predictions, accuracy, confusion matrix, the most
  confident mistakes;
- :mod:`~rnn_lib.imdb.word_vectors`: an LSTM sized to the GRU's recurrent parameters
  (counted by :func:`~rnn_lib.imdb.model.recurrent_parameters`), and
  the trained word vectors' cosine neighbours and principal components.

Its plots are beside the course's other plots, in :mod:`rnn_lib.notebook.plots`.
TensorFlow and Keras are imported inside the functions that need them.
"""

from rnn_lib.imdb.baselines import (
    build_linear_model,
    fit_bag_of_words,
    majority_baseline,
    text_dataset,
)
from rnn_lib.imdb.batching import (
    BUCKET_POOL,
    bucketed_batch_indices,
    dataset_order,
    make_dataset,
    steps_per_epoch,
)
from rnn_lib.imdb.config import BAG_OF_WORD_PAIRS, BAG_OF_WORDS, BEST_CONFIG, SentimentConfig
from rnn_lib.imdb.evaluation import (
    accuracy,
    average_probabilities,
    confusion_matrix,
    most_confident_errors,
    predict_probabilities,
)
from rnn_lib.imdb.model import (
    build_model,
    build_word_model,
    compile_model,
    count_parameters,
    recurrent_parameters,
)
from rnn_lib.imdb.split import split_train_validation, subsample
from rnn_lib.imdb.training import (
    epochs_run,
    fit_model,
    steps_per_check,
    train_ensemble,
    training_callbacks,
)
from rnn_lib.imdb.vectorize import (
    lengths_of,
    make_vectorizer,
    review_lengths,
    standardize_review,
    tail_ids,
    token_ids,
    truncate_and_pad,
    vectorize_reviews,
    word_frequencies,
)
from rnn_lib.imdb.word_vectors import (
    cosine_similarities,
    matching_units,
    nearest_neighbours,
    principal_components,
)

__all__ = [
    "BAG_OF_WORDS",
    "BAG_OF_WORD_PAIRS",
    "BEST_CONFIG",
    "BUCKET_POOL",
    "SentimentConfig",
    "accuracy",
    "average_probabilities",
    "bucketed_batch_indices",
    "build_linear_model",
    "build_model",
    "build_word_model",
    "compile_model",
    "confusion_matrix",
    "cosine_similarities",
    "count_parameters",
    "dataset_order",
    "epochs_run",
    "fit_bag_of_words",
    "fit_model",
    "lengths_of",
    "majority_baseline",
    "make_dataset",
    "make_vectorizer",
    "matching_units",
    "most_confident_errors",
    "nearest_neighbours",
    "predict_probabilities",
    "principal_components",
    "recurrent_parameters",
    "review_lengths",
    "split_train_validation",
    "standardize_review",
    "steps_per_check",
    "steps_per_epoch",
    "subsample",
    "tail_ids",
    "text_dataset",
    "token_ids",
    "train_ensemble",
    "training_callbacks",
    "truncate_and_pad",
    "vectorize_reviews",
    "word_frequencies",
]


def __getattr__(name: str):
    # ``from rnn_lib.imdb import MaskedGlobalMaxPooling1D`` imports Keras then, not before.
    from rnn_lib.imdb import model

    return getattr(model, name)
