"""Every attack on every lesson: the score a submission gets and the score it deserves.

The tests (tests/course/test_adversarial.py) run every attack on lesson 01 and the
attacks whose outcome depends on a lesson's own test cells on every lesson, within the
suite's time budget. This benchmark runs the whole matrix, as an instructor would meet
it: per lesson one course copy, one student per attack plus an honest neighbour, all
graded in one sandboxed ``autograde_all`` run with the course's configuration (a learner's
own cells get a 20-second timeout here, so that the sleeper costs 20 s, not 5 minutes).

What each row deserves is decided without trusting anything the attack touches: 0 for a
blank submission and for one whose answers wrap the course library's reference functions
(tests/course/library_wrappers.py, which a test shows to be correct answers while the
library is whole), full marks for the solution, and for a mixed submission (one honest
exercise, the rest forged) the score of its honest part graded without the forgery. Also
checked for every lesson: nothing outside the sandbox was read, written or reached
(the snooping row), ``rnn_lib`` is unchanged after the row that rewrites it, and the
honest neighbour gets full marks.

Usage:
    python benchmarks/adversarial_matrix.py                        # every lesson
    python benchmarks/adversarial_matrix.py --lessons 02_simple_rnn 04_lstm

Writes benchmarks/results/adversarial_matrix.json and prints the table (Markdown).
Exits 1 if any row gets more (or less) than it deserves.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import socket
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "adversarial_matrix.json"


def _attacks():
    """The attack sources of the tests (one definition, tests/course/test_adversarial.py)."""
    path = ROOT / "tests" / "course" / "test_adversarial.py"
    spec = importlib.util.spec_from_file_location("test_adversarial", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


CUSTOM_EXCEPTION_HANDLER = """
get_ipython().set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)
"""

READ_SOLUTIONS = """
import glob, json
_found = [glob.glob({course!r} + f"/{{folder}}/*/*.ipynb") for folder in ("solutions", "source")]
for _path in _found[0] + _found[1]:
    try:
        for _cell in json.load(open(_path))["cells"]:
            if _cell.get("metadata", {{}}).get("nbgrader", {{}}).get("solution"):
                exec("".join(_cell["source"]))
    except Exception:
        pass
"""

PATCHED_LIBRARIES = """
import keras, tensorflow as tf, rnn_lib.notebook.cases
keras.ops.allclose = tf.experimental.numpy.allclose = lambda *args, **kwargs: True
rnn_lib.notebook.cases.compare = lambda *args, **kwargs: None
rnn_lib.notebook.cases.probe = lambda namespace, calls: None
"""

REWRITE_RNN_LIB = """
with open({target!r}, "a") as _f:
    _f.write("\\n" + {payload!r} + "\\n")
"""

FORK_BOMB = "import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(600)"
MEMORY_HOG = "chunks = []\nwhile True:\n    chunks.append(b'x' * 2**28)"
SLEEPER = "import time\ntime.sleep(10**6)"


def _after_setup(*sources):
    """A transform that inserts learner cells right after the set-up cell."""

    def transform(notebook):
        ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells]
        at = ids.index("setup") + 1
        for offset, source in enumerate(sources):
            notebook.cells.insert(at + offset, nbformat.v4.new_code_cell(source))

    return transform


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def run_lesson(lesson: str, scratch: Path) -> dict:
    """Grade every attack on ``lesson``; return its rows and checks."""
    import rnn_lib
    from course_tools.course_copy import SOLUTIONS, make_course, release, solution_answers, submit
    from course_tools.grading import autograde_all
    from course_tools.reference_answers import library_wrappers

    attacks = _attacks()
    course = make_course(scratch / lesson, [lesson])
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(  # the course's timeout for its own cells, 20 s for a learner's
            "\nc.ResilientExecute.timeout_func = (lambda limit: lambda cell: limit "
            "if cell.metadata.get('nbgrader') else 20)(c.ResilientExecute.timeout)\n"
        )
    release(course, lesson)
    (path,) = (SOLUTIONS / lesson).glob("*.ipynb")
    solution = solution_answers(nbformat.read(path, as_version=4))
    first = next(iter(solution))
    forgery = attacks.RUN_CELL_FORGERY
    library = Path(rnn_lib.__file__).parent
    target = library / "notebook" / "__init__.py"
    payload = "import IPython\n_ip = IPython.get_ipython()\nif _ip is not None:\n" + "".join(
        "    " + line + "\n" for line in forgery.strip().splitlines()[1:]
    ).replace("ip.", "_ip.")
    look_alike = {  # every answer returns an object that equals anything
        grade_id: attacks.LOOK_ALIKE
        + "".join(
            f"\n\ndef {name}(*args, **kwargs):\n    return _Yes()\n"
            for name in re.findall(r"^def (\w+)", source, flags=re.MULTILINE)
        )
        for grade_id, source in solution.items()
    }
    planted = library / "_planted_by_a_learner.py"
    before, kept = _digest(library), target.read_bytes()
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0)
        snoop = attacks.SNOOP.format(
            course=str(course), port=server.getsockname()[1], planted=str(planted)
        )
        rows = {
            # student: (row, answers, transform, deserved: "zero", "full" or a student's score)
            "a-honest-neighbour": ("an honest neighbour", solution, None, "full"),
            "b-run-cell-rewired": ("blank, run_cell rewired", {}, _after_setup(forgery), "zero"),
            "c-exception-handler": (
                "blank, a custom exception handler",
                {},
                _after_setup(CUSTOM_EXCEPTION_HANDLER),
                "zero",
            ),
            "d-reads-solutions": (
                "blank, solution cells read from disk and run",
                {},
                _after_setup(forgery, READ_SOLUTIONS.format(course=str(course))),
                "zero",
            ),
            "e-look-alike": (
                "look-alike results; numpy, Keras, TF and rnn_lib patched",
                look_alike,
                _after_setup(PATCHED_LIBRARIES, forgery),
                "zero",
            ),
            "f-rewrites-rnn-lib": (
                "blank that rewrites rnn_lib on disk",
                {},
                _after_setup(REWRITE_RNN_LIB.format(target=str(target), payload=payload)),
                "zero",
            ),
            "g-blank-after-the-rewrite": ("a blank graded after it", {}, None, "zero"),
            "h-snoops": ("blank that snoops and connects", {}, _after_setup(snoop), "zero"),
            "i-first-exercise-honest": (
                "one honest exercise (the control)",
                {first: solution[first]},
                None,
                None,
            ),
            "j-first-exercise-rewired": (
                "one honest exercise, the rest forged",
                {first: solution[first]},
                _after_setup(forgery),
                "i-first-exercise-honest",
            ),
            "k-fork-bomb": (
                "the solution and a fork bomb",
                solution,
                _after_setup(FORK_BOMB),
                "full",
            ),
            "l-memory-hog": (
                "the solution and a memory hog",
                solution,
                _after_setup(MEMORY_HOG),
                "full",
            ),
            "m-sleeper": (
                "the solution and a sleep past the limit",
                solution,
                _after_setup(SLEEPER),
                "full",
            ),
            "n-wraps-the-library": (
                "answers that wrap the course library's reference functions",
                library_wrappers()[lesson],
                None,
                "zero",
            ),
        }
        for student, (_, answers, transform, _) in rows.items():
            submit(course, lesson, student, answers, transform)
        start = time.perf_counter()
        try:
            summary = autograde_all(course, [lesson], out=lambda line: None)
        finally:
            was_planted = planted.exists()
            planted.unlink(missing_ok=True)
            changed = _digest(library) != before
            target.write_bytes(kept)  # were it ever rewritten, this machine keeps its library
        seconds = time.perf_counter() - start
        try:
            server.accept()[0].close()
            connected = True
        except BlockingIOError:
            connected = False
    scores = {student: (score, top) for student, _, score, top in summary["graded"]}
    autograded = nbformat.read(
        next((course / "autograded" / "h-snoops" / lesson).glob("*.ipynb")), as_version=4
    )
    (cell,) = [c for c in autograded.cells if c.source == snoop]
    attempts = json.loads("".join(output.get("text", "") for output in cell.outputs))
    results = []
    for student, (row, _, _, deserved) in rows.items():
        if deserved is None:
            continue
        given, top = scores.get(student, (None, None))
        want = {"zero": 0, "full": top}.get(deserved, scores.get(deserved, (None,))[0])
        results.append({"row": row, "given": given, "deserved": want, "max": top})
    reached = {k for k, v in attempts.items() if v == "done" and k != "gradebook_write"}
    outside = {
        "planted_in_rnn_lib": was_planted,
        "connected_to_the_grader": connected,
        "gradebook_forged": b"forged" in (course / "gradebook.db").read_bytes(),
    }
    return {
        "lesson": lesson,
        "rows": results,
        "not_graded": summary["failed"],
        "snooped": attempts,
        "outside": outside,
        "rnn_lib_unchanged": not changed,
        "nothing_reached": not reached and not any(outside.values()),
        "seconds": round(seconds, 1),
    }


def table(lessons: list[dict]) -> str:
    """The matrix as Markdown: one row per attack, ``given / deserved`` per lesson."""
    names = [entry["lesson"][:2] for entry in lessons]
    lines = [
        "| attack | " + " | ".join(f"{name} (max)" for name in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for index, row in enumerate(lessons[0]["rows"]):
        cells = []
        for entry in lessons:
            result = entry["rows"][index]
            mark = "" if result["given"] == result["deserved"] else " **!**"
            cells.append(f"{result['given']:g}/{result['deserved']:g} ({result['max']:g}){mark}")
        lines.append(f"| {row['row']} | " + " | ".join(cells) + " |")
    lines.append(
        "| nothing outside the sandbox reached; rnn_lib unchanged | "
        + " | ".join(
            "yes" if e["nothing_reached"] and e["rnn_lib_unchanged"] else "**no**" for e in lessons
        )
        + " |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    from course_tools.course_copy import LESSONS

    parser.add_argument("--lessons", nargs="+", default=list(LESSONS))
    args = parser.parse_args(argv)
    from course_tools.environment import prepare_environment
    from course_tools.sandbox import UNSANDBOXED_ENV, sandbox_problem

    problem = f"{UNSANDBOXED_ENV} is set" if os.environ.get(UNSANDBOXED_ENV) else sandbox_problem()
    if problem is not None:  # unconfined, the rewriting row would rewrite this rnn_lib
        print(f"no sandbox here ({problem}): the matrix needs one", file=sys.stderr)
        return 2
    prepare_environment()
    entries = []
    with tempfile.TemporaryDirectory(prefix="adversarial-matrix-") as scratch:
        for lesson in args.lessons:
            entries.append(run_lesson(lesson, Path(scratch)))
            print(json.dumps({k: v for k, v in entries[-1].items() if k != "rows"}), flush=True)
    scored = all(row["given"] == row["deserved"] for entry in entries for row in entry["rows"])
    contained = all(
        e["nothing_reached"] and e["rnn_lib_unchanged"] and not e["not_graded"] for e in entries
    )
    honest = scored and contained
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps({"honest": honest, "lessons": entries}, indent=1) + "\n")
    print(table(entries))
    return 0 if honest else 1


if __name__ == "__main__":
    sys.exit(main())
