"""What autograding costs on top of simply running the notebooks.

Usage:
    python benchmarks/grading_speed.py [--lesson 01_sequence_data] [--students 6]

Builds a throwaway course with N copies of the lesson's solution as submissions and
measures (1) the bare execution time of that notebook in a fresh kernel and (2) the
seconds per notebook of `course_tools.grading.autograde_all` (nbgrader's API, in
process, with the course's configuration). Writes benchmarks/results/grading_speed.json.
Goal: overhead ratio (2) / (1) at most 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from course_tools.course_copy import make_course, release, solution_answers, submit
from course_tools.environment import prepare_environment, quick_mode
from course_tools.grading import autograde_all
from course_tools.notebooks import execute

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "benchmarks" / "results" / "grading_speed.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="01_sequence_data")
    parser.add_argument("--students", type=int, default=6)
    args = parser.parse_args(argv)

    import nbformat

    prepare_environment()
    solution = next((ROOT / "solutions" / args.lesson).glob("*.ipynb"))
    answers = solution_answers(nbformat.read(solution, as_version=4))
    with tempfile.TemporaryDirectory() as scratch:
        course = make_course(Path(scratch) / "course", [args.lesson])
        release(course, args.lesson)
        for number in range(args.students):
            submit(course, args.lesson, f"student{number:02d}", answers)
        submitted = next((course / "submitted" / "student00" / args.lesson).glob("*.ipynb"))
        bare = [execute(submitted, quick=True, store=False) for _ in range(3)]
        start = time.perf_counter()
        with quick_mode():  # as the round trips grade
            summary = autograde_all(course, [args.lesson])
        grading = (time.perf_counter() - start) / args.students
    assert not summary["failed"], summary["failed"]
    bare_seconds = statistics.median(bare)
    result = {
        "lesson": args.lesson,
        "students": args.students,
        "bare_execution_seconds": round(bare_seconds, 2),
        "autograde_seconds_per_notebook": round(grading, 2),
        "overhead_ratio": round(grading / bare_seconds, 2),
        "goal_ratio": 1.5,
        "cpu_count": os.cpu_count(),
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if result["overhead_ratio"] <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
