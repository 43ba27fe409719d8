"""rnn_lib.imdb: lesson 07's pipeline, checked on toy data against NumPy and Keras."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib import imdb
from rnn_lib.imdb import SentimentConfig
from rnn_lib.notebook import plots, seed_everything

TINY = SentimentConfig(
    max_tokens=50, maxlen=12, head=3, embedding_dim=4, units=3, batch_size=4,
    epochs=1, checks_per_epoch=2, patience=1, validation_size=4, seed=3,
)


def _toy_reviews(n: int = 40, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Reviews whose label is readable from their words, of varied lengths."""
    rng = np.random.default_rng(seed)
    good, bad = ["great", "superb", "fun"], ["awful", "boring", "dull"]
    filler = ["the", "film", "a"]
    texts, labels = [], []
    for i in range(n):
        label = i % 2
        words = list(rng.choice(filler, size=int(rng.integers(0, 15))))
        words += list(rng.choice(good if label else bad, size=int(rng.integers(1, 4))))
        rng.shuffle(words)
        texts.append(" ".join(words) + ("!<br />Great." if label else "."))
        labels.append(label)
    return texts, np.array(labels)


# ----------------------------------------------------------------------------- split


def test_split_is_a_seeded_partition_with_labels_attached():
    texts = [f"r{i}" for i in range(100)]
    labels = np.repeat([0, 1], 50)
    tr_t, tr_y, va_t, va_y = imdb.split_train_validation(texts, labels, 20, seed=4)
    assert len(tr_t) == len(tr_y) == 80 and len(va_t) == len(va_y) == 20
    assert sorted(tr_t + va_t) == sorted(texts)
    for t, y in zip(tr_t + va_t, np.concatenate([tr_y, va_y]), strict=True):
        assert y == (int(t[1:]) >= 50)
    order = np.random.default_rng(4).permutation(100)
    assert va_t == [f"r{i}" for i in order[:20]]
    assert 0.2 < va_y.mean() < 0.8, "sorted labels must be shuffled before splitting"
    again = imdb.split_train_validation(texts, labels, 20, seed=4)
    assert again[2] == va_t and imdb.split_train_validation(texts, labels, 20, 5)[2] != va_t


@pytest.mark.parametrize("size", [0, 10])
def test_split_rejects_impossible_sizes(size):
    with pytest.raises(ValueError):
        imdb.split_train_validation(["a"] * 10, np.zeros(10), size)


def test_subsample_and_majority_baseline():
    texts, labels = [str(i) for i in range(10)], np.arange(10) % 2
    sub_t, sub_y = imdb.subsample(texts, labels, 4, seed=1)
    assert len(sub_t) == 4 and all(int(t) % 2 == y for t, y in zip(sub_t, sub_y, strict=True))
    assert len(imdb.subsample(texts, labels, 99)[0]) == 10
    assert imdb.majority_baseline(np.array([1, 1, 0]), np.array([1, 0, 0, 0])) == (1, 0.25)
    assert imdb.majority_baseline(np.array([0, 0, 1]), np.array([0, 0, 1, 1])) == (0, 0.5)


# ----------------------------------------------------------------------- vectorising


def test_standardize_removes_tags_and_punctuation_keeps_apostrophes():
    out = imdb.standardize_review(["Don't STOP!<br /><br />It's 'great', 10/10."])
    assert out.numpy()[0].decode().split() == ["don't", "stop", "it's", "great", "10", "10"]


def test_vectorizer_ids_and_lengths():
    texts = ["b a a c", "a b d", "e a<br />"]  # a:4, b:2, then c, d, e
    vec = imdb.make_vectorizer(texts, max_tokens=5)
    vocab = vec.get_vocabulary()
    assert vocab[:4] == ["", "[UNK]", "a", "b"] and len(vocab) == 5
    ids = imdb.token_ids(vec, texts + [""], batch_size=2)
    assert [len(i) for i in ids] == [4, 3, 2, 0] and all(i.dtype == np.int32 for i in ids)
    assert ids[0][:3].tolist() == [3, 2, 2] and 1 in ids[1].tolist()  # d is out of vocabulary
    assert imdb.review_lengths(texts + [""]).tolist() == [4, 3, 2, 0]
    assert imdb.word_frequencies(texts).tolist() == [4, 2, 1, 1, 1]


@pytest.mark.parametrize("head", [0, 2, 5])
def test_truncate_and_pad_keeps_head_and_tail(head):
    import keras

    rng = np.random.default_rng(head)
    seqs = [list(rng.integers(1, 50, size=int(rng.integers(0, 12)))) for _ in range(20)]
    out = imdb.truncate_and_pad(seqs, maxlen=5, head=head)
    assert out.shape == (20, 5) and out.dtype == np.int32
    for row, s in zip(out, seqs, strict=True):
        keep = s if len(s) <= 5 else s[:head] + s[len(s) - (5 - head):]
        assert row.tolist() == keep + [0] * (5 - len(keep))
    if head in (0, 5):
        truncating = "pre" if head == 0 else "post"
        reference = keras.utils.pad_sequences(seqs, 5, padding="post", truncating=truncating)
        np.testing.assert_array_equal(out, reference)
    assert imdb.lengths_of(out).tolist() == [min(len(s), 5) for s in seqs]
    with pytest.raises(ValueError):
        imdb.truncate_and_pad(seqs, maxlen=5, head=6)


def test_vectorize_reviews_gives_empty_reviews_one_unknown_token():
    vec = imdb.make_vectorizer(["a a a b b c"], max_tokens=10)  # a=2, b=3, c=4
    ids = imdb.vectorize_reviews(vec, ["c a b c a b", "!!!", "zzz"], maxlen=4, head=1)
    assert ids.tolist() == [[4, 4, 2, 3], [1, 0, 0, 0], [1, 0, 0, 0]]



def test_tail_ids_keep_the_last_ids_of_each_review_and_pad_behind():
    vec = imdb.make_vectorizer(["a a a b b c"], max_tokens=10)  # a=2, b=3, c=4
    ids = imdb.tail_ids(vec, ["c a b c a b", "b", "zzz a"], 3)
    assert ids.dtype == np.int32 and ids.tolist() == [[4, 2, 3], [3, 0, 0], [1, 2, 0]]


# --------------------------------------------------------------------------- batches


def test_bucketed_batches_cover_every_row_once_with_similar_lengths():
    lengths = np.random.default_rng(0).integers(1, 100, size=103)
    fixed = imdb.bucketed_batch_indices(lengths, 10)
    assert [len(b) for b in fixed] == [10] * 10 + [3]
    assert np.all(np.diff(lengths[np.concatenate(fixed)]) >= 0)
    shuffled = imdb.bucketed_batch_indices(lengths, 10, np.random.default_rng(1), pool=3)
    assert sorted(np.concatenate(shuffled).tolist()) == list(range(103))
    assert len(shuffled) == imdb.steps_per_epoch(103, 10, pool=3)
    for rows in shuffled:  # each batch comes from one sorted pool: its spread is small
        assert np.ptp(lengths[rows]) <= np.ptp(lengths)
    again = imdb.bucketed_batch_indices(lengths, 10, np.random.default_rng(1), pool=3)
    assert all(np.array_equal(a, b) for a, b in zip(shuffled, again, strict=True))


@pytest.mark.parametrize("n", [1, 127, 128, 50 * 128, 50 * 128 + 1, 22_500])
def test_steps_per_epoch_counts_the_batches_of_a_shuffled_epoch_with_the_default_pool(n):
    # fit_model's steps_per_epoch and make_dataset's batches must agree, or Keras
    # would cut an epoch short or wait for batches that never come
    lengths = np.random.default_rng(n).integers(1, 600, size=n)
    batches = imdb.bucketed_batch_indices(lengths, 128, np.random.default_rng(0))
    assert imdb.steps_per_epoch(n, 128) == len(batches)


def test_make_dataset_cuts_batches_to_their_longest_row():
    ids = imdb.truncate_and_pad([[5] * n for n in (1, 7, 3, 7, 2, 9)], maxlen=10)
    labels = np.arange(6) % 2
    batches = list(imdb.make_dataset(ids, labels, batch_size=2))
    assert [tuple(x.shape) for x, _ in batches] == [(2, 2), (2, 7), (2, 9)]
    order = imdb.dataset_order(ids, batch_size=2)
    np.testing.assert_array_equal(np.concatenate([y.numpy() for _, y in batches]), labels[order])
    train = imdb.make_dataset(ids, labels, batch_size=2, shuffle=True, seed=1)
    assert int(train.cardinality()) == 3
    first, second = ([x.numpy().tolist() for x, _ in train] for _ in range(2))
    assert sorted(map(str, first)) != sorted(map(str, second)) or first != second
    endless = imdb.make_dataset(ids, labels, batch_size=2, shuffle=True, repeat=True)
    assert len(list(endless.take(7))) == 7
    inputs_only = next(iter(imdb.make_dataset(ids, batch_size=4)))
    assert tuple(inputs_only.shape) == (4, 7)


# ----------------------------------------------------------------------------- model


def test_masked_max_pooling_ignores_padded_steps():
    from rnn_lib.imdb import MaskedGlobalMaxPooling1D

    x = np.array([[[1.0, -5.0], [3.0, -2.0], [9.0, 9.0]], [[-1.0, -1.0], [-3.0, 0.5], [0, 0]]])
    mask = np.array([[True, True, False], [True, True, True]])
    empty = np.zeros((1, 3), dtype=bool)
    layer = MaskedGlobalMaxPooling1D()
    np.testing.assert_allclose(layer(x, mask=mask), [[3.0, -2.0], [0.0, 0.5]])
    np.testing.assert_allclose(layer(x), x.max(axis=1))
    np.testing.assert_allclose(layer(x[:1], mask=empty), [[0.0, 0.0]])
    assert layer.compute_output_shape((None, 3, 2)) == (None, 2)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_build_model_counts_and_ignores_padding(cell):
    config = TINY.replace(cell=cell)
    model = imdb.build_model(20, config)
    assert model.count_params() == imdb.count_parameters(20, 4, 3, cell)
    x = imdb.truncate_and_pad([[3, 4, 5], [7] * 9, [2]], maxlen=9)
    p = np.asarray(model(x))
    assert p.shape == (3, 1) and np.all((p > 0) & (p < 1))
    np.testing.assert_allclose(model(np.pad(x, ((0, 0), (0, 6)))), p, atol=1e-6)
    np.testing.assert_allclose(model(x[:1, :3]), p[:1], atol=1e-6)


def test_model_builders_reseed_no_global_generator():
    """build_model and build_linear_model draw from the global generators, never reset them.

    A builder that reseeds would hand every later draw the same numbers (and build
    the same weights twice); the caller seeds when it wants repeatable weights.
    """
    import keras  # noqa: F401 (seed_everything seeds Keras only once it is imported)

    for build in (lambda: imdb.build_model(20, TINY), lambda: imdb.build_linear_model(7)):
        seed_everything(99)
        expected = np.random.rand(3)
        seed_everything(99)
        first, second = build(), build()
        # Keras draws its default seeds from Python's generator, not from NumPy's
        np.testing.assert_array_equal(np.random.rand(3), expected, "a builder reseeded NumPy")
        pairs = zip(first.get_weights(), second.get_weights(), strict=True)
        assert not all(np.array_equal(a, b) for a, b in pairs), (
            "two builds in a row gave the same weights: the builder reseeds Keras"
        )
        seed_everything(99)
        again = build()
        for a, b in zip(first.get_weights(), again.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)  # the caller's seed decides the weights


def test_count_parameters_literal_numbers():
    # 1000*16 + 2*3*(16*8 + 8*8 + 2*8) + 4*8 + 1 and the LSTM's 4*(16*8 + 8*8 + 8)
    assert imdb.count_parameters(1000, 16, 8) == 17_281
    assert imdb.count_parameters(1000, 16, 8, "lstm") == 16_000 + 1_600 + 33


def test_predictions_come_back_in_row_order_whatever_the_batches():
    model = imdb.build_model(20, TINY)
    x = imdb.truncate_and_pad([[1 + i % 19] * (1 + (7 * i) % 10) for i in range(11)], 10)
    direct = np.asarray(model(x)).ravel()
    for batch_size in (1, 3, 256):
        np.testing.assert_allclose(imdb.predict_probabilities(model, x, batch_size), direct,
                                   atol=1e-6)
    assert imdb.predict_probabilities(model, x[:0]).shape == (0,)


def test_callbacks_stop_on_validation_accuracy_and_decay_per_epoch():
    import keras

    stop, schedule = imdb.training_callbacks(TINY.replace(learning_rate=0.1, decay=0.5))
    assert isinstance(stop, keras.callbacks.EarlyStopping)
    assert stop.monitor == "val_accuracy" and stop.restore_best_weights and stop.patience == 1
    assert [schedule.schedule(k, None) for k in (0, 1, 2)] == pytest.approx([0.1, 0.1 * 0.5**0.5,
                                                                              0.05])


def test_fit_model_learns_a_toy_task_and_restores_its_best_check():
    texts, labels = _toy_reviews(48)
    vec = imdb.make_vectorizer(texts[:40], TINY.max_tokens)
    ids = imdb.vectorize_reviews(vec, texts, TINY.maxlen, TINY.head)
    config = TINY.replace(epochs=4, learning_rate=0.02, patience=8, embedding_dropout=0.0,
                          dropout=0.0)
    seed_everything(config.seed)
    model = imdb.build_model(vec.vocabulary_size(), config)
    history = imdb.fit_model(model, ids[:40], labels[:40], ids[40:], labels[40:], config,
                                  verbose=0)
    val = history.history["val_accuracy"]
    assert len(val) == 8 and imdb.epochs_run(history) == 8
    assert max(val) == 1.0
    probs = imdb.predict_probabilities(model, ids[40:])
    assert imdb.accuracy(probs, labels[40:]) == pytest.approx(max(val))
    assert imdb.steps_per_check(40, config) == 5


def test_ensemble_members_differ_by_seed_and_their_average_is_the_mean():
    texts, labels = _toy_reviews(48, seed=2)
    vec = imdb.make_vectorizer(texts[:40], TINY.max_tokens)
    ids = imdb.vectorize_reviews(vec, texts, TINY.maxlen, TINY.head)
    trained = imdb.train_ensemble(vec.vocabulary_size(), ids[:40], labels[:40], ids[40:],
                                       labels[40:], TINY, members=2, verbose=0)
    assert len(trained) == 2
    (first, _), (second, _) = trained
    member_probs = [imdb.predict_probabilities(m, ids[40:]) for m in (first, second)]
    assert not np.allclose(member_probs[0], member_probs[1]), "members should not be copies"
    np.testing.assert_allclose(imdb.average_probabilities([first, second], ids[40:]),
                               np.mean(member_probs, axis=0), rtol=1e-6)
    # Member 0 is exactly the single model fit_model trains with the same config.
    seed_everything(TINY.seed)
    single = imdb.build_model(vec.vocabulary_size(), TINY)
    imdb.fit_model(single, ids[:40], labels[:40], ids[40:], labels[40:], TINY, verbose=0)
    np.testing.assert_allclose(imdb.predict_probabilities(single, ids[40:]),
                               member_probs[0], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="at least 1"):
        imdb.train_ensemble(10, ids, labels, ids, labels, TINY, members=0)


def test_bag_of_words_baseline_learns_the_toy_words():
    texts, labels = _toy_reviews(60, seed=1)
    model, vec, history = imdb.fit_bag_of_words(
        texts[:48], labels[:48], texts[48:], labels[48:], max_tokens=20, epochs=30,
        learning_rate=0.05, batch_size=8, seed=0,
    )
    assert model.count_params() == vec.vocabulary_size() + 1
    assert max(history.history["val_accuracy"]) >= 0.9
    features = next(iter(imdb.text_dataset(vec, texts[:5])))
    assert tuple(features.shape) == (5, vec.vocabulary_size())


def _order_only_reviews(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    """Both classes use the same words; only the pairs differ ("not bad" vs "not good")."""
    rng = np.random.default_rng(seed)
    filler = ["the", "film", "was", "a", "plot"]
    texts, labels = [], []
    for i in range(n):
        label = i % 2
        phrase = "good not bad" if label else "bad not good"
        words = list(rng.choice(filler, size=int(rng.integers(0, 4))))
        texts.append(" ".join([*words, phrase, *words[::-1]]))
        labels.append(label)
    return texts, np.array(labels)


def test_bag_of_word_pairs_sees_the_order_a_bag_of_words_cannot():
    texts, labels = _order_only_reviews(80, seed=4)
    options = dict(epochs=30, learning_rate=0.05, batch_size=8, seed=0)
    words, _, words_history = imdb.fit_bag_of_words(
        texts[:60], labels[:60], texts[60:], labels[60:], max_tokens=20, **options)
    pairs, pairs_vec, pairs_history = imdb.fit_bag_of_words(
        texts[:60], labels[:60], texts[60:], labels[60:], max_tokens=200, ngrams=2, **options)
    # the same multiset of words in both classes: no weighting of words separates them
    assert max(words_history.history["val_accuracy"]) <= 0.7
    assert max(pairs_history.history["val_accuracy"]) == 1.0
    vocabulary = pairs_vec.get_vocabulary()
    assert "not bad" in vocabulary and "not good" in vocabulary and "good" in vocabulary
    assert pairs.count_params() == len(vocabulary) + 1
    with pytest.raises(ValueError, match="ngrams"):
        imdb.make_vectorizer(texts, 20, output_mode="int", ngrams=2)


# ------------------------------------------------------------------------ evaluation


def test_confusion_matrix_counts_pairs():
    labels = np.array([0, 0, 1, 1, 1, 0])
    predicted = np.array([0, 1, 1, 0, 1, 0])
    matrix = imdb.confusion_matrix(labels, predicted)
    assert matrix.tolist() == [[2, 1], [1, 2]] and matrix.sum() == 6


def test_most_confident_errors_and_accuracy():
    probs = np.array([0.9, 0.2, 0.55, 0.01, 0.7, 0.4])
    labels = np.array([0, 0, 0, 1, 1, 1])
    # wrong: 0 (0.9 vs 0), 2 (0.55 vs 0), 3 (0.01 vs 1), 5 (0.4 vs 1)
    assert imdb.most_confident_errors(probs, labels, k=3).tolist() == [3, 0, 5]
    assert imdb.most_confident_errors(probs, labels, k=10).tolist() == [3, 0, 5, 2]
    assert imdb.most_confident_errors(probs[:2], np.array([1, 0])).tolist() == []
    assert imdb.accuracy(probs, labels) == pytest.approx(2 / 6)


def test_plots_draw_without_error():
    import matplotlib

    matplotlib.use("Agg")
    logs = {"loss": [0.6, 0.4], "val_loss": [0.5, 0.45], "accuracy": [0.7, 0.8],
            "val_accuracy": [0.75, 0.74]}
    axes = plots.plot_history(logs, checks_per_epoch=2)
    assert len(axes) == 2 and axes[0].get_lines()[0].get_xdata().tolist() == [0.5, 1.0]
    ax = plots.plot_confusion_matrix(np.array([[5, 1], [2, 4]]))
    assert [t.get_text() for t in ax.texts] == ["5", "1", "2", "4"]
    ax = plots.plot_validation_curves({"a": logs, "b": {"val_accuracy": [0.6, 0.8, 0.7]}},
                                          {"bag": 0.72}, checks_per_epoch=2)
    lines = ax.get_lines()
    assert [line.get_xdata().tolist() for line in lines[:2]] == [[0.5, 1.0], [0.5, 1.0, 1.5]]
    assert list(lines[2].get_ydata()) == [0.72, 0.72]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "a (best 0.750)", "b (best 0.800)", "bag (0.720)"]


def test_config_round_trips_through_a_dict():
    config = imdb.BEST_CONFIG
    assert SentimentConfig(**config.to_dict()) == config
    assert config.replace(units=7).units == 7 and config.units != 7
    assert 0 <= config.head <= config.maxlen


def test_importing_sentiment_does_not_import_tensorflow():
    import subprocess
    import sys

    code = "import sys, rnn_lib.imdb; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_recurrent_parameters_match_keras_bidirectional_layers():
    import keras

    for cell, layer in (("gru", keras.layers.GRU), ("lstm", keras.layers.LSTM)):
        bidirectional = keras.layers.Bidirectional(layer(5))
        bidirectional.build((None, None, 8))
        assert imdb.recurrent_parameters(8, 5, cell) == bidirectional.count_params()
        assert imdb.count_parameters(100, 8, 5, cell) == (
            100 * 8 + bidirectional.count_params() + 4 * 5 + 1
        )
    with pytest.raises(ValueError, match="cell"):
        imdb.recurrent_parameters(8, 5, "rnn")
    with pytest.raises(ValueError, match="cell"):
        imdb.count_parameters(100, 8, 5, "rnn")
