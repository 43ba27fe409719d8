"""What autograding costs on top of simply running the notebooks.

Usage:
    python benchmarks/grading_speed.py [--lesson 01_sequence_data] [--students 6]
    python benchmarks/grading_speed.py --lesson 07_imdb_sentiment --students 2 --bare-runs 0

Builds a throwaway course with N copies of the lesson's solution as submissions and
measures (1) the bare execution time of that notebook in a fresh kernel (median of
``--bare-runs``), (2) the seconds per notebook of `course_tools.grading.autograde_all`
(nbgrader's API, in process, with the course's configuration: in the sandbox,
course_tools.sandbox) and (3) the same grading of the same submissions without the
sandbox (``RNN_COURSE_UNSANDBOXED=1``). Writes benchmarks/results/grading_speed.json
(lesson 01) or grading_speed_<lesson>.json. Goals: overhead ratio (2) / (1) at most 1.5;
the sandbox's cost, (2) / (3), at most 1.2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from course_tools.course_copy import make_course, release, solution_answers, submit
from course_tools.environment import environment, prepare_environment, quick_mode
from course_tools.grading import autograde_all
from course_tools.notebooks import execute
from course_tools.sandbox import UNSANDBOXED_ENV

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_LESSON = "01_sequence_data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default=DEFAULT_LESSON)
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--bare-runs", type=int, default=3, help="0: skip the bare execution")
    args = parser.parse_args(argv)

    import nbformat

    prepare_environment()
    solution = next((ROOT / "solutions" / args.lesson).glob("*.ipynb"))
    answers = solution_answers(nbformat.read(solution, as_version=4))
    def seconds_per_notebook(folder: Path) -> float:
        course = make_course(folder / "course", [args.lesson])
        release(course, args.lesson)
        for number in range(args.students):
            submit(course, args.lesson, f"student{number:02d}", answers)
        start = time.perf_counter()
        with quick_mode():  # as make autograde grades
            summary = autograde_all(course, [args.lesson])
        assert not summary["failed"], summary["failed"]
        return (time.perf_counter() - start) / args.students

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(shutil.copytree(solution.parent, Path(scratch) / "bare")) / solution.name
        bare = [execute(copy, quick=True, store=False) for _ in range(args.bare_runs)]
        with environment(**{UNSANDBOXED_ENV: None}):
            sandboxed = seconds_per_notebook(Path(scratch) / "sandboxed")
        with environment(**{UNSANDBOXED_ENV: "1"}):
            unconfined = seconds_per_notebook(Path(scratch) / "unconfined")
    result = {
        "lesson": args.lesson,
        "students": args.students,
        "autograde_seconds_per_notebook": round(sandboxed, 2),
        "autograde_seconds_per_notebook_unconfined": round(unconfined, 2),
        "sandbox_cost_ratio": round(sandboxed / unconfined, 2),
        "goal_sandbox_cost_ratio": 1.2,
        "cpu_count": os.cpu_count(),
    }
    if bare:
        bare_seconds = statistics.median(bare)
        result["bare_execution_seconds"] = round(bare_seconds, 2)
        result["overhead_ratio"] = round(sandboxed / bare_seconds, 2)
        result["goal_ratio"] = 1.5
    name = "grading_speed" + ("" if args.lesson == DEFAULT_LESSON else f"_{args.lesson}")
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    ok = result["sandbox_cost_ratio"] <= 1.2 and result.get("overhead_ratio", 0) <= 1.5
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
