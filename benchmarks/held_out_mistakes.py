"""Typical mistakes the tests were not written against: how the grader treats them.

``tests/course/buggy_answers/`` holds the wrong answers the tests are written against, so
they say little about the next learner's mistake. These were written after the tests, one
or more per lesson, each with the phrase a message that names it would contain, fixed
before the first run. Each is graded as the round trips grade mistakes (in the kernel of
the solution's own autograde, on every cell it reaches) and measured as the issue that
asked for this measures: full marks (a mistake missed), points lost in another exercise
(a cascade), and whether the public message names the mistake (the phrase is in what its
exercise's tests show), only explains it (the test fails with a message of its own, or
says what it called and expected above a bare exception) or neither.

The first run, before any test changed in response, is kept in
``benchmarks/results/held_out_mistakes_first_run.json``. Three of its findings were then
fixed and added to the typical mistakes (so they are no longer held out): lesson 07's
``validation_split`` instead of the given validation arrays (full marks), lesson 05's
LSTM count without biases (missed by the public test) and GRU candidate through a sigmoid
(a generic message).

Usage:
    python benchmarks/held_out_mistakes.py                 # every lesson
    python benchmarks/held_out_mistakes.py 02_simple_rnn   # some lessons

Results: ``benchmarks/results/held_out_mistakes.json`` and a table on stdout.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from course_tools.answer_check import autograde_solution_and_mistakes
from course_tools.course_copy import LESSONS, lesson_exercise_tests

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "held_out_mistakes.json"


@dataclass(frozen=True)
class HeldOut:
    """A mistake the tests were not written against, and the phrase that would name it."""

    name: str
    cell: str
    replace: tuple[tuple[str, str], ...]
    phrase: str


MISTAKES: dict[str, list[HeldOut]] = {
    "01_sequence_data": [
        HeldOut(
            "non-overlapping-windows",
            "make_windows",
            (("for i in range(num_windows)]).reshape(num_windows, window, 1)",
              "for i in range(0, num_windows, window)]).reshape(-1, window, 1)"),
             ("for i in range(num_windows)]).reshape(num_windows)",
              "for i in range(0, num_windows, window)]).reshape(-1)")),
            "2 windows",
        ),
        HeldOut(
            "ties-reverse-alphabetical",
            "vocabulary",
            (("    ranked = sorted(counts, key=lambda word: (-counts[word], word))",
              "    ranked = sorted(counts, key=lambda word: (counts[word], word), reverse=True)"),),
            "Ties must be broken alphabetically",
        ),
        HeldOut(
            "post-padding-ignored",
            "pad_and_mask",
            (('        start = maxlen - len(tokens) if padding == "pre" else 0',
              "        start = maxlen - len(tokens)"),),
            "padding='post'",
        ),
        HeldOut(
            "first-real-step",
            "last_real_state",
            (("    last = timesteps - 1 - np.argmax(mask[:, ::-1], axis=1)",
              "    last = np.argmax(mask, axis=1)"),),
            "last real step",
        ),
    ],
    "02_simple_rnn": [
        HeldOut(
            "step-sigmoid",
            "rnn_step",
            (('    return np.tanh(x_t @ params["W"] + h_prev @ params["U"] + params["b"])',
              "    z = x_t @ params['W'] + h_prev @ params['U'] + params['b']\n"
              "    return 1 / (1 + np.exp(-z))"),),
            "tanh",
        ),
        HeldOut(
            "forward-loops-over-the-batch",
            "rnn_forward",
            (("    for t in range(T):\n        h = rnn_step(x[:, t], h, params)",
              "    for t in range(N):\n        h = rnn_step(x[t], h, params)"),),
            "The test called rnn_forward",
        ),
        HeldOut(
            "forecaster-lstm",
            "build_forecaster",
            (("        keras.layers.SimpleRNN(units),", "        keras.layers.LSTM(units),"),),
            "SimpleRNN",
        ),
    ],
    "03_bptt": [
        HeldOut(
            "dx-without-transpose",
            "rnn_step_backward",
            (('    dx_t = da @ params["W"].T', '    dx_t = da @ params["W"]'),),
            "dx_t",
        ),
        HeldOut(
            "clip-factor-inverted",
            "clip_by_global_norm",
            (("    scale = max_norm / max(norm, max_norm)",
              "    scale = max(norm, max_norm) / max_norm"),),
            "max_norm / global_norm",
        ),
    ],
    "04_lstm": [
        HeldOut(
            "cell-without-input-gate",
            "lstm_step",
            (("    c_next = f * c_prev + i * g", "    c_next = f * c_prev + g"),),
            "input gate",
        ),
        HeldOut(
            "memory-model-mse",
            "build_memory_model",
            (('loss="binary_crossentropy"', 'loss="mse"'),),
            "binary_crossentropy",
        ),
    ],
    "05_gru": [
        HeldOut(
            "candidate-sigmoid",
            "gru_step",
            (("    n = np.tanh(x_h + r * h_h)", "    n = sigmoid(x_h + r * h_h)"),),
            "tanh",
        ),
        HeldOut(
            "budget-lstm-without-bias",
            "units_for_budget",
            (("            return 4 * one_block",
              "            return 4 * units * (units + input_dim)"),),
            "LSTM",
        ),
    ],
    "06_bidirectional": [
        HeldOut(
            "tagger-linear-output",
            "build_tagger",
            (('    probabilities = keras.layers.Dense(num_tags, activation="softmax")(h)',
              "    probabilities = keras.layers.Dense(num_tags)(h)"),),
            "softmax",
        ),
        HeldOut(
            "decoder-input-not-shifted-at-all",
            "teacher_forcing",
            (("    inputs[:, 1:] = targets[:, :-1]", "    inputs[:, 1:] = targets[:, 1:]"),),
            "Shift right",
        ),
        HeldOut(
            "greedy-argmax-over-time",
            "greedy_decoding",
            (("[:, -1].argmax(axis=-1)", "[:, -1].argmax(axis=0)"),),
            "argmax",
        ),
    ],
    "07_imdb_sentiment": [
        HeldOut(
            "validation-also-in-train",
            "make_splits",
            (('        "train": ([texts[i] for i in rest], labels[rest]),',
              '        "train": ([texts[i] for i in order], labels[order]),'),),
            "exactly once",
        ),
        HeldOut(
            "unknown-words-masked",
            "vectorize",
            (("    return ids, ids != 0", "    return ids, ids > 1"),),
            "mask",
        ),
        HeldOut(
            "validation-split-instead-of-validation-data",
            "train_sentiment_model",
            (("validation_data=(val_ids, val_labels)", "validation_split=0.2"),),
            "validation_data",
        ),
    ],
}


def bugs_module(mistakes: list[HeldOut], folder: Path) -> Path:
    """A bugs module for the answer check (the phrase is recorded, never asserted)."""
    lines = ["from course_tools.course_copy import Bug", "", "BUGS = ["]
    for mistake in mistakes:
        lines.append(
            f"    Bug(name={mistake.name!r}, cell={mistake.cell!r}, replace={mistake.replace!r},"
            f" failing_test='', message=''),"
        )
    lines.append("]")
    path = folder / "held_out_bugs.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def measure(lesson: str) -> list[dict]:
    """Grade the lesson's held-out mistakes; one record each."""
    owned = lesson_exercise_tests(lesson)
    with tempfile.TemporaryDirectory(prefix="held-out-") as scratch:
        folder = Path(scratch)
        bugs = bugs_module(MISTAKES[lesson], folder)
        names = [mistake.name for mistake in MISTAKES[lesson]]  # every cell they reach runs
        _, checks = autograde_solution_and_mistakes(
            folder / "grading", lesson, complete=names, bugs_file=bugs
        )
    records = []
    for mistake in MISTAKES[lesson]:
        (report,) = [c.reports[mistake.name] for c in checks.values() if mistake.name in c.reports]
        own = owned[mistake.cell]
        lost = {cell: s for cell, s in report.cells.items() if s[0] < s[1]}
        shown = "\n".join(report.outputs.get(cell, "") for cell in own)
        public = own[0]
        error_lines = [
            line for line in report.outputs.get(public, "").splitlines() if "Error" in line
        ]
        records.append(
            {
                "lesson": lesson,
                "mistake": mistake.name,
                "score": report.score,
                "max_score": report.max_score,
                "full_marks": report.score == report.max_score,
                "cascade": sorted(cell for cell in lost if cell not in own),
                "named": mistake.phrase in shown,
                "hinted": public in lost
                and (
                    "The test called" in shown
                    or not any(
                        line.startswith(("IndexError", "ValueError", "TypeError", "KeyError"))
                        for line in error_lines
                    )
                ),
                "public_message": error_lines[-1][:300] if error_lines else "",
            }
        )
    return records


def main(argv: list[str]) -> int:
    lessons = argv or LESSONS
    started = time.perf_counter()
    records = [record for lesson in lessons for record in measure(lesson)]
    for r in records:
        verdict = "NAMED" if r["named"] else "hinted" if r["hinted"] else "not named"
        print(
            f"{r['lesson']:18} {r['mistake']:44} {r['score']:g}/{r['max_score']:g} "
            f"{'FULL MARKS ' if r['full_marks'] else ''}"
            f"{'cascade ' + ','.join(r['cascade']) + ' ' if r['cascade'] else ''}{verdict}"
        )
        print(f"{'':18} {r['public_message']}")
    summary = {
        "mistakes": len(records),
        "full_marks": sum(r["full_marks"] for r in records),
        "cascades": sum(bool(r["cascade"]) for r in records),
        "named": sum(r["named"] for r in records),
        "hinted_not_named": sum(r["hinted"] and not r["named"] for r in records),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary))
    if not argv:
        RESULT.write_text(
            json.dumps({"summary": summary, "records": records}, indent=1) + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
