"""rnn_lib.tasks.char_lm: vocabulary, next-character pairs, the held-out split, stateful tracks,
per-character losses, the sampling distribution (temperature, top-k), seeded sampling."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from rnn_lib.sequences.text import char_vocabulary
from rnn_lib.tasks.char_lm import (
    decode_chars,
    encode_text,
    held_out_split,
    make_training_sequences,
    per_character_loss,
    reset_state,
    sample_text,
    sampling_distribution,
    stateful_batches,
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


def test_sampling_distribution_divides_the_logits_by_the_temperature():
    logits = np.log([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(sampling_distribution(logits, 1.0), [0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(sampling_distribution(logits), [0.1, 0.2, 0.3, 0.4])
    # T = 1/2 squares the probabilities, T = 2 takes their square roots (then renormalises)
    np.testing.assert_allclose(sampling_distribution(logits, 0.5), np.array([1, 4, 9, 16]) / 30)
    roots = np.sqrt([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(sampling_distribution(logits, 2.0), roots / roots.sum())
    cold, hot = sampling_distribution(logits, 0.1), sampling_distribution(logits, 10.0)
    assert cold[-1] > 0.9 and np.all(np.diff(cold) > 0) and hot.max() - hot.min() < 0.05
    # log-probabilities are logits: a probability 0 stays 0
    np.testing.assert_allclose(sampling_distribution(np.array([-np.inf, 0.0, np.log(9.0)]), 2.0),
                               [0.0, 0.25, 0.75])
    with pytest.raises(ValueError):
        sampling_distribution(logits, 0.0)


def test_sampling_distribution_is_stable():
    # exp(1000) overflows float64, exp(100) float32: the largest scaled logit is subtracted first
    big = sampling_distribution(np.array([1000.0, 999.0, 0.0]), 1.0)
    np.testing.assert_allclose(big, [1 / (1 + np.exp(-1)), 1 / (1 + np.e), 0.0], atol=1e-12)
    cold = sampling_distribution(np.array([5.0, 4.0, 0.0], dtype=np.float32), 0.05)
    assert cold.dtype == np.float64 and np.isfinite(cold).all()
    np.testing.assert_allclose(cold, [1.0, np.exp(-20.0), 0.0], atol=1e-12)
    tiny = sampling_distribution(np.array([-1000.0, -1001.0]), 1.0)   # exp underflows to 0/0
    np.testing.assert_allclose(tiny, [1 / (1 + np.exp(-1)), 1 / (1 + np.e)])


def test_top_k_keeps_the_k_largest_ties_included_and_renormalises():
    logits = np.log([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(sampling_distribution(logits, 1.0, top_k=2), [0, 0, 3 / 7, 4 / 7])
    np.testing.assert_allclose(sampling_distribution(logits, 1.0, top_k=1), [0, 0, 0, 1])
    np.testing.assert_allclose(sampling_distribution(logits, 0.5, top_k=3),
                               np.array([0, 4, 9, 16]) / 29)
    for k in (4, 5, 100):
        np.testing.assert_allclose(sampling_distribution(logits, 1.0, top_k=k),
                                   [0.1, 0.2, 0.3, 0.4])
    # unsorted logits; the k-th largest tied: every tied character is kept
    tied = np.log([2.0, 4.0, 1.0, 2.0])
    np.testing.assert_allclose(sampling_distribution(tied, 1.0, top_k=2), [0.25, 0.5, 0.0, 0.25])
    np.testing.assert_allclose(sampling_distribution(tied, 1.0, top_k=3), [0.25, 0.5, 0.0, 0.25])
    assert np.all(sampling_distribution(tied, 1.0, top_k=2)[[2]] == 0.0)
    with pytest.raises(ValueError):
        sampling_distribution(logits, 1.0, top_k=0)


def test_sampling_distribution_leaves_its_input_alone():
    logits = np.array([3.0, 1.0, 2.0])
    before = logits.copy()
    sampling_distribution(logits, 0.5, top_k=2)
    np.testing.assert_array_equal(logits, before)


def test_held_out_split_is_chronological():
    ids = np.arange(1000)
    train, held_out = held_out_split(ids, 0.1)
    np.testing.assert_array_equal(train, np.arange(900))
    np.testing.assert_array_equal(held_out, np.arange(900, 1000))
    train, held_out = held_out_split(np.arange(7), 0.25)   # round(1.75) = 2 held out
    assert len(train) == 5 and list(held_out) == [5, 6]
    for fraction in (0.0, 1.0):
        with pytest.raises(ValueError):
            held_out_split(ids, fraction)


@pytest.mark.parametrize(
    ("num_chars", "batch_size", "seq_length"), [(101, 4, 5), (120, 3, 4), (50, 1, 7)]
)
def test_stateful_batches_continue_each_track(num_chars, batch_size, seq_length):
    ids = np.arange(num_chars)
    inputs, targets = stateful_batches(ids, batch_size, seq_length)
    num_batches = (num_chars - 1) // (batch_size * seq_length)
    track = num_batches * seq_length
    assert inputs.shape == targets.shape == (num_batches * batch_size, seq_length)
    assert inputs.dtype == targets.dtype == np.int32
    np.testing.assert_array_equal(targets, inputs + 1)
    batches = inputs.reshape(num_batches, batch_size, seq_length)
    for i in range(batch_size):
        # row i of batch k + 1 continues row i of batch k: track i read in order
        np.testing.assert_array_equal(batches[:, i].ravel(), np.arange(i * track, (i + 1) * track))
    # every input character once, in batch_size tracks that tile the start of the text
    np.testing.assert_array_equal(np.sort(inputs.ravel()), np.arange(batch_size * track))


def test_stateful_batches_of_a_short_text():
    inputs, targets = stateful_batches(np.arange(10), 2, 5)   # 9 targets: not one full batch
    assert inputs.shape == targets.shape == (0, 5)
    with pytest.raises(ValueError):
        stateful_batches(np.arange(10), 0, 5)


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
        if not from_logits:
            scores = np.log(scores)
        p = sampling_distribution(scores, temperature)
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


def test_sampling_uses_the_distribution_it_is_given():
    vocabulary = char_vocabulary(TEXT)
    model = char_model(len(vocabulary), keras.layers.LSTM)
    calls = []

    def greedy(logits, temperature, top_k):
        calls.append((np.shape(logits), temperature, top_k))
        one_hot = np.zeros(len(logits))
        one_hot[np.argmax(logits)] = 1.0
        return one_hot

    got = sample_text(model, vocabulary, "hear", 6, temperature=0.3, top_k=7, seed=1,
                      distribution=greedy)
    assert calls == [((len(vocabulary),), 0.3, 7)] * 6
    for seed in range(3):   # top-1 is greedy decoding, whatever the draws
        assert sample_text(model, vocabulary, "hear", 6, top_k=1, seed=seed) == got
    # top-k draws only among the k likeliest characters
    ids = list(encode_text("hear", vocabulary))
    scores = model(np.array([ids], dtype=np.int32)).numpy()[0, -1]
    allowed = {vocabulary[i] for i in np.argsort(scores)[-3:]}
    firsts = {sample_text(model, vocabulary, "hear", 1, temperature=5.0, top_k=3, seed=s)
              for s in range(40)}
    assert firsts <= allowed and len(firsts) > 1


def stateful_and_stateless(vocab_size, batch_size, seed=0):
    stateless = char_model(vocab_size, keras.layers.LSTM, units=6, seed=seed)
    stateful = keras.Sequential(
        [
            keras.Input(batch_shape=(batch_size, None), dtype="int32"),
            keras.layers.Embedding(vocab_size, 5),
            keras.layers.LSTM(6, return_sequences=True, stateful=True),
            keras.layers.Dense(vocab_size),
        ]
    )
    stateful.set_weights(stateless.get_weights())
    return stateless, stateful


def test_reset_state_zeroes_every_stateful_layer():
    vocabulary = char_vocabulary(TEXT)
    stateless, stateful = stateful_and_stateless(len(vocabulary), 2)
    x = np.stack([encode_text(TEXT[:8], vocabulary), encode_text(TEXT[8:16], vocabulary)])
    first = stateful.predict(x, batch_size=2, verbose=0)
    lstm = stateful.layers[1]
    assert all(np.abs(v.numpy()).max() > 0 for v in lstm.states)
    # the state carried over: the same input gives other outputs
    assert not np.allclose(stateful.predict(x, batch_size=2, verbose=0), first)
    assert reset_state(stateful) == 1
    assert all(np.all(v.numpy() == 0) for v in lstm.states)
    np.testing.assert_allclose(stateful.predict(x, batch_size=2, verbose=0), first, atol=1e-6)
    np.testing.assert_allclose(stateless.predict(x, verbose=0), first, atol=1e-6)
    assert reset_state(stateless) == 0


def test_per_character_loss_with_the_state_carried_reads_each_track_whole():
    vocabulary = char_vocabulary(TEXT)
    ids = encode_text(TEXT * 3, vocabulary)
    batch_size, seq_length = 3, 4
    stateless, stateful = stateful_and_stateless(len(vocabulary), batch_size, seed=2)
    inputs, targets = stateful_batches(ids, batch_size, seq_length)
    num_batches = len(inputs) // batch_size
    track = num_batches * seq_length
    reset_state(stateful)
    carried = per_character_loss(stateful, inputs, targets, batch_size=batch_size)
    assert carried.shape == inputs.shape and carried.dtype == np.float64
    # the same losses as the stateless model reading each track in one piece
    whole_in = ids[: batch_size * track].reshape(batch_size, track)
    whole_out = ids[1 : batch_size * track + 1].reshape(batch_size, track)
    whole = per_character_loss(stateless, whole_in, whole_out, batch_size=batch_size)
    by_track = carried.reshape(num_batches, batch_size, seq_length).transpose(1, 0, 2)
    by_track = by_track.reshape(batch_size, track)
    np.testing.assert_allclose(by_track, whole, atol=1e-5)
    # window by window from a zero state: Keras' own loss, and different after the first window
    fresh = per_character_loss(stateless, inputs, targets, batch_size=5)
    stateless.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    keras_loss = stateless.evaluate(inputs, targets, batch_size=len(inputs), verbose=0,
                                    return_dict=True)
    assert fresh.mean() == pytest.approx(keras_loss["loss"], rel=1e-5)
    np.testing.assert_allclose(fresh[:batch_size], carried[:batch_size], atol=1e-5)
    assert not np.allclose(fresh[batch_size:], carried[batch_size:], atol=1e-3)
