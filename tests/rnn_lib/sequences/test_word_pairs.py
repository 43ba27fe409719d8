"""rnn_lib.sequences.word_pairs: pair keys, the pair vocabulary, the Keras layer against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib import imdb
from rnn_lib.imdb import SentimentConfig
from rnn_lib.notebook import seed_everything
from rnn_lib.sequences import word_pairs

V = 10
IDS = np.array([
    [3, 4, 5, 0, 0],
    [3, 4, 3, 4, 0],
    [7, 0, 0, 0, 0],
    [5, 3, 4, 9, 2],
])


def test_keys_encode_previous_and_current_and_skip_padding():
    keys = word_pairs.word_pair_keys(IDS, V)
    assert keys.dtype == np.int64 and keys.shape == IDS.shape
    assert keys[0].tolist() == [-1, 34, 45, -1, -1]
    assert keys[2].tolist() == [-1] * 5
    assert keys[3].tolist() == [-1, 53, 34, 49, 92]
    assert word_pairs.word_pair_keys(IDS[:, :1], V).tolist() == [[-1]] * 4


def test_frequent_pairs_count_rows_not_occurrences():
    # (3, 4) occurs in three rows (twice in row 1); (4, 3) once, in one row.
    assert word_pairs.frequent_word_pairs(IDS, V, 1).tolist() == [34]
    # ties (one row each) go to the smaller key; the result is sorted
    assert word_pairs.frequent_word_pairs(IDS, V, 3).tolist() == [34, 43, 45]
    everything = word_pairs.frequent_word_pairs(IDS, V, 100)
    assert everything.tolist() == [34, 43, 45, 49, 53, 92]


def test_pair_ids_index_the_vocabulary_from_two_and_keep_padding_zero():
    vocabulary = np.array([34, 49, 92])
    ids = word_pairs.word_pair_ids(IDS, vocabulary, V)
    assert ids.dtype == np.int32
    assert ids.tolist() == [
        [1, 2, 1, 0, 0],
        [1, 2, 1, 2, 0],
        [1, 0, 0, 0, 0],
        [1, 1, 2, 3, 4],
    ]
    # the padding of the pair ids is exactly the padding of the words
    assert np.array_equal(ids == 0, IDS == 0)
    empty = word_pairs.word_pair_ids(IDS, np.array([], dtype=np.int64), V)
    assert np.array_equal(empty, (IDS != 0).astype(np.int32))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_layer_matches_numpy_on_random_padded_rows(seed):
    rng = np.random.default_rng(seed)
    vocab_size = int(rng.integers(3, 40))
    rows = [rng.integers(1, vocab_size, size=int(rng.integers(0, 12))) for _ in range(9)]
    ids = imdb.truncate_and_pad(rows, maxlen=12)
    vocabulary = word_pairs.frequent_word_pairs(ids, vocab_size, int(rng.integers(1, 30)))
    layer = word_pairs.WordPairIds(vocabulary, vocab_size)
    expected = word_pairs.word_pair_ids(ids, vocabulary, vocab_size)
    assert np.asarray(layer(ids)).tolist() == expected.tolist()
    assert np.array_equal(expected == 0, ids == 0)
    if len(vocabulary):
        assert expected.max() <= len(vocabulary) + 1 and (expected >= 2).any()


def test_layer_round_trips_through_its_config():
    layer = word_pairs.WordPairIds(np.array([34, 49]), V, name="pairs")
    clone = word_pairs.WordPairIds.from_config(layer.get_config())
    assert clone.pair_vocabulary == [34, 49] and clone.vocab_size == V
    assert np.asarray(clone(IDS)).tolist() == np.asarray(layer(IDS)).tolist()


def test_model_with_pairs_counts_and_ignores_padding(tmp_path):
    import keras

    config = SentimentConfig(embedding_dim=4, units=3, seed=3, word_pairs=5)
    ids = imdb.truncate_and_pad([[3, 4, 5], [7] * 9, [2, 3, 4, 5]], maxlen=9)
    vocabulary = word_pairs.frequent_word_pairs(ids, 20, config.word_pairs)
    seed_everything(config.seed)
    model = imdb.build_model(20, config, vocabulary)
    assert model.count_params() == imdb.count_parameters(20, 4, 3, "gru", len(vocabulary))
    p = np.asarray(model(ids))
    np.testing.assert_allclose(model(np.pad(ids, ((0, 0), (0, 6)))), p, atol=1e-6)
    np.testing.assert_allclose(model(ids[:1, :3]), p[:1], atol=1e-6)
    # the pair vectors change the output: this is not the words-only model (same seed,
    # so the same word vectors; the layers built after them draw other weights)
    seed_everything(config.seed)
    plain = imdb.build_model(20, config)
    assert not np.allclose(np.asarray(plain(ids)), p)
    # the saved model keeps its pair vocabulary and gives the same outputs
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(restored(ids), p, atol=1e-6)


def test_count_parameters_with_pairs_literal_numbers():
    # words 1000*16, pairs (500 + 2)*16, BiGRU 2*3*(16*8 + 8*8 + 2*8), output 4*8 + 1
    assert imdb.count_parameters(1000, 16, 8, "gru", 500) == 17_281 + 8_032
    assert imdb.count_parameters(1000, 16, 8, "gru", 0) == 17_281


def test_pair_vectors_are_trained_and_a_model_with_pairs_learns_a_toy_task():
    texts = ["good not bad", "bad not good", "the film good not bad", "a bad not good plot"] * 12
    labels = np.array([1, 0, 1, 0] * 12)
    config = SentimentConfig(max_tokens=20, maxlen=8, head=2, embedding_dim=4, units=3,
                             batch_size=8, epochs=6, checks_per_epoch=1, patience=6,
                             learning_rate=0.03, embedding_dropout=0.0, dropout=0.0, seed=5)
    vec = imdb.make_vectorizer(texts, config.max_tokens)
    ids = imdb.vectorize_reviews(vec, texts, config.maxlen, config.head)
    vocabulary = word_pairs.frequent_word_pairs(ids[:40], vec.vocabulary_size(), 10)
    [(model, history)] = imdb.train_ensemble(
        vec.vocabulary_size(), ids[:40], labels[:40], ids[40:], labels[40:], config, members=1,
        verbose=0, pair_vocabulary=vocabulary)
    assert max(history.history["val_accuracy"]) == 1.0
    seed_everything(config.seed)  # the initial weights of the ensemble's only member
    untrained = imdb.build_model(vec.vocabulary_size(), config, vocabulary)
    before = untrained.get_layer("word_pair_vectors").get_weights()[0]
    after = model.get_layer("word_pair_vectors").get_weights()[0]
    assert before.shape == after.shape == (len(vocabulary) + 2, 4)
    assert not np.allclose(before[2:], after[2:]), "the pair vectors did not learn"
