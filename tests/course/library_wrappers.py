"""Answers that wrap the course library's reference functions, one set per lesson.

A learner who wants an exercise's points without the work can hand in a function that
calls the library's version of it (``rnn_lib`` holds reference implementations that
later lessons and the benchmarks use). Each wrapper below adapts the library's function
to the exercise's signature, so that with the whole library in view it is a correct
answer: ``tests/course_tools/test_reference_answers.py`` checks that against every
graded case of the exercise, in this process. While the lesson is graded, the sandbox
strips those functions (:mod:`course_tools.reference_answers`), and the adversarial
matrix (``benchmarks/adversarial_matrix.py``) grades these wrappers as a student who
must score 0.

Keys: lesson, then the ``grade_id`` of the answer cell the wrapper replaces. Exercises
with no counterpart in the library (lesson 01's ``last_real_state``, the parameter
counts, lesson 06's ``build_tagger`` and causality probes) are left blank.
"""

from __future__ import annotations

WRAPPERS: dict[str, dict[str, str]] = {
    "01_sequence_data": {
        "make_windows": """
from rnn_lib.sequences.windows import make_windows as _library


def make_windows(series, window, horizon=1):
    return _library(series, window, horizon)
""",
        "vocabulary": """
from rnn_lib.sequences import text as _text


def build_vocabulary(texts, max_size):
    return _text.build_vocabulary(texts, max_size)


def encode(text, vocabulary):
    return _text.encode(text, vocabulary)
""",
        "pad_and_mask": """
from rnn_lib.sequences.windows import pad_and_mask as _library


def pad_and_mask(sequences, maxlen, padding="pre", truncating="pre", value=0):
    return _library(sequences, maxlen, padding, truncating, value)
""",
    },
    "02_simple_rnn": {
        "rnn_step": """
from rnn_lib.layers.simple_rnn import simple_rnn_step_forward as _library


def rnn_step(x_t, h_prev, params):
    return _library(x_t, h_prev, params)[0]
""",
        "rnn_forward": """
from rnn_lib.layers import simple_rnn as _simple_rnn


def rnn_forward(x, h0, params):
    return _simple_rnn.simple_rnn_forward(x, h0, params)[0]
""",
        "recursive_forecast": """
from rnn_lib.tasks import forecasting as _forecasting


def recursive_forecast(predict_one, windows, horizon):
    return _forecasting.recursive_forecast(predict_one, windows, horizon)
""",
    },
    "03_bptt": {
        "rnn_step_backward": """
from rnn_lib.layers.simple_rnn import simple_rnn_step_backward as _library


def rnn_step_backward(dh_next, cache):
    return _library(dh_next, cache)
""",
        "rnn_backward": """
import rnn_lib.layers.simple_rnn


def rnn_backward(dh_all, cache):
    return rnn_lib.layers.simple_rnn.simple_rnn_backward(dh_all, cache)
""",
        "clip_by_global_norm": """
from rnn_lib.layers.clipping import clip_by_global_norm as _library


def clip_by_global_norm(grads, max_norm):
    clipped, norm = _library(list(grads), max_norm)
    return list(clipped), norm
""",
    },
    "04_lstm": {
        "lstm_step": """
from rnn_lib.layers.keras_weights import lstm_params_from_keras as _params
from rnn_lib.layers.lstm import lstm_step_forward as _library


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    h, c, cache = _library(x_t, h_prev, c_prev, _params([kernel, recurrent_kernel, bias]))
    return h, c, {gate: cache[gate] for gate in "ifgo"}
""",
        "build_memory_model": """
from rnn_lib.tasks.experiments import build_sequence_classifier as _library


def build_memory_model(layer_class, units, timesteps):
    return _library(layer_class, units, timesteps)
""",
        "sampling_distribution": """
from rnn_lib.tasks.char_lm import sampling_distribution as _library


def sampling_distribution(logits, temperature=1.0, top_k=None):
    return _library(logits, temperature, top_k)
""",
    },
    "05_gru": {
        "gru_step": """
from rnn_lib.layers.gru import gru_step_forward as _library
from rnn_lib.layers.keras_weights import gru_params_from_keras as _params


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    h, cache = _library(x_t, h_prev, _params([kernel, recurrent_kernel, bias]))
    return h, {gate: cache[gate] for gate in "zrn"}
""",
        "gru_forward_masked": """
from rnn_lib.layers.gru import gru_forward as _library
from rnn_lib.layers.keras_weights import gru_params_from_keras as _params


def gru_forward_masked(x, mask, kernel, recurrent_kernel, bias):
    params = _params([kernel, recurrent_kernel, bias])
    return _library(np.asarray(x), None, params, mask=np.asarray(mask, dtype=bool))[0]
""",
    },
    "06_bidirectional": {
        "teacher_forcing": """
from rnn_lib.tasks.seq2seq import teacher_forcing_inputs as _library


def teacher_forcing_inputs(targets, start_id):
    return _library(np.asarray(targets), start_id)
""",
        "greedy_decoding": """
from rnn_lib.tasks import seq2seq as _seq2seq


def held_out_accuracy(encoder, decoder, sources, targets, start_id):
    sources, targets = np.asarray(sources), np.asarray(targets)
    predictions = _seq2seq.greedy_decode(encoder, decoder, sources, num_steps=targets.shape[1],
                                         start_id=start_id)
    return predictions, _seq2seq.sequence_accuracy(predictions, targets)
""",
    },
    "07_imdb_sentiment": {
        "make_splits": """
from rnn_lib import imdb as _imdb


def make_splits(train, test, validation_size, seed=0):
    texts, labels, val_texts, val_labels = _imdb.split_train_validation(
        list(train[0]), np.asarray(train[1]), validation_size, seed)
    return {"train": (texts, labels), "validation": (val_texts, val_labels),
            "test": (list(test[0]), np.asarray(test[1]))}
""",
        "vectorize": """
from rnn_lib.imdb.vectorize import token_ids as _token_ids, truncate_and_pad as _truncate_and_pad


def vectorize(vectorizer, texts, maxlen, head):
    ids = _truncate_and_pad(_token_ids(vectorizer, texts), maxlen, head)
    return ids, ids != 0
""",
        "build_sentiment_model": """
from rnn_lib.imdb.model import build_word_model as _library


def build_sentiment_model(vocab_size, embedding_dim, units):
    return _library(vocab_size, embedding_dim, units)
""",
        "train_sentiment_model": """
import dataclasses

from rnn_lib import imdb as _imdb


def make_callbacks(patience):
    config = dataclasses.replace(_imdb.BEST_CONFIG, patience=patience)
    return [c for c in _imdb.training_callbacks(config)
            if isinstance(c, keras.callbacks.EarlyStopping)]


def train_sentiment_model(model, train_ids, train_labels, val_ids, val_labels, epochs,
                          batch_size=64, learning_rate=2e-3, patience=1, verbose="auto"):
    _imdb.compile_model(model, learning_rate)
    return model.fit(train_ids, train_labels, validation_data=(val_ids, val_labels),
                     epochs=epochs, batch_size=batch_size, callbacks=make_callbacks(patience),
                     verbose=verbose)
""",
    },
    "08_attention": {
        "masked_softmax": """
from rnn_lib.layers import attention as _attention


def masked_softmax(scores, mask):
    return _attention.masked_softmax(scores, mask)
""",
        "dot_product_scores": """
from rnn_lib.layers import attention as _attention


def dot_product_scores(query, keys, scaled=True):
    scale = 1 / np.sqrt(np.shape(query)[-1]) if scaled else 1.0
    return _attention.dot_product_scores(np.asarray(query, dtype=float), keys, scale)
""",
        "additive_scores": """
from rnn_lib.layers import attention as _attention


def additive_scores(query, keys, W_q, W_k, v):
    return _attention.additive_scores(np.asarray(query) @ W_q, np.asarray(keys) @ W_k, v)
""",
        "attend": """
from rnn_lib.layers import attention as _attention


def attend(query, keys, values, mask):
    context, cache = _attention.attention_forward(
        np.asarray(query, dtype=float), keys, values, mask, scale=1 / np.sqrt(np.shape(query)[-1]))
    return context, cache["weights"]
""",
        "beam_search": """
from rnn_lib.tasks import seq2seq as _seq2seq


def beam_search(encoder, decoder, source, num_steps, beam_width, start_id, end_id):
    best, scores = _seq2seq.beam_search_decode(
        encoder, decoder, np.asarray(source)[None, :], num_steps=num_steps,
        beam_width=beam_width, start_id=start_id, end_id=end_id)
    tokens = [int(t) for t in best[0]]
    if end_id in tokens:
        tokens = tokens[: tokens.index(end_id) + 1]
    return tokens, float(scores[0])
""",
    },
    "09_parallel_recurrence": {
        "min_gru_step": """
from rnn_lib.layers import min_gru as _library


def min_gru_step(x_t, h_prev, params):
    return _library.min_gru_step(x_t, h_prev, params)
""",
        "recurrence_loop": """
from rnn_lib.layers import scan as _scan


def recurrence_loop(a, b, h0):
    return _scan.linear_recurrence(a, b, h0)
""",
        "combine": """
from rnn_lib.layers import scan as _scan


def combine(first, second):
    return _scan.combine(first, second)
""",
        "parallel_scan": """
from rnn_lib.layers import scan as _scan


def parallel_scan(a, b, h0):
    return _scan.scan_recurrence(a, b, h0)
""",
        "log_space_scan": """
from rnn_lib.layers import scan as _scan


def log_space_scan(log_a, log_b, log_h0):
    return _scan.log_space_recurrence(log_a, log_b, log_h0)
""",
    },
}
