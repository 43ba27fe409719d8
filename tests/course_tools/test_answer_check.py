"""The in-kernel answer check (course_tools.answer_check) still bites.

First its reading of cells (which cells a change reaches, what to put back, when to
start afresh), on small made-up notebooks. Then, on lesson 01 graded the way the
suite grades every lesson (in the kernel of the solution's real autograde), the
three ways the fast check could go soft, each of which must fail: a public test
whose message stops naming its mistake, a mistake that leaks into another exercise,
and an in-kernel verdict that differs from nbgrader's gradebook.
"""

from __future__ import annotations

import nbformat
import pytest

from course_tools import answer_check
from course_tools.answer_check import (
    CellNames,
    assert_same_grades,
    assert_typical_mistake,
    autograde_solution_and_mistakes,
    cell_names,
    cells_to_rerun,
    check_notebook,
    cross_checked_bug,
    load_bugs,
    restore_plan,
    stale_reads,
)
from course_tools.course_copy import (
    SOLUTIONS,
    Bug,
    autograde,
    lesson_exercise_tests,
    make_course,
    release,
    solution_answers,
    submit,
)

LESSON = "01_sequence_data"
OWN = lesson_exercise_tests(LESSON)  # the test cells of each exercise


def names_of(*sources: str) -> list[CellNames]:
    return [cell_names(source) for source in sources]


def test_cell_names_follow_python_scopes():
    names = cell_names(
        "import numpy as np\n"
        "from math import sqrt\n"
        "X, y = make(np.arange(3))\n"
        "def helper(v):\n"
        "    total = v + offset\n"
        "    return helper(total)\n"
        "for i in range(3):\n"
        "    y = y + i\n"
        "squares = [k * k for k in y]\n"
    )
    assert names.stores == {"np", "sqrt", "X", "y", "helper", "i", "squares"}
    assert names.imports == {"np", "sqrt"}
    # read before the cell assigns them: make and offset (helper reads offset when called)
    assert {"make", "offset", "range"} <= names.free_loads
    assert not {"X", "y", "i", "helper", "total", "v", "k"} & names.free_loads
    assert {"total", "v", "k"}.isdisjoint(names.loads), "locals are not module names"
    assert cell_names("global_value = 1\ndef f():\n    global g\n    g = 2\n").stores == {
        "global_value",
        "f",
        "g",
    }
    assert not cell_names("def broken(:\n").parsed
    assert not cell_names("%time z = 1\n").parsed, "a magic may assign anything: always re-run"


def test_a_change_reaches_the_cells_that_read_it_and_only_those():
    names = names_of(
        "import numpy as np\nscale = 2",  # 0
        "def f(x):\n    return x + 1",  # 1: the answer
        "assert f(1) == 2",  # 2: its test
        "def g(x):\n    return scale * x",  # 3: another answer
        "assert g(1) == 2",  # 4: its test
        "data = f(np.arange(3))",  # 5: a demonstration that uses f
        "assert data.sum() == 6",  # 6: reads what f produced
        "import numpy as np\nassert np.pi > 3",  # 7: re-imports np (the same module)
    )
    assert cells_to_rerun(names, 1, 7, names[1].stores) == [1, 2, 5, 6]
    assert cells_to_rerun(names, 3, 7, names[3].stores) == [3, 4]
    # a change that also rebinds scale (a mistake leaking into another exercise) reaches g
    assert cells_to_rerun(names, 1, 7, frozenset({"f", "scale"})) == [1, 2, 3, 4, 5, 6]
    # rebinding g does not: cell 3 defines g again, independently of the change
    assert cells_to_rerun(names, 1, 7, frozenset({"f", "g"})) == [1, 2, 5, 6]
    # a cell that is not Python always runs
    assert cells_to_rerun([*names, CellNames(parsed=False)], 3, 8, names[3].stores) == [3, 4, 8]


def test_a_name_assigned_again_independently_is_put_back_before_it_is_read():
    names = names_of(
        "def f():\n    return 1",  # 0: the answer
        "value = f()",  # 1: depends on f
        "value = 10",  # 2: assigns value again, not from f
        "assert value == 10",  # 3: reads cell 2's value
        "assert f() == 1",  # 4
    )
    # cell 3 does not depend on f, but cell 1 changed `value`: cell 2 must run again if 3 does
    assert cells_to_rerun(names, 0, 4, names[0].stores) == [0, 1, 4]
    names = names_of("def f():\n    return 1", "value = f()", "value = 10", "print(value, f())")
    assert cells_to_rerun(names, 0, 3, names[0].stores) == [0, 1, 2, 3]


def test_reads_of_a_later_value_send_the_mistake_to_a_fresh_kernel():
    names = names_of("rate = 0.1", "def f():\n    return 1", "assert f() * rate < 1", "rate = 5")
    rerun = cells_to_rerun(names, 1, 3, names[1].stores)
    assert rerun == [1, 2]
    assert stale_reads(names, rerun, 3) == {"rate"}  # after cell 3 the kernel holds rate = 5
    assert stale_reads(names, rerun, 2) == set()


def test_only_what_a_later_mistake_reads_is_put_back():
    names = names_of(
        "def f():\n    return 1",  # 0
        "a = f()",  # 1
        "assert a == 1",  # 2
        "def g():\n    return a",  # 3: reads a when called
        "assert g() == 1",  # 4
    )
    first = cells_to_rerun(names, 0, 4, names[0].stores)
    assert first == [0, 1, 2, 3, 4]
    later = [[3, 4]]
    # g's test reads a (through g): cell 1 must hold the solution's value again
    assert restore_plan(names, first, later) == [0, 1]
    assert restore_plan(names, first, []) == []


# ---------------------------------------------------------------- the checker bites


@pytest.fixture(scope="module")
def bugs():
    return {bug.name: bug for bug in load_bugs(LESSON)}


def write_bugs(path, bugs, cross_checked=None):
    """A bugs module (as tests/course/buggy_answers/ holds) listing ``bugs``."""
    listed = ",\n    ".join(repr(bug) for bug in bugs)
    named = f"CROSS_CHECKED = {cross_checked!r}\n" if cross_checked else ""
    path.write_text(
        f"from course_tools.course_copy import Bug\n\n{named}BUGS = [\n    {listed},\n]\n"
    )
    return path


def test_the_cross_checked_mistake_is_the_named_one_or_the_first(tmp_path, bugs):
    first, second = bugs["target-inside-window"], bugs["no-feature-axis"]
    assert cross_checked_bug(LESSON, write_bugs(tmp_path / "a.py", [first, second])) == first
    named = write_bugs(tmp_path / "b.py", [first, second], cross_checked=second.name)
    assert cross_checked_bug(LESSON, named) == second
    stale = write_bugs(tmp_path / "c.py", [first], cross_checked="renamed-since")
    with pytest.raises(ValueError, match="names no mistake of the lesson"):
        cross_checked_bug(LESSON, stale)
    with pytest.raises(ValueError, match="no typical mistakes"):
        cross_checked_bug(LESSON, tmp_path / "missing.py")


@pytest.fixture(scope="module")
def broken_lesson(tmp_path_factory, bugs):
    """Lesson 01 graded as the suite grades it, with two faults put in.

    A vague public message, and a mistake that leaks into another exercise; graded in
    the solution round trip's kernel (:class:`MistakeGradingExecute`), as
    tests/course/test_round_trips.py grades every lesson.
    """
    folder = tmp_path_factory.mktemp("lesson")
    vague = bugs["no-feature-axis"]

    def blur_the_message(solutions):
        path = solutions / f"{LESSON}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        (test,) = [
            c
            for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade_id") == vague.failing_test
        ]
        assert vague.message in test.source
        test.source = test.source.replace(vague.message, "check your shapes")
        nbformat.write(notebook, path)

    wrong_target = bugs["target-inside-window"]
    leaking = Bug(  # the same mistake, and a stray assignment that lesson 01's last test reads
        name="target-inside-window-and-keras-rebound",
        cell="make_windows",
        replace=(
            *wrong_target.replace,
            ("    return X, y\n", "    return X, y\n\n\nkeras = None\n"),
        ),
        failing_test=wrong_target.failing_test,
        message=wrong_target.message,
    )
    bugs_file = write_bugs(folder / "bugs.py", [vague, leaking, wrong_target])
    gradebook, checks = autograde_solution_and_mistakes(
        folder, LESSON, bugs_file=bugs_file, edit_solutions=blur_the_message
    )
    assert gradebook[LESSON].score == gradebook[LESSON].max_score, "the solution is still right"
    return checks[LESSON], leaking


def test_a_public_message_that_no_longer_names_its_mistake_fails_the_check(broken_lesson, bugs):
    check, _ = broken_lesson
    bug = bugs["no-feature-axis"]
    assert check.reports[bug.name].cells[bug.failing_test][0] == 0, "the test still fails"
    with pytest.raises(AssertionError, match="should name the mistake"):
        assert_typical_mistake(check.reports[bug.name], bug, OWN[bug.cell])
    # an untouched mistake of the same lesson still passes the same check
    untouched = bugs["target-inside-window"]
    assert_typical_mistake(check.reports[untouched.name], untouched, OWN[untouched.cell])


def test_a_mistake_that_costs_points_in_another_exercise_fails_the_check(broken_lesson):
    check, leaking = broken_lesson
    report = check.reports[leaking.name]
    assert report.cells["test_last_real_state"][0] == 0, "keras = None breaks lesson 01's last test"
    with pytest.raises(AssertionError, match="other exercises lost points too"):
        assert_typical_mistake(report, leaking, OWN[leaking.cell])


@pytest.mark.slow
def test_an_in_kernel_verdict_that_differs_from_the_gradebook_fails_the_cross_check(
    tmp_path, bugs, monkeypatch
):
    bug = bugs["target-inside-window"]
    solution = nbformat.read(SOLUTIONS / LESSON / f"{LESSON}.ipynb", as_version=4)
    answers = solution_answers(solution)
    answers[bug.cell] = bug.apply(answers[bug.cell])
    course = make_course(tmp_path / "course", [LESSON])
    release(course, LESSON)
    submit(course, LESSON, bug.name, answers)
    (gradebook,) = autograde(course, LESSON, bug.name).values()
    assert gradebook.cells[bug.failing_test][0] == 0
    # an in-kernel grading rule that no longer sees a failed assertion (full marks always);
    # with the real rule the same comparison passes (tests/course/test_round_trips.py
    # cross-checks this very mistake of lesson 01). The suite's in-kernel grading runs in
    # this process, in the solution's autograde (MistakeGradingExecute): patched here too.
    points = lambda cell: (float(cell.metadata.nbgrader["points"]),) * 2  # noqa: E731
    monkeypatch.setattr(answer_check, "grade_cell", points)
    bugs_file = write_bugs(tmp_path / "bugs.py", [bug])
    _, checks = autograde_solution_and_mistakes(
        tmp_path / "fast", LESSON, complete=[bug.name], bugs_file=bugs_file
    )
    report = checks[LESSON].reports[bug.name]
    assert report.cells[bug.failing_test] == (2.0, 2.0)
    with pytest.raises(AssertionError, match="nbgrader vs in-kernel .* differ"):
        assert_same_grades(gradebook, report, bug.name)


@pytest.mark.slow
def test_check_notebook_grades_mistakes_in_a_kernel_of_its_own(bugs):
    # the stand-alone path (a kernel in this process, no course): what a mistake that
    # needs a fresh kernel falls back on, and an author's quick look at one notebook
    bug = bugs["no-feature-axis"]
    check = check_notebook(SOLUTIONS / LESSON / f"{LESSON}.ipynb", [bug])
    assert check.baseline.score == check.baseline.max_score > 0
    assert_typical_mistake(check.reports[bug.name], bug, OWN[bug.cell])
