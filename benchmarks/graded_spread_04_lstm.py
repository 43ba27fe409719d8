"""How far lesson 04's graded training test moves between runs, for right and wrong answers.

The public test ``test_memory_training`` trains the learner's ``build_memory_model``
twice (a SimpleRNN and an LSTM, 8 epochs) and asserts two trained accuracies: the
LSTM's above a threshold and the SimpleRNN's near chance. A threshold on a trained
figure is only fair if the solution passes it on every machine and the wrong answers
fail it on every machine. This script executes the test cell itself, taken from the
solution notebook, once per seed offset (``RNN_COURSE_SEED_OFFSET``, other initial
weights and shuffles) and once more on one TensorFlow thread (``RNN_COURSE_THREADS=1``),
with the solution's ``build_memory_model`` and with each typical wrong answer from
``tests/course/buggy_answers/bugs_04_lstm.py``. It records both validation accuracies, the
held-out accuracies the grader computes from the trained weights (the cell's hidden
``expect_accuracy`` cases: 1,000 other sequences, the weights loaded into the course
library's own architecture), whether the cell passed (hidden cases included), and writes
``benchmarks/results/claim_spread/04_lstm_graded.json``.

Usage:
    python benchmarks/graded_spread_04_lstm.py                  # offsets 0..4 and 1 thread
    python benchmarks/graded_spread_04_lstm.py --offsets 0 1 2 3 4 5 6 7 8 9
    python benchmarks/graded_spread_04_lstm.py --answers solution memory-model-default-learning-rate
    python benchmarks/graded_spread_04_lstm.py --append --offsets 5 6 7 --threads-offsets \
        --answers solution
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "solutions" / "04_lstm" / "04_lstm.ipynb"
BUGS = ROOT / "tests" / "course" / "buggy_answers" / "bugs_04_lstm.py"
RESULT = ROOT / "benchmarks" / "results" / "claim_spread" / "04_lstm_graded.json"
TEST_CELL = "test_memory_training"
SOLUTION_CELL = "build_memory_model"


def cell_source(grade_id: str) -> str:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(cell["source"])
    raise KeyError(grade_id)


def answers() -> dict[str, str]:
    """The solution's build_memory_model and every wrong answer to that exercise."""
    spec = importlib.util.spec_from_file_location("bugs_04_lstm", BUGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    solution = cell_source(SOLUTION_CELL)
    found = {"solution": solution}
    wrong = [bug for bug in module.BUGS if bug.cell == SOLUTION_CELL]
    found.update({bug.name: bug.apply(solution) for bug in wrong})
    return found


def worker(offsets: list[int], only: list[str] | None = None) -> list[dict]:
    """Run the test cell for every answer and offset (in this process's thread setting)."""
    from rnn_lib.notebook import SEED_OFFSET_ENV, seed_everything, setup_notebook

    os.environ.pop(SEED_OFFSET_ENV, None)
    setup_notebook(seed=4)
    import keras
    import numpy as np

    from rnn_lib.notebook.cases import keras_layer, model_recipe, weights_accuracy
    from rnn_lib.tasks.experiments import adding_classification, train_model

    held_out = adding_classification(1000, 40, seed=3)  # the hidden cases' data

    def held_out_accuracy(models, name):
        if name not in models:
            return None
        architecture = model_recipe("rnn_lib.tasks.experiments.build_sequence_classifier",
                                    layer_class=keras_layer(name), units=32, timesteps=40)
        score = weights_accuracy(architecture, models[name].get_weights(), *held_out)
        return score if isinstance(score, float) else None

    test = cell_source(TEST_CELL)
    records = []
    for offset in offsets:
        os.environ[SEED_OFFSET_ENV] = str(offset)
        for name, source in answers().items():
            if only and name not in only:
                continue
            namespace = {"keras": keras, "np": np, "adding_classification": adding_classification,
                         "train_model": train_model, "seed_everything": seed_everything,
                         "TIMESTEPS": 40}
            exec(source, namespace)
            start, error = time.perf_counter(), None
            try:
                exec(test, namespace)
            except Exception as exc:  # a failing assert is a result, not a crash
                error = f"{type(exc).__name__}: {str(exc)[:300]}"
            histories = namespace.get("memory_histories", {})
            models = namespace.get("memory_models", {})
            records.append({
                "answer": name,
                "offset": offset,
                "threads": os.environ.get("RNN_COURSE_THREADS", "default"),
                "lstm_val_accuracy": histories.get("LSTM", {}).get("val_accuracy", [None])[-1],
                "simple_rnn_val_accuracy": histories.get("SimpleRNN", {}).get(
                    "val_accuracy", [None])[-1],
                "lstm_held_out_accuracy": held_out_accuracy(models, "LSTM"),
                "simple_rnn_held_out_accuracy": held_out_accuracy(models, "SimpleRNN"),
                "passed": error is None,
                "error": error,
                "seconds": round(time.perf_counter() - start, 1),
            })
            print(json.dumps(records[-1]), file=sys.stderr, flush=True)
    return records


def summarise(records: list[dict]) -> dict:
    summary = {}
    for name in dict.fromkeys(r["answer"] for r in records):
        rows = [r for r in records if r["answer"] == name]
        entry = {"runs": len(rows), "passed": sum(r["passed"] for r in rows)}
        for key in ("lstm_val_accuracy", "simple_rnn_val_accuracy", "lstm_held_out_accuracy",
                    "simple_rnn_held_out_accuracy"):
            values = [r[key] for r in rows if r[key] is not None]
            if values:
                entry[key] = {"min": min(values), "max": max(values)}
        summary[name] = entry
    return summary


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offsets", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--answers", nargs="+", help="only these answers (default: all)")
    parser.add_argument("--threads-offsets", type=int, nargs="*", default=[0],
                        help="seed offsets to run on one thread (default: 0)")
    parser.add_argument("--append", action="store_true",
                        help="add these runs to the ones already recorded in the results file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.offsets, args.answers)))
        return 0
    records, start = [], time.perf_counter()
    if args.append and RESULT.exists():
        records = json.loads(RESULT.read_text())["runs"]
    for threads, offsets in ((None, args.offsets), ("1", args.threads_offsets)):
        if not offsets:
            continue
        env = dict(os.environ)
        env.pop("RNN_COURSE_THREADS", None)
        if threads:
            env["RNN_COURSE_THREADS"] = threads
        command = [sys.executable, __file__, "--worker", "--offsets", *map(str, offsets)]
        if args.answers:
            command += ["--answers", *args.answers]
        done = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True,
                              text=True)
        records += json.loads(done.stdout.strip().splitlines()[-1])
    results = {
        "test": f"{NOTEBOOK.relative_to(ROOT)}::{TEST_CELL}",
        "threshold": "LSTM val. accuracy >= 0.75, SimpleRNN val. accuracy <= 0.6; the same "
        "bounds on the held-out accuracies the grader computes from the weights",
        "seconds": round(time.perf_counter() - start, 1),
        "summary": summarise(records),
        "runs": records,
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    for name, entry in results["summary"].items():
        print(name, entry)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
