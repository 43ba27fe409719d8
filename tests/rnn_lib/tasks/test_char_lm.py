"""rnn_lib.tasks.char_lm: vocabulary, next-character pairs, temperature, seeded sampling."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from rnn_lib.sequences.text import char_vocabulary
from rnn_lib.tasks.char_lm import (
    decode_chars,
    encode_text,
    make_training_sequences,
    sample_text,
    softmax_with_temperature,
)

TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n"


def test_vocabulary_is_sorted_and_complete():
    vocabulary = char_vocabulary(TEXT)
    assert vocabulary == sorted(set(TEXT))
    assert vocabulary[0] == "\n" and len(vocabulary) == len(set(TEXT))


def test_encode_decode_round_trip():
    vocabulary = char_vocabulary(TEXT)
    ids = encode_text(TEXT, vocabulary)
    assert ids.dtype == np.int32 and ids.shape == (len(TEXT),)
    assert decode_chars(ids, vocabulary) == TEXT
    assert [vocabulary[i] for i in ids[:5]] == list("First")
    assert encode_text("", vocabulary).shape == (0,)


def test_encode_names_unknown_characters():
    with pytest.raises(ValueError, match="'Z'"):
        encode_text("Zounds", char_vocabulary(TEXT))


@pytest.mark.parametrize(("seq_length", "step"), [(5, None), (4, 1), (7, 3), (1, 1)])
def test_targets_are_the_inputs_shifted_by_one(seq_length, step):
    ids = np.arange(30)
    inputs, targets = make_training_sequences(ids, seq_length, step=step)
    stride = step or seq_length
    expected_count = (len(ids) - 1 - seq_length) // stride + 1
    assert inputs.shape == targets.shape == (expected_count, seq_length)
    assert inputs.dtype == targets.dtype == np.int32
    np.testing.assert_array_equal(targets, inputs + 1)  # ids are consecutive integers
    np.testing.assert_array_equal(inputs[:, 0], np.arange(expected_count) * stride)
    assert targets[-1, -1] <= ids[-1]


def test_training_sequences_of_real_text():
    vocabulary = char_vocabulary(TEXT)
    inputs, targets = make_training_sequences(encode_text(TEXT, vocabulary), 10)
    assert decode_chars(inputs[0], vocabulary) == TEXT[:10]
    assert decode_chars(targets[0], vocabulary) == TEXT[1:11]
    assert decode_chars(inputs[1], vocabulary) == TEXT[10:20]


def test_too_short_corpus_gives_no_sequences():
    inputs, targets = make_training_sequences(np.arange(5), 5)
    assert inputs.shape == targets.shape == (0, 5)
    with pytest.raises(ValueError):
        make_training_sequences(np.arange(5), 0)
    with pytest.raises(ValueError):
        make_training_sequences(np.arange(10).reshape(2, 5), 2)


def test_softmax_with_temperature():
    logits = np.array([2.0, 1.0, 0.0, -1.0])
    p1 = softmax_with_temperature(logits, 1.0)
    np.testing.assert_allclose(p1, np.exp(logits) / np.exp(logits).sum())
    cold, hot = softmax_with_temperature(logits, 0.1), softmax_with_temperature(logits, 10.0)
    assert cold[0] > p1[0] > hot[0] > 0.25  # colder = sharper, hotter = flatter
    assert cold[0] > 0.9999
    np.testing.assert_allclose(softmax_with_temperature(p1, 1.0, from_logits=False), p1)
    np.testing.assert_allclose(
        softmax_with_temperature(p1, 0.5, from_logits=False), softmax_with_temperature(logits, 0.5)
    )
    # Large logits must not overflow; zero probabilities stay zero.
    assert np.isfinite(softmax_with_temperature(np.array([1000.0, 0.0]), 0.01)).all()
    assert softmax_with_temperature(np.array([0.0, 1.0]), 2.0, from_logits=False)[0] == 0.0
    with pytest.raises(ValueError):
        softmax_with_temperature(logits, 0.0)


def char_model(vocab_size, layer, units=8, seed=0, output_activation=None):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(vocab_size, 5),
            layer(units, return_sequences=True),
            keras.layers.Dense(vocab_size, activation=output_activation),
        ]
    )
    # Larger random weights than the initializers give, so the distributions are far from flat.
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=1.0, size=w.shape) for w in model.get_weights()])
    return model


def reference_samples(model, vocabulary, prompt, length, temperature, seed, from_logits=True):
    """The slow way: call the model on the whole text so far at every step."""
    rng = np.random.default_rng(seed)
    ids = list(encode_text(prompt, vocabulary))
    for _ in range(length):
        scores = model(np.array([ids], dtype=np.int32)).numpy()[0, -1]
        p = softmax_with_temperature(scores, temperature, from_logits=from_logits)
        cumulative = np.cumsum(p)
        ids.append(int(min(np.searchsorted(cumulative, rng.random() * cumulative[-1],
                                           side="right"), len(p) - 1)))
    return decode_chars(ids[len(prompt):], vocabulary)


@pytest.mark.parametrize("layer", [keras.layers.LSTM, keras.layers.GRU, keras.layers.SimpleRNN])
def test_sampling_steps_give_the_whole_sequence_outputs(layer):
    vocabulary = char_vocabulary(TEXT)
    model = char_model(len(vocabulary), layer)
    got = sample_text(model, vocabulary, "Fir", 12, temperature=0.8, seed=3)
    assert len(got) == 12 and set(got) <= set(vocabulary)
    assert got == reference_samples(model, vocabulary, "Fir", 12, 0.8, seed=3)


def test_sampling_a_stacked_model_with_softmax_outputs():
    vocabulary = char_vocabulary(TEXT)
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(len(vocabulary), 4),
            keras.layers.LSTM(6, return_sequences=True),
            keras.layers.Dropout(0.5),
            keras.layers.GRU(5, return_sequences=True),
            keras.layers.Dense(len(vocabulary), activation="softmax"),
        ]
    )
    got = sample_text(model, vocabulary, "B", 8, temperature=1.5, seed=0, from_logits=False)
    assert got == reference_samples(model, vocabulary, "B", 8, 1.5, seed=0, from_logits=False)


def test_sampling_is_seeded():
    vocabulary = char_vocabulary(TEXT)
    model = char_model(len(vocabulary), keras.layers.LSTM)
    first = sample_text(model, vocabulary, "hear", 40, temperature=1.0, seed=7)
    assert first == sample_text(model, vocabulary, "hear", 40, temperature=1.0, seed=7)
    assert first != sample_text(model, vocabulary, "hear", 40, temperature=1.0, seed=8)
    assert sample_text(model, vocabulary, "hear", 0, seed=7) == ""


def test_low_temperature_is_greedy():
    vocabulary = char_vocabulary(TEXT)
    model = char_model(len(vocabulary), keras.layers.GRU)
    ids = list(encode_text("me", vocabulary))
    for _ in range(6):
        scores = model(np.array([ids], dtype=np.int32)).numpy()[0, -1]
        ids.append(int(np.argmax(scores)))
    greedy = decode_chars(ids[2:], vocabulary)
    for seed in range(3):
        assert sample_text(model, vocabulary, "me", 6, temperature=1e-4, seed=seed) == greedy


def test_sampling_rejects_what_it_cannot_step():
    vocabulary = char_vocabulary(TEXT)
    model = char_model(len(vocabulary), keras.layers.LSTM)
    with pytest.raises(ValueError, match="prompt"):
        sample_text(model, vocabulary, "", 5)
    with pytest.raises(ValueError, match="vocabulary"):
        sample_text(model, vocabulary, "Zed", 5)
    inputs = keras.Input((None,), dtype="int32")
    functional = keras.Model(inputs, model(inputs))
    with pytest.raises(ValueError, match="Sequential"):
        sample_text(functional, vocabulary, "F", 5)
    bidirectional = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(len(vocabulary), 4),
            keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True)),
            keras.layers.Dense(len(vocabulary)),
        ]
    )
    with pytest.raises(ValueError, match="future"):
        sample_text(bidirectional, vocabulary, "F", 5)
