"""The Keras minGRU (a parallel scan) is the NumPy minGRU (a loop) with the same weights."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.layers.min_gru import min_gru_forward
from rnn_lib.tasks.experiments import adding_classification, build_sequence_classifier
from rnn_lib.tasks.min_gru_models import stacked_min_gru


def _numpy_params(layer):
    kernel, bias = (np.asarray(w, dtype=float) for w in layer.get_weights())
    units = layer.units
    return {
        "W_z": kernel[:, :units], "W_h": kernel[:, units:], "b_z": bias[:units], "b_h": bias[units:]
    }


@pytest.fixture()
def layer_and_inputs():
    import keras

    from rnn_lib.tasks.min_gru_models import MinGRU

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 11, 4)).astype("float32")
    layer = MinGRU(5, return_sequences=True)
    layer.build(x.shape)
    weights = [rng.normal(size=(4, 10)).astype("float32"), rng.normal(size=10).astype("float32")]
    layer.set_weights(weights)
    assert isinstance(layer, keras.layers.Layer)
    return layer, x, rng


def test_the_keras_layer_is_the_numpy_loop(layer_and_inputs):
    layer, x, rng = layer_and_inputs
    h0 = rng.normal(size=(3, 5)).astype("float32")
    want = min_gru_forward(x, h0, _numpy_params(layer), method="loop")
    np.testing.assert_allclose(np.asarray(layer(x, initial_state=h0)), want, atol=1e-5)
    from_zeros = min_gru_forward(x, None, _numpy_params(layer), method="loop")
    np.testing.assert_allclose(np.asarray(layer(x)), from_zeros, atol=1e-5)


def test_without_return_sequences_the_layer_gives_the_last_state(layer_and_inputs):
    from rnn_lib.tasks.min_gru_models import MinGRU

    layer, x, _ = layer_and_inputs
    last = MinGRU(5)
    last.build(x.shape)
    last.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(last(x)), np.asarray(layer(x))[:, -1], atol=1e-6)
    assert last.compute_output_shape((None, 11, 4)) == (None, 5)
    assert MinGRU.from_config(last.get_config()).units == 5


def test_gradients_through_the_scan_equal_those_through_a_loop(layer_and_inputs):
    import tensorflow as tf

    layer, x, _ = layer_and_inputs
    kernel, bias = layer.kernel, layer.bias
    with tf.GradientTape(persistent=True) as tape:
        scanned = tf.reduce_sum(tf.sin(layer(x)))
        projected = tf.matmul(x, kernel) + bias
        gate, candidate = tf.sigmoid(projected[..., :5]), projected[..., 5:]
        h, states = tf.zeros((3, 5)), []
        for t in range(11):
            h = (1 - gate[:, t]) * h + gate[:, t] * candidate[:, t]
            states.append(h)
        looped = tf.reduce_sum(tf.sin(tf.stack(states, axis=1)))
    for weight in (kernel, bias):
        np.testing.assert_allclose(
            tape.gradient(scanned, weight).numpy(), tape.gradient(looped, weight).numpy(), atol=1e-4
        )


def test_a_stacked_min_gru_classifier_builds_trains_and_counts_its_parameters():
    import keras

    keras.utils.set_random_seed(0)
    model = build_sequence_classifier(lambda units: stacked_min_gru(units, 2), 8, 10)
    assert model.output_shape == (None, 1)
    # two layers of 2 * (D * 8 + 8), D = 2 then 8, a Dense(8) between, a Dense(1) on top
    assert model.count_params() == 2 * (2 * 8 + 8) + (8 * 8 + 8) + 2 * (8 * 8 + 8) + (8 + 1)
    X, y = adding_classification(64, 10, seed=0)
    history = model.fit(X, y, epochs=1, batch_size=16, verbose=0).history
    assert np.isfinite(history["loss"][0])
    with pytest.raises(ValueError, match="num_layers"):
        stacked_min_gru(8, 0)
