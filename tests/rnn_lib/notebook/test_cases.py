"""The declarative graded cases: plain data out of any result, one comparison for both sides."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnn_lib.notebook import cases
from rnn_lib.notebook.cases import PROBE_MIME, compare, decode, encode, expect, keras_layer


class AlwaysEqual:
    """A look-alike result whose comparisons always succeed."""

    def __eq__(self, other):
        return True


def test_arrays_keep_their_shape_and_dtype_and_tuples_become_lists():
    data = encode((np.zeros((0, 4, 1)), np.array([1, 2], dtype="int32"), np.float32(0.5)))
    assert data[0] == {"ndarray": [], "shape": [0, 4, 1], "dtype": "<f8"}
    assert data[1] == {"ndarray": [1, 2], "shape": [2], "dtype": "<i4"}
    assert data[2] == 0.5
    assert json.loads(json.dumps(data)) == data  # plain JSON
    back = decode(data)
    assert back[0].shape == (0, 4, 1) and back[1].dtype == np.int32


def test_objects_that_are_not_data_are_refused():
    for value in (AlwaysEqual(), [1, AlwaysEqual()], np.array([AlwaysEqual()]), {1: 2}):
        with pytest.raises(TypeError):
            encode(value)


def test_compare_names_where_and_how_results_differ():
    want = encode((np.array([[1.0, 2.0]]), np.array([[True, False]])))
    assert compare(want, encode((np.array([[1, 2]]), np.array([[True, False]])))) is None
    assert "shape (2,) instead of (1, 2)" in compare(want, encode((np.array([1.0, 2.0]), None)))
    assert "dtype int64 instead of bool" in compare(
        want, encode((np.array([[1.0, 2.0]]), np.array([[1, 0]])))
    )
    assert compare(want, encode((np.array([[1.0, 2.5]]), np.array([[True, False]])))) == (
        "result[0]: 1 of 2 values differ, the most at index (0, 1): 2.5 instead of 2.0"
    )
    assert compare(encode(np.array([1.0])), encode(np.array([1.0 + 1e-9])), atol=1e-6) is None
    assert compare(encode(np.array([1.0])), encode(np.array([1.0 + 1e-9]))) is not None
    assert compare(encode([3, 2, 1]), encode(np.array([3, 2, 1]))) is None  # an array for a list
    assert "2 items instead of 3" in compare(encode([3, 2, 1]), encode([3, 2]))
    assert compare(encode(["a", "b"]), encode(["a", "c"])) == "result[1]: 'c' instead of 'b'"
    assert compare(encode(True), encode(1)) is not None  # a bool is not a number here
    assert "a float where an integer (40) is expected" in compare(encode(40), encode(40.0))
    assert compare(encode(0.5), encode(np.float32(0.5))) is None
    assert compare(encode(float("nan")), encode(float("nan"))) is None
    int32, int64 = encode(np.array([1], "int32")), encode(np.array([1], "int64"))
    assert compare(int32, int64) is None
    assert "dtype int64 instead of int32" in compare(int32, int64, exact_dtype=True)


def test_expect_asserts_the_result_and_refuses_a_function_that_changes_its_arguments():
    def double(values):
        return values * 2

    def double_in_place(values):
        values *= 2
        return values

    data = np.array([1, 2])
    expect(double, data, returns=np.array([2, 4]))
    with pytest.raises(AssertionError, match=r"double: result: 1 of 2 values differ"):
        expect(double, data, returns=np.array([2, 5]))
    with pytest.raises(AssertionError, match="double_in_place changed its arguments"):
        expect(double_in_place, data, returns=np.array([2, 4]))
    assert data.tolist() == [1, 2]  # it was given a copy


def test_a_layer_class_travels_as_its_name():
    import keras

    assert encode(cases.keras_layer("GRU")) == {"keras.layers": "GRU"}
    assert decode(encode([cases.keras_layer("LSTM")])) == [keras.layers.LSTM]
    expect(lambda layer: layer.__name__, cases.keras_layer("SimpleRNN"), returns="SimpleRNN")


def test_probe_returns_results_errors_and_modules_as_data(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append(data))

    def square(x):
        return x**2

    def broken(x):
        raise ValueError("no")

    calls = [
        {"function": name, "args": [encode(np.array([1.0, 3.0]))], "kwargs": {}}
        for name in ("square", "broken", "missing")
    ]
    cases.probe({"square": square, "broken": broken}, json.dumps(calls))
    ((results,),) = [list(item.values()) for item in shown]
    assert list(shown[0]) == [PROBE_MIME]
    assert results[0] == {
        "value": encode(np.array([1.0, 9.0])),
        "module": __name__,
        "changed_its_arguments": False,
    }
    assert results[1] == {"error": "ValueError: no"}
    assert results[2]["error"].startswith("NameError")


def test_a_model_is_compared_by_what_the_exercise_prescribes_however_it_was_written():
    import keras

    def compiled(model, loss):
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003), loss=loss)
        return model

    sequential = keras.Sequential(
        [keras.Input((24, 1)), keras.layers.SimpleRNN(16), keras.layers.Dense(1)]
    )
    inputs = keras.Input((24, 1))
    outputs = keras.layers.Dense(1)(keras.layers.SimpleRNN(16)(inputs))
    functional = keras.Model(inputs, outputs)
    first = cases.describe_model(compiled(sequential, "mse"))
    second = cases.describe_model(compiled(functional, keras.losses.MeanSquaredError()))
    assert compare(encode(first), encode(second), rtol=1e-6) is None
    assert first["recurrent"] == [
        {"class": "SimpleRNN", "units": 16, "activation": "tanh", "return_sequences": False}
    ]
    assert (first["metrics"], first["global_clipnorm"], first["clipnorm"]) == ([], None, None)
    assert (first["params"], first["loss"], first["input_shape"]) == (
        305,
        "mean_squared_error",
        [None, 24, 1],
    )


def test_a_bidirectional_layer_is_described_with_its_merge_mode_and_the_layer_it_wraps():
    import keras

    gru = keras.layers.GRU(3, return_sequences=True)
    inputs = keras.Input((None,), dtype="int32")
    hidden = keras.layers.Bidirectional(gru, merge_mode="sum")(keras.layers.Embedding(5, 2)(inputs))
    tagger = keras.Model(inputs, keras.layers.Dense(4, activation="softmax")(hidden))
    described = cases.describe_model(tagger)
    assert described["recurrent"] == [
        {
            "class": "Bidirectional",
            "merge_mode": "sum",
            "wraps": {"class": "GRU", "units": 3, "activation": "tanh", "return_sequences": True},
        }
    ]
    assert (described["output_shape"], described["last_activation"]) == ([None, None, 4], "softmax")
    assert (described["optimizer"], described["loss"], described["metrics"]) == (None, None, [])


def _last_step_sign_model(dense):
    """A trained-looking SimpleRNN classifier: label 1 when feature 0 of the last step > 0."""
    import keras

    layers = [keras.Input((3, 2)), keras.layers.SimpleRNN(1), keras.layers.Dense(1)]
    model = keras.Sequential(layers)
    weights = [[[10.0], [0.0]], np.zeros((1, 1)), np.zeros(1), [[dense]], np.zeros(1)]
    model.set_weights([np.asarray(w) for w in weights])
    return model


def test_expect_accuracy_scores_the_weights_in_the_prescribed_architecture():
    from rnn_lib.notebook.cases import expect_accuracy, model_recipe

    x = np.random.default_rng(1).normal(size=(100, 3, 2)).astype("float32")
    labels = (x[:, -1, 0] > 0).astype(int)
    architecture = model_recipe(
        "rnn_lib.tasks.experiments.build_sequence_classifier",
        layer_class=keras_layer("SimpleRNN"), units=1, timesteps=3,
    )
    expect_accuracy(_last_step_sign_model(10.0), architecture=architecture, inputs=x,
                    labels=labels, at_least=0.95)
    with pytest.raises(AssertionError, match="held-out accuracy 0.000, below 0.95"):
        expect_accuracy(_last_step_sign_model(-10.0), architecture=architecture, inputs=x,
                        labels=labels, at_least=0.95)
    with pytest.raises(AssertionError, match="above 0.6"):
        expect_accuracy(_last_step_sign_model(10.0), architecture=architecture, inputs=x,
                        labels=labels, at_most=0.6)


def test_a_model_recipe_names_only_course_library_functions():
    from rnn_lib.notebook.cases import model_recipe

    with pytest.raises(ValueError, match="a function of rnn_lib"):
        model_recipe("os.system", command="true")
    recipe = model_recipe("rnn_lib.tasks.experiments.build_sequence_classifier",
                          layer_class=keras_layer("GRU"), units=2, timesteps=4)
    model = decode(encode([recipe]))[0]  # as the kernel receives it: built from its library
    assert type(model.layers[0]).__name__ == "GRU" and model.input_shape == (None, 4, 2)


def test_expect_outputs_compares_a_built_model_with_the_prescribed_one_given_its_weights():
    import keras

    from rnn_lib.notebook.cases import expect_outputs, model_recipe

    architecture = model_recipe("rnn_lib.imdb.model.build_word_model", vocab_size=9,
                                embedding_dim=2, units=3)
    batch = np.array([[1, 2, 3, 0, 0], [4, 0, 0, 0, 0]], dtype="int32")
    inputs = [batch, np.pad(batch, ((0, 0), (0, 4)))]

    def same(vocab_size, embedding_dim, units):
        from rnn_lib.imdb import build_word_model

        return build_word_model(vocab_size, embedding_dim, units)

    def unmasked(vocab_size, embedding_dim, units):  # padding reaches the GRU and the pooling
        tokens = keras.Input((None,), dtype="int32")
        steps = keras.layers.Bidirectional(keras.layers.GRU(units, return_sequences=True))(
            keras.layers.Embedding(vocab_size, embedding_dim)(tokens)
        )
        pooled = keras.layers.Concatenate()(
            [keras.layers.GlobalAveragePooling1D()(steps), keras.layers.GlobalMaxPooling1D()(steps)]
        )
        return keras.Model(tokens, keras.layers.Dense(1, activation="sigmoid")(pooled))

    expect_outputs(same, 9, 2, 3, architecture=architecture, inputs=inputs)
    with pytest.raises(AssertionError, match=r"unmasked: outputs\[0\]"):
        expect_outputs(unmasked, 9, 2, 3, architecture=architecture, inputs=inputs)
    with pytest.raises(AssertionError, match="do not fit the model the exercise asks for"):
        expect_outputs(same, 9, 2, 4, architecture=architecture, inputs=inputs)


def test_callbacks_and_a_training_run_are_described_as_data():
    import keras

    from rnn_lib.notebook.cases import describe_callbacks, describe_history

    stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=3)
    assert describe_callbacks([stop, keras.callbacks.TerminateOnNaN()]) == [
        {"class": "EarlyStopping", "monitor": "val_accuracy", "patience": 3,
         "restore_best_weights": False},
        {"class": "TerminateOnNaN"},
    ]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(np.ones((4, 2)), np.ones(4), epochs=2, verbose=0)
    described = describe_history(history)
    assert (described["metrics"], described["epochs"]) == (["accuracy", "loss"], 2)
    assert described["model"]["loss"] == "binary_crossentropy"
    assert described["model"]["learning_rate"] == pytest.approx(0.01)
