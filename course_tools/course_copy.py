"""Drive nbgrader in-process on a throwaway copy of the course (tests and benchmarks).

The tests never regenerate or grade inside the checkout: :func:`make_course` copies
``nbgrader_config.py`` and one lesson's ``solutions/`` folder into a temporary course
root, and everything (gradebook, release, submissions) happens there. nbgrader's
Python API runs in this process, which saves the ~3 s its command line spends
starting up for every call, and every copy starts from a copy of one empty gradebook
(:func:`empty_gradebook`), which saves the ~4 s nbgrader spends creating each new one.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_tools.environment import quick_mode
from course_tools.grading import nbgrader_api

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = PROJECT_ROOT / "solutions"
LESSONS = sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and re.match(r"\d\d_", p.name))

_SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


@dataclass(frozen=True)
class Bug:
    """A typical wrong answer to one exercise, and how the grader must react.

    The wrong answer is written as edits of the solution, so that the mistake is all a
    reader sees and a change to the solution carries over: each ``(old, new)`` pair of
    ``replace`` swaps one passage of the solution cell for the mistaken one. An
    ``old`` that no longer occurs exactly once in the solution is an error, not a
    silently stale bug (:meth:`apply`).

    Attributes:
        name: a short label for the mistake (used as the student id).
        cell: the ``grade_id`` of the solution cell the wrong answer replaces.
        replace: ``(old, new)`` pairs, applied in order to that cell's solution.
        failing_test: the ``grade_id`` of the public test cell that must fail.
        message: a phrase the failing test's message must contain, naming the mistake.

    The mistake may cost points only in its own exercise's test cells
    (:func:`exercise_tests`): a cell another exercise owns never has to be declared.
    """

    name: str
    cell: str
    replace: tuple[tuple[str, str], ...]
    failing_test: str
    message: str

    def apply(self, solution: str) -> str:
        """The wrong answer: ``solution`` (the cell's source) with every edit made.

        Raises:
            ValueError: an ``old`` passage is missing from the solution, or occurs
                more than once, or an edit changes nothing.
        """
        source = solution
        for old, new in self.replace:
            count = source.count(old)
            if count != 1:
                where = "is not in" if count == 0 else f"occurs {count} times in"
                raise ValueError(f"bug {self.name!r}: {old!r} {where} cell {self.cell!r}")
            if old == new:
                raise ValueError(f"bug {self.name!r}: the edit of {old!r} changes nothing")
            source = source.replace(old, new)
        return source


@dataclass
class GradeReport:
    """What the gradebook and the autograded notebook say about one submission."""

    score: float
    max_score: float
    cells: dict[str, tuple[float, float]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)


def notebook_paths(lesson: str) -> list[Path]:
    return sorted((SOLUTIONS / lesson).glob("*.ipynb"))


@functools.cache
def empty_gradebook() -> Path:
    """An empty gradebook as nbgrader creates it for this course, made once per process.

    nbgrader's ``Gradebook`` runs ``alembic heads`` in a subprocess (about 4 s) to
    stamp every new database with its schema version; a course copy starts from a copy
    of this file instead: the same tables, alembic version and course row
    (tests/course_tools/test_course_tools.py compares them with a fresh gradebook).

    Returns:
        The path of the gradebook file (removed when the process exits).
    """
    from nbgrader.api import Gradebook

    folder = Path(tempfile.mkdtemp(prefix="rnn-gradebook-"))
    atexit.register(shutil.rmtree, folder, True)
    shutil.copy(PROJECT_ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    coursedir = nbgrader_api(folder).coursedir
    with Gradebook(coursedir.db_url, course_id=coursedir.course_id):
        pass
    return folder / "gradebook.db"


def make_course(root: Path, lessons: list[str] | None = None) -> Path:
    """Copy the nbgrader config, an empty gradebook and some lessons' solutions into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copy(empty_gradebook(), root / "gradebook.db")
    for lesson in lessons or LESSONS:
        shutil.copytree(
            SOLUTIONS / lesson,
            root / "solutions" / lesson,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
    return root


def release(course: Path, lesson: str) -> None:
    """``nbgrader generate_assignment`` for one lesson, in the course copy."""
    result = nbgrader_api(course).generate_assignment(lesson)
    assert result["success"], result.get("error") or result.get("log")


def solution_answers(solution: nbformat.NotebookNode) -> dict[str, str]:
    """The learner's answer cells as the solution writes them (marker lines removed)."""
    return {
        cell.metadata.nbgrader["grade_id"]: _SOLUTION_MARKERS.sub("", cell.source)
        for cell in solution.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }


@dataclass(frozen=True)
class ValidAnswer(Bug):
    """A different answer that the exercise's words allow: it must earn full marks.

    Written as edits of the solution, like a :class:`Bug` (``failing_test`` and
    ``message`` are unused). Tests grade it as they grade the mistakes and require full
    marks: so a hidden comparison that is stricter than the exercise's words (an exact
    dtype the text never asks for, a tolerance tighter than float32) fails a test.

    Attributes:
        why: what the exercise's words allow that this answer does differently.
    """

    failing_test: str = ""
    message: str = ""
    why: str = ""


def exercise_tests(notebook: nbformat.NotebookNode) -> dict[str, tuple[str, ...]]:
    """The graded test cells of each exercise, by the ``grade_id`` of its answer cell.

    An exercise owns the graded cells between its answer cell and the next answer cell
    (its public test and its hidden tests): one mistake may cost points there and
    nowhere else.
    """
    owned: dict[str, list[str]] = {}
    owner = None
    for cell in notebook.cells:
        grader = cell.metadata.get("nbgrader", {})
        if grader.get("solution"):
            owner = grader["grade_id"]
            owned[owner] = []
        elif grader.get("grade") and owner is not None:
            owned[owner].append(grader["grade_id"])
    return {answer: tuple(tests) for answer, tests in owned.items()}


@functools.cache
def lesson_exercise_tests(lesson: str) -> dict[str, tuple[str, ...]]:
    """:func:`exercise_tests` of every notebook of a lesson in ``solutions/``."""
    owned: dict[str, tuple[str, ...]] = {}
    for path in notebook_paths(lesson):
        owned.update(exercise_tests(nbformat.read(path, as_version=4)))
    return owned


def lesson_answers(folder: Path) -> dict[str, str]:
    """:func:`solution_answers` of every notebook in a lesson's solution ``folder``."""
    answers = {}
    for path in sorted(folder.glob("*.ipynb")):
        answers.update(solution_answers(nbformat.read(path, as_version=4)))
    return answers


def submit(
    course: Path,
    lesson: str,
    student: str,
    answers: dict[str, str],
    transform: Callable[[nbformat.NotebookNode], None] | None = None,
) -> None:
    """Put the released notebooks, with ``answers`` pasted in, into ``submitted/``.

    Args:
        course: the course copy.
        lesson: the assignment.
        student: the student id (a folder name).
        answers: new sources for cells, by grade_id.
        transform: an optional last edit of each notebook (delete cells, change metadata...).
    """
    for released in sorted((course / "lessons" / lesson).glob("*.ipynb")):
        notebook = nbformat.read(released, as_version=4)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        if transform is not None:
            transform(notebook)
        target = course / "submitted" / student / lesson / released.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target, version=nbformat.NO_CONVERT)


def autograde(course: Path, lesson: str, student: str) -> dict[str, GradeReport]:
    """Autograde one student's submission; return a report per notebook.

    The grading kernel runs in quick mode, as ``make autograde`` grades;
    ``RNN_COURSE_ROUND_TRIPS=full`` grades at full size instead (a benchmark run,
    minutes for lesson 07). ``RNN_COURSE_SEED_OFFSET``/``RNN_COURSE_THREADS`` reach
    the grading kernel like any other variable.
    """
    from nbgrader.api import Gradebook

    full = os.environ.get("RNN_COURSE_ROUND_TRIPS") == "full"
    with quick_mode(not full):
        result = nbgrader_api(course).autograde(lesson, student)
    assert result["success"], result.get("error") or result.get("log")
    reports = {}
    db_url = "sqlite:///" + str(course / "gradebook.db")
    with Gradebook(db_url) as gradebook:
        for released in sorted((course / "lessons" / lesson).glob("*.ipynb")):
            name = released.stem
            graded = gradebook.find_submission_notebook(name, lesson, student)
            report = GradeReport(score=graded.score, max_score=graded.max_score)
            for grade in graded.grades:
                report.cells[grade.name] = (grade.score, grade.max_score)
            autograded = course / "autograded" / student / lesson / released.name
            report.outputs = cell_outputs(nbformat.read(autograded, as_version=4))
            reports[name] = report
    return reports


def cell_outputs(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """All text each graded cell showed (see :func:`cell_text`), by grade_id."""
    return {
        cell.metadata.nbgrader["grade_id"]: cell_text(cell)
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade_id") and cell.cell_type == "code"
    }


def cell_text(cell: nbformat.NotebookNode) -> str:
    """All text a code cell showed: streams, results, and errors as ``Name: message``."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "\n".join(parts)
