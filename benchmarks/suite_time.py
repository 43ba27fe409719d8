"""What the whole test suite costs, against one bare execution of every solution notebook.

Usage (``make bench-suite`` calls it; about 15 minutes on the 2-core CI class):
    python benchmarks/suite_time.py
    python benchmarks/suite_time.py --skip-suite   # the bare execution only (a quick look)

In one run, on an otherwise idle machine: each solution notebook executed once, in a
fresh kernel, in the mode CI runs it (course_tools.notebooks), one after the other;
then ``make test`` (one pytest run: the tests and nbval), whose wall time, summary line
and 15 slowest tests are read from its output. The ratio suite / bare execution is the
figure of merit (target: at most 2.5): the suite executes every notebook once whole
(nbval, on "another machine") and grades every lesson three times (the solution with
its typical mistakes, the blank release, one mistake through nbgrader) in quick mode up
to its last graded cell, beside the adversarial and instructor-workflow gradings.

Results go to benchmarks/results/suite_time.json (the 2-core class) or
suite_time_<N>cores.json on a larger machine, with the machine they were measured on.
The exit code is 1 if the suite failed, ran longer than 10 minutes on the 2-core
class, or the ratio exceeds 2.5.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from notebook_times import CI_CORES, machine  # benchmarks/ is this script's folder

from course_tools.environment import prepare_environment
from course_tools.notebooks import ci_quick_mode, execute

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "benchmarks" / "results" / "suite_time.json"
TARGET_RATIO = 2.5
TARGET_SECONDS = 600


def suite_command() -> list[str]:
    """The README's test command (``make test``: the Python tests and nbval, in one run)."""
    return ["make", "--no-print-directory", "test"]


def bare_execution() -> dict[str, float]:
    """Seconds per solution notebook, executed once each, one after the other.

    The first notebook runs once untimed before: the first kernel of a run reads
    TensorFlow from a cold disk cache (measured 3 December 2026: lesson 01 took 59.9 s
    as the first notebook of a run and 6.9 s in the next run), which would inflate the
    bare time and flatter the ratio.
    """
    notebooks = sorted((ROOT / "solutions").glob("[0-9][0-9]_*/*.ipynb"))
    execute(notebooks[0], quick=ci_quick_mode(notebooks[0]), store=False)  # warm-up
    times = {}
    for notebook in notebooks:
        seconds = execute(notebook, quick=ci_quick_mode(notebook), store=False)
        times[notebook.stem] = round(seconds, 1)
        print(f"  {notebook.stem}: {seconds:.1f} s", flush=True)
    return times


def slowest_tests(output: str) -> list[str]:
    """The lines of pytest's ``slowest 15 durations`` section."""
    match = re.search(r"=+ slowest \d+ durations =+\n(.*?)\n(?:\n|=)", output, flags=re.DOTALL)
    return match[1].splitlines() if match else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-suite", action="store_true", help="only the bare execution")
    args = parser.parse_args(argv)
    prepare_environment()
    print("one bare execution of every solution notebook:", flush=True)
    start = time.perf_counter()
    notebooks = bare_execution()
    bare = time.perf_counter() - start
    print(f"bare execution: {bare:.0f} s", flush=True)
    result = {"machine": machine(), "bare_execution_s": round(bare, 1), "notebooks_s": notebooks}
    if not args.skip_suite:
        command = suite_command()
        print("the suite:", " ".join(command), flush=True)
        start = time.perf_counter()
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        suite = time.perf_counter() - start
        summary = [
            line for line in run.stdout.splitlines() if re.match(r"^=+ .*(passed|failed)", line)
        ]
        result.update(
            suite_s=round(suite, 1),
            suite_passed=run.returncode == 0,
            # one line per pytest run (make test runs one)
            suite_summaries=[line.strip("= ") for line in summary],
            ratio=round(suite / bare, 2),
            slowest_15=slowest_tests(run.stdout),
            command=" ".join(command),
        )
        print(run.stdout[-6000:])
        print(f"suite {suite:.0f} s, bare execution {bare:.0f} s, ratio {suite / bare:.2f}")
    output = RESULTS
    if (os.cpu_count() or 0) > CI_CORES:
        output = RESULTS.with_name(f"suite_time_{os.cpu_count()}cores.json")
    result["measured"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {output.relative_to(ROOT)}")
    if args.skip_suite:
        return 0
    class_machine = (os.cpu_count() or 0) <= CI_CORES
    ok = result["suite_passed"] and result["ratio"] <= TARGET_RATIO
    if class_machine:
        ok = ok and result["suite_s"] <= TARGET_SECONDS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
