"""Verdicts decided in the grader: what the kernel runs, what it is asked, how it is judged."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest
from nbformat import NotebookNode

from course_tools.course_copy import LESSONS, SOLUTIONS
from course_tools.verdicts import (
    JUDGED_IN_THE_KERNEL,
    VERDICT_ERROR,
    declared_cases,
    kernel_source,
    probe_source,
    verdict,
    verdict_output,
)
from rnn_lib.notebook.cases import PROBE_MIME, ModelRecipe

CELL = """# Public tests.
assert double(2) == 4, "double(2) should be 4"
### BEGIN HIDDEN TESTS
from rnn_lib.notebook.cases import expect
_X = np.arange(3)
expect(double, _X, returns=2 * _X)
expect(double, np.array([0.5]), returns=np.array([1.0]), atol=1e-6)
### END HIDDEN TESTS
"""


def test_the_kernel_runs_the_cell_without_its_hidden_part():
    visible = '# Public tests.\nassert double(2) == 4, "double(2) should be 4"\n'
    assert kernel_source(CELL) == visible
    cases = declared_cases(CELL)
    assert [case.function for case in cases] == ["double", "double"]
    assert cases[1].atol == 1e-6 and cases[0].returns["ndarray"] == [0, 2, 4]


def test_the_probe_carries_arguments_but_no_expected_value():
    source = probe_source(declared_cases(CELL))
    assert "[0, 1, 2]" in source and "[0, 2, 4]" not in source and "1.0" not in source


def test_right_results_pass_and_wrong_ones_fail_with_the_case_named(run_probe):
    cases = declared_cases(CELL)

    def double(x):
        return 2 * x

    def off(x):
        return 2 * x + (x == 0.5)

    imported = verdict(cases, run_probe(probe_source(cases), {"double": double}))
    assert imported.endswith("double must be written in this notebook, not imported")
    double.__module__ = off.__module__ = "__main__"  # as if defined in the notebook
    assert verdict(cases, run_probe(probe_source(cases), {"double": double})) is None
    failed = verdict(cases, run_probe(probe_source(cases), {"double": off}))
    assert failed.startswith("1 of 2 cases failed; the first: case 2 (double): result: ")


def test_imported_functions_errors_and_forged_outputs_fail():
    cases = declared_cases(CELL)
    kept = {"module": "__main__", "changed_its_arguments": False}
    right = {"value": {"ndarray": [0, 2, 4], "shape": [3], "dtype": "<i8"}, **kept}
    second = {"value": {"ndarray": [1.0], "shape": [1], "dtype": "<f8"}, **kept}

    def sent(*payloads):
        return [NotebookNode(output_type="display_data", data={PROBE_MIME: p}) for p in payloads]

    assert verdict(cases, sent([right, second])) is None
    assert "not imported" in verdict(cases, sent([right, {**second, "module": "numpy"}]))
    changed = {**second, "changed_its_arguments": True}
    assert "changed the arrays or lists it was given" in verdict(cases, sent([right, changed]))
    assert "raised ValueError: no" in verdict(cases, sent([right, {"error": "ValueError: no"}]))
    assert "one result per case" in verdict(cases, sent([right]))
    assert "one result per case" in verdict(cases, sent([right, second], [right, second]))
    assert "one result per case" in verdict(cases, sent({"all": "good"}))
    died = [NotebookNode(output_type="error", ename="KernelDied", evalue="", traceback=[])]
    assert "did not finish: KernelDied" in verdict(cases, sent([right, second]) + died)
    looks_right = {"value": {"ndarray": "yes", "shape": [3], "dtype": "<i8"}, **kept}
    assert verdict(cases, sent([looks_right, second])) is not None


def test_a_failed_verdict_is_an_error_output_that_nbgrader_scores_zero():
    from nbgrader.utils import determine_grade

    cell = nbformat.v4.new_code_cell("pass", metadata={"nbgrader": {"grade": True, "points": 2}})
    cell.metadata["nbgrader"].update(grade_id="t", solution=False, locked=True, schema_version=3)
    assert determine_grade(cell)[0] == 2
    cell.outputs = [verdict_output("1 of 2 cases failed")]
    assert cell.outputs[0].ename == VERDICT_ERROR and determine_grade(cell)[0] == 0


def test_inputs_may_be_built_with_the_graders_own_course_library(run_probe):
    cell = (
        "### BEGIN HIDDEN TESTS\n"
        "from rnn_lib.notebook.cases import expect\n"
        "from rnn_lib.layers.simple_rnn import simple_rnn_step_forward as step\n"
        "_P = {'W': np.eye(2), 'U': np.zeros((2, 2)), 'b': np.zeros(2)}\n"
        "_H, _CACHE = step(np.array([[0.5, -0.5]]), np.zeros((1, 2)), _P)\n"
        "expect(last_state, _CACHE, returns=_H)\n"
        "### END HIDDEN TESTS\n"
    )
    (case,) = declared_cases(cell)
    assert set(case.args[0]) >= {"x_t", "h_prev", "h_next", "params"}
    assert case.returns["ndarray"] == [
        [pytest.approx(0.4621, abs=1e-4), pytest.approx(-0.4621, abs=1e-4)]
    ]

    def last_state(cache):
        return cache["h_next"]

    last_state.__module__ = "__main__"
    outputs = run_probe(probe_source([case]), {"last_state": last_state})
    assert verdict([case], outputs) is None


# A trained model's outcome: its weights, scored in an architecture the grader builds itself.
# One SimpleRNN unit reading feature 0 of the last step, and a sigmoid: the label is x > 0.
OUTCOME_CELL = """assert True
### BEGIN HIDDEN TESTS
from rnn_lib.notebook.cases import expect_accuracy, keras_layer, model_recipe
_X = np.random.default_rng(0).normal(size=(200, 3, 2)).astype("float32")
_SPEC = "rnn_lib.tasks.experiments.build_sequence_classifier"
expect_accuracy(trained["model"], inputs=_X, labels=(_X[:, -1, 0] > 0).astype(int), at_least=0.95,
                architecture=model_recipe(_SPEC, layer_class=keras_layer("SimpleRNN"), units=1,
                                          timesteps=3))
### END HIDDEN TESTS
"""


class Trained:
    """All the probe asks of a trained model: its weights."""

    def __init__(self, dense=10.0, units=1):
        kernel = np.zeros((2, units), "float32")
        kernel[0] = 10.0
        self.weights = [kernel, np.zeros((units, units), "float32"), np.zeros(units, "float32"),
                        np.full((units, 1), dense, "float32"), np.zeros(1, "float32")]

    def get_weights(self):
        return self.weights


def test_a_trained_model_is_judged_by_its_weights_in_the_graders_own_architecture(run_probe):
    (case,) = declared_cases(OUTCOME_CELL)
    assert case.weights_of == ("trained", "model") and case.at_least == 0.95
    source = probe_source([case])
    assert "weights_of" in source and "0.95" not in source and "labels" not in source

    def judged(model):
        return verdict([case], run_probe(source, {"trained": {"model": model}}))

    assert judged(Trained()) is None
    assert "held-out accuracy 0.000, below 0.95" in judged(Trained(dense=-10.0))
    assert "do not fit the model the exercise asks for" in judged(Trained(units=2))
    assert "raised KeyError" in verdict([case], run_probe(source, {"trained": {}}))


def test_a_kernel_cannot_have_the_grader_build_a_model_of_its_choosing(monkeypatch):
    (case,) = declared_cases(OUTCOME_CELL)
    built, build = [], ModelRecipe.build
    def counted(recipe):
        built.append(recipe.builder)
        return build(recipe)

    monkeypatch.setattr(ModelRecipe, "build", counted)
    recipe = {"keras.model": {"builder": "rnn_lib.data.download.fetch", "kwargs": {}}}
    sent = [NotebookNode(output_type="display_data", data={PROBE_MIME: [{"value": [recipe]}]})]
    assert "do not fit" in verdict([case], sent)
    assert built == ["rnn_lib.tasks.experiments.build_sequence_classifier"]


OUTPUTS_CELL = """assert True
### BEGIN HIDDEN TESTS
from rnn_lib.notebook.cases import expect_outputs, model_recipe
_X = np.array([[1, 2, 0], [3, 0, 0]], dtype="int32")
expect_outputs(build, 9, architecture=model_recipe("rnn_lib.imdb.model.build_word_model",
               vocab_size=9, embedding_dim=2, units=3), inputs=[_X, np.pad(_X, ((0, 0), (0, 5)))])
### END HIDDEN TESTS
"""


def test_a_built_model_is_judged_by_its_outputs_against_the_graders_own_with_its_weights(
    run_probe,
):
    import keras

    from rnn_lib.imdb import build_word_model

    (case,) = declared_cases(OUTPUTS_CELL)
    assert case.function == "build" and case.args == (9,) and case.atol == 1e-5
    source = probe_source([case])
    assert "outputs_on" in source and "build_word_model" not in source

    def right(vocab_size):
        return build_word_model(vocab_size, 2, 3)

    def squashed(vocab_size):  # the same weights, one more layer: other outputs
        model = build_word_model(vocab_size, 2, 3)
        return keras.Model(model.inputs, keras.layers.Activation("sigmoid")(model.outputs[0]))

    for function in (right, squashed):
        function.__module__ = "__main__"

    def judged(function):
        return verdict([case], run_probe(source, {"build": function}))

    assert judged(right) is None
    assert "outputs[0]: 2 of 2 values differ" in judged(squashed)


def test_arguments_are_evaluated_in_pythons_order():
    cell = (
        "### BEGIN HIDDEN TESTS\n"
        "from rnn_lib.notebook.cases import expect\n"
        "_rng = np.random.default_rng(7)\n"
        "expect(f, _rng.normal(size=2), scale=_rng.normal(size=2), returns=0)\n"
        "### END HIDDEN TESTS\n"
    )
    (case,) = declared_cases(cell)
    rng = np.random.default_rng(7)
    first, second = rng.normal(size=2), rng.normal(size=2)
    assert np.array_equal(case.args[0], first) and np.array_equal(case.kwargs["scale"], second)


def test_a_hidden_part_that_mixes_declarations_with_code_is_refused():
    mixed = CELL.replace("_X = np.arange(3)\n", "for _ in range(2):\n    pass\n_X = np.arange(3)\n")
    with pytest.raises(ValueError, match="put nothing else there"):
        declared_cases(mixed)
    legacy = "### BEGIN HIDDEN TESTS\nassert double(2) == 4\n### END HIDDEN TESTS\n"
    assert declared_cases(legacy) is None and declared_cases("assert True\n") is None


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_test_cell_of_every_lesson_declares_its_cases(lesson):
    (path,) = (SOLUTIONS / lesson).glob("*.ipynb")
    notebook = nbformat.read(path, as_version=4)
    tests = {
        cell.metadata["nbgrader"]["grade_id"]: cell
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
        and not cell.metadata["nbgrader"].get("solution")
    }
    assert set(JUDGED_IN_THE_KERNEL) <= set(LESSONS)
    exceptions = set(JUDGED_IN_THE_KERNEL.get(lesson, ()))
    assert tests and exceptions <= set(tests)
    for grade_id, cell in tests.items():
        cases = declared_cases(cell.source)
        if grade_id in exceptions:
            assert cases is None, f"{grade_id} declares cases: take it off JUDGED_IN_THE_KERNEL"
            continue
        assert cases, f"{grade_id} declares no cases for the grader"
        json.dumps(probe_source(cases))  # every argument travels as data


COMPOSING_CELL = """# Public tests.
### BEGIN HIDDEN TESTS
from rnn_lib.notebook.cases import expect
_X, _H0 = np.arange(6.0).reshape(1, 3, 2), np.zeros((1, 2))
expect(rnn_forward, _X, _H0, {}, returns=np.tanh(np.cumsum(_X.sum(2), 1))[..., None] * [1, 1],
       stand_ins={"rnn_step": "running_total_step"}, stand_in_returns=np.array([[[1.0, 1.0],
       [6.0, 6.0], [15.0, 15.0]]]))
### END HIDDEN TESTS
"""


def test_a_composing_exercise_passes_with_its_own_step_or_with_the_stand_in(run_probe):
    # lesson 02's rnn_forward calls rnn_step: a wrong step must not cost rnn_forward's points
    cases = declared_cases(COMPOSING_CELL)
    assert cases[0].stand_ins == {"rnn_step": "running_total_step"}
    assert "stand_in_returns" not in cases[0].kwargs and "15.0" not in probe_source(cases)

    def looped(x, h0, params):
        states, h = [], h0
        for t in range(x.shape[1]):
            h = namespace["rnn_step"](x[:, t], h, params)
            states.append(h)
        return np.stack(states, axis=1)

    def first_step_only(x, h0, params):
        return np.stack([namespace["rnn_step"](x[:, t], h0, params) for t in range(3)], axis=1)

    def right_step(x_t, h, params):
        return np.tanh(np.arctanh(h) + x_t.sum(1, keepdims=True))

    def wrong_step(x_t, h, params):
        return h + x_t.sum(1, keepdims=True) + 1

    def raising_step(x_t, h, params):
        raise IndexError("tuple index out of range")

    for function in (looped, first_step_only, right_step, wrong_step, raising_step):
        function.__module__ = "__main__"
    results = {}
    for loop in (looped, first_step_only):
        for step in (right_step, wrong_step, raising_step):
            namespace = {"rnn_forward": loop, "rnn_step": step}
            outputs = run_probe(probe_source(cases), namespace)
            assert namespace["rnn_step"] is step, "the probe puts the learner's step back"
            results[loop.__name__, step.__name__] = verdict(cases, outputs)
    # a right loop passes whatever its step; a wrong loop fails whatever its step
    assert results["looped", "right_step"] is None
    assert results["looped", "wrong_step"] is None
    assert results["looped", "raising_step"] is None
    for step in ("right_step", "wrong_step"):
        assert "with stand-ins for ['rnn_step']: result:" in results["first_step_only", step]
    assert "raised IndexError" in results["first_step_only", "raising_step"]


def test_stand_ins_name_only_functions_of_the_stand_ins_module():
    bad = COMPOSING_CELL.replace('"running_total_step"}', '"os.system"}')
    with pytest.raises(ValueError, match="stand_ins= names stand-ins"):
        declared_cases(bad)
    missing = COMPOSING_CELL.replace("stand_in_returns=", "other=")
    with pytest.raises(ValueError, match="needs stand_in_returns="):
        declared_cases(missing)
