"""How far lesson 07's graded accuracy moves, for the solution and for typical wrong answers.

Lesson 07's public test ``test_train_sentiment_model`` trains the course library's small
GRU model (``graded_models.gru_sentiment_model``) with the learner's training function on
2,000 reviews (the last 160 words of each, cut by Keras' pad_sequences) and requires a
held-out accuracy above a threshold; its graded case (``expect_accuracy``) has the grader
score the same weights, in the same architecture built on its side, on the same 1,000
held-out reviews, with the same threshold. That
accuracy depends on the seed and on the CPU's rounding, so the threshold must leave room
on both sides: the solution must clear it in every run, and the wrong answers it is
there to catch must stay below it in every run.

This script runs the test cell's public part, exactly as the solution notebook holds
it, once per perturbation (seed offsets ``$RNN_COURSE_SEED_OFFSET=0..4``, and one
run on a single TensorFlow thread, ``$RNN_COURSE_THREADS=1``), for the solution and
for each wrong answer that reaches the training test (``tests/course/buggy_answers/
bugs_07_imdb_sentiment.py``). Every ``assert`` of the test cell is turned into a
record, so that the figures of a failing answer are measured too. Grading runs in
quick mode; this test does not depend on the mode. Results go to
``benchmarks/results/claim_spread/07_imdb_sentiment_graded.json``.

Usage:
    python benchmarks/graded_spread_07_imdb_sentiment.py               # offsets 0-4 + 1 thread
    python benchmarks/graded_spread_07_imdb_sentiment.py --offsets 0 1 2 3 4 5 6 7
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from course_tools.verdicts import kernel_source

ROOT = Path(__file__).resolve().parent.parent
LESSON = "07_imdb_sentiment"
NOTEBOOK = ROOT / "solutions" / LESSON / f"{LESSON}.ipynb"
BUGS = ROOT / "tests" / "course" / "buggy_answers" / f"bugs_{LESSON}.py"
RESULT = ROOT / "benchmarks" / "results" / "claim_spread" / f"{LESSON}_graded.json"
#: The graded cells whose threshold is measured, and the variable holding their figure.
TESTS = {
    "test_train_sentiment_model": "held_out_accuracy",
}
#: The answer cells these tests exercise: wrong answers to other exercises are not run (the
#: test trains the course library's gru_sentiment_model, not the learner's Exercise 3 model).
ANSWERS = ("train_sentiment_model",)
#: The wrong answers whose accuracy the threshold sees: the other wrong answers to this
#: exercise (early stopping on the training loss, best weights not restored) are stopped by
#: an assert on the callbacks before anything trains, so their accuracy does not matter.
REACH_THE_THRESHOLD = ("categorical-crossentropy-on-one-unit",)
#: Wrong answers whose accuracy stays above any sensible threshold, and what catches them.
CAUGHT_BY = {
    "solution": "nothing: it must pass",
}
_SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


def cells() -> tuple[dict[str, str], dict[str, str]]:
    """The notebook's code cells by id, and the solution's answer cells by grade_id."""
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    by_id, answers = {}, {}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = "".join(cell["source"])
        by_id[cell["id"]] = text
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            answers[meta["grade_id"]] = _SOLUTION_MARKERS.sub("", text)
    return by_id, answers


def variants() -> dict[str, dict[str, str]]:
    """The solution and every wrong answer to the exercises the training test runs."""
    _, answers = cells()
    spec = importlib.util.spec_from_file_location("bugs", BUGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = {"solution": dict(answers)}
    for bug in module.BUGS:
        if bug.cell in ANSWERS and bug.name in REACH_THE_THRESHOLD:
            result[bug.name] = {**answers, bug.cell: bug.apply(answers[bug.cell])}
    return result


class _RecordAsserts(ast.NodeTransformer):
    """``assert test, message`` becomes ``if not test: _failed.append(message)``."""

    def visit_Assert(self, node: ast.Assert) -> ast.If:
        message = node.msg if node.msg is not None else ast.Constant(ast.unparse(node.test))
        record = ast.Expr(
            ast.Call(
                func=ast.Attribute(
                    value=ast.Name("_failed", ast.Load()), attr="append", ctx=ast.Load()
                ),
                args=[message],
                keywords=[],
            )
        )
        return ast.copy_location(
            ast.If(test=ast.UnaryOp(op=ast.Not(), operand=node.test), body=[record], orelse=[]),
            node,
        )


def soft(source: str) -> object:
    tree = ast.fix_missing_locations(_RecordAsserts().visit(ast.parse(source)))
    return compile(tree, "<graded cell>", "exec")


def worker() -> dict:
    """In this process (one perturbation): every variant through both graded cells."""
    by_id, _ = cells()
    namespace: dict = {"__name__": "__main__"}
    exec(by_id["setup"], namespace)
    exec(by_id["code-03"], namespace)  # loads the reviews
    import keras

    results = {}
    for name, answers in variants().items():
        entry = {}
        for grade_id in ANSWERS:
            exec(answers[grade_id], namespace)
        for test, figure in TESTS.items():
            keras.utils.clear_session()
            namespace["_failed"] = []
            namespace.pop(figure, None)
            start = time.perf_counter()
            error = None
            try:
                exec(soft(kernel_source(by_id[test])), namespace)
            except Exception as exc:  # an answer that crashes the test: record it
                error = f"{type(exc).__name__}: {exc}"[:300]
            value = namespace.get(figure)
            entry[test] = {
                "accuracy": None if value is None else float(value),
                "failed_asserts": [str(m)[:160] for m in namespace["_failed"]],
                "error": error,
                "seconds": round(time.perf_counter() - start, 1),
            }
            print(
                f"  {name} {test}: {entry[test]['accuracy']} "
                f"({len(entry[test]['failed_asserts'])} asserts fail)",
                file=sys.stderr,
                flush=True,
            )
        results[name] = entry
    return results


def thresholds() -> dict[str, float]:
    """The accuracy each graded cell requires, read from the notebook."""
    by_id, _ = cells()
    found = {}
    for test, figure in TESTS.items():
        match = re.search(rf"assert {re.escape(figure)} > ([0-9.]+)", by_id[test])
        found[test] = float(match.group(1))
    return found


def summarise(per_run: dict) -> dict:
    """Per test and answer: the accuracies, their range, and the margins to the threshold."""
    bars = thresholds()
    summary: dict = {}
    for run, results in per_run.items():
        for name, entry in results.items():
            for test, figures in entry.items():
                row = summary.setdefault(test, {}).setdefault(name, {"accuracy": {}, "fails": {}})
                row["accuracy"][run] = figures["accuracy"]
                row["fails"][run] = figures["failed_asserts"] or (
                    [figures["error"]] if figures["error"] else []
                )
    for test, answers in summary.items():
        for name, row in answers.items():
            values = [v for v in row["accuracy"].values() if v is not None]
            row["min"], row["max"] = (min(values), max(values)) if values else (None, None)
            row["threshold"] = bars[test]
            row["above_threshold_in_every_run"] = bool(values) and row["min"] > bars[test]
            row["below_threshold_in_every_run"] = bool(values) and row["max"] <= bars[test]
            # a margin: how far the figure stays on its side of the bar in the worst run
            row["margin"] = (
                row["min"] - bars[test] if name == "solution" else bars[test] - row["max"]
            )
            row["caught_by"] = CAUGHT_BY.get(name, "the accuracy threshold")
    return summary


def write(per_run: dict) -> None:
    from claim_spread import machine  # noqa: PLC0415 (benchmarks/ is on the path)

    summary = summarise(per_run)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "machine": machine(),
        "runs": list(per_run),
        "tests": summary,
        "per_run": per_run,
        "note": "fails: the asserts each run failed. margin: the worst run's distance to the "
        "threshold, on the side the answer must be.",
    }
    RESULT.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    for test, answers in summary.items():
        print(f"{test} (threshold {thresholds()[test]})")
        for name, row in answers.items():
            side = "above" if name == "solution" else "below"
            print(
                f"  {name:38s} {row['min']:.3f}..{row['max']:.3f}  margin {row['margin']:+.3f}"
                f"  {side} in every run: {row[side + '_threshold_in_every_run']}"
            )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offsets", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--resummarise",
        action="store_true",
        help="summarise the stored runs again, against the thresholds the notebook has now",
    )
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker()))
        return 0
    if args.resummarise:
        write(json.loads(RESULT.read_text())["per_run"])
        return 0
    runs = [(f"seed offset {k}", {"RNN_COURSE_SEED_OFFSET": str(k)}) for k in args.offsets]
    runs.append(("1 thread", {"RNN_COURSE_SEED_OFFSET": "0", "RNN_COURSE_THREADS": "1"}))
    per_run = {}
    for run, extra in runs:
        env = {k: v for k, v in os.environ.items() if k not in ("RNN_COURSE_THREADS",)}
        env.update(extra, RNN_COURSE_QUICK="1", TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0")
        print(run, flush=True)
        done = subprocess.run(
            [sys.executable, __file__, "--worker"],
            env=env,
            cwd=NOTEBOOK.parent,
            stdout=subprocess.PIPE,  # the figures; progress goes to stderr as it comes
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"{run}: the worker failed")
        per_run[run] = json.loads(done.stdout.strip().splitlines()[-1])
    write(per_run)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
