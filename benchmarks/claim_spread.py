"""How far every figure a lesson makes a claim about moves between runs.

Each solution notebook is executed several times: once per seed offset
(``RNN_COURSE_SEED_OFFSET=0..4``: other initial weights and shuffles) and once more
on a single TensorFlow thread (``RNN_COURSE_THREADS=1``: other summation orders, a
stand-in for another CPU's rounding). Every :func:`rnn_lib.notebook.claims.check_claim` in the
notebook logs its figure; this script gathers them and writes, per claim, the values
of every run, their range and the smallest margin to the claim's bound, to
``benchmarks/results/claim_spread/<lesson>.json`` (one file per lesson, so that
lessons can be measured separately). A margin that is small against the spread
is a claim that another machine may break.

Each run is recorded as it finishes, with every figure it logged, so a sweep that is
stopped keeps what it measured, and ``--append`` adds runs to those already recorded
(lesson 07 at full size takes about 9 minutes a run on 2 cores).

Usage:
    python benchmarks/claim_spread.py                      # every lesson
    python benchmarks/claim_spread.py 04_lstm --offsets 0 1 2 3 4 5 6
    python benchmarks/claim_spread.py 07_imdb_sentiment --full --append --offsets 3 4 \
        --no-one-thread
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from course_tools.environment import environment
from course_tools.notebooks import ci_quick_mode, execute
from rnn_lib.notebook import SEED_OFFSET_ENV, THREADS_ENV
from rnn_lib.notebook.claims import CLAIMS_LOG_ENV

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "benchmarks" / "results" / "claim_spread"


def runs(offsets: list[int], *, one_thread: bool = True) -> list[tuple[str, dict[str, str]]]:
    """The perturbations: one run per seed offset, and one on a single thread."""
    configs = [(f"seed offset {k}", {SEED_OFFSET_ENV: str(k)}) for k in offsets]
    if one_thread:
        configs.append(("1 thread", {SEED_OFFSET_ENV: "0", THREADS_ENV: "1"}))
    return configs


def run_once(notebook: Path, env: dict[str, str], *, full: bool) -> tuple[list[dict], str | None]:
    """Execute ``notebook`` with ``env`` added; return its logged claims and any error."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "claims.jsonl"
        error = None
        try:
            with environment(**{THREADS_ENV: None, **env, CLAIMS_LOG_ENV: str(log)}):
                execute(notebook, quick=not full and ci_quick_mode(notebook), store=False)
        except Exception as exc:  # a failed claim stops the notebook: record it, go on
            error = f"{type(exc).__name__}: {str(exc)[-600:]}"
        lines = log.read_text().splitlines() if log.exists() else []
        records = [json.loads(line) for line in lines]
    return records, error


def summarise(per_run: dict[str, list[dict]]) -> dict:
    """Per claim: bounds, each run's value, the range and the smallest margin."""
    claims: dict[str, dict] = {}
    for run, records in per_run.items():
        seen: dict[str, int] = {}
        for record in records:
            name = record["claim"]
            seen[name] = seen.get(name, 0) + 1
            key = name if seen[name] == 1 else f"{name} [{seen[name]}]"
            entry = claims.setdefault(
                key, {"above": record["above"], "below": record["below"], "values": {}}
            )
            entry["values"][run] = record["value"]
    for entry in claims.values():
        values = list(entry["values"].values())
        entry["min"], entry["max"] = min(values), max(values)
        margins = []
        if entry["above"] is not None:
            margins.append(entry["min"] - entry["above"])
        if entry["below"] is not None:
            margins.append(entry["below"] - entry["max"])
        entry["smallest_margin"] = min(margins)
        entry["holds_in_every_run"] = entry["smallest_margin"] > 0 and len(values) == len(per_run)
    return claims


def machine() -> dict:
    flags = ""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        pass
    model = next((line.split(":", 1)[1].strip() for line in flags.splitlines()
                  if line.startswith("model name")), platform.processor())
    return {
        "cpu": model,
        "avx512fp16": " avx512_fp16" in flags,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*")
    parser.add_argument("--offsets", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--full", action="store_true", help="full size even where CI is quick")
    parser.add_argument("--append", action="store_true",
                        help="keep the runs already recorded and add these (same name: replaced)")
    parser.add_argument("--no-one-thread", dest="one_thread", action="store_false",
                        help="skip the run on one thread (say, when appending seed offsets)")
    args = parser.parse_args(argv)
    lessons = args.lessons or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    for lesson in lessons:
        path = RESULTS / f"{lesson}.json"
        results = json.loads(path.read_text()) if path.exists() else {"lessons": {}}
        results["machine"] = machine()
        for notebook in sorted((ROOT / "solutions" / lesson).glob("*.ipynb")):
            mode = "full" if args.full or not ci_quick_mode(notebook) else "quick"
            key = f"{lesson}/{mode}"
            stored = results["lessons"].get(key, {}) if args.append else {}
            if stored and "per_run" not in stored:
                raise SystemExit(f"{key}: recorded before runs were kept; --append would drop "
                                 "its earlier runs (measure it again without --append)")
            per_run = dict(stored.get("per_run", {}))
            errors = dict(stored.get("errors", {}))
            seconds = stored.get("seconds", {})
            seconds = dict(seconds) if isinstance(seconds, dict) else {}
            for name, env in runs(args.offsets, one_thread=args.one_thread):
                start = time.perf_counter()
                per_run[name], error = run_once(notebook, env, full=args.full)
                seconds[name] = round(time.perf_counter() - start, 1)
                errors.pop(name, None)
                if error:
                    errors[name] = error
                print(f"{lesson} {name}: {len(per_run[name])} figures in {seconds[name]:.0f} s"
                      + (f", FAILED {error[:200]}" if error else ""), flush=True)
                results["lessons"][key] = {
                    "runs": list(per_run),
                    "errors": errors,
                    "seconds": seconds,
                    "claims": summarise(per_run),
                    "per_run": per_run,
                }
                RESULTS.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
            for claim, entry in results["lessons"][key]["claims"].items():
                print(f"  {claim}: {entry['min']:.4g}..{entry['max']:.4g}"
                      f" margin {entry['smallest_margin']:.3g}"
                      f"{'' if entry['holds_in_every_run'] else '  DOES NOT HOLD'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
