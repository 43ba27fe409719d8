"""Grading a synthetic class three ways: stock nbgrader, this course's grader with 1 and 2 jobs.

The class: for every lesson, a correct submission, a blank one, a typical mistake
(``tests/course/buggy_answers/``) and an adversarial one (answers that wrap the course
library's reference functions, ``tests/course/library_wrappers.py``, which the sandbox
turns into errors). It is graded

- by **stock nbgrader** (``nbgrader autograde`` with nbgrader's own executor, no sandbox,
  every notebook whole and at full size, one submission after another), on the correct
  submissions only: a full-size lesson 07 takes minutes, and the rate per submission is
  what is compared;
- by **this course's grader, JOBS=1** (``make autograde JOBS=1``: quick mode, stopping
  after the last graded cell, in the sandbox, in this process);
- by **this course's grader, JOBS=2** (two Dask worker processes; this process writes
  the gradebook).

For each: submissions per hour, seconds per submission by lesson, and the peak memory of
the whole process tree (sampled every 0.2 s). The JOBS=2 run also reports the
coordinator's own time per submission (replaying a graded notebook into the gradebook),
the serial part that bounds how far more workers can go.

Usage:
    python benchmarks/class_grading.py             # about 20 minutes on 2 cores
    python benchmarks/class_grading.py --no-stock  # only this course's grader

Results: ``benchmarks/results/class_grading.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil

from course_tools.answer_check import load_bugs
from course_tools.course_copy import (
    LESSONS,
    SOLUTIONS,
    lesson_answers,
    make_course,
    release,
    submit,
)
from course_tools.environment import quick_mode
from course_tools.grading import autograde_all, nbgrader_api
from course_tools.reference_answers import library_wrappers

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "class_grading.json"


class PeakMemory:
    """The largest total resident memory of this process and all its descendants."""

    def __init__(self, interval: float = 0.2):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def build_class(root: Path, stock: bool = False) -> Path:
    """A course with every lesson released and the synthetic class submitted."""
    course = make_course(root, LESSONS)
    wrappers = library_wrappers()
    for lesson in LESSONS:
        release(course, lesson)
        answers = lesson_answers(SOLUTIONS / lesson)
        submit(course, lesson, "correct", answers)
        if stock:
            continue
        submit(course, lesson, "blank", {})
        bug = load_bugs(lesson)[0]
        submit(course, lesson, "mistake", {**answers, bug.cell: bug.apply(answers[bug.cell])})
        submit(course, lesson, "wrapper", {**answers, **wrappers.get(lesson, {})})
    return course


def stock_config(course: Path) -> None:
    """nbgrader's own autograde: its executor, no sandbox, no plugins of this course."""
    path = course / "nbgrader_config.py"
    text = path.read_text(encoding="utf-8")
    start = text.index("c.Autograde.autograde_preprocessors = [")
    end = text.index("]", start) + 1
    text = text[:start] + "# stock nbgrader: its default autograde preprocessors\n" + text[end:]
    text = text.replace(
        'c.ResilientExecute.kernel_manager_class = "course_tools.sandbox.SandboxedKernelManager"',
        "",
    )
    path.write_text(text, encoding="utf-8")


def grade_stock(course: Path) -> dict:
    """``nbgrader autograde`` one submission at a time, whole notebooks at full size."""
    stock_config(course)
    api = nbgrader_api(course)
    seconds = {}
    with quick_mode(False):
        for lesson in LESSONS:
            start = time.perf_counter()
            result = api.autograde(lesson, "correct")
            seconds[lesson] = round(time.perf_counter() - start, 1)
            print(f"stock {lesson}: {seconds[lesson]} s, success {result['success']}", flush=True)
    return seconds


def seconds_by_lesson(lines: list[str]) -> dict[str, float]:
    """The mean seconds per submission of each lesson, from the grader's progress lines."""
    import re

    times: dict[str, list[float]] = {}
    for line in lines:
        match = re.search(r" / (\d\d_\w+): [\d.]+/[\d.]+ \(([\d.]+) s\)", line)
        if match:
            times.setdefault(match.group(1), []).append(float(match.group(2)))
    return {lesson: round(sum(t) / len(t), 1) for lesson, t in sorted(times.items())}


def rate(submissions: int, seconds: float) -> float:
    return round(submissions * 3600 / seconds, 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-stock", action="store_true")
    parser.add_argument(
        "--correct-only",
        action="store_true",
        help="only this course's grader, JOBS=1, on the correct submissions (the stock run's "
        "class): seconds per lesson, like for like (results/class_grading_correct_only.json)",
    )
    args = parser.parse_args()
    if args.correct_only:
        return correct_only()
    results: dict = {"machine": {"cores": os.cpu_count()}, "runs": {}}
    with tempfile.TemporaryDirectory(prefix="class-bench-") as scratch:
        base = build_class(Path(scratch) / "class")
        count = sum(1 for _ in (base / "submitted").glob("*/*"))
        for jobs in (1, 2):
            course = Path(scratch) / f"jobs{jobs}"
            shutil.copytree(base, course)
            lines: list[str] = []
            start = time.perf_counter()
            with PeakMemory() as memory:
                summary = autograde_all(course, out=lines.append, jobs=jobs)
            wall = time.perf_counter() - start
            results["runs"][f"course, JOBS={jobs}"] = {
                "submissions": count,
                "graded": len(summary["graded"]),
                "seconds": round(wall, 1),
                "per_hour": rate(count, wall),
                "peak_memory_gib": round(memory.peak / 2**30, 2),
                "seconds_by_lesson": seconds_by_lesson(lines),
                "scores": sorted(summary["graded"]),
            }
            print(json.dumps({k: v for k, v in results["runs"][f"course, JOBS={jobs}"].items()
                              if k != "scores"}), flush=True)
        one, two = results["runs"]["course, JOBS=1"], results["runs"]["course, JOBS=2"]
        assert one["scores"] == two["scores"], "JOBS=1 and JOBS=2 graded differently"
        results["jobs2_over_jobs1"] = round(two["per_hour"] / one["per_hour"], 2)
        # the coordinator's serial share: replaying one graded submission into the gradebook
        replay = Path(scratch) / "replay"
        shutil.copytree(base, replay)
        results["coordinator_seconds_per_submission"] = coordinator_time(replay)
        if not args.no_stock:
            stock = build_class(Path(scratch) / "stock", stock=True)
            start = time.perf_counter()
            with PeakMemory() as memory:
                seconds = grade_stock(stock)
            wall = time.perf_counter() - start
            results["runs"]["stock nbgrader, serial, full size"] = {
                "submissions": len(LESSONS),
                "seconds": round(wall, 1),
                "per_hour": rate(len(LESSONS), wall),
                "peak_memory_gib": round(memory.peak / 2**30, 2),
                "seconds_by_lesson": seconds,
            }
            stock_rate = results["runs"]["stock nbgrader, serial, full size"]["per_hour"]
            results["jobs1_over_stock"] = round(one["per_hour"] / stock_rate, 2)
            results["jobs2_over_stock"] = round(two["per_hour"] / stock_rate, 2)
    RESULT.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "runs"}, indent=1))
    return 0


def correct_only() -> int:
    """This course's grader, JOBS=1, on the class of the stock run: one correct submission each."""
    with tempfile.TemporaryDirectory(prefix="class-bench-") as scratch:
        course = build_class(Path(scratch) / "class", stock=True)
        lines: list[str] = []
        start = time.perf_counter()
        with PeakMemory() as memory:
            summary = autograde_all(course, out=lines.append, jobs=1)
        wall = time.perf_counter() - start
    result = {
        "submissions": len(LESSONS),
        "graded": len(summary["graded"]),
        "seconds": round(wall, 1),
        "per_hour": rate(len(LESSONS), wall),
        "peak_memory_gib": round(memory.peak / 2**30, 2),
        "seconds_by_lesson": seconds_by_lesson(lines),
    }
    path = RESULT.with_name("class_grading_correct_only.json")
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result))
    return 0


def coordinator_time(course: Path) -> float:
    """Seconds the coordinator spends per submission: grade them, then time only the replays."""
    from course_tools.class_grading import (
        course_inputs,
        grade_submission,
        pack_folder,
        record_graded,
    )

    gradebook, config = course_inputs(course)
    todo = sorted((p.parent.name, p.name) for p in (course / "submitted").glob("*/*"))[:7]
    graded = []
    for student, lesson in todo:
        folder = pack_folder(course / "submitted" / student / lesson)
        graded.append(grade_submission(student, lesson, folder, gradebook, config))
    start = time.perf_counter()
    for result in graded:
        if not result.error:
            record_graded(course, result)
    return round((time.perf_counter() - start) / max(1, len(graded)), 2)


if __name__ == "__main__":
    raise SystemExit(main())
