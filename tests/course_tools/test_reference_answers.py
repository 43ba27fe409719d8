"""The course library's answers, stripped from the modules a graded kernel sees."""

from __future__ import annotations

import ast
import importlib
import inspect

import nbformat
import pytest

from course_tools.course_copy import SOLUTIONS, solution_answers
from course_tools.nbgrader_plugins import last_graded_index
from course_tools.reference_answers import (
    REFERENCE_ANSWERS,
    answer_overlays,
    library_wrappers,
    stripped_source,
)
from course_tools.verdicts import declared_cases, kernel_source, probe_source, verdict

WRAPPERS = library_wrappers()


def test_a_stripped_module_keeps_everything_but_the_answers():
    source = (
        "import math\n\n\ndef answer(x):\n    return math.sqrt(x)\n\n\n"
        "def helper():\n    return 2\n"
    )
    namespace = {}
    exec(stripped_source(source, {"answer"}, "09_demo"), namespace)  # noqa: S102
    assert namespace["helper"]() == 2
    with pytest.raises(NotImplementedError, match="answer is an exercise of lesson 09_demo"):
        namespace["answer"](4)
    with pytest.raises(ValueError, match="no top-level function"):
        stripped_source(source, {"missing"}, "09_demo")


def _library_names_used(source: str) -> set[str]:
    """The names a cell takes from modules: attributes it reads and names it imports."""
    used = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            used.update(alias.name for alias in node.names)
    return used


@pytest.mark.parametrize("lesson", sorted(REFERENCE_ANSWERS))
def test_every_listed_answer_exists_and_its_lesson_never_calls_it(lesson, tmp_path):
    assert (SOLUTIONS / lesson).is_dir()
    overlays, _ = answer_overlays(lesson, tmp_path)
    assert len(overlays) == len({name.rpartition(".")[0] for name in REFERENCE_ANSWERS[lesson]})
    (path,) = (SOLUTIONS / lesson).glob("*.ipynb")
    notebook = nbformat.read(path, as_version=4)
    # What the grading kernel runs, up to the last graded cell (the grader runs no further);
    # hidden parts that declare cases run in the grader.
    used = set()
    for cell in notebook.cells[: last_graded_index(notebook) + 1]:
        if cell.cell_type == "code":
            declares = declared_cases(cell.source) is not None
            used |= _library_names_used(kernel_source(cell.source) if declares else cell.source)
    for dotted in REFERENCE_ANSWERS[lesson]:
        module, _, name = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name))
        # the lesson's cells would fail while it is graded
        assert name not in used, f"{lesson} takes {name} from a module, and {dotted} is stripped"


def test_unlisted_lessons_see_the_whole_library(tmp_path):
    assert answer_overlays("99_not_a_lesson", tmp_path) == ([], [])


def _notebook(lesson: str):
    (path,) = (SOLUTIONS / lesson).glob("*.ipynb")
    return nbformat.read(path, as_version=4)


def _graded_cases_of(lesson: str, functions: set[str]) -> list:
    """Every case of the lesson's test cells that calls one of ``functions``."""
    found = []
    for cell in _notebook(lesson).cells:
        if cell.cell_type == "code":
            found += [
                case
                for case in declared_cases(cell.source) or []
                if case.function in functions and not case.weights_of
            ]
    return found


@pytest.mark.parametrize("lesson", sorted(WRAPPERS))
def test_each_wrapper_of_the_library_would_be_a_correct_answer(lesson, run_probe):
    """The adversarial matrix's wrapper row is a real attack: with rnn_lib whole (outside
    the sandbox), every wrapper passes every graded case of its exercise, run as the
    grader runs them (the probe in a namespace of its own, the verdict from its data)."""
    import keras
    import numpy as np

    assert set(WRAPPERS[lesson]) <= set(solution_answers(_notebook(lesson)))
    for grade_id, source in WRAPPERS[lesson].items():
        namespace = {"__name__": "__main__", "np": np, "keras": keras}
        exec(source, namespace)  # noqa: S102 - the attack under test
        defined = {name for name, value in namespace.items() if inspect.isfunction(value)}
        cases = _graded_cases_of(lesson, defined)
        assert cases, f"no graded case calls {sorted(defined)}"
        assert verdict(cases, run_probe(probe_source(cases), namespace)) is None, grade_id
