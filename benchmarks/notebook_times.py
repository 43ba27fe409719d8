"""Time every solution notebook on this machine and check it against its budget.

Usage:
    python benchmarks/notebook_times.py                 # every lesson, as CI runs them
    python benchmarks/notebook_times.py 04_lstm 05_gru  # some lessons
    python benchmarks/notebook_times.py --full 07_imdb_sentiment   # quick mode off
    python benchmarks/notebook_times.py --full --save-executed /tmp/run 07_imdb_sentiment

Each notebook runs in a fresh kernel, in the mode CI runs it (course_tools.notebooks),
and is not modified. Results are merged into benchmarks/results/notebook_times.json,
with the machine they were measured on: the budgets are for the 2-core CI machine
class, so a machine with more cores writes notebook_times_<N>cores.json instead and
leaves the class's figures alone. The exit code is 1 if any notebook ran over its budget.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

from course_tools.notebooks import ci_quick_mode, execute

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "benchmarks" / "results" / "notebook_times.json"
#: The cores of the CI machine class, which the budgets are for.
CI_CORES = 2

# Seconds on 2 CPU cores, from the issues: lessons 02-03 at most 2 minutes, 04-06 and
# 07's quick mode at most 3, 07 at full size at most 12, 08 and 09 at most 3.
# "ci" is the mode CI runs the notebook in (full size, except where a notebook's
# metadata asks for quick mode); "full" is a learner's full-size run where it differs.
BUDGETS = {
    "01_sequence_data": {"ci": 60},
    "02_simple_rnn": {"ci": 120, "full": 120},
    "03_bptt": {"ci": 120},
    "04_lstm": {"ci": 180, "full": 180},
    "05_gru": {"ci": 180, "full": 180},
    "06_bidirectional": {"ci": 180, "full": 180},
    "07_imdb_sentiment": {"ci": 180, "full": 720},
    "08_attention": {"ci": 180, "full": 180},
    "09_parallel_recurrence": {"ci": 180, "full": 180},
}


def machine() -> dict:
    info = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        from importlib.metadata import version

        info.update(tensorflow=version("tensorflow"), keras=version("keras"))
    except Exception:  # noqa: BLE001 - informational only
        pass
    return info


def results_path(cpu_count: int | None) -> Path:
    """Where this machine's times go: the class's file only on a machine of its size."""
    if cpu_count is not None and cpu_count > CI_CORES:
        return RESULTS.with_name(f"notebook_times_{cpu_count}cores.json")
    return RESULTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson folders (default: all)")
    parser.add_argument("--full", action="store_true", help="full size, as a learner runs it")
    parser.add_argument("--save-executed", type=Path, metavar="DIR",
                        help="also write each executed notebook into DIR (to read its outputs)")
    args = parser.parse_args(argv)
    lessons = args.lessons or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    output = results_path(os.cpu_count())
    results = json.loads(output.read_text()) if output.exists() else {"notebooks": {}}
    over = []
    for lesson in lessons:
        for notebook in sorted((ROOT / "solutions" / lesson).glob("*.ipynb")):
            has_quick_mode = ci_quick_mode(notebook)
            learner_run = args.full and has_quick_mode
            budgets = BUDGETS[lesson]
            budget = budgets["full"] if learner_run else budgets["ci"]
            mode = "quick" if has_quick_mode and not learner_run else "full"
            save_to = args.save_executed / notebook.name if args.save_executed else None
            seconds = execute(notebook, quick=mode == "quick", store=False, save_to=save_to)
            key = f"{lesson}/{notebook.name}" + (" (full size)" if learner_run else "")
            results["notebooks"][key] = {
                "seconds": round(seconds, 1),
                "budget_seconds": budget,
                "mode": mode,
            }
            verdict = "ok" if seconds <= budget else "OVER BUDGET"
            print(f"{key:55s} {seconds:7.1f} s  (budget {budget} s)  {verdict}", flush=True)
            if seconds > budget:
                over.append(key)
    results["machine"] = machine()
    results["notebooks"] = dict(sorted(results["notebooks"].items()))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {output.relative_to(ROOT)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
