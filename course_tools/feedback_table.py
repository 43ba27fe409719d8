"""The README's table of exercises, points and typical mistakes, computed from the course.

Per lesson: its exercises, their points, how many typical wrong answers the tests grade
(``tests/course/buggy_answers/``: the fewest for one exercise, and the total), how many of
those get a public message that names the mistake, and how many valid alternative answers
must earn full marks. The round trips (``tests/course/test_round_trips.py``) assert, for
every listed mistake, partial credit, no points lost in another exercise, and the message;
a test holds the README to this table.

Usage:
    python -m course_tools.feedback_table     # print the table (Markdown)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import nbformat

from course_tools.answer_check import load_bugs, load_valid_answers
from course_tools.course_copy import LESSONS, lesson_exercise_tests, notebook_paths


@dataclass(frozen=True)
class LessonFeedback:
    """One row of the table (see the module's docstring)."""

    lesson: str
    exercises: int
    points: float
    mistakes: int
    fewest_per_exercise: int
    named: int
    valid_answers: int


def test_cell_points(lesson: str) -> dict[str, float]:
    """Each graded test cell's points, by grade_id."""
    points = {}
    for path in notebook_paths(lesson):
        for cell in nbformat.read(path, as_version=4).cells:
            grader = cell.metadata.get("nbgrader", {})
            if grader.get("grade") and not grader.get("solution"):
                points[grader["grade_id"]] = float(grader["points"])
    return points


def lesson_feedback(lesson: str) -> LessonFeedback:
    """The row of ``lesson``: counted from its notebooks and its typical mistakes.

    Every listed mistake names a phrase its public test's message must contain, and its
    round trip asserts that the learner sees it: all of them count as named.
    """
    exercises = lesson_exercise_tests(lesson)
    points = test_cell_points(lesson)
    bugs = load_bugs(lesson)
    per_exercise = [sum(bug.cell == answer for bug in bugs) for answer in exercises]
    return LessonFeedback(
        lesson=lesson,
        exercises=len(exercises),
        points=sum(points[test] for owned in exercises.values() for test in owned),
        mistakes=len(bugs),
        fewest_per_exercise=min(per_exercise),
        named=sum(bool(bug.message) and bug.failing_test in exercises[bug.cell] for bug in bugs),
        valid_answers=len(load_valid_answers(lesson)),
    )


def markdown_table(rows: list[LessonFeedback]) -> str:
    """The rows as a Markdown table, with a total line."""
    lines = [
        "| lesson | exercises | points | typical mistakes tested (fewest per exercise) "
        "| public message names the mistake | valid alternatives, full marks |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.lesson} | {row.exercises} | {row.points:g} | {row.mistakes} "
            f"({row.fewest_per_exercise}) | {row.named} of {row.mistakes} | {row.valid_answers} |"
        )
    total = sum(row.mistakes for row in rows)
    lines.append(
        f"| all | {sum(r.exercises for r in rows)} | {sum(r.points for r in rows):g} | {total} "
        f"({min(r.fewest_per_exercise for r in rows)}) | {sum(r.named for r in rows)} of {total} "
        f"| {sum(r.valid_answers for r in rows)} |"
    )
    return "\n".join(lines)


def main() -> int:
    print(markdown_table([lesson_feedback(lesson) for lesson in LESSONS]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
