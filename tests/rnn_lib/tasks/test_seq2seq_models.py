"""Lessons 06 and 08's encoder-decoders: the one-step decoder is the trained model, step by step."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.layers.attention import attention_forward
from rnn_lib.tasks.seq2seq import beam_search_decode, greedy_decode, teacher_forcing_inputs
from rnn_lib.tasks.seq2seq_models import ATTENTION_KINDS, build_seq2seq

SOURCES = np.array([[3, 4, 5, 0, 0], [6, 7, 8, 9, 10], [11, 3, 0, 0, 0]], dtype=np.int32)
TARGETS = np.array([[5, 4, 3, 2], [10, 9, 8, 7], [3, 11, 2, 0]], dtype=np.int32)


def _as_list(states):
    return list(states) if isinstance(states, (list, tuple)) else [states]


@pytest.fixture(scope="module", params=[None, *sorted(ATTENTION_KINDS)])
def models(request):
    import keras

    keras.utils.set_random_seed(0)
    return build_seq2seq(13, 8, attention=request.param, embedding_dim=6)


def test_the_one_step_decoder_fed_the_targets_is_the_teacher_forced_model(models):
    decoder_input = teacher_forcing_inputs(TARGETS)
    all_at_once = np.asarray(models.trainer([SOURCES, decoder_input]))
    states = [np.asarray(s) for s in _as_list(models.encoder(SOURCES))]
    steps = []
    for i in range(decoder_input.shape[1]):
        outputs = models.decoder([decoder_input[:, i : i + 1], *states])
        steps.append(np.asarray(outputs[0])[:, 0])
        states = [np.asarray(s) for s in outputs[1:]]
    np.testing.assert_allclose(np.stack(steps, axis=1), all_at_once, atol=1e-5)


def test_padding_at_the_end_of_a_source_changes_nothing(models):
    longer = np.pad(SOURCES, ((0, 0), (0, 3)))  # three more padding steps
    decoder_input = teacher_forcing_inputs(TARGETS)
    np.testing.assert_allclose(
        np.asarray(models.trainer([longer, decoder_input])),
        np.asarray(models.trainer([SOURCES, decoder_input])),
        atol=1e-6,
    )


def test_attention_weights_skip_padding_and_sum_to_one(models):
    if models.aligner is None:
        assert len(_as_list(models.encoder(SOURCES))) == 1
        return
    weights = np.asarray(models.aligner([SOURCES, teacher_forcing_inputs(TARGETS)]))
    assert weights.shape == (3, 4, 5)
    assert np.all(weights[0, :, 3:] == 0) and np.all(weights[2, :, 2:] == 0)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-6)


def test_the_dot_attention_inside_the_model_is_numpy_attention_with_the_layer_s_scale():
    import keras

    keras.utils.set_random_seed(1)
    models = build_seq2seq(13, 8, attention="dot", embedding_dim=6)
    layer = models.trainer.get_layer("attention")
    layer.set_weights([np.array(0.7, dtype="float32")])
    decoder_input = teacher_forcing_inputs(TARGETS)
    _, encoder_outputs, _ = (np.asarray(s) for s in models.encoder(SOURCES))
    gru_outputs = keras.Model(
        models.trainer.inputs, models.trainer.get_layer("decoder_gru").output[0]
    )([SOURCES, decoder_input])
    _, cache = attention_forward(
        np.asarray(gru_outputs), encoder_outputs, mask=SOURCES != 0, scale=0.7
    )
    np.testing.assert_allclose(
        np.asarray(models.aligner([SOURCES, decoder_input])), cache["weights"], atol=1e-5
    )


def test_greedy_and_beam_search_decode_through_the_attention_model_s_states():
    import keras

    keras.utils.set_random_seed(2)
    models = build_seq2seq(13, 8, attention="additive", embedding_dim=6)
    greedy = greedy_decode(models.encoder, models.decoder, SOURCES, num_steps=4)
    beam, scores = beam_search_decode(
        models.encoder, models.decoder, SOURCES, num_steps=4, beam_width=1
    )
    assert greedy.shape == beam.shape == (3, 4) and scores.shape == (3,)
    ended = np.cumsum(greedy == 2, axis=1) - (greedy == 2) > 0  # after an end token
    np.testing.assert_array_equal(np.where(ended, 0, greedy), beam)
    wide, wide_scores = beam_search_decode(
        models.encoder, models.decoder, SOURCES, num_steps=4, beam_width=4
    )
    assert np.all(wide_scores >= scores - 1e-9)


def test_an_unknown_attention_kind_is_refused():
    with pytest.raises(ValueError, match="attention is None or one of"):
        build_seq2seq(13, 8, attention="multiplicative")
