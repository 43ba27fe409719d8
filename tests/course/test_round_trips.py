"""Every lesson, through nbgrader and back: solution full, blank zero, typical bugs partial.

Each case grades in its own temporary course (nbgrader's API in-process), so the
cases spread over pytest-xdist workers. The wrong answers live in
tests/course/buggy_answers/bugs_<lesson>.py, one module per lesson.
"""

from __future__ import annotations

import importlib.util

import nbformat
import pytest

from course_tools.course_copy import (
    LESSONS,
    SOLUTIONS,
    Bug,
    autograde,
    make_course,
    release,
    solution_answers,
    submit,
)

pytestmark = pytest.mark.slow


def bugs_of(lesson: str) -> list:
    path = SOLUTIONS.parent / "tests" / "course" / "buggy_answers" / f"bugs_{lesson}.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"bugs_{lesson}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BUGS


def all_answers(lesson: str) -> dict[str, str]:
    answers = {}
    for path in sorted((SOLUTIONS / lesson).glob("*.ipynb")):
        answers.update(solution_answers(nbformat.read(path, as_version=4)))
    return answers


@pytest.fixture
def course(tmp_path, request):
    lesson = request.node.callspec.params["lesson"]
    root = make_course(tmp_path / "course", [lesson])
    release(root, lesson)
    return root


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_gets_full_marks(course, lesson):
    submit(course, lesson, "solution", all_answers(lesson))
    for name, report in autograde(course, lesson, "solution").items():
        failed = {cell: s for cell, s in report.cells.items() if s[0] != s[1]}
        print(f"ROUND TRIP {name} solution: {report.score:g}/{report.max_score:g}")
        assert report.max_score > 0, f"{name}: no graded cells"
        assert report.score == report.max_score, f"{name}: cells below full marks: {failed}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_blank_release_scores_zero_without_crashing(course, lesson):
    submit(course, lesson, "blank", answers={})
    for name, report in autograde(course, lesson, "blank").items():
        print(f"ROUND TRIP {name} blank: {report.score:g}/{report.max_score:g}")
        assert report.max_score > 0 and report.score == 0, f"{name}: {report.cells}"


def test_every_lesson_has_buggy_answers_for_every_exercise():
    for lesson in LESSONS:
        exercises = set(all_answers(lesson))
        covered = {bug.cell for bug in bugs_of(lesson)}
        assert exercises <= covered, f"{lesson}: no typical mistake for {exercises - covered}"


BUG_CASES = [(lesson, bug) for lesson in LESSONS for bug in bugs_of(lesson)]


@pytest.mark.parametrize(
    ("lesson", "bug"), BUG_CASES, ids=[f"{lesson}-{bug.name}" for lesson, bug in BUG_CASES]
)
def test_every_buggy_answer_is_an_edit_that_still_applies_to_its_solution(lesson, bug):
    # cheap (no grading): a solution edit that removes a passage a bug changes fails here
    answers = all_answers(lesson)
    assert bug.cell in answers, f"{bug.name}: no solution cell {bug.cell!r} in {lesson}"
    wrong = bug.apply(answers[bug.cell])
    assert wrong != answers[bug.cell]
    compile(wrong, f"{lesson}-{bug.name}", "exec")  # a mistake in the logic, not a syntax error


def test_a_bug_whose_passage_left_the_solution_fails_loudly():
    bug = Bug("stale", "cell", (("x + 1", "x - 1"),), "test", "message")
    assert bug.apply("y = x + 1\n") == "y = x - 1\n"
    with pytest.raises(ValueError, match="is not in cell 'cell'"):
        bug.apply("y = x + 2\n")
    with pytest.raises(ValueError, match="occurs 2 times"):
        bug.apply("y = x + 1\nz = x + 1\n")
    with pytest.raises(ValueError, match="changes nothing"):
        Bug("same", "cell", (("x", "x"),), "test", "message").apply("x")


@pytest.mark.parametrize(
    ("lesson", "bug"), BUG_CASES, ids=[f"{lesson}-{bug.name}" for lesson, bug in BUG_CASES]
)
def test_buggy_answer_gets_partial_credit_and_a_message_naming_it(course, lesson, bug):
    answers = all_answers(lesson)
    assert bug.cell in answers, f"{bug.name}: no solution cell {bug.cell!r} in {lesson}"
    answers[bug.cell] = bug.apply(answers[bug.cell])
    reports = autograde_after_submit(course, lesson, bug.name, answers)
    report = next(r for r in reports.values() if bug.failing_test in r.cells)
    print(f"ROUND TRIP {lesson} {bug.name}: {report.score:g}/{report.max_score:g}")
    assert 0 < report.score < report.max_score, (
        f"{bug.name}: score {report.score}/{report.max_score}"
    )
    assert report.cells[bug.failing_test][0] == 0, f"{bug.name}: {bug.failing_test} did not fail"
    assert bug.message in report.outputs[bug.failing_test], (
        f"{bug.name}: the message of {bug.failing_test} should name the mistake; it said:\n"
        + report.outputs[bug.failing_test]
    )
    allowed_to_fail = {bug.failing_test, *bug.also_failing}
    collateral = {c: s for c, s in report.cells.items() if s[0] < s[1] and c not in allowed_to_fail}
    assert not collateral, f"{bug.name}: other exercises lost points too: {collateral}"


def drop_cells_after_the_last_graded_cell(notebook: nbformat.NotebookNode) -> None:
    """Cut a submission after its last graded cell.

    Cells run in order and a graded cell is scored on its own outputs, so nothing
    after the last graded cell can change a score. The solution and blank round
    trips grade whole notebooks; the buggy answers, many per lesson, skip the
    demonstrations at the end (lesson 04's language model, lesson 07's training run),
    which would cost minutes of CI and test nothing about the bug.
    """
    graded = [
        i for i, cell in enumerate(notebook.cells) if cell.metadata.get("nbgrader", {}).get("grade")
    ]
    del notebook.cells[graded[-1] + 1 :]


def autograde_after_submit(course, lesson, student, answers):
    submit(course, lesson, student, answers, transform=drop_cells_after_the_last_graded_cell)
    return autograde(course, lesson, student)
