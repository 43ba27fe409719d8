"""Time every solution notebook on this machine and check it against its budget.

Usage:
    python benchmarks/notebook_times.py                 # every lesson, as CI runs them
    python benchmarks/notebook_times.py 04_lstm 05_gru  # some lessons
    python benchmarks/notebook_times.py --full 07_imdb_sentiment   # quick mode off

Each notebook runs on a scratch copy (solutions/ is never modified) in a fresh
kernel, like nbval does. Results are merged into benchmarks/results/notebook_times.json,
with the machine they were measured on. The exit code is 1 if any notebook ran over
its budget.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "notebook_times.json"

# Seconds on 2 CPU cores, from the issues: lessons 02-03 at most 2 minutes, 04-06 and
# 07's quick mode at most 3, 07 at full size at most 12.
BUDGETS = {
    "01_sequence_data": {"quick": 60},
    "02_simple_rnn": {"quick": 120},
    "03_bptt": {"quick": 120},
    "04_lstm": {"quick": 180},
    "05_gru": {"quick": 180},
    "06_bidirectional": {"quick": 180},
    "07_imdb_sentiment": {"quick": 180, "full": 720},
}


def execute(notebook: Path, quick: bool) -> float:
    """Run a copy of ``notebook`` in a fresh kernel; return the wall time in seconds."""
    import nbformat
    from nbclient import NotebookClient

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    if quick:
        os.environ["RNN_COURSE_QUICK"] = "1"
    else:
        os.environ.pop("RNN_COURSE_QUICK", None)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / notebook.parent.name
        shutil.copytree(notebook.parent, copy)
        nb = nbformat.read(copy / notebook.name, as_version=4)
        client = NotebookClient(
            nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(copy)}}
        )
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson folders (default: all)")
    parser.add_argument("--full", action="store_true", help="run with quick mode off")
    args = parser.parse_args(argv)
    mode = "full" if args.full else "quick"
    lessons = args.lessons or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"notebooks": {}}
    over = []
    for lesson in lessons:
        for notebook in sorted((ROOT / "solutions" / lesson).glob("*.ipynb")):
            budget = BUDGETS.get(lesson, {}).get(mode)
            if budget is None:
                continue  # this lesson has no such mode
            seconds = execute(notebook, quick=not args.full)
            key = f"{lesson}/{notebook.name}" + ("" if mode == "quick" else " (full size)")
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
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
