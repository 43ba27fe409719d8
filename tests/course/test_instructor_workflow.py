"""The instructor's loop on lesson 01: autograde, feedback, grades export, learner check."""

from __future__ import annotations

import csv
import html
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from course_tools.course_copy import SOLUTIONS, make_course, release, solution_answers, submit
from course_tools.grading import autograde_all, check_notebook, nbgrader_api
from course_tools.nbgrader_plugins import HIDDEN_TESTS, NOT_RERUN_KEY, NOT_RERUN_NOTE

# One worker grades the class of the module fixture (22 s) and runs every test that reads it.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("instructor-workflow")]

LESSON = "01_sequence_data"
SOLUTION = SOLUTIONS / LESSON / f"{LESSON}.ipynb"
BUGGY_WINDOWS = (
    "def make_windows(series, window, horizon=1):\n"
    "    series = np.asarray(series)\n"
    "    n = max(0, len(series) - window - horizon + 1)\n"
    "    X = np.array([series[i:i + window] for i in range(n)]).reshape(n, window, 1)\n"
    "    return X, np.array([series[i + window - 1] for i in range(n)]).reshape(n)\n"
)


# A closing demonstration after the last graded cell (lesson 01 ends on its last test).
DEMONSTRATION = 'print("the closing demonstration ran")'


def add_closing_demonstration(course):
    path = course / "solutions" / LESSON / f"{LESSON}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(DEMONSTRATION))
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("workflow") / "course", [LESSON])
    add_closing_demonstration(course)
    release(course, LESSON)
    answers = solution_answers(nbformat.read(SOLUTION, as_version=4))
    submit(course, LESSON, "ada", answers)
    submit(course, LESSON, "bob", {**answers, "make_windows": BUGGY_WINDOWS})
    lines = []
    summary = autograde_all(course, out=lines.append)
    api = nbgrader_api(course)
    for student in ("ada", "bob"):
        result = api.generate_feedback(LESSON, student)
        assert result["success"], result.get("error")
    return course, summary, lines


def hidden_test_lines() -> set[str]:
    """Distinctive code lines of every hidden test in the lesson."""
    lines = set()
    for cell in nbformat.read(SOLUTION, as_version=4).cells:
        for block in HIDDEN_TESTS.findall(cell.source):
            for line in block.splitlines():
                line = line.strip()
                if len(line) >= 25 and not line.startswith(("#", "###")):
                    lines.add(line)
    assert len(lines) > 10, "expected hidden tests in lesson 01"
    return lines


def visible_text(path) -> str:
    """What a browser shows: tags removed, entities decoded, whitespace normalised."""
    text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
    return re.sub(r"[ \t]+", " ", text)


def leaked(text: str) -> list[str]:
    return [line for line in hidden_test_lines() if re.sub(r"[ \t]+", " ", line) in text]


def test_autograde_prints_progress_and_a_summary(graded_course):
    _, summary, lines = graded_course
    assert lines[0].startswith("[1/2] ada / 01_sequence_data: 11/11 (")
    assert lines[1].startswith("[2/2] bob / 01_sequence_data: 8/11 (")
    assert "Graded 2 of 2 submissions; 0 could not be graded." in lines
    assert summary["failed"] == []


def test_feedback_shows_scores_and_public_messages_but_no_hidden_test_source(graded_course):
    course, _, _ = graded_course
    pages = sorted((course / "feedback").rglob("*.html"))
    assert [p.parent.parent.name for p in pages] == ["ada", "bob"]
    for page in pages:
        text = visible_text(page)
        assert not leaked(text), f"{page}: hidden test source shown: {leaked(text)[:3]}"
        assert "(hidden tests ran here)" in text
    bob = visible_text(pages[1])
    assert "Score: 8.0 / 11.0" in bob or "8.0 / 11.0" in bob
    assert "right AFTER the window (off by one)" in bob, "public test messages must stay"
    assert "Some hidden tests failed" in bob
    for page in pages:  # grading stopped after the last graded cell, and says so
        text = visible_text(page)
        assert NOT_RERUN_NOTE.strip() in text
        assert "the closing demonstration ran\n" not in text


def test_full_grading_runs_the_whole_notebook(graded_course, tmp_path):
    course = shutil.copytree(graded_course[0], tmp_path / "course")  # the others read the original
    answers = solution_answers(nbformat.read(SOLUTION, as_version=4))
    submit(course, LESSON, "cy", answers)
    assert nbgrader_api(course, whole_notebooks=True).autograde(LESSON, "cy")["success"]
    notebook = nbformat.read(course / "autograded" / "cy" / LESSON / f"{LESSON}.ipynb", 4)
    assert notebook.cells[-1].outputs[0].text == "the closing demonstration ran\n"
    assert notebook.metadata[NOT_RERUN_KEY] == []


def test_stock_nbgrader_feedback_would_leak_the_hidden_tests(graded_course, tmp_path):
    """The control: without HideHiddenTests the check above finds the leak."""
    course, _, _ = graded_course
    config = course / "nbgrader_config.py"
    original = config.read_text()
    try:
        config.write_text(
            original + "\nc.GenerateFeedback.preprocessors = "
            "['nbgrader.preprocessors.GetGrades', "
            "'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor']\n"
            f"c.CourseDirectory.feedback_directory = {str(tmp_path / 'fb')!r}\n"
        )
        assert nbgrader_api(course).generate_feedback(LESSON, "bob")["success"]
    finally:
        config.write_text(original)
    (page,) = (tmp_path / "fb").rglob("*.html")
    assert leaked(visible_text(page))


def test_grades_export_to_csv(graded_course):
    course, _, _ = graded_course
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "export", "--to", "grades.csv"],
        cwd=course,
        check=True,
        capture_output=True,
    )
    with open(course / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "assignment",
        "duedate",
        "timestamp",
        "student_id",
        "last_name",
        "first_name",
        "email",
        "raw_score",
        "late_submission_penalty",
        "score",
        "max_score",
    ]
    scores = {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in rows}
    assert scores == {"ada": (11.0, 11.0), "bob": (8.0, 11.0)}


def test_learner_check_exits_nonzero_only_when_a_public_test_fails(graded_course):
    course, _, _ = graded_course
    good = next((course / "submitted" / "ada" / LESSON).glob("*.ipynb"))
    bad = next((course / "submitted" / "bob" / LESSON).glob("*.ipynb"))
    messages = []
    assert check_notebook(good, out=messages.append) == 0
    assert "all public tests pass" in messages[-1]
    messages.clear()
    assert check_notebook(bad, out=messages.append) == 1
    assert "1 test cell(s) fail" in "\n".join(messages)
    assert "right AFTER the window (off by one)" in "\n".join(messages)
