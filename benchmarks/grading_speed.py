"""What autograding costs on top of simply running the notebooks.

Usage:
    python benchmarks/grading_speed.py [--lesson 01_sequence_data] [--students 6]
    python benchmarks/grading_speed.py --lesson 07_imdb_sentiment --students 2 --bare-runs 0

Builds a throwaway course with N copies of the lesson's solution as submissions and
measures (1) the bare execution time of that notebook in a fresh kernel (median of
``--bare-runs``), (2) the seconds per notebook of `course_tools.grading.autograde_all`
(nbgrader's API, in process, with the course's configuration: in the sandbox,
course_tools.sandbox, with the verdicts decided by the grader, course_tools.verdicts),
(3) the same grading of the same submissions without the sandbox
(``RNN_COURSE_UNSANDBOXED=1``) and (4) without the sandbox and with the verdicts left to
the learner's kernel (``c.ResilientExecute.grader_verdicts = False``: grading as it was
before either protection). Writes benchmarks/results/grading_speed.json (lesson 01) or
grading_speed_<lesson>.json. Goals: overhead ratio (2) / (1) at most 1.5; the sandbox's
cost, (2) / (3), at most 1.2; the cost of both protections, (2) / (4), at most 1.2.
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
from contextlib import contextmanager
from pathlib import Path

from course_tools.course_copy import make_course, release, solution_answers, submit
from course_tools.environment import environment, prepare_environment, quick_mode
from course_tools.grading import autograde_all
from course_tools.notebooks import execute
from course_tools.sandbox import UNSANDBOXED_ENV

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_LESSON = "01_sequence_data"


class ProbeClock:
    """Seconds spent in the grader's verdicts (its calls into the kernel), per configuration."""

    def __init__(self):
        from course_tools.nbgrader_plugins import ResilientExecute

        self.seconds: dict[str, float] = {}
        self._current: str | None = None
        original = ResilientExecute._probe

        async def timed(executor, *args, **kwargs):
            start = time.perf_counter()
            try:
                return await original(executor, *args, **kwargs)
            finally:
                self.seconds[self._current] += time.perf_counter() - start

        ResilientExecute._probe = timed

    @contextmanager
    def counting(self, name: str):
        self._current = name
        self.seconds.setdefault(name, 0.0)
        yield


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default=DEFAULT_LESSON)
    parser.add_argument("--students", type=int, default=4, help="per round (6 rounds)")
    parser.add_argument("--bare-runs", type=int, default=3, help="0: skip the bare execution")
    args = parser.parse_args(argv)

    import nbformat

    prepare_environment()
    solution = next((ROOT / "solutions" / args.lesson).glob("*.ipynb"))
    answers = solution_answers(nbformat.read(solution, as_version=4))

    def seconds_per_notebook(
        folder: Path, grader_verdicts: bool = True, students: int = args.students
    ) -> float:
        course = make_course(folder / "course", [args.lesson])
        if not grader_verdicts:
            with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
                config.write("\nc.ResilientExecute.grader_verdicts = False\n")
        release(course, args.lesson)
        for number in range(students):
            submit(course, args.lesson, f"student{number:02d}", answers)
        start = time.perf_counter()
        with quick_mode():  # as make autograde grades
            summary = autograde_all(course, [args.lesson])
        assert not summary["failed"], summary["failed"]
        return (time.perf_counter() - start) / students

    configurations = {  # name: (sandboxed, verdicts decided by the grader)
        "sandboxed": (True, True),
        "unconfined": (False, True),
        "unprotected": (False, False),
    }
    seconds = {name: [] for name in configurations}
    probes = ProbeClock()
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(shutil.copytree(solution.parent, Path(scratch) / "bare")) / solution.name
        bare = [execute(copy, quick=True, store=False) for _ in range(args.bare_runs)]
        # A warm-up grading, not counted (the first sandboxed grading of a run was 40% slower
        # than the next); then A B C C B A, so that the machine's drift weighs on each alike.
        with environment(**{UNSANDBOXED_ENV: None}), probes.counting("warm-up"):
            seconds_per_notebook(Path(scratch) / "warm-up", students=1)
        order = [*configurations, *reversed(configurations)]
        for round_number, name in enumerate(order):
            sandbox, verdicts = configurations[name]
            with environment(**{UNSANDBOXED_ENV: None if sandbox else "1"}), probes.counting(name):
                folder = Path(scratch) / f"{round_number}-{name}"
                seconds[name].append(seconds_per_notebook(folder, verdicts))
    sandboxed, unconfined, unprotected = (statistics.mean(seconds[n]) for n in configurations)
    result = {
        "lesson": args.lesson,
        "students": args.students,
        "autograde_seconds_per_notebook": round(sandboxed, 2),
        "autograde_seconds_per_notebook_unconfined": round(unconfined, 2),
        "sandbox_cost_ratio": round(sandboxed / unconfined, 2),
        "goal_sandbox_cost_ratio": 1.2,
        "autograde_seconds_per_notebook_unconfined_verdicts_in_kernel": round(unprotected, 2),
        "protection_cost_ratio": round(sandboxed / unprotected, 2),
        "goal_protection_cost_ratio": 1.2,
        "grader_verdict_seconds_per_notebook": round(
            probes.seconds["sandboxed"] / (2 * args.students), 3
        ),
        "rounds": {name: [round(value, 2) for value in values] for name, values in seconds.items()},
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
    ok = (
        result["sandbox_cost_ratio"] <= 1.2
        and result["protection_cost_ratio"] <= 1.2
        and result.get("overhead_ratio", 0) <= 1.5
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
