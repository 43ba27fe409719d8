"""rnn_lib.tasks.word_lm: splits by words, the vocabulary with its unknown id, the id stream,
next-word windows, the per-epoch perplexity record, and the top-k next words of a prompt."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from rnn_lib.sequences.perplexity import perplexity
from rnn_lib.sequences.text import PAD, PAD_ID, UNK, UNK_ID, tokenize
from rnn_lib.tasks.word_lm import (
    encode_words,
    fit_recording_perplexity,
    next_word_probabilities,
    next_word_windows,
    split_by_words,
    top_next_words,
    word_vocabulary,
)

REVIEWS = [
    "The cat sat on the mat.",
    "The acting was good, the plot was not.",
    "This movie is one of the best I have seen.",
    "The dog sat on the sofa<br />and the cat sat on the dog.",
    "One of the worst films: the acting was bad.",
]


def test_split_by_words_takes_whole_documents_until_each_part_is_full():
    texts = [" ".join(["w"] * n) for n in (3, 5, 2, 7, 4, 6)]
    parts = split_by_words(texts, (6, 5), seed=3)
    assert len(parts) == 2
    for part, wanted in zip(parts, (6, 5), strict=True):
        counts = [len(tokenize(t)) for t in part]
        assert sum(counts) >= wanted and sum(counts[:-1]) < wanted  # stops once full
    used = [t for part in parts for t in part]
    assert len(used) == len(set(map(id, used)))  # no document in two parts
    assert split_by_words(texts, (6, 5), seed=3) == parts
    with pytest.raises(ValueError, match="too few words"):
        split_by_words(texts, (20, 20), seed=0)


def test_the_vocabulary_has_padding_the_unknown_word_then_words_by_frequency():
    vocabulary = word_vocabulary(REVIEWS, 6)
    assert vocabulary[PAD_ID] == PAD and vocabulary[UNK_ID] == UNK
    assert vocabulary[2] == "the"  # 12 times: the most frequent word
    assert len(vocabulary) == 6
    with pytest.raises(ValueError):
        word_vocabulary(REVIEWS, 2)


def test_encoding_is_one_stream_with_unknown_words_as_unk():
    vocabulary = word_vocabulary(REVIEWS, 8)
    ids = encode_words(REVIEWS[:2], vocabulary)
    words = tokenize(REVIEWS[0]) + tokenize(REVIEWS[1])
    assert ids.dtype == np.int32 and ids.shape == (len(words),)
    expected = [vocabulary.index(w) if w in vocabulary else UNK_ID for w in words]
    assert ids.tolist() == expected
    assert UNK_ID in ids.tolist() and PAD_ID not in ids.tolist()
    assert encode_words(["[UNK] zebra"], vocabulary).tolist() == [UNK_ID, UNK_ID]
    assert encode_words([""], vocabulary).shape == (0,)


def test_windows_predict_the_next_word():
    ids = np.arange(2, 25, dtype=np.int32)
    inputs, targets = next_word_windows(ids, 5)
    assert inputs.shape == targets.shape == ((len(ids) - 1 - 5) // 5 + 1, 5)
    np.testing.assert_array_equal(targets, inputs + 1)
    np.testing.assert_array_equal(inputs[:, 0], ids[0] + 5 * np.arange(len(inputs)))
    overlapping, _ = next_word_windows(ids, 5, step=2)
    np.testing.assert_array_equal(overlapping[1], ids[2:7])


class _Fixed(keras.Model):
    """Scores that do not depend on the input: the same logits at every step."""

    def __init__(self, logits):
        super().__init__()
        self.logits = np.asarray(logits, dtype="float32")

    def call(self, ids, training=False):
        shape = keras.ops.shape(ids)
        return keras.ops.broadcast_to(self.logits, (shape[0], shape[1], len(self.logits)))


def test_top_next_words_are_sorted_skip_padding_and_unk_and_sum_below_one():
    vocabulary = ["", "[UNK]", "the", "cat", "mat", "dog"]
    logits = np.log([0.05, 0.4, 0.1, 0.2, 0.15, 0.1])
    model = _Fixed(logits)
    top = top_next_words(model, vocabulary, "the cat sat on the", k=3)
    assert [w for w, _ in top] == ["cat", "mat", "the"]  # ties: the lower id first
    np.testing.assert_allclose([p for _, p in top], [0.2, 0.15, 0.1], rtol=1e-5)
    everything = top_next_words(model, vocabulary, "the", k=10, exclude=())
    assert [w for w, _ in everything][:2] == ["[UNK]", "cat"] and len(everything) == 6
    np.testing.assert_allclose(sum(p for _, p in everything), 1.0, rtol=1e-5)
    probs = next_word_probabilities(model, np.array([2, 3]))
    assert probs.shape == (6,)
    np.testing.assert_allclose(probs, np.exp(logits) / np.exp(logits).sum(), rtol=1e-5)
    as_probabilities = next_word_probabilities(_Fixed(np.exp(logits)), [2], from_logits=False)
    np.testing.assert_allclose(as_probabilities, probs, rtol=1e-5)
    with pytest.raises(ValueError, match="no word"):
        next_word_probabilities(model, [])


def test_top_next_words_reads_the_last_step_of_the_prompt():
    # an embedding that outputs one-hot logits for the id it reads: the next word is the last word
    vocabulary = ["", "[UNK]", "the", "cat", "sat"]
    model = keras.Sequential([keras.Input((None,), dtype="int32"),
                              keras.layers.Embedding(5, 5, embeddings_initializer="identity")])
    model.layers[0].set_weights([10 * np.eye(5, dtype="float32")])
    assert top_next_words(model, vocabulary, "the cat sat", k=1)[0][0] == "sat"
    assert top_next_words(model, vocabulary, "sat on the", k=1)[0][0] == "the"


def test_the_record_has_one_entry_per_epoch_and_measures_in_inference_mode():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    ids = rng.integers(2, 12, size=600).astype(np.int32)
    train, held_out = next_word_windows(ids[:480], 8), next_word_windows(ids[480:], 8)
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(12, 4),
                              keras.layers.Dropout(0.5), keras.layers.GRU(6, return_sequences=True),
                              keras.layers.Dense(12)])
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    record = fit_recording_perplexity(model, train, held_out, epochs=3, batch_size=16,
                                      train_sample=20)
    assert set(record) == {"train", "held_out", "seconds"}
    assert all(len(v) == 3 for v in record.values())
    assert all(s > 0 for s in record["seconds"])
    # the last entries are the final model's perplexities, dropout off
    final = perplexity(model.evaluate(*held_out, verbose=0))
    assert record["held_out"][-1] == pytest.approx(final, rel=1e-5)
    assert 1 < record["held_out"][-1] < 12 * 1.5
