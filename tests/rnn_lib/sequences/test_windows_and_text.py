"""rnn_lib.sequences.windows and .text, rnn_lib.data.synthetic: checked against Keras."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.data.synthetic import adding_problem, copy_task, noisy_sines
from rnn_lib.sequences.text import (
    END_ID,
    PAD_ID,
    SEQ2SEQ_SPECIALS,
    START_ID,
    UNK_ID,
    build_vocabulary,
    char_vocabulary,
    decode,
    encode,
    tokenize,
)
from rnn_lib.sequences.windows import make_windows, pad_and_mask


def test_make_windows_classic_example():
    X, y = make_windows(np.array([1, 2, 3, 4, 5]), window=4)
    assert X.shape == (1, 4, 1) and X[0, :, 0].tolist() == [1, 2, 3, 4] and y.tolist() == [5]


@pytest.mark.parametrize(
    ("length", "window", "horizon"), [(10, 3, 1), (10, 3, 4), (7, 7, 1), (5, 3, 5)]
)
def test_make_windows_against_a_plain_loop(length, window, horizon):
    series = np.random.default_rng(length + window).normal(size=length)
    X, y = make_windows(series, window, horizon)
    expected_X = [series[i : i + window] for i in range(length - window - horizon + 1)]
    expected_y = [series[i + window + horizon - 1] for i in range(length - window - horizon + 1)]
    assert X.shape == (len(expected_X), window, 1) and y.shape == (len(expected_y),)
    np.testing.assert_array_equal(X[..., 0].reshape(len(expected_X), window),
                                  np.reshape(expected_X, (-1, window)))
    np.testing.assert_array_equal(y, expected_y)


def test_make_windows_multivariate_keeps_features():
    series = np.arange(20).reshape(10, 2)
    X, y = make_windows(series, window=3, horizon=2)
    assert X.shape == (6, 3, 2) and y.shape == (6, 2)
    np.testing.assert_array_equal(y[0], series[4])


def test_make_windows_rejects_bad_sizes():
    with pytest.raises(ValueError):
        make_windows(np.arange(5), window=0)


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 1, 3, 6])
def test_pad_and_mask_matches_keras(padding, truncating, maxlen):
    import keras

    sequences = [[5, 3, 8, 9], [2], [], [7, 0, 4, 1, 6, 2], [0, 0]]
    padded, mask = pad_and_mask(sequences, maxlen, padding, truncating)
    reference = keras.utils.pad_sequences(
        sequences, maxlen=maxlen, padding=padding, truncating=truncating, value=0
    )
    np.testing.assert_array_equal(padded, reference)
    lengths = [min(len(s), padded.shape[1]) for s in sequences]
    assert mask.dtype == bool and mask.sum(axis=1).tolist() == lengths
    # the mask follows lengths, not values: the real zeros of [0, 0] are kept
    assert mask[4].sum() == min(2, padded.shape[1])


def test_tokenize_and_vocabulary_conventions():
    assert tokenize("Don't STOP!<br />Now, 2 times.") == ["don't", "stop", "now", "2", "times"]
    texts = ["the cat sat", "the dog sat", "a cat"]
    vocabulary = build_vocabulary(texts)
    assert vocabulary == ["", "[UNK]", "cat", "sat", "the", "a", "dog"]
    assert build_vocabulary(texts, max_size=4) == ["", "[UNK]", "cat", "sat"]
    assert encode("The bird sat", vocabulary) == [4, 1, 3]
    assert decode([0, 0, 4, 2], vocabulary) == "the cat"


def test_special_ids_have_one_meaning_per_kind_of_vocabulary():
    # every vocabulary pads with id 0; words reserve [UNK], an encoder-decoder start/end
    assert build_vocabulary(["a"])[PAD_ID] == "" and build_vocabulary(["a"])[UNK_ID] == "[UNK]"
    seq2seq = char_vocabulary(["ab"], SEQ2SEQ_SPECIALS)
    assert (seq2seq[PAD_ID], seq2seq[START_ID], seq2seq[END_ID]) == ("", "<s>", "</s>")


def test_character_vocabularies_and_decoding():
    # a language model's vocabulary: the corpus' characters, nothing reserved
    assert char_vocabulary("hello, world") == [" ", ",", "d", "e", "h", "l", "o", "r", "w"]
    assert char_vocabulary("hello") == char_vocabulary(["he", "llo"])
    vocabulary = char_vocabulary(["cab"], SEQ2SEQ_SPECIALS)
    assert vocabulary == ["", "<s>", "</s>", "a", "b", "c"]
    assert decode([3, 4, 5], vocabulary, sep="") == "abc"
    assert decode([0, 3, 0, 4], vocabulary, sep="", skip=()) == "ab"  # "" decodes to nothing
    # an end id stops decoding; skipped ids vanish wherever they are
    assert decode([START_ID, 3, END_ID, 4], vocabulary, sep="", skip=(PAD_ID, START_ID),
                  stop=END_ID) == "a"


def test_vocabulary_agrees_with_text_vectorization_on_frequencies():
    import keras

    texts = ["b a a c", "a b d", "e a"]  # counts a:4, b:2, c/d/e:1 (ties)
    layer = keras.layers.TextVectorization(standardize="lower_and_strip_punctuation")
    layer.adapt(texts)
    ours = build_vocabulary(texts)
    keras_vocab = layer.get_vocabulary()
    assert ours[:4] == keras_vocab[:4] == ["", "[UNK]", "a", "b"]
    assert sorted(ours[4:]) == sorted(keras_vocab[4:])


def test_synthetic_tasks_are_seeded_and_well_formed():
    np.testing.assert_array_equal(noisy_sines(3, 50, seed=1), noisy_sines(3, 50, seed=1))
    assert noisy_sines(3, 50, seed=1).shape == (3, 50)
    X, y = adding_problem(64, 30, seed=2)
    assert X.shape == (64, 30, 2) and y.shape == (64,) and X.dtype == np.float32
    assert np.all(X[..., 1].sum(axis=1) == 2)
    np.testing.assert_allclose((X[..., 0] * X[..., 1]).sum(axis=1), y, rtol=1e-6)
    assert np.all(X[:, :15, 1].sum(axis=1) == 1), "one marker in each half"
    inputs, targets = copy_task(10, copy_length=4, delay=6, num_symbols=5, seed=3)
    assert inputs.shape == targets.shape == (10, 14)
    np.testing.assert_array_equal(targets[:, -4:], inputs[:, :4])
    assert np.all(inputs[:, 10] == 1) and inputs[:, :4].min() >= 2 and inputs[:, :4].max() <= 6
