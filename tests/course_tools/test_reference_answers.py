"""The course library's answers, stripped from the modules a graded kernel sees."""

from __future__ import annotations

import importlib

import nbformat
import pytest

from course_tools.course_copy import SOLUTIONS
from course_tools.reference_answers import REFERENCE_ANSWERS, answer_overlays, stripped_source
from course_tools.verdicts import declared_cases, kernel_source


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


@pytest.mark.parametrize("lesson", sorted(REFERENCE_ANSWERS))
def test_every_listed_answer_exists_and_its_lesson_never_calls_it(lesson, tmp_path):
    assert (SOLUTIONS / lesson).is_dir()
    overlays, _ = answer_overlays(lesson, tmp_path)
    assert len(overlays) == len({name.rpartition(".")[0] for name in REFERENCE_ANSWERS[lesson]})
    (path,) = (SOLUTIONS / lesson).glob("*.ipynb")
    notebook = nbformat.read(path, as_version=4)
    # what the grading kernel runs: hidden parts that declare cases run in the grader
    text = "\n".join(
        c.source if declared_cases(c.source) is None else kernel_source(c.source)
        for c in notebook.cells
        if c.cell_type == "code"
    )
    for dotted in REFERENCE_ANSWERS[lesson]:
        module, _, name = dotted.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name))
        # the lesson's cells would fail while it is graded
        assert dotted not in text and f"import {name}" not in text, f"{lesson} uses {dotted}"


def test_unlisted_lessons_see_the_whole_library(tmp_path):
    assert answer_overlays("03_bptt", tmp_path) == ([], [])
