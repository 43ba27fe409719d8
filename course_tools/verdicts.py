"""Verdicts decided by the grader, from data, outside the learner's kernel.

nbgrader scores a test cell full when its execution shows no error, and the learner's
kernel decides what it shows: one cell that rewires ``run_cell`` gives a blank notebook
full marks. So a test cell that declares its cases (:mod:`rnn_lib.notebook.cases`:
``expect(function, *args, returns=...)`` calls in its hidden part) is graded this way
(:class:`course_tools.nbgrader_plugins.ResilientExecute` does it for every such cell):

1. the kernel runs the cell **without** its hidden part (:func:`kernel_source`): the
   public asserts still give the learner their messages, and the hidden cases and
   expected values never reach the kernel;
2. the grader evaluates the declared calls in its own process (:func:`declared_cases`:
   the arguments and the expected results are expressions over NumPy), sends the
   arguments into the kernel as data and has ``rnn_lib.notebook.cases.probe`` run them
   there (:func:`probe_source`);
3. it reads the results back as data (:func:`verdict`), never as objects, and compares
   them with the expected values in its own process.

Two more forms ask for a model rather than a value. ``expect_accuracy`` takes only a
trained model's weights from the kernel and scores them in the model the exercise
prescribes, which the grader builds itself from the course library (a ``model_recipe``),
on held-out data it makes itself; ``expect_outputs`` has the model a learner's function
builds run on the grader's inputs in the kernel, and compares the outputs with those of
the prescribed model given the same weights. Either way the kernel sends arrays, never a
model, and a recipe is only ever built from the instructor's hidden part.

The cell keeps its points only if both hold: its visible part ran without an error
and every declared case agrees. Otherwise the grader adds an error output
(:data:`VERDICT_ERROR`) that says why, and nbgrader scores the cell 0 by its own rule.
A kernel can lose points by misbehaving, never gain them.
"""

from __future__ import annotations

import ast
import functools
import importlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from nbformat import NotebookNode

from rnn_lib.notebook import cases as declarations
from rnn_lib.notebook.cases import PROBE_MIME, VIEWS, compare, encode
from rnn_lib.notebook.stand_ins import STAND_INS

#: A test cell's hidden part, with its marker lines (nbgrader strips it from releases).
HIDDEN_TESTS = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*\n?",
    re.MULTILINE | re.DOTALL,
)
#: Every lesson's test cells declare their cases, so that the grader decides all their
#: points (a test holds each lesson in solutions/ to it), but for the test cells listed
#: here by lesson, whose points still come from the kernel's word (none left: a new lesson
#: whose cells cannot declare their cases yet is listed here, and a test asserts that a
#: forged blank gets exactly their points).
JUDGED_IN_THE_KERNEL: dict[str, tuple[str, ...]] = {}
#: The ``ename`` of the error output the grader adds to a cell whose cases fail.
VERDICT_ERROR = "GraderVerdict"
_IMPORT = "rnn_lib.notebook.cases"


@dataclass(frozen=True)
class Case:
    """One declared call and the result it must return.

    Attributes:
        function: the name of the learner's function.
        args, kwargs: its arguments, evaluated by the grader.
        returns: the expected result, :func:`~rnn_lib.notebook.cases.encode`-d.
        rtol, atol: tolerances for numbers.
        view: what of the result is compared (a name in ``rnn_lib.notebook.cases.VIEWS``).
        exact_dtype: arrays must have the expected dtype itself, not only its kind.
        line: where the ``expect`` call starts in the hidden part (for messages).
        weights_of: for an ``expect_accuracy`` case, the model's place in the kernel
            (``("memory_models", "LSTM")``); ``function`` is then the model's name.
        at_least, at_most: the bounds of its accuracy.
        architecture: for ``expect_accuracy`` and ``expect_outputs`` cases, the model the
            exercise prescribes, as a recipe the grader builds itself.
        inputs, labels: their held-out data (``expect_outputs``: a list of input arrays).
    """

    function: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    returns: Any = None
    rtol: float = 0.0
    atol: float = 0.0
    view: str | None = None
    exact_dtype: bool = False
    line: int = 0
    #: a trained model's weights scored by the grader (``expect_accuracy``): where the
    #: model is in the kernel (a name and constant subscripts), and the bounds
    weights_of: tuple = ()
    at_least: float | None = None
    at_most: float | None = None
    #: the trusted model (a ``model_recipe``) and data of ``expect_accuracy`` and
    #: ``expect_outputs`` cases
    architecture: Any = None
    inputs: Any = None
    labels: Any = None
    #: names bound to stand-ins for a second call (``expect(..., stand_ins=...)``), and its
    #: expected result: the case passes if either call is right
    stand_ins: dict = field(default_factory=dict)
    stand_in_returns: Any = None


def hidden_part(source: str) -> str | None:
    """The text between a cell's ``### BEGIN/END HIDDEN TESTS`` lines (None if none)."""
    match = HIDDEN_TESTS.search(source)
    if match is None:
        return None
    lines = match.group(0).splitlines(keepends=True)
    return "".join(lines[1:-1] if len(lines) > 1 else [])


def kernel_source(source: str) -> str:
    """What the learner's kernel runs of a test cell: the cell without its hidden part."""
    return HIDDEN_TESTS.sub("", source)


def declared_cases(source: str) -> list[Case] | None:
    """The cases a test cell declares, or None (see :func:`_declared_cases`).

    Each source is read once per process: the executor, the answer check and the
    hidden-test filter all ask, and a hidden part may build its inputs from data
    (lesson 07's vectorized reviews).
    """
    cases = _declared_cases(source)
    return None if cases is None else list(cases)


@functools.lru_cache(maxsize=256)
def _declared_cases(source: str) -> tuple[Case, ...] | None:
    """The cases a test cell declares, or None if it declares none (graded in the kernel).

    A hidden part in the declarative form starts with the line that imports ``expect``
    from :mod:`rnn_lib.notebook.cases`, and holds only ``expect(...)`` calls, assignments of
    constants that several calls share, and imports from ``rnn_lib`` of helpers that build
    inputs (the grader's own copy of the library, not the kernel's); the arguments and the
    expected results are expressions over ``np`` and those names.

    Raises:
        ValueError: if the hidden part mixes ``expect`` calls with other code (the
            grader would not run that code anywhere), or a call names no function.
    """
    hidden = hidden_part(source)
    if hidden is None or _IMPORT not in hidden:
        return None
    tree = ast.parse(hidden)
    if not any(isinstance(s, ast.ImportFrom) and s.module == _IMPORT for s in tree.body):
        return None
    cases, names = [], {"np": np, "numpy": np}
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module == _IMPORT:
            names.update(
                {a.asname or a.name: getattr(declarations, a.name) for a in statement.names}
            )
            continue
        if isinstance(statement, ast.ImportFrom) and (statement.module or "").startswith(
            "rnn_lib."
        ):
            # helpers that build the inputs: the grader's own copy of the course library
            module = importlib.import_module(statement.module)
            names.update({a.asname or a.name: getattr(module, a.name) for a in statement.names})
            continue
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]  # constants that several cases share: x = or x, y =
            targets = target.elts if isinstance(target, ast.Tuple) else [target]
            if all(isinstance(name, ast.Name) for name in targets):
                value = _evaluate(statement.value, names)
                values = tuple(value) if isinstance(target, ast.Tuple) else (value,)
                if len(values) != len(targets):
                    raise ValueError(
                        f"line {statement.lineno}: {len(targets)} names, {len(values)} values"
                    )
                names.update({name.id: item for name, item in zip(targets, values, strict=True)})
                continue
        call = statement.value if isinstance(statement, ast.Expr) else None
        if isinstance(call, ast.Call) and _name(call.func) == "expect_accuracy":
            cases.append(_accuracy_case(call, names))
            continue
        if isinstance(call, ast.Call) and _name(call.func) == "expect_outputs":
            cases.append(_outputs_case(call, names))
            continue
        if not (isinstance(call, ast.Call) and _name(call.func) == "expect"):
            raise ValueError(
                f"line {statement.lineno} of a hidden part with expect() calls is something "
                "else: the grader runs only the declared calls, so put nothing else there"
            )
        if not call.args or not isinstance(call.args[0], ast.Name):
            raise ValueError(f"line {call.lineno}: expect() needs the function's name first")
        # in Python's order: the positional arguments, then the keywords (a shared random
        # generator draws the same numbers here as in an instructor's kernel)
        args = tuple(_evaluate(arg, names) for arg in call.args[1:])
        keywords = {kw.arg: _evaluate(kw.value, names) for kw in call.keywords}
        if "returns" not in keywords:
            raise ValueError(f"line {call.lineno}: expect() needs returns=")
        stand_ins = keywords.pop("stand_ins", None) or {}
        if stand_ins and (
            "stand_in_returns" not in keywords
            or not set(map(str, stand_ins.values())) <= set(STAND_INS)
        ):
            raise ValueError(
                f"line {call.lineno}: stand_ins= names stand-ins of rnn_lib.notebook.stand_ins "
                "and needs stand_in_returns="
            )
        stand_in_returns = keywords.pop("stand_in_returns", None)
        cases.append(
            Case(
                function=call.args[0].id,
                args=args,
                returns=encode(keywords.pop("returns")),
                rtol=float(keywords.pop("rtol", 0.0)),
                atol=float(keywords.pop("atol", 0.0)),
                view=_view(keywords.pop("view", None), call.lineno),
                exact_dtype=bool(keywords.pop("exact_dtype", False)),
                kwargs=keywords,
                line=call.lineno,
                stand_ins=dict(stand_ins),
                stand_in_returns=encode(stand_in_returns) if stand_ins else None,
            )
        )
    return tuple(cases)


def _accuracy_case(call: ast.Call, names: dict[str, Any]) -> Case:
    """An ``expect_accuracy(model, architecture=, inputs=, labels=, at_least=, at_most=)``."""
    if len(call.args) != 1:
        raise ValueError(f"line {call.lineno}: expect_accuracy() takes the model, then keywords")
    path = _kernel_path(call.args[0])
    if path is None:
        raise ValueError(
            f"line {call.lineno}: expect_accuracy() names the model as a name with constant "
            'subscripts (memory_models["LSTM"])'
        )
    keywords = {kw.arg: _evaluate(kw.value, names) for kw in call.keywords}
    _require_architecture(keywords, ("inputs", "labels"), call)
    bounds = {key: keywords.pop(key, None) for key in ("at_least", "at_most")}
    return Case(
        function=ast.unparse(call.args[0]),
        args=(),
        architecture=keywords["architecture"],
        inputs=keywords["inputs"],
        labels=keywords["labels"],
        weights_of=tuple(path),
        at_least=None if bounds["at_least"] is None else float(bounds["at_least"]),
        at_most=None if bounds["at_most"] is None else float(bounds["at_most"]),
        line=call.lineno,
    )


def _require_architecture(keywords: dict, data: tuple[str, ...], call: ast.Call) -> None:
    missing = {"architecture", *data} - set(keywords)
    if missing or not isinstance(keywords["architecture"], declarations.ModelRecipe):
        name = _name(call.func)
        raise ValueError(
            f"line {call.lineno}: {name}() needs architecture=model_recipe(...) and "
            f"{', '.join(f'{key}=' for key in data)} (missing {sorted(missing)})"
        )


def _outputs_case(call: ast.Call, names: dict[str, Any]) -> Case:
    """An ``expect_outputs(function, *args, architecture=, inputs=, rtol=, atol=, **kwargs)``."""
    if not call.args or not isinstance(call.args[0], ast.Name):
        raise ValueError(f"line {call.lineno}: expect_outputs() needs the function's name first")
    args = tuple(_evaluate(arg, names) for arg in call.args[1:])
    keywords = {kw.arg: _evaluate(kw.value, names) for kw in call.keywords}
    _require_architecture(keywords, ("inputs",), call)
    return Case(
        function=call.args[0].id,
        args=args,
        architecture=keywords.pop("architecture"),
        inputs=list(keywords.pop("inputs")),
        rtol=float(keywords.pop("rtol", 0.0)),
        atol=float(keywords.pop("atol", 1e-5)),
        kwargs=keywords,
        line=call.lineno,
    )


def _kernel_path(node: ast.expr) -> list | None:
    """``["a", "b", 1]`` for ``a["b"][1]``; None for any other expression."""
    keys = []
    while isinstance(node, ast.Subscript):
        if not isinstance(node.slice, ast.Constant):
            return None
        keys.insert(0, node.slice.value)
        node = node.value
    return [node.id, *keys] if isinstance(node, ast.Name) else None


def _view(name: str | None, line: int) -> str | None:
    if name is not None and name not in VIEWS:
        raise ValueError(f"line {line}: no view {name!r} (there are {sorted(VIEWS)})")
    return name


def _name(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _evaluate(node: ast.expr, names: dict[str, Any]) -> Any:
    # The instructor's own expressions (from the gradebook, never from a submission).
    code = compile(ast.Expression(node), "<declared case>", "eval")
    return eval(code, dict(names))  # noqa: S307 - trusted instructor source


def probe_source(cases: list[Case]) -> str:
    """The code the grader runs in the learner's kernel: the cases' calls, without results."""
    calls = [
        {"weights_of": list(case.weights_of)} if case.weights_of else _call(case)
        for case in cases
    ]
    return (
        f"from {_IMPORT} import probe as _rnn_course_probe\n"
        f"_rnn_course_probe(globals(), {json.dumps(calls)!r})\n"
        "del _rnn_course_probe\n"
    )


def _call(case: Case) -> dict[str, Any]:
    """A call of the learner's function, as the probe receives it."""
    call = {
        "function": case.function,
        "args": [encode(arg) for arg in case.args],
        "kwargs": {key: encode(value) for key, value in case.kwargs.items()},
        "view": case.view,
    }
    if case.architecture is not None:  # expect_outputs: the model's outputs on the inputs
        call["outputs_on"] = [encode(array) for array in case.inputs]
    if case.stand_ins:
        call["stand_ins"] = dict(case.stand_ins)
    return call


def verdict(cases: list[Case], outputs: list[NotebookNode]) -> str | None:
    """Why the probe's outputs fail the cases, or None if every case agrees.

    Args:
        cases: the cell's declared cases.
        outputs: the outputs of :func:`probe_source` run in the learner's kernel.

    Returns:
        None if the kernel sent exactly one result list and every result equals its
        expected value; else a message naming the first failing case.
    """
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if errors:
        return f"the grader's calls did not finish: {errors[0].get('ename')}"
    sent = [
        o["data"][PROBE_MIME]
        for o in outputs
        if o.get("output_type") in ("display_data", "execute_result")
        and PROBE_MIME in o.get("data", {})
    ]
    if len(sent) != 1 or not isinstance(sent[0], list) or len(sent[0]) != len(cases):
        return "the kernel did not send back one result per case"
    failed = []
    for number, (case, result) in enumerate(zip(cases, sent[0], strict=True), start=1):
        problem = _problem(case, result)
        if problem:
            failed.append(f"case {number} ({case.function}): {problem}")
    if not failed:
        return None
    return f"{len(failed)} of {len(cases)} cases failed; the first: {failed[0]}"


def _problem(case: Case, result: Any) -> str | None:
    if not isinstance(result, dict):
        return "no result"
    if "error" in result and not case.stand_ins:
        return f"raised {str(result['error'])[:200]}"
    if case.weights_of:
        try:
            return _accuracy_verdict(case, result.get("value"))
        except Exception as error:  # noqa: BLE001 - malformed data from the kernel fails it
            return f"weights the grader cannot use ({type(error).__name__})"
    if "error" not in result and result.get("module") != "__main__":
        return f"{case.function} must be written in this notebook, not imported"
    problem = _value_problem(case, case.returns, result)
    if problem is None or not case.stand_ins:
        return problem
    # a function that composes an earlier exercise: right with the stand-ins is right too
    with_stand_ins = result.get("with_stand_ins")
    if not isinstance(with_stand_ins, dict):
        return problem
    if with_stand_ins.get("module") != "__main__":
        return problem
    stand_in_problem = _value_problem(case, case.stand_in_returns, with_stand_ins)
    if stand_in_problem is None:
        return None
    return f"{problem}; with stand-ins for {sorted(case.stand_ins)}: {stand_in_problem}"


def _value_problem(case: Case, returns: Any, result: dict) -> str | None:
    """Why one call's result (as the probe sent it) is not ``returns``, or None."""
    if "error" in result:
        return f"raised {str(result['error'])[:200]}"
    if "value" not in result:
        return "no result"
    if result.get("changed_its_arguments") is not False:
        return f"{case.function} changed the arrays or lists it was given"
    try:
        if case.architecture is not None:
            return declarations.outputs_problem(
                case.architecture, result["value"], case.inputs, case.rtol, case.atol
            )
        return compare(returns, result["value"], case.rtol, case.atol, exact_dtype=case.exact_dtype)
    except Exception as error:  # noqa: BLE001 - malformed data from the kernel fails the case
        return f"a result the grader cannot read ({type(error).__name__})"


def _accuracy_verdict(case: Case, weights: Any) -> str | None:
    """Score the weights the kernel sent in the architecture, in the grader's process."""
    if not isinstance(weights, list):
        return "the kernel sent no weights"
    score = declarations.weights_accuracy(case.architecture, weights, case.inputs, case.labels)
    return declarations.accuracy_problem(score, case.at_least, case.at_most)


def verdict_output(message: str) -> NotebookNode:
    """The error output that costs a cell its points (nbgrader scores errors 0)."""
    text = f"The grader's own check of this cell failed: {message}"
    return NotebookNode(
        output_type="error",
        ename=VERDICT_ERROR,
        evalue=text,
        traceback=[f"{VERDICT_ERROR}: {text}"],
    )
