"""Graded cases in one declarative form: results as data, compared where they are kept.

A test cell declares the cases that decide its points in its hidden part, one
:func:`expect` per call of the learner's function::

    ### BEGIN HIDDEN TESTS
    from rnn_lib.notebook.cases import expect
    expect(make_windows, np.arange(10), 3, horizon=4,
           returns=(np.array([[[0], [1], [2]], ...]), np.array([6, 7, 8, 9])))
    ### END HIDDEN TESTS

What happens to it depends on who runs it:

- **an instructor's kernel** (``make solutions``, nbval on ``solutions/``): :func:`expect`
  calls the function and asserts the result, so every expected value is checked against
  the solution whenever the notebook runs;
- **the grader** (``course_tools.verdicts``) never sends this part to the learner's
  kernel. It evaluates the arguments and the expected values itself, sends the
  arguments into the kernel as data, has :func:`probe` call the learner's functions
  there and send the results back as data (:func:`encode`), and compares them with
  :func:`compare` in its own process. The kernel never sees an expected value, and
  nothing it returns is an object with behaviour of its own: a kernel that suppresses
  its errors, patches NumPy or returns objects whose ``==`` always says yes gains
  nothing.

The comparison is the same on both sides: results are turned into plain data first
(arrays keep their shape and dtype), numbers are compared with ``rtol``/``atol`` (exactly
by default), an integer result may be given as floats and the other way round, a boolean
array must be boolean, and a tuple and a list are the same sequence.

A model cannot travel as data: a case names one by recipe (:func:`model_recipe`, built by
a course-library function on the side that needs it), judges a trained model by its weights
(:func:`expect_accuracy`) and a built one by its outputs next to the prescribed model's
(:func:`expect_outputs`).

Used by the test cells of every lesson (01-07): the grader decides them all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "PROBE_MIME",
    "VIEWS",
    "KerasLayer",
    "ModelRecipe",
    "compare",
    "decode",
    "describe_callbacks",
    "describe_history",
    "describe_model",
    "encode",
    "expect",
    "expect_accuracy",
    "expect_outputs",
    "keras_layer",
    "model_outputs",
    "model_recipe",
    "outputs_problem",
    "probe",
    "weights_accuracy",
]

#: The MIME type of the one output through which :func:`probe` returns its results.
PROBE_MIME = "application/vnd.rnn-course.probe+json"
_ARRAY = "ndarray"
_LAYER = "keras.layers"
_MODEL = "keras.model"


class KerasLayer:
    """A Keras layer class named as data: ``keras_layer("LSTM")`` is ``keras.layers.LSTM``.

    An argument of a graded case that is a layer class (``units_for_budget(keras.layers.GRU,
    ...)``): the grader names it without importing Keras, and the kernel gets the class.
    """

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"keras_layer({self.name!r})"


def keras_layer(name: str) -> KerasLayer:
    """The layer class ``keras.layers.<name>``, as an argument of a graded case."""
    return KerasLayer(name)


class ModelRecipe:
    """A Keras model (or layer) named as data: a course-library function and its arguments.

    ``model_recipe("rnn_lib.tasks.experiments.build_sequence_classifier",
    layer_class=keras_layer("LSTM"), units=32, timesteps=30)`` is the model that call
    builds. The grader names a model this way without sending one (a model is code and
    state, not data): the side that needs the model builds it from its own copy of the
    course library.
    """

    def __init__(self, builder: str, kwargs: dict[str, Any]):
        if not builder.startswith("rnn_lib.") or builder.count(".") < 2:
            raise ValueError(f"a model recipe names a function of rnn_lib; got {builder!r}")
        self.builder = builder
        self.kwargs = kwargs

    def build(self):
        """A new model, built by the recipe's function (arguments decoded first)."""
        import importlib

        module, name = self.builder.rsplit(".", 1)
        function = getattr(importlib.import_module(module), name)
        return function(**decode(encode(self.kwargs)))

    def __repr__(self) -> str:
        arguments = "".join(f", {key}={value!r}" for key, value in self.kwargs.items())
        return f"model_recipe({self.builder!r}{arguments})"


def model_recipe(builder: str, **kwargs: Any) -> ModelRecipe:
    """The model ``builder(**kwargs)`` builds, as an argument of a graded case.

    Args:
        builder: the dotted name of an ``rnn_lib`` function that returns a Keras model.
        **kwargs: its arguments (anything :func:`encode` takes).
    """
    return ModelRecipe(builder, kwargs)


def encode(value: Any) -> Any:
    """``value`` as plain JSON data: arrays keep their shape and dtype, tuples become lists.

    Args:
        value: a result (or an argument): NumPy arrays and scalars, anything with
            ``__array__`` (a TensorFlow tensor), lists, tuples, dicts with string keys,
            ``int``, ``float``, ``bool``, ``str`` or ``None``.

    Returns:
        Nested lists, dicts and scalars; an array becomes
        ``{"ndarray": nested list, "shape": [...], "dtype": "<f8"}``.

    Raises:
        TypeError: for anything else (an object the comparison cannot trust).
    """
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, KerasLayer):
        return {_LAYER: value.name}
    if isinstance(value, ModelRecipe):
        return {_MODEL: {"builder": value.builder, "kwargs": encode(value.kwargs)}}
    if isinstance(value, type) and value.__module__.startswith("keras"):
        import keras

        if getattr(keras.layers, value.__name__, None) is value:
            return {_LAYER: value.__name__}
    if type(value) in (list, tuple):
        return [encode(item) for item in value]
    if type(value) is dict:
        if not all(type(key) is str for key in value):
            raise TypeError("a dict result must have string keys")
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, np.generic):
        return encode(value.item())
    if isinstance(value, np.ndarray) or hasattr(value, "__array__"):
        array = np.asarray(value)
        if array.dtype.kind not in "biufU":
            raise TypeError(f"an array of {array.dtype} cannot be compared")
        return {_ARRAY: array.tolist(), "shape": list(array.shape), "dtype": array.dtype.str}
    raise TypeError(f"unexpected {type(value).__name__} in the result")


def decode(data: Any) -> Any:
    """The inverse of :func:`encode` (arrays come back as arrays, sequences as lists)."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if isinstance(data, dict):
        if _ARRAY in data:
            array = np.array(data[_ARRAY], dtype=np.dtype(data["dtype"]))
            return array.reshape(data["shape"])
        if _LAYER in data:
            import keras

            return getattr(keras.layers, data[_LAYER])
        if _MODEL in data:
            return ModelRecipe(data[_MODEL]["builder"], decode(data[_MODEL]["kwargs"])).build()
        return {key: decode(item) for key, item in data.items()}
    return data


def _untrusted(data: Any) -> Any:
    """:func:`decode` for data from a learner's kernel: arrays and plain values only.

    Never builds a layer or a model (a recipe from a kernel would have the grader call a
    function of the kernel's choosing).

    Raises:
        ValueError: for anything but arrays, lists, dicts and scalars.
    """
    if isinstance(data, list):
        return [_untrusted(item) for item in data]
    if isinstance(data, dict):
        if _ARRAY in data:
            return decode({_ARRAY: data[_ARRAY], "shape": data["shape"], "dtype": data["dtype"]})
        if _LAYER in data or _MODEL in data:
            raise ValueError("a layer or a model where data is expected")
        return {key: _untrusted(item) for key, item in data.items()}
    return data


def _as_array(data: Any) -> np.ndarray | None:
    """``data`` (from anywhere, a learner's kernel included) as an array of data, or None."""
    try:
        array = _untrusted(data) if isinstance(data, dict) else np.asarray(_untrusted(data))
    except Exception:  # noqa: BLE001 - malformed data is a wrong result, never a crash
        return None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biufU":
        return None
    return array


def compare(
    expected: Any,
    got: Any,
    rtol: float = 0.0,
    atol: float = 0.0,
    where: str = "result",
    exact_dtype: bool = False,
):
    """Why ``got`` differs from ``expected`` (both :func:`encode`-d), or None if it does not.

    Args:
        expected: the expected value, as data.
        got: the value to check, as data (from a kernel: any JSON).
        rtol, atol: tolerances for numbers (``numpy.isclose``'s); exact by default.
        where: the name of the value in the message.
        exact_dtype: arrays must have the expected dtype itself, not only its kind.

    Returns:
        None if they agree, else one line naming where and how they differ.
    """
    if isinstance(expected, dict) and _ARRAY in expected:
        want, have = decode(expected), _as_array(got)
        if have is None:
            return f"{where}: expected an array of shape {want.shape}; got {_describe(got)}"
        if have.shape != want.shape:
            return f"{where}: shape {have.shape} instead of {want.shape}"
        if want.dtype.kind == "b" and have.dtype.kind != "b":
            return f"{where}: dtype {have.dtype} instead of bool"
        if exact_dtype and have.dtype != want.dtype:
            return f"{where}: dtype {have.dtype} instead of {want.dtype}"
        if want.dtype.kind == "U" or have.dtype.kind == "U":
            same = have.dtype.kind == want.dtype.kind and np.array_equal(have, want)
        else:
            same = have.size == 0 or bool(
                np.all(np.isclose(have, want, rtol=rtol, atol=atol, equal_nan=True))
            )
        return None if same else f"{where}: {_largest_difference(have, want)}"
    if isinstance(got, dict) and _ARRAY in got and not (isinstance(expected, dict)):
        got = got[_ARRAY]  # an array where a list or a number is expected: its values count
    if isinstance(expected, list):
        if not isinstance(got, list):
            return f"{where}: expected a sequence of {len(expected)}; got {_describe(got)}"
        if len(got) != len(expected):
            return f"{where}: {len(got)} items instead of {len(expected)}"
        for index, (want, have) in enumerate(zip(expected, got, strict=True)):
            problem = compare(want, have, rtol, atol, f"{where}[{index}]", exact_dtype)
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"{where}: expected a dict with keys {sorted(expected)}; got {_describe(got)}"
        for key in expected:
            problem = compare(expected[key], got[key], rtol, atol, f"{where}[{key!r}]", exact_dtype)
            if problem:
                return problem
        return None
    if type(expected) is int and type(got) is float:
        return f"{where}: {got!r}, a float where an integer ({expected!r}) is expected"
    if type(expected) in (int, float) and type(got) in (int, float):
        same = math.isclose(got, expected, rel_tol=rtol, abs_tol=atol) or (
            math.isnan(expected) and math.isnan(got)
        )
        return None if same else f"{where}: {got!r} instead of {expected!r}"
    if type(got) is not type(expected) or got != expected:
        return f"{where}: {_describe(got)} instead of {expected!r}"
    return None


def _describe(data: Any) -> str:
    if isinstance(data, dict) and _ARRAY in data:
        return f"an array of shape {tuple(data['shape'])}"
    text = repr(data)
    return text if len(text) <= 80 else text[:77] + "..."


def _largest_difference(have: np.ndarray, want: np.ndarray) -> str:
    if have.dtype.kind == "b" or want.dtype.kind in "bU":
        return f"{int(np.sum(have != want))} of {want.size} values differ"
    difference = np.abs(have.astype(float) - want.astype(float))
    index = np.unravel_index(np.nanargmax(difference), difference.shape)
    where = tuple(int(i) for i in index)
    return (
        f"{int(np.sum(~np.isclose(have, want)))} of {want.size} values differ, the most at "
        f"index {where}: {have[index].item()!r} instead of {want[index].item()!r}"
    )


def describe_model(model) -> dict[str, Any]:
    """What a graded case compares of a compiled Keras model, as plain data.

    The parts an exercise that builds a model prescribes, independent of how it was
    written (``Sequential`` or functional, an explicit ``InputLayer`` or not).

    Args:
        model: a compiled ``keras.Model``.

    Returns:
        ``{"input_shape", "output_shape", "params", "recurrent": [{"class", "units",
        "activation", "return_sequences"}, ...] for each recurrent layer in order (a
        ``Bidirectional`` one as ``{"class", "merge_mode", "wraps": {...}}``),
        "last_activation", "optimizer", "learning_rate", "loss", "metrics",
        "global_clipnorm", "clipnorm"}``; the loss by its canonical name (``"mse"`` and
        ``MeanSquaredError()`` are both ``"mean_squared_error"``), the metrics by name
        (``"accuracy"`` and ``BinaryAccuracy(name="accuracy")`` alike).
    """
    import keras

    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    recurrent = [
        _recurrent_layer(layer)
        for layer in layers
        if isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional)
    ]
    loss = getattr(model, "loss", None)
    if isinstance(loss, str):
        loss = keras.losses.get(loss).__name__
    elif isinstance(loss, keras.losses.Loss):
        loss = loss.name
    optimizer = getattr(model, "optimizer", None)
    return {
        "input_shape": list(model.input_shape),
        "output_shape": list(model.output_shape),
        "params": int(model.count_params()),
        "recurrent": recurrent,
        "last_activation": getattr(getattr(layers[-1], "activation", None), "__name__", None),
        "optimizer": type(optimizer).__name__ if optimizer is not None else None,
        "learning_rate": float(optimizer.learning_rate) if optimizer is not None else None,
        "loss": loss if isinstance(loss, str) else None,
        "metrics": _metric_names(model),
        "global_clipnorm": _optional_float(getattr(optimizer, "global_clipnorm", None)),
        "clipnorm": _optional_float(getattr(optimizer, "clipnorm", None)),
    }


def _recurrent_layer(layer) -> dict[str, Any]:
    """A recurrent layer's class, units, activation and ``return_sequences``.

    A ``Bidirectional`` wrapper is ``{"class": "Bidirectional", "merge_mode": ...,
    "wraps": the description of its forward layer}``.
    """
    import keras

    if isinstance(layer, keras.layers.Bidirectional):
        return {
            "class": "Bidirectional",
            "merge_mode": layer.merge_mode,
            "wraps": _recurrent_layer(layer.forward_layer),
        }
    return {
        "class": type(layer).__name__,
        "units": int(layer.units),
        "activation": layer.activation.__name__,
        "return_sequences": bool(layer.return_sequences),
    }


def _metric_names(model) -> list[str]:
    """The names of the metrics a model was compiled with (``"accuracy"`` however given)."""
    config = model.get_compile_config() if hasattr(model, "get_compile_config") else None
    metrics = (config or {}).get("metrics") or []
    if not isinstance(metrics, list):
        metrics = [metrics]
    return [m if isinstance(m, str) else str(m.get("config", {}).get("name")) for m in metrics]


def _optional_float(value) -> float | None:
    return None if value is None else float(value)


def describe_callbacks(callbacks) -> list[dict[str, Any]]:
    """What a graded case compares of a list of Keras callbacks, as plain data.

    Returns:
        Per callback ``{"class": name}``, and for ``EarlyStopping`` also its
        ``"monitor"``, ``"patience"`` and ``"restore_best_weights"``.
    """
    import keras

    described = []
    for callback in callbacks:
        entry: dict[str, Any] = {"class": type(callback).__name__}
        if isinstance(callback, keras.callbacks.EarlyStopping):
            entry.update(
                monitor=str(callback.monitor),
                patience=int(callback.patience),
                restore_best_weights=bool(callback.restore_best_weights),
            )
        described.append(entry)
    return described


def describe_history(history) -> dict[str, Any]:
    """What a graded case compares of a training run: ``model.fit``'s ``History``.

    Returns:
        ``{"metrics": the sorted names it recorded, "epochs": how many ran, "model":
        describe_model(the model it trained)}``.
    """
    return {
        "metrics": sorted(history.history),
        "epochs": len(history.epoch),
        "model": describe_model(history.model),
    }


#: What a case may compare instead of the result itself (``expect(..., view="model")``).
VIEWS = {"model": describe_model, "callbacks": describe_callbacks, "history": describe_history}


def _called_as_the_probe_calls(function, args: tuple, kwargs: dict) -> tuple[str, Any]:
    """``function``'s name and what it returns for the arguments as the probe passes them.

    The arguments are the same data, decoded the same way (copies; tuples become lists;
    recipes built).

    Raises:
        AssertionError: if the function changed the arrays or lists it was given.
    """
    sent = encode([list(args), kwargs])
    passed_args, passed_kwargs = decode(sent)
    got = function(*passed_args, **passed_kwargs)
    name = getattr(function, "__name__", repr(function))
    assert _unchanged(sent, [passed_args, passed_kwargs]), f"{name} changed its arguments"
    return name, got


def expect(
    function,
    *args,
    returns,
    rtol: float = 0.0,
    atol: float = 0.0,
    view: str | None = None,
    exact_dtype: bool = False,
    stand_ins: dict[str, str] | None = None,
    stand_in_returns: Any = None,
    **kwargs,
) -> None:
    """Assert that ``function(*args, **kwargs)`` returns ``returns`` (in an instructor's kernel).

    The declarative form of a graded case (see the module's docstring). The grader reads
    the same call from the cell's source and decides the points outside the kernel.

    Args:
        function: the learner's function.
        *args, **kwargs: its arguments, passed as the grader's probe passes them: as data,
            decoded again (so copies; tuples become lists).
        returns: the expected result (of the view, if one is named).
        rtol, atol: tolerances for numbers (exact by default).
        view: the name of a function in :data:`VIEWS` that turns the result into the
            data compared (``"model"``: :func:`describe_model`).
        exact_dtype: arrays must have the expected dtype itself (``int32``, not ``int64``).
        stand_ins: for a function that composes an earlier exercise: names of the
            notebook bound to stand-ins (:mod:`rnn_lib.notebook.stand_ins`) for a second
            call, ``{"rnn_step": "running_total_step"}``. The grader passes the case if
            either call is right, so a mistake in the earlier exercise costs only that one;
            here (the solution) both must be.
        stand_in_returns: the expected result of the call with the stand-ins.

    Raises:
        AssertionError: naming the function and how the result differs.
    """
    name, got = _called_as_the_probe_calls(function, args, kwargs)
    if view is not None:
        got = VIEWS[view](got)
    problem = compare(encode(returns), encode(got), rtol, atol, exact_dtype=exact_dtype)
    assert problem is None, f"{name}: {problem}"
    if stand_ins:
        from rnn_lib.notebook.stand_ins import standing_in

        with standing_in(function.__globals__, **stand_ins):
            _, got = _called_as_the_probe_calls(function, args, kwargs)
        want = encode(stand_in_returns)
        problem = compare(want, encode(got), rtol, atol, exact_dtype=exact_dtype)
        assert problem is None, f"{name} with the stand-ins {stand_ins}: {problem}"


def _unchanged(sent: Any, passed: Any) -> bool:
    """Whether the arguments ``passed`` still encode to ``sent`` (models and layers skipped)."""
    if isinstance(sent, dict) and (_MODEL in sent or _LAYER in sent):
        return True
    if isinstance(sent, list) and isinstance(passed, list | tuple) and len(sent) == len(passed):
        return all(_unchanged(a, b) for a, b in zip(sent, passed, strict=True))
    if isinstance(sent, dict) and _ARRAY not in sent and type(passed) is dict:
        return set(sent) == set(passed) and all(_unchanged(sent[k], passed[k]) for k in sent)
    try:
        return encode(passed) == sent
    except TypeError:
        return False


def _loaded(architecture: ModelRecipe, weights: list):
    """The model ``architecture`` builds, with ``weights`` (data or arrays), or why not."""
    model = architecture.build()
    shapes = [tuple(w.shape) for w in model.get_weights()]
    arrays = [_as_array(w) if not isinstance(w, np.ndarray) else w for w in weights]
    given = [None if a is None or a.dtype.kind not in "iuf" else tuple(a.shape) for a in arrays]
    if given != shapes:
        return f"weights of shapes {given} do not fit the model the exercise asks for ({shapes})"
    model.set_weights([a.astype("float32") for a in arrays])
    return model


def weights_accuracy(architecture: ModelRecipe, weights: list, inputs, labels) -> float | str:
    """The accuracy of ``weights`` in the model ``architecture`` builds, or why there is none.

    The model is built here, from the course library, so only the weights come from the
    model being judged: they score only if they really classify.

    Args:
        architecture: the model the exercise asks for, built from a trusted recipe;
            one sigmoid output unit.
        weights: its weight arrays, in Keras' order (``model.get_weights()``).
        inputs: the held-out inputs, ``(n, ...)``.
        labels: their labels, 0 or 1, ``(n,)``.

    Returns:
        The fraction of ``inputs`` whose probability, thresholded at 0.5, equals its
        label; or a message if the weights do not fit the architecture.
    """
    model = _loaded(architecture, weights)
    if isinstance(model, str):
        return model
    probabilities = np.asarray(model.predict(np.asarray(inputs), batch_size=256, verbose=0))
    predictions = probabilities.reshape(len(labels)) > 0.5
    return float(np.mean(predictions == (np.asarray(labels).reshape(-1) > 0.5)))


def model_outputs(model, inputs: list) -> dict[str, list[np.ndarray]]:
    """A model's weights and its outputs on each array of ``inputs``, as arrays."""
    return {
        "weights": [np.asarray(w) for w in model.get_weights()],
        "outputs": [np.asarray(model(np.asarray(x))) for x in inputs],
    }


def outputs_problem(
    architecture: ModelRecipe, sent: Any, inputs: list, rtol: float, atol: float
) -> str | None:
    """Why a model's outputs differ from those of ``architecture`` with its weights, or None.

    Args:
        architecture: the model the exercise asks for, built from a trusted recipe.
        sent: :func:`model_outputs` of the model being judged, :func:`encode`-d.
        inputs: the arrays both models were given.
        rtol, atol: tolerances for the outputs.
    """
    if not isinstance(sent, dict) or set(sent) != {"weights", "outputs"}:
        return "no weights and outputs came back"
    if not isinstance(sent["weights"], list):
        return "no weights came back"
    model = _loaded(architecture, sent["weights"])
    if isinstance(model, str):
        return model
    want = encode([np.asarray(model(np.asarray(x))) for x in inputs])
    return compare(want, sent["outputs"], rtol, atol, where="outputs")


def expect_outputs(
    function, *args, architecture: ModelRecipe, inputs: list, rtol=0.0, atol=1e-5, **kwargs
) -> None:
    """Assert that the model ``function`` builds computes what ``architecture`` computes.

    The declarative form of a graded model-building case that the model view cannot
    describe (custom layers, masking): the model ``function(*args, **kwargs)`` returns
    is given each array of ``inputs``; the model ``architecture`` builds (from the course
    library) is given the same weights and the same arrays, and the outputs must agree.
    Arrays with extra padding among ``inputs`` check that padding changes nothing.

    Args:
        function: the learner's function; returns a Keras model.
        *args, **kwargs: its arguments (passed as data, as in :func:`expect`).
        architecture: a :func:`model_recipe` for the model the exercise prescribes.
        inputs: a list of input arrays.
        rtol, atol: tolerances for the outputs.

    Raises:
        AssertionError: naming the function and how the outputs differ.
    """
    name, model = _called_as_the_probe_calls(function, args, kwargs)
    sent_back = encode(model_outputs(model, inputs))
    problem = outputs_problem(architecture, sent_back, inputs, rtol, atol)
    assert problem is None, f"{name}: {problem}"


def expect_accuracy(
    model,
    *,
    architecture: ModelRecipe,
    inputs,
    labels,
    at_least: float | None = None,
    at_most: float | None = None,
) -> None:
    """Assert that ``model``'s trained weights score within bounds (in an instructor's kernel).

    The declarative form of a graded outcome: ``model`` is a trained model in the
    notebook (a name, or a name with constant subscripts: ``memory_models["LSTM"]``); its
    weights are loaded into the model ``architecture`` builds and scored on held-out
    ``inputs`` (:func:`weights_accuracy`). The grader reads the same call, takes only the
    weights from the learner's kernel and scores them in its own process.

    Args:
        model: the trained Keras model.
        architecture: a :func:`model_recipe` for the architecture the exercise prescribes.
        inputs, labels: held-out data and its 0/1 labels.
        at_least, at_most: the bounds the accuracy must lie within (either may be None).

    Raises:
        AssertionError: if the weights do not fit or the accuracy is out of bounds.
    """
    weights = [np.asarray(w) for w in model.get_weights()]
    score = weights_accuracy(architecture, weights, inputs, labels)
    problem = accuracy_problem(score, at_least, at_most)
    assert problem is None, problem


def accuracy_problem(score: float | str, at_least: float | None, at_most: float | None):
    """Why an accuracy (or a message from :func:`weights_accuracy`) fails its bounds, or None."""
    if isinstance(score, str):
        return score
    if at_least is not None and not score >= at_least:
        return f"held-out accuracy {score:.3f}, below {at_least}"
    if at_most is not None and not score <= at_most:
        return f"held-out accuracy {score:.3f}, above {at_most}"
    return None


def _weights_of(namespace: Mapping[str, Any], path: list) -> dict[str, Any]:
    """The weights of the model at ``namespace[path[0]][path[1]]...``, as data."""
    try:
        model = namespace[path[0]]
        for key in path[1:]:
            model = model[key]
        return {"value": encode([np.asarray(w) for w in model.get_weights()])}
    except Exception as error:  # noqa: BLE001 - reported as data, like a learner's error
        return {"error": f"{type(error).__name__}: {error}"[:300]}


def probe(namespace: Mapping[str, Any], calls: str) -> None:
    """Run the grader's calls in a learner's kernel and display the results as data.

    The grader executes this in the learner's kernel (the kernel may have changed
    anything, this function included: whatever it sends back is only data, compared
    with values the kernel never sees).

    Args:
        namespace: the kernel's global names (the learner's functions).
        calls: JSON: a list of ``{"function": name, "args": [...], "kwargs": {...},
            "view": name or None}`` with :func:`encode`-d arguments (and, for an
            :func:`expect_outputs` case, ``"outputs_on": [inputs...]``: the result is a
            model, and its :func:`model_outputs` are sent), or of ``{"weights_of": [name,
            key, ...]}`` (an :func:`expect_accuracy` case: the weights of that model).
            A call with ``"stand_ins"`` is made a second time with those names bound to
            stand-ins (:mod:`rnn_lib.notebook.stand_ins`), its result under
            ``"with_stand_ins"``.

    Displays one output of type :data:`PROBE_MIME`: a list with, per call,
    ``{"value": encoded result, "module": the function's __module__,
    "changed_its_arguments": bool}`` or ``{"error": "TypeError: ..."}``.
    """
    from IPython.display import display

    results = []
    for call in json.loads(calls):
        if "weights_of" in call:
            results.append(_weights_of(namespace, call["weights_of"]))
            continue
        function = namespace.get(call["function"])
        if not callable(function):
            results.append({"error": f"NameError: no function {call['function']!r}"})
            continue
        result = _probe_call(function, call)
        if call.get("stand_ins"):
            from rnn_lib.notebook.stand_ins import standing_in

            try:
                with standing_in(namespace, **call["stand_ins"]):
                    result["with_stand_ins"] = _probe_call(namespace[call["function"]], call)
            except Exception as error:  # noqa: BLE001 - an unknown stand-in, reported as data
                result["with_stand_ins"] = {"error": f"{type(error).__name__}: {error}"[:300]}
        results.append(result)
    display({PROBE_MIME: results}, raw=True)


def _probe_call(function, call: dict) -> dict[str, Any]:
    """One call of :func:`probe`: the encoded result, or the error it raised, as data."""
    try:
        args, kwargs = decode(call["args"]), decode(call["kwargs"])
        value = function(*args, **kwargs)
        if call.get("view"):
            value = VIEWS[call["view"]](value)
        if "outputs_on" in call:
            value = model_outputs(value, decode(call["outputs_on"]))
        return {
            "value": encode(value),
            "module": getattr(function, "__module__", None),
            "changed_its_arguments": not _unchanged([call["args"], call["kwargs"]], [args, kwargs]),
        }
    except Exception as error:  # noqa: BLE001 - the learner's mistake, reported as data
        return {"error": f"{type(error).__name__}: {error}"[:300]}
