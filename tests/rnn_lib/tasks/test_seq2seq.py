"""rnn_lib.tasks.seq2seq: toy tasks, vocabularies, teacher forcing, greedy and beam decoding."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from rnn_lib.sequences.text import END_ID, PAD_ID, SEQ2SEQ_SPECIALS, START_ID, char_vocabulary
from rnn_lib.tasks.seq2seq import (
    MONTHS,
    beam_search_decode,
    date_pairs,
    decode_batch,
    encode_strings,
    greedy_decode,
    reversal_pairs,
    sequence_accuracy,
    teacher_forcing_inputs,
)


def test_reversal_pairs():
    sources, targets = reversal_pairs(300, min_length=2, max_length=5, seed=1)
    assert len(sources) == len(targets) == 300
    assert all(t == s[::-1] and s.isdigit() for s, t in zip(sources, targets, strict=True))
    assert {len(s) for s in sources} == {2, 3, 4, 5}
    assert reversal_pairs(5, seed=2) == reversal_pairs(5, seed=2)
    assert reversal_pairs(5, seed=2) != reversal_pairs(5, seed=3)
    with pytest.raises(ValueError):
        reversal_pairs(3, min_length=0)


def test_date_pairs_describe_the_same_day():
    sources, targets = date_pairs(400, seed=0)
    styles = set()
    for source, target in zip(sources, targets, strict=True):
        day = datetime.date.fromisoformat(target)
        assert datetime.date(1950, 1, 1) <= day <= datetime.date(2049, 12, 31)
        month = MONTHS[day.month - 1]
        candidates = [
            f"{day.day} {month} {day.year}",
            f"{month} {day.day}, {day.year}",
            f"{day.day} {month[:3]} {day.year}",
            day.strftime("%d.%m.%Y"),
        ]
        assert source in candidates, (source, target)
        styles.add(candidates.index(source))
    assert styles == {0, 1, 2, 3}
    assert date_pairs(3, seed=5) == date_pairs(3, seed=5)


def test_vocabulary_encode_decode_round_trip():
    vocabulary = char_vocabulary(["ba", "ca"], SEQ2SEQ_SPECIALS)
    assert vocabulary == ["", "<s>", "</s>", "a", "b", "c"]
    ids = encode_strings(["ab", "c", ""], vocabulary, add_end=True)
    assert ids.dtype == np.int32
    assert ids.tolist() == [[3, 4, END_ID], [5, END_ID, PAD_ID], [END_ID, PAD_ID, PAD_ID]]
    assert encode_strings(["ab"], vocabulary, length=4).tolist() == [[3, 4, 0, 0]]
    assert decode_batch(ids, vocabulary) == ["ab", "c", ""]
    # decoding stops at the first end token and skips start and padding
    assert decode_batch([[START_ID, 3, PAD_ID, 4, END_ID, 5]], vocabulary) == ["ab"]
    with pytest.raises(ValueError, match="not in the vocabulary"):
        encode_strings(["abz"], vocabulary)
    with pytest.raises(ValueError, match="more than length"):
        encode_strings(["abc"], vocabulary, length=2)


def test_teacher_forcing_inputs_shift_right():
    targets = np.array([[4, 9, 7, END_ID], [5, END_ID, PAD_ID, PAD_ID]], dtype=np.int32)
    inputs = teacher_forcing_inputs(targets)
    assert inputs.tolist() == [[START_ID, 4, 9, 7], [START_ID, 5, END_ID, PAD_ID]]
    assert inputs.dtype == targets.dtype and targets[0, 0] == 4, "targets are left unchanged"
    assert teacher_forcing_inputs(targets, start_id=7)[:, 0].tolist() == [7, 7]


def test_sequence_accuracy_ignores_target_padding_only():
    targets = np.array([[4, END_ID, PAD_ID], [5, 6, END_ID], [7, END_ID, PAD_ID]])
    predictions = np.array([[4, END_ID, 9], [5, 6, 6], [7, 3, PAD_ID]])
    assert sequence_accuracy(predictions, targets) == pytest.approx(1 / 3)
    assert sequence_accuracy(targets, targets) == 1.0
    assert sequence_accuracy(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0
    with pytest.raises(ValueError):
        sequence_accuracy(predictions[:, :2], targets)


def _seq2seq(vocabulary_size, units, seed, cell="GRU"):
    """An untrained encoder-decoder: the training model and its inference halves.

    With cell="LSTM" the state is a list [h, c], as greedy_decode must also handle.
    """
    import keras

    keras.utils.set_random_seed(seed)
    layer = getattr(keras.layers, cell)
    source = keras.Input((None,), dtype="int32")
    decoder_input = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(vocabulary_size, 8, mask_zero=True)(source)
    _, *states = layer(units, return_state=True)(embedded)
    embed = keras.layers.Embedding(vocabulary_size, 8)
    rnn = layer(units, return_sequences=True, return_state=True)
    dense = keras.layers.Dense(vocabulary_size, activation="softmax")
    outputs, *_ = rnn(embed(decoder_input), initial_state=states)
    training = keras.Model([source, decoder_input], dense(outputs))
    encoder = keras.Model(source, states if len(states) > 1 else states[0])
    token = keras.Input((1,), dtype="int32")
    states_in = [keras.Input((units,)) for _ in states]
    step, *new_states = rnn(embed(token), initial_state=states_in)
    decoder = keras.Model([token, *states_in], [dense(step), *new_states])
    # an untrained model is almost uniform: spread its logits so that argmax has no near-ties
    kernel, bias = dense.get_weights()
    dense.set_weights([30 * kernel, bias])
    return training, encoder, decoder


@pytest.mark.parametrize(
    ("vocabulary_size", "units", "seed", "cell"),
    [(7, 5, 0, "GRU"), (13, 16, 1, "GRU"), (9, 6, 2, "LSTM")],
)
def test_greedy_decode_equals_rerunning_the_training_model_on_its_own_prefix(
    vocabulary_size, units, seed, cell
):
    """Greedy decoding = feed the training model the prefix it generated so far."""
    training, encoder, decoder = _seq2seq(vocabulary_size, units, seed, cell)
    rng = np.random.default_rng(seed)
    sources = rng.integers(3, vocabulary_size, size=(6, 5)).astype(np.int32)
    num_steps = 4
    predicted = greedy_decode(encoder, decoder, sources, num_steps=num_steps)
    assert predicted.shape == (6, num_steps) and predicted.dtype == np.int32
    prefix = np.full((6, 1), START_ID, dtype=np.int32)
    for step in range(num_steps):
        probabilities = np.asarray(training([sources, prefix]))
        assert np.all(np.sort(probabilities[:, -1], axis=-1)[:, -2:] @ [-1, 1] > 1e-5), "a tie"
        prefix = np.concatenate([prefix, probabilities[:, -1].argmax(-1)[:, None]], axis=1)
        np.testing.assert_array_equal(predicted[:, step], prefix[:, -1])


def test_greedy_decode_feeds_predictions_and_carries_state():
    """A hand-made decoder predicts (token + state) mod V and counts its state up by one."""
    import keras

    vocabulary_size = 11
    source = keras.Input((3,), dtype="int32")
    encoder = keras.Model(
        source, keras.layers.Lambda(lambda s: keras.ops.cast(s[:, :1], "float32"))(source)
    )
    token, state = keras.Input((1,), dtype="int32"), keras.Input((1,))

    def step(inputs):
        t, s = inputs
        nxt = keras.ops.mod(keras.ops.cast(t, "float32") + s, vocabulary_size)
        return keras.ops.one_hot(keras.ops.cast(nxt, "int32"), vocabulary_size)

    probabilities = keras.layers.Lambda(step)([token, state])
    new_state = keras.layers.Lambda(lambda s: s + 1)(state)
    decoder = keras.Model([token, state], [probabilities, new_state])
    sources = np.array([[2, 0, 0], [5, 0, 0]], dtype=np.int32)
    predicted = greedy_decode(encoder, decoder, sources, num_steps=4, start_id=1)
    # row 0: state 2, 3, 4, 5 -> 1+2=3, 3+3=6, 6+4=10, (10+5) mod 11=4
    assert predicted.tolist() == [[3, 6, 10, 4], [6, 1, 8, 5]]


class TableDecoder:
    """A decoder whose next-token probabilities depend only on the token fed to it.

    ``table[token]`` is the distribution after ``token``; the state is carried unchanged.
    Any callable with the Keras decoder's interface will do for the decoding functions.
    """

    def __init__(self, table: dict[int, list[float]]):
        self.table = table

    def __call__(self, inputs, training=False):
        tokens, state = inputs
        return [np.array([[self.table[int(t)]] for t in np.asarray(tokens)[:, 0]]), state]


def zero_encoder(sources, training=False):
    return np.zeros((len(sources), 1))


# ids: 0 pad, 1 start, 2 end, 3 "a", 4 "b". Greedy takes "a" (0.6) and then can only go on
# at 0.35; "b" (0.4) then the end (0.9) is likelier: 0.36 against 0.6 * 0.35 = 0.21.
TRAP = TableDecoder(
    {
        START_ID: [0.0, 0.0, 0.0, 0.6, 0.4],
        3: [0.0, 0.0, 0.3, 0.35, 0.35],
        4: [0.0, 0.0, 0.9, 0.05, 0.05],
        END_ID: [1.0, 0.0, 0.0, 0.0, 0.0],
        PAD_ID: [1.0, 0.0, 0.0, 0.0, 0.0],
    }
)


def test_beam_search_recovers_where_greedy_decoding_fails():
    sources = np.zeros((2, 3), dtype=np.int32)
    greedy = greedy_decode(zero_encoder, TRAP, sources, num_steps=2)
    assert greedy.tolist() == [[3, 3], [3, 3]]  # "a a": 0.6 * 0.35 = 0.21
    best, log_p = beam_search_decode(zero_encoder, TRAP, sources, num_steps=2, beam_width=2)
    assert best.tolist() == [[4, END_ID], [4, END_ID]]
    np.testing.assert_allclose(log_p, np.log(0.4 * 0.9))
    one, _ = beam_search_decode(zero_encoder, TRAP, sources, num_steps=2, beam_width=1)
    np.testing.assert_array_equal(one, greedy)


def test_a_finished_sequence_is_padded_and_keeps_its_score():
    best, log_p = beam_search_decode(
        zero_encoder, TRAP, np.zeros((1, 2), np.int32), num_steps=5, beam_width=3
    )
    assert best.tolist() == [[4, END_ID, PAD_ID, PAD_ID, PAD_ID]]
    np.testing.assert_allclose(log_p, np.log(0.36))


def test_a_wide_beam_finds_the_most_likely_sequence():
    """Against every sequence, enumerated, on random distributions with an end token."""
    import itertools

    rng = np.random.default_rng(4)
    vocabulary = 5
    for trial in range(5):
        table = {}
        for token in range(vocabulary):
            p = rng.dirichlet(np.ones(vocabulary - 2))  # never pad nor start
            table[token] = [0.0, 0.0, *p]
        table[PAD_ID] = [1.0] + [0.0] * (vocabulary - 1)
        decoder = TableDecoder(table)
        steps = 3

        def log_probability(sequence, table=table):
            total, previous, done = 0.0, START_ID, False
            for token in sequence:
                if done:
                    if token != PAD_ID:
                        return -np.inf
                    continue
                total += np.log(table[previous][token]) if table[previous][token] else -np.inf
                previous, done = token, token == END_ID
            return total

        best_by_enumeration = max(
            itertools.product(range(vocabulary), repeat=steps), key=log_probability
        )
        found, log_p = beam_search_decode(
            zero_encoder, decoder, np.zeros((1, 1), np.int32), num_steps=steps,
            beam_width=vocabulary ** (steps - 1),
        )
        assert tuple(found[0]) == best_by_enumeration, trial
        np.testing.assert_allclose(log_p[0], log_probability(best_by_enumeration))


@pytest.mark.parametrize(
    ("vocabulary_size", "units", "seed", "cell"), [(9, 6, 0, "GRU"), (9, 6, 2, "LSTM")]
)
def test_beam_search_of_width_one_is_greedy_decoding(vocabulary_size, units, seed, cell):
    _, encoder, decoder = _seq2seq(vocabulary_size, units, seed, cell)
    sources = np.random.default_rng(seed).integers(3, vocabulary_size, size=(5, 4)).astype(np.int32)
    greedy = greedy_decode(encoder, decoder, sources, num_steps=4)
    beam, _ = beam_search_decode(encoder, decoder, sources, num_steps=4, beam_width=1)
    ended = np.cumsum(greedy == END_ID, axis=1) - (greedy == END_ID) > 0  # after an end id
    np.testing.assert_array_equal(np.where(ended, PAD_ID, greedy), beam)
    # the score returned is the sequence's log-probability under the decoder, step by step
    wider, wider_log_p = beam_search_decode(encoder, decoder, sources, num_steps=4, beam_width=3)
    encoded = encoder(sources)
    states = [np.asarray(x) for x in (encoded if isinstance(encoded, list | tuple) else [encoded])]
    tokens, total = np.full((5, 1), START_ID, np.int32), np.zeros(5)
    done = np.zeros(5, dtype=bool)
    for step in range(4):
        probabilities, *states = [np.asarray(x) for x in decoder([tokens, *states])]
        chosen = wider[:, step]
        total += np.where(done, 0.0, np.log(np.asarray(probabilities)[:, -1][np.arange(5), chosen]))
        done |= chosen == END_ID
        tokens = chosen[:, None].astype(np.int32)
    np.testing.assert_allclose(wider_log_p, total, rtol=1e-5)
    with pytest.raises(ValueError, match="at least 1"):
        beam_search_decode(encoder, decoder, sources, num_steps=4, beam_width=0)
