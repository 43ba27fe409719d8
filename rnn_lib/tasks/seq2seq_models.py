"""Lessons 06 and 08: the character encoder-decoder as Keras models, with or without attention.

:func:`build_seq2seq` builds lesson 06's encoder-decoder (``attention=None``: the decoder
sees the source only through the encoder's final state) and lesson 08's attention
decoder (``"dot"`` or ``"additive"``: at every step the decoder also reads a weighted sum
of *all* the encoder's outputs). The attention is Luong et al.'s (2015) *global
attention*: the decoder's GRU runs first, and its output at step ``i`` is the query that
weighs the encoder's outputs; the context joins that output before the softmax layer.
(Bahdanau et al., 2014, attend with the state *before* step ``i`` and feed the context
into the GRU instead; the scores are the same kind.)

Four models share the same layers, so they share the weights:

- ``trainer``: ``[source (batch, Ts), decoder input (batch, Tt)]`` -> probabilities
  ``(batch, Tt, V)``, every step at once, trained with teacher forcing;
- ``encoder``: source -> the decoder's initial state(s): ``h (batch, units)`` without
  attention; with attention a list that adds what every step attends to, passed on
  unchanged: ``[h, encoder outputs (batch, Ts, units), source ids (batch, Ts)]`` (the
  ids give the padding mask);
- ``decoder``: one step, ``[token (batch, 1), *states]`` -> ``[probabilities (batch, 1,
  V), *new states]``: the interface of :func:`rnn_lib.tasks.seq2seq.greedy_decode` and
  :func:`rnn_lib.tasks.seq2seq.beam_search_decode`;
- ``aligner`` (attention only): ``[source, decoder input]`` -> attention weights
  ``(batch, Tt, Ts)``, the alignment matrix of every pair.

Padding id 0 is masked in the encoder (``mask_zero=True``: a GRU carries its state over
a padded step) and in the attention (a padded source position never gets weight).
"""

from __future__ import annotations

from typing import NamedTuple

from rnn_lib.sequences.text import PAD_ID

__all__ = ["ATTENTION_KINDS", "Seq2SeqModels", "build_seq2seq"]

#: The score functions :func:`build_seq2seq` can attend with, and their Keras layers.
ATTENTION_KINDS = {"dot": "Attention", "additive": "AdditiveAttention"}


class Seq2SeqModels(NamedTuple):
    """The models of one encoder-decoder, sharing their layers (see the module's docstring)."""

    trainer: object
    encoder: object
    decoder: object
    aligner: object | None


def build_seq2seq(
    vocabulary_size: int,
    units: int,
    *,
    attention: str | None = None,
    embedding_dim: int = 32,
) -> Seq2SeqModels:
    """A GRU encoder-decoder over token ids, with or without attention.

    Args:
        vocabulary_size: ``V``; id 0 is padding.
        units: the GRUs' units (encoder and decoder).
        attention: None (lesson 06's model), ``"dot"`` (``keras.layers.Attention`` with a
            learned scale, Luong's dot score) or ``"additive"``
            (``keras.layers.AdditiveAttention``, Bahdanau's score).
        embedding_dim: the size of both embeddings.

    Returns:
        :class:`Seq2SeqModels` ``(trainer, encoder, decoder, aligner)``; ``aligner`` is
        None without attention. The trainer is not compiled.
    """
    import keras

    if attention is not None and attention not in ATTENTION_KINDS:
        kinds = sorted(ATTENTION_KINDS)
        raise ValueError(f"attention is None or one of {kinds}; got {attention!r}")
    source = keras.Input((None,), dtype="int32", name="source")
    decoder_input = keras.Input((None,), dtype="int32", name="decoder_input")
    encoder_outputs, encoder_state = keras.layers.GRU(
        units, return_sequences=True, return_state=True, name="encoder_gru"
    )(keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True)(source))

    embed = keras.layers.Embedding(vocabulary_size, embedding_dim, name="decoder_embedding")
    gru = keras.layers.GRU(units, return_sequences=True, return_state=True, name="decoder_gru")
    softmax = keras.layers.Dense(vocabulary_size, activation="softmax", name="next_token")

    def not_padding(ids):
        return keras.layers.Lambda(lambda x: keras.ops.not_equal(x, PAD_ID))(ids)

    attend = None
    if attention is not None:
        layer_class = getattr(keras.layers, ATTENTION_KINDS[attention])
        attend = layer_class(use_scale=True, name="attention")

    def read(decoded, memory, ids):
        """The decoder's outputs -> probabilities, and the attention weights (or None)."""
        if attend is None:
            return softmax(decoded), None
        context, weights = attend(
            [decoded, memory], mask=[None, not_padding(ids)], return_attention_scores=True
        )
        return softmax(keras.layers.Concatenate()([decoded, context])), weights

    decoded, _ = gru(embed(decoder_input), initial_state=encoder_state)
    probabilities, weights = read(decoded, encoder_outputs, source)
    trainer = keras.Model([source, decoder_input], probabilities, name="seq2seq")

    token = keras.Input((1,), dtype="int32", name="token")
    state = keras.Input((units,), name="state")
    if attention is None:
        encoder = keras.Model(source, encoder_state, name="encoder")
        step, new_state = gru(embed(token), initial_state=state)
        decoder = keras.Model([token, state], [softmax(step), new_state], name="decoder")
        return Seq2SeqModels(trainer, encoder, decoder, None)

    passed_on = keras.layers.Identity()
    encoder = keras.Model(
        source, [encoder_state, encoder_outputs, passed_on(source)], name="encoder"
    )
    memory = keras.Input((None, units), name="encoder_outputs")
    ids = keras.Input((None,), dtype="int32", name="source_ids")
    step, new_state = gru(embed(token), initial_state=state)
    step_probabilities, _ = read(step, memory, ids)
    decoder = keras.Model(
        [token, state, memory, ids],
        [step_probabilities, new_state, passed_on(memory), passed_on(ids)],
        name="decoder",
    )
    aligner = keras.Model([source, decoder_input], weights, name="aligner")
    return Seq2SeqModels(trainer, encoder, decoder, aligner)
