"""Every lesson, graded: solution full, blank zero, every typical mistake partial, named.

Two ways of grading, which must agree:

- real round trips through nbgrader (a temporary course, ``generate_assignment``, a
  submission, ``autograde``, the gradebook), in-process, one course per case: the
  solution and the blank release of every lesson, and one typical mistake per lesson
  (:func:`test_nbgrader_grades_a_mistake_as_the_answer_check_does`);
- :mod:`course_tools.answer_check`: every typical mistake of a lesson, graded in the
  kernel of the solution's own round trip, after its last graded cell
  (:class:`~course_tools.answer_check.MistakeGradingExecute`). A lesson's cases share
  an xdist group, so one worker grades the solution once and every case reads it.

Every round trip grades as ``make autograde`` does: in quick mode, stopping after the
last graded cell. The whole notebooks, at the size CI stores them, are nbval's part
(conftest.py), on another machine: other seeds and one TensorFlow thread.

The wrong answers live in tests/course/buggy_answers/bugs_<lesson>.py, one module per
lesson. tests/course_tools/test_answer_check.py shows that these checks still fail
when a message stops naming its mistake, a mistake leaks into another exercise, or
the gradebook disagrees with the in-kernel verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat
import pytest

from course_tools.answer_check import (
    LessonCheck,
    assert_same_grades,
    assert_typical_mistake,
    autograde_solution_and_mistakes,
    cross_checked_bug,
    load_bugs,
    load_valid_answers,
)
from course_tools.course_copy import (
    LESSONS,
    SOLUTIONS,
    Bug,
    GradeReport,
    autograde,
    lesson_answers,
    lesson_exercise_tests,
    make_course,
    notebook_paths,
    release,
    submit,
)
from course_tools.nbgrader_plugins import NOT_RERUN_KEY, NOT_RERUN_NOTE, last_graded_index

pytestmark = pytest.mark.slow


def all_answers(lesson: str) -> dict[str, str]:
    return lesson_answers(SOLUTIONS / lesson)


def answers_group(lesson: str) -> pytest.MarkDecorator:
    """The xdist group of a lesson's round trips and in-kernel checks (one worker)."""
    return pytest.mark.xdist_group(f"answers-{lesson}")


@dataclass
class GradedSolution:
    """A lesson's solution round trip, and its mistakes graded in the same kernel."""

    gradebook: dict[str, GradeReport]  # by notebook
    checks: dict[str, LessonCheck]  # by notebook
    autograded: dict[str, nbformat.NotebookNode]  # by notebook


@pytest.fixture(scope="session")
def graded_solutions(tmp_path_factory):
    """``graded(lesson)``: the solution's round trip with every mistake, once per worker."""
    results = {}

    def graded(lesson):
        if lesson not in results:
            folder, complete = tmp_path_factory.mktemp(lesson), [cross_checked_bug(lesson).name]
            gradebook, checks = autograde_solution_and_mistakes(folder, lesson, complete)
            autograded = folder / "course" / "autograded" / "solution" / lesson
            executed = {p.stem: nbformat.read(p, as_version=4) for p in autograded.glob("*.ipynb")}
            results[lesson] = GradedSolution(gradebook, checks, executed)
        return results[lesson]

    return graded


def in_kernel_report(checks, bug):
    (report,) = [check.reports[bug.name] for check in checks.values() if bug.name in check.reports]
    return report


@pytest.fixture(scope="session")
def released_courses(tmp_path_factory):
    """``course(lesson)``: a course copy with the lesson released, once per worker.

    The blank release and the cross-checked mistake are two students of it (each
    autograde grades one student); they share the lesson's xdist group.
    """
    courses = {}

    def course(lesson):
        if lesson not in courses:
            courses[lesson] = make_course(tmp_path_factory.mktemp(lesson) / "course", [lesson])
            release(courses[lesson], lesson)
        return courses[lesson]

    return course


@pytest.mark.parametrize(
    "lesson", [pytest.param(lesson, marks=answers_group(lesson)) for lesson in LESSONS]
)
def test_solution_gets_full_marks(lesson, graded_solutions):
    for name, report in graded_solutions(lesson).gradebook.items():
        failed = {cell: s for cell, s in report.cells.items() if s[0] != s[1]}
        print(f"ROUND TRIP {name} solution: {report.score:g}/{report.max_score:g}")
        assert report.max_score > 0, f"{name}: no graded cells"
        assert report.score == report.max_score, f"{name}: cells below full marks: {failed}"
    autograded = graded_solutions(lesson).autograded
    assert set(autograded) == {path.stem for path in notebook_paths(lesson)}
    for notebook in autograded.values():
        assert_graded_up_to_the_last_graded_cell(notebook)


@pytest.mark.parametrize(
    "lesson", [pytest.param(lesson, marks=answers_group(lesson)) for lesson in LESSONS]
)
def test_blank_release_scores_zero_without_crashing(released_courses, lesson):
    course = released_courses(lesson)
    submit(course, lesson, "blank", answers={})
    for name, report in autograde(course, lesson, "blank").items():
        print(f"ROUND TRIP {name} blank: {report.score:g}/{report.max_score:g}")
        assert report.max_score > 0 and report.score == 0, f"{name}: {report.cells}"
    for path in sorted((course / "autograded" / "blank" / lesson).glob("*.ipynb")):
        assert_graded_up_to_the_last_graded_cell(nbformat.read(path, as_version=4))


def assert_graded_up_to_the_last_graded_cell(notebook: nbformat.NotebookNode) -> None:
    """The grader ran every cell up to the last graded one and noted each code cell after it."""
    last = last_graded_index(notebook)
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    after = [i for i in code if i > last]
    assert notebook.metadata[NOT_RERUN_KEY] == after
    for index in code:
        texts = [o.get("text", "") for o in notebook.cells[index].outputs]
        assert (NOT_RERUN_NOTE in texts) == (index > last), f"cell {index}: {texts}"


def test_every_lesson_has_buggy_answers_for_every_exercise():
    for lesson in LESSONS:
        exercises = set(all_answers(lesson))
        covered = {bug.cell for bug in load_bugs(lesson)}
        assert exercises <= covered, f"{lesson}: no typical mistake for {exercises - covered}"


BUG_CASES = [(lesson, bug) for lesson in LESSONS for bug in load_bugs(lesson)]


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


def test_every_lesson_cross_checks_one_of_its_own_mistakes():
    # cheap (no grading): a CROSS_CHECKED left behind by a renamed mistake fails here
    for lesson in LESSONS:
        assert cross_checked_bug(lesson) in load_bugs(lesson)


def test_a_bug_whose_passage_left_the_solution_fails_loudly():
    bug = Bug("stale", "cell", (("x + 1", "x - 1"),), "test", "message")
    assert bug.apply("y = x + 1\n") == "y = x - 1\n"
    with pytest.raises(ValueError, match="is not in cell 'cell'"):
        bug.apply("y = x + 2\n")
    with pytest.raises(ValueError, match="occurs 2 times"):
        bug.apply("y = x + 1\nz = x + 1\n")
    with pytest.raises(ValueError, match="changes nothing"):
        Bug("same", "cell", (("x", "x"),), "test", "message").apply("x")


VALID_CASES = [(lesson, answer) for lesson in LESSONS for answer in load_valid_answers(lesson)]


def test_every_lesson_has_valid_alternative_answers_that_still_apply():
    # cheap (no grading): each lesson lists answers its words allow, written as edits
    assert {lesson for lesson, _ in VALID_CASES} == set(LESSONS)
    for lesson, answer in VALID_CASES:
        answers = all_answers(lesson)
        assert answer.why, f"{answer.name}: say what the exercise's words allow"
        wrong = answer.apply(answers[answer.cell])
        compile(wrong, f"{lesson}-{answer.name}", "exec")


@pytest.mark.parametrize(
    ("lesson", "answer"),
    [
        pytest.param(lesson, answer, id=f"{lesson}-{answer.name}", marks=answers_group(lesson))
        for lesson, answer in VALID_CASES
    ],
)
def test_a_valid_alternative_answer_gets_full_marks(lesson, answer, graded_solutions):
    report = in_kernel_report(graded_solutions(lesson).checks, answer)
    print(f"ANSWER CHECK {lesson} {answer.name} (valid): {report.score:g}/{report.max_score:g}")
    failed = {cell: s for cell, s in report.cells.items() if s[0] != s[1]}
    assert report.max_score > 0 and not failed, (
        f"{answer.name} ({answer.why}) lost points: {failed}\n"
        + "\n".join(report.outputs[cell] for cell in failed)
    )


CHECKED_CASES = [
    pytest.param(lesson, bug, id=f"{lesson}-{bug.name}", marks=answers_group(lesson))
    for lesson, bug in BUG_CASES
]


@pytest.mark.parametrize(
    "lesson", [pytest.param(lesson, marks=answers_group(lesson)) for lesson in LESSONS]
)
def test_answer_check_gives_the_solution_full_marks(lesson, graded_solutions):
    graded = graded_solutions(lesson)
    assert set(graded.checks) == set(graded.gradebook), "a notebook's mistakes were not graded"
    for name, check in graded.checks.items():
        failed = {cell: s for cell, s in check.baseline.cells.items() if s[0] != s[1]}
        assert check.baseline.max_score > 0, f"{name}: no graded cells"
        assert not failed, f"{name}: cells below full marks in the answer check: {failed}"
        assert_same_grades(graded.gradebook[name], check.baseline, f"{lesson} solution ({name})")


@pytest.mark.parametrize(("lesson", "bug"), CHECKED_CASES)
def test_buggy_answer_gets_partial_credit_and_a_message_naming_it(lesson, bug, graded_solutions):
    report = in_kernel_report(graded_solutions(lesson).checks, bug)
    print(f"ANSWER CHECK {lesson} {bug.name}: {report.score:g}/{report.max_score:g}")
    assert_typical_mistake(report, bug, lesson_exercise_tests(lesson)[bug.cell])


@pytest.mark.parametrize(
    "lesson", [pytest.param(lesson, marks=answers_group(lesson)) for lesson in LESSONS]
)
def test_nbgrader_grades_a_mistake_as_the_answer_check_does(
    released_courses, lesson, graded_solutions
):
    course, bug = released_courses(lesson), cross_checked_bug(lesson)
    answers = all_answers(lesson)
    answers[bug.cell] = bug.apply(answers[bug.cell])
    submit(course, lesson, bug.name, answers)
    gradebook = autograde(course, lesson, bug.name)
    checks = graded_solutions(lesson).checks
    for name, real in gradebook.items():
        fast = checks[name].reports.get(bug.name, checks[name].baseline)
        print(f"ROUND TRIP {lesson} {bug.name}: {real.score:g}/{real.max_score:g}")
        assert_same_grades(real, fast, f"{lesson} {bug.name} ({name})")
    graded = next(r for r in gradebook.values() if bug.failing_test in r.cells)
    assert_typical_mistake(graded, bug, lesson_exercise_tests(lesson)[bug.cell])
