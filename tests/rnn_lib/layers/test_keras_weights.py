"""rnn_lib.layers.keras_weights: exact round trips and the gate layout of Keras' weights.

That the converted weights give Keras' outputs is tested in test_simple_rnn.py,
test_lstm.py and test_gru.py; here we test the conversion itself.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from rnn_lib.layers.gru import gru_param_names
from rnn_lib.layers.keras_weights import (
    gru_params_from_keras,
    gru_params_to_keras,
    lstm_params_from_keras,
    lstm_params_to_keras,
    simple_rnn_params_from_keras,
    simple_rnn_params_to_keras,
)

INPUT_DIM, UNITS = 3, 5


def built_layer_with_random_weights(layer, seed=0):
    """Builds `layer` and replaces every weight (biases included) by random numbers."""
    layer.build((None, None, INPUT_DIM))
    rng = np.random.default_rng(seed)
    layer.set_weights(
        [rng.standard_normal(w.shape).astype(np.float32) for w in layer.get_weights()]
    )
    return layer


def simple_rnn_layer():
    return built_layer_with_random_weights(keras.layers.SimpleRNN(UNITS))


def lstm_layer():
    return built_layer_with_random_weights(keras.layers.LSTM(UNITS))


def gru_layer(reset_after):
    return built_layer_with_random_weights(keras.layers.GRU(UNITS, reset_after=reset_after))


# Each case: a function making a built layer, and the two conversions.
CASES = {
    "simple_rnn": (simple_rnn_layer, simple_rnn_params_from_keras, simple_rnn_params_to_keras),
    "lstm": (lstm_layer, lstm_params_from_keras, lstm_params_to_keras),
    "gru_reset_after": (lambda: gru_layer(True), gru_params_from_keras, gru_params_to_keras),
    "gru_reset_before": (lambda: gru_layer(False), gru_params_from_keras, gru_params_to_keras),
}


@pytest.mark.parametrize("case", CASES)
def test_keras_to_numpy_to_keras_is_exact(case):
    make_layer, from_keras, to_keras = CASES[case]
    layer = make_layer()
    weights = layer.get_weights()
    round_trip = to_keras(from_keras(layer))
    assert len(round_trip) == len(weights) == 3
    for original, converted in zip(weights, round_trip, strict=True):
        assert converted.shape == original.shape
        assert converted.dtype == original.dtype
        np.testing.assert_array_equal(converted, original)


@pytest.mark.parametrize("case", CASES)
def test_numpy_to_keras_to_numpy_is_exact(case):
    make_layer, from_keras, to_keras = CASES[case]
    params = from_keras(make_layer())
    rng = np.random.default_rng(1)
    params = {name: rng.standard_normal(value.shape) for name, value in params.items()}
    round_trip = from_keras(to_keras(params))
    assert list(round_trip) == list(params)
    for name in params:
        np.testing.assert_array_equal(round_trip[name], params[name])


@pytest.mark.parametrize("case", CASES)
def test_a_layer_and_its_weight_list_give_the_same_parameters(case):
    make_layer, from_keras, _ = CASES[case]
    layer = make_layer()
    from_layer, from_list = from_keras(layer), from_keras(layer.get_weights())
    assert list(from_layer) == list(from_list)
    for name in from_layer:
        np.testing.assert_array_equal(from_layer[name], from_list[name])


@pytest.mark.parametrize("case", CASES)
def test_set_weights_accepts_the_converted_parameters(case):
    make_layer, from_keras, to_keras = CASES[case]
    source, target = make_layer(), make_layer()
    target.set_weights([np.zeros_like(w) for w in target.get_weights()])
    target.set_weights(to_keras(from_keras(source)))
    for expected, actual in zip(source.get_weights(), target.get_weights(), strict=True):
        np.testing.assert_array_equal(actual, expected)


def test_parameters_are_copies_and_dtype_can_be_chosen():
    weights = simple_rnn_layer().get_weights()
    original_kernel = weights[0].copy()
    params = simple_rnn_params_from_keras(weights, dtype=np.float64)
    assert all(value.dtype == np.float64 for value in params.values())
    params["W"][...] = 0
    np.testing.assert_array_equal(weights[0], original_kernel)


def test_simple_rnn_names():
    kernel, recurrent_kernel, bias = simple_rnn_layer().get_weights()
    params = simple_rnn_params_from_keras([kernel, recurrent_kernel, bias])
    assert params["W"].shape == (INPUT_DIM, UNITS)
    np.testing.assert_array_equal(params["W"], kernel)
    np.testing.assert_array_equal(params["U"], recurrent_kernel)
    np.testing.assert_array_equal(params["b"], bias)


def test_lstm_gate_blocks_are_in_keras_order_i_f_c_o():
    kernel, recurrent_kernel, bias = lstm_layer().get_weights()
    params = lstm_params_from_keras([kernel, recurrent_kernel, bias])
    for position, gate in enumerate("ifco"):
        block = slice(position * UNITS, (position + 1) * UNITS)
        assert params[f"W_{gate}"].shape == (INPUT_DIM, UNITS)
        np.testing.assert_array_equal(params[f"W_{gate}"], kernel[:, block])
        np.testing.assert_array_equal(params[f"U_{gate}"], recurrent_kernel[:, block])
        np.testing.assert_array_equal(params[f"b_{gate}"], bias[block])


@pytest.mark.parametrize("reset_after", [True, False], ids=["reset_after", "reset_before"])
def test_gru_gate_blocks_are_in_keras_order_z_r_h(reset_after):
    kernel, recurrent_kernel, bias = gru_layer(reset_after).get_weights()
    assert bias.shape == ((2, 3 * UNITS) if reset_after else (3 * UNITS,))
    params = gru_params_from_keras([kernel, recurrent_kernel, bias])
    assert list(params) == gru_param_names(reset_after)
    input_bias = bias[0] if reset_after else bias
    for position, gate in enumerate("zrh"):
        block = slice(position * UNITS, (position + 1) * UNITS)
        np.testing.assert_array_equal(params[f"W_{gate}"], kernel[:, block])
        np.testing.assert_array_equal(params[f"U_{gate}"], recurrent_kernel[:, block])
        np.testing.assert_array_equal(params[f"b_{gate}"], input_bias[block])
        if reset_after:
            np.testing.assert_array_equal(params[f"b_rec_{gate}"], bias[1, block])


@pytest.mark.parametrize("reset_after", [True, False], ids=["reset_after", "reset_before"])
def test_gru_conversions_check_the_variant(reset_after):
    weights = gru_layer(reset_after).get_weights()
    with pytest.raises(ValueError, match="reset_after"):
        gru_params_from_keras(weights, reset_after=not reset_after)
    params = gru_params_from_keras(weights, reset_after=reset_after)
    with pytest.raises(ValueError, match="reset_after"):
        gru_params_to_keras(params, reset_after=not reset_after)
    assert gru_params_to_keras(params, reset_after=reset_after)[2].shape == weights[2].shape


def test_an_unbuilt_layer_is_rejected():
    with pytest.raises(ValueError, match="build it first"):
        lstm_params_from_keras(keras.layers.LSTM(UNITS))


def test_a_layer_without_bias_is_rejected():
    layer = keras.layers.SimpleRNN(UNITS, use_bias=False)
    layer.build((None, None, INPUT_DIM))
    with pytest.raises(ValueError, match="use_bias=True"):
        simple_rnn_params_from_keras(layer)
