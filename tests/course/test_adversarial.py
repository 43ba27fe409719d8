"""Adversarial submissions: whatever a learner hands in, grading finishes and scores honestly.

Every row of the table in the README's "Grading" section has a test here. They run on
a copy of lesson 01 (11 points: make_windows 2+1, vocabulary 2+1, pad_and_mask 2+1,
last_real_state 1+1), graded in-process with the course's nbgrader configuration
and a short cell timeout so that runaway cells cost seconds, not minutes. Every other
lesson gets the rows whose outcome depends on its own test cells: a forged blank that
also snoops (0 points, nothing read or changed outside the sandbox), look-alike results
with lying comparisons (0 points), and, for lesson 04, a training skipped behind a
made-up history (exactly the training test's points lost).
"""

from __future__ import annotations

import importlib.util
import json
import py_compile
import re
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

import rnn_lib
from course_tools.course_copy import (
    LESSONS,
    SOLUTIONS,
    autograde,
    make_course,
    release,
    solution_answers,
    submit,
)
from course_tools.grading import autograde_all, incidents
from course_tools.sandbox import UNSANDBOXED_ENV
from course_tools.verdicts import JUDGED_IN_THE_KERNEL

pytestmark = pytest.mark.slow

LESSON = "01_sequence_data"
FULL = 11
CELL_TIMEOUT = 20
# Lesson 01's test cells take 0.1 s or less each (its set-up cell about 5 s): a runaway
# test cell is stopped sooner than any other cell, and a kernel that ignores the interrupt
# is restarted after PROBE_TIMEOUT.
TEST_CELL_TIMEOUT = 3
PROBE_TIMEOUT = 2
# Lesson 01's other cells take about a second at most, and their outputs arrive at once: the
# rows that only need runaway or frozen cells stopped grade in a course that waits this long
# for any cell but the set-up, and for a cell's last outputs. (The fork bomb and the memory
# hog keep CELL_TIMEOUT: forking a TensorFlow kernel 256 times takes longer than this.)
SHORT_CELL_TIMEOUT = 5


def released_course(folder, other_cells=CELL_TIMEOUT, iopub=None):
    """A course copy of lesson 01, released, with short timeouts.

    Args:
        folder: where the course goes.
        other_cells: the timeout of every cell but the set-up (CELL_TIMEOUT) and the
            test cells (TEST_CELL_TIMEOUT).
        iopub: how long to wait for a cell's last outputs (the course's minute if None).
    """
    root = make_course(folder / "course", [LESSON])
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.ResilientExecute.timeout = {CELL_TIMEOUT}\n")
        config.write(
            "c.ResilientExecute.timeout_func = lambda cell: "
            f"{TEST_CELL_TIMEOUT} if cell.metadata.get('nbgrader', {{}}).get('grade') "
            f"and not cell.metadata['nbgrader'].get('solution') else {CELL_TIMEOUT} "
            f"if cell.metadata.get('nbgrader', {{}}).get('grade_id') == 'setup' "
            f"else {other_cells}\n"
        )
        config.write(f"c.ResilientExecute.probe_timeout = {PROBE_TIMEOUT}\n")
        if iopub is not None:
            config.write(f"c.ResilientExecute.iopub_timeout = {iopub}\n")
    release(root, LESSON)
    return root


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """One released course per worker: each test submits a student of its own."""
    return released_course(tmp_path_factory.mktemp("adversarial"))


@pytest.fixture(scope="module")
def short_course(tmp_path_factory):
    """The same, with SHORT_CELL_TIMEOUT for the cells other than the set-up and the tests."""
    folder = tmp_path_factory.mktemp("adversarial-short")
    return released_course(folder, other_cells=SHORT_CELL_TIMEOUT, iopub=SHORT_CELL_TIMEOUT)


@pytest.fixture(scope="module")
def answers():
    path = next((SOLUTIONS / LESSON).glob("*.ipynb"))
    return solution_answers(nbformat.read(path, as_version=4))


def grade(course, student, answers, transform=None):
    submit(course, LESSON, student, answers, transform)
    (report,) = autograde(course, LESSON, student).values()
    return report


def insert_cell(source, before_grade_id=None):
    """A transform that adds a learner's own code cell (at the end, or before a cell)."""

    def transform(notebook):
        cell = nbformat.v4.new_code_cell(source)
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells]
        position = ids.index(before_grade_id) if before_grade_id else len(notebook.cells)
        notebook.cells.insert(position, cell)

    return transform


def test_correct_answers_get_full_marks(course, answers):
    report = grade(course, "correct", answers)
    assert (report.score, report.max_score) == (FULL, FULL)


def test_stderr_and_warnings_do_not_cost_points(course, answers):
    noisy = dict(answers)
    noise = (
        'import sys, warnings\nprint("debugging...", file=sys.stderr)\nwarnings.warn("careful")\n'
    )
    for grade_id, source in answers.items():
        # noise in every answer cell, and inside every function the tests call
        wrappers = "".join(
            f"\n_quiet_{name} = {name}\n\n"
            f"def {name}(*args, **kwargs):\n"
            f'    print("called {name}", file=sys.stderr)\n'
            f'    warnings.warn("inside {name}")\n'
            f"    return _quiet_{name}(*args, **kwargs)\n"
            for name in re.findall(r"^def (\w+)", source, flags=re.MULTILINE)
        )
        noisy[grade_id] = noise + source + wrappers
    report = grade(
        course, "noisy", noisy, insert_cell(noise + "import logging\nlogging.warning('x')")
    )
    assert (report.score, report.max_score) == (FULL, FULL), report.cells
    assert "[stderr] called make_windows" in report.outputs["test_make_windows"], (
        "stderr is kept, as stdout"
    )


@pytest.mark.parametrize("ignore_sigint", [False, True], ids=["interruptible", "sigint-ignored"])
def test_infinite_loop_costs_only_its_exercise(short_course, answers, ignore_sigint):
    # The first exercise loops, so every later exercise needs a kernel that recovered.
    looping = dict(answers)
    looping["make_windows"] = (
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n" if ignore_sigint else ""
    ) + "def make_windows(series, window, horizon=1):\n    while True:\n        pass\n"
    start = time.perf_counter()
    student = f"looping-{'deaf' if ignore_sigint else 'interruptible'}"
    report = grade(short_course, student, looping)
    elapsed = time.perf_counter() - start
    assert report.cells["test_make_windows"][0] == 0
    assert report.cells["test_make_windows_hidden"][0] == 0
    assert (report.score, report.max_score) == (FULL - 3, FULL), report.cells
    assert "CellTimeoutError" in report.outputs["test_make_windows"]
    # two looping test cells and a demonstration, each stopped at its timeout (plus probe,
    # restart and replay)
    assert elapsed < 2 * TEST_CELL_TIMEOUT + SHORT_CELL_TIMEOUT + 120


def test_deleted_test_cell_is_restored_and_graded(course, answers):
    def delete_public_test(notebook):
        notebook.cells = [
            c
            for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade_id") != "test_make_windows"
        ]

    report = grade(course, "deleter", answers, delete_public_test)
    assert report.cells["test_make_windows"] == (2, 2)
    assert (report.score, report.max_score) == (FULL, FULL)


def test_edited_unlocked_test_cell_with_more_points_is_restored(course, answers):
    wrong = dict(answers)
    wrong["make_windows"] = "def make_windows(series, window, horizon=1):\n    return 0, 0\n"

    def tamper(notebook):
        for cell in notebook.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade_id") in {"test_make_windows", "test_make_windows_hidden"}:
                cell.source = "pass"
                meta["locked"] = False
                meta["points"] = 100

    report = grade(course, "tamperer", wrong, tamper)
    assert report.cells["test_make_windows"] == (0, 2)
    assert report.cells["test_make_windows_hidden"] == (0, 1)
    assert (report.score, report.max_score) == (FULL - 3, FULL)


def test_changed_kernel_name_is_graded_normally(course, answers):
    def rename_kernel(notebook):
        notebook.metadata["kernelspec"] = {
            "name": "no-such-kernel",
            "display_name": "Mine",
            "language": "python",
        }

    report = grade(course, "kernel-renamer", answers, rename_kernel)
    assert (report.score, report.max_score) == (FULL, FULL)


def test_sys_exit_at_top_level_is_graded_normally(course, answers):
    report = grade(
        course, "exiter", answers, insert_cell("import sys\nsys.exit()", "test_vocabulary")
    )
    assert (report.score, report.max_score) == (FULL, FULL)


def test_os_exit_in_an_exercise_costs_only_that_exercise(course, answers):
    dying = dict(answers)
    dying["pad_and_mask"] = (
        "import os\n\ndef pad_and_mask(sequences, maxlen, padding='pre', truncating='pre', "
        "value=0):\n    os._exit(1)\n"
    )
    report = grade(course, "os-exit", dying)
    assert report.cells["test_pad_and_mask"][0] == 0
    assert "KernelDied" in report.outputs["test_pad_and_mask"]
    assert (report.score, report.max_score) == (FULL - 3, FULL), report.cells


def test_killed_kernel_in_own_cell_is_graded_normally(course, answers):
    kill = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
    report = grade(course, "killer", answers, insert_cell(kill, "test_pad_and_mask"))
    assert (report.score, report.max_score) == (FULL, FULL), report.cells


def test_frozen_kernel_in_own_cell_is_graded_normally(short_course, answers):
    # A kernel that stops itself sends neither a reply nor its last outputs: nbclient raised
    # "Timeout waiting for IOPub output" and nbgrader dropped the whole submission.
    freeze = "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)"
    report = grade(short_course, "freezer", answers, insert_cell(freeze, "test_vocabulary"))
    assert (report.score, report.max_score) == (FULL, FULL), report.cells
    (incident, restart) = incidents(short_course / "autograded" / "freezer" / LESSON)
    assert incident.startswith("no output from the kernel") and "restarted" in restart


def test_broken_submissions_never_stop_the_others(tmp_path, answers):
    course = released_course(tmp_path)  # grades every submission of its course
    submit(course, LESSON, "a-dies", {**answers, "make_windows": "import os\nos._exit(3)"})
    submit(course, LESSON, "b-correct", answers)
    submit(course, LESSON, "c-corrupt", answers)
    for path in (course / "submitted" / "c-corrupt" / LESSON).glob("*.ipynb"):
        path.write_text('{"cells": [ this is not json')
    lines = []
    summary = autograde_all(course, out=lines.append)
    graded = {student: (score, total) for student, _, score, total in summary["graded"]}
    assert graded["b-correct"] == (FULL, FULL)
    assert graded["a-dies"][0] == FULL - 2 - 1, "make_windows' cells lost, the rest graded"
    (failure,) = summary["failed"]
    assert failure[0] == "c-corrupt" and "corrupt notebook" in failure[2]
    text = "\n".join(lines)
    assert "[1/3] a-dies" in text and "[3/3] c-corrupt" in text
    assert "Graded 2 of 3 submissions; 1 could not be graded." in text
    assert "a-dies / 01_sequence_data: kernel died in cell" in text
    # read from the autograded notebook, where ResilientExecute records it, not from a log
    (incident,) = incidents(course / "autograded" / "a-dies" / LESSON)
    assert incident.startswith("kernel died in cell")
    assert incidents(course / "autograded" / "b-correct" / LESSON) == []


CHEATS = """
import numpy as np, numpy.testing, keras, collections
import rnn_lib.sequences.windows, rnn_lib.sequences.text
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
keras.utils.pad_sequences = lambda *a, **k: pad_and_mask(a[0], k.get("maxlen", 1))[0]
rnn_lib.sequences.windows.make_windows = lambda *a, **k: make_windows(*a, **k)
rnn_lib.sequences.windows.pad_and_mask = lambda *a, **k: pad_and_mask(*a, **k)
rnn_lib.sequences.text.build_vocabulary = lambda *a, **k: build_vocabulary(*a, **k)
collections.Counter = lambda *a, **k: {}
"""
WRONG = {
    "make_windows": "def make_windows(series, window, horizon=1):\n"
    "    n = max(0, len(series) - window)\n"
    "    return np.zeros((n, window, 1)), np.zeros(n)\n",
    "vocabulary": "def build_vocabulary(texts, max_size):\n    return ['', '[UNK]']\n\n"
    "def encode(text, vocabulary):\n    return [1 for _ in tokenize(text)]\n",
    "pad_and_mask": "def pad_and_mask(sequences, maxlen, padding='pre', truncating='pre', "
    "value=0):\n    shape = (len(sequences), maxlen)\n"
    "    return np.zeros(shape, 'int32'), np.ones(shape, bool)\n",
    "last_real_state": "def last_real_state(outputs, mask):\n"
    "    return np.asarray(outputs)[:, -1]\n",
}


def test_monkeypatched_checks_do_not_fool_the_hidden_tests(course, answers):
    cheats = {gid: CHEATS + "\n" + WRONG[gid] for gid in WRONG}
    report = grade(course, "cheater", cheats)
    hidden = [cell for cell in report.cells if cell.endswith("_hidden")]
    assert len(hidden) == 4
    for cell in hidden:
        assert report.cells[cell][0] == 0, f"{cell} was fooled: {report.cells}"


# What a learner can type to make every failing cell "pass": nbgrader scores a test cell
# by the absence of an error output, and this kernel reports none (issue 14's first row).
RUN_CELL_FORGERY = """
ip = get_ipython()

def _forged(result):
    result.error_before_exec = result.error_in_exec = None
    return result

_run_cell, _run_cell_async = ip.run_cell, ip.run_cell_async
ip.run_cell = lambda *args, **kwargs: _forged(_run_cell(*args, **kwargs))

async def _run_cell_forged(*args, **kwargs):
    return _forged(await _run_cell_async(*args, **kwargs))

ip.run_cell_async = _run_cell_forged
ip.showtraceback = ip._showtraceback = lambda *args, **kwargs: None
"""


def forge(notebook):
    """Insert the run-cell forgery right after the set-up cell."""
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells]
    notebook.cells.insert(ids.index("setup") + 1, nbformat.v4.new_code_cell(RUN_CELL_FORGERY))


def test_a_kernel_that_hides_its_errors_gains_nothing(course, answers):
    # Blank answers: every test cell fails, and the kernel reports no failure at all.
    blank = grade(course, "forger", {}, forge)
    assert (blank.score, blank.max_score) == (0, FULL), blank.cells
    assert "GraderVerdict" in blank.outputs["test_make_windows_hidden"]
    # One honest exercise (make_windows, 2 + 1 points): exactly its points.
    mixed = grade(course, "half-forger", {"make_windows": answers["make_windows"]}, forge)
    assert (mixed.score, mixed.max_score) == (3, FULL), mixed.cells
    assert mixed.cells["test_make_windows"] == (2, 2) and mixed.cells["test_vocabulary"] == (0, 2)


@pytest.mark.sandbox
@pytest.mark.parametrize(
    "lesson",
    [
        lesson
        for lesson in LESSONS
        if lesson != LESSON
    ],
)
def test_a_forged_snooping_blank_scores_zero_and_reaches_nothing_in_every_lesson(tmp_path, lesson):
    """Deserved: 0. Given: 0, but for the cells still judged in the kernel (their points).

    The blank submission rewires ``run_cell`` and, in a cell of its own, tries to read the
    solutions, the gradebook and another submission, to write the gradebook and a module
    into ``rnn_lib``, and to connect to the grader's host and to another address.
    """
    course = make_course(tmp_path / "course", [lesson])
    release(course, lesson)
    submit(course, lesson, "neighbour", {})  # another student's submission, to be read

    def forged_and_graded(source):
        def forge_and_snoop(notebook):
            forge(notebook)
            ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells]
            notebook.cells.insert(ids.index("setup") + 2, nbformat.v4.new_code_cell(source))

        submit(course, lesson, "forger", {}, forge_and_snoop)
        return autograde(course, lesson, "forger")

    seen = snoop(course, "forger", forged_and_graded, lesson)
    in_kernel = set(JUDGED_IN_THE_KERNEL.get(lesson, ()))
    for name, report in seen.report.items():
        forged = {cell: score for cell, (score, _) in report.cells.items() if score}
        assert set(forged) == in_kernel, f"{name}: {report.cells}"
        assert all(report.cells[cell][0] == report.cells[cell][1] for cell in in_kernel)
    reads = {name: result for name, result in seen.attempts.items() if name != "gradebook_write"}
    assert "done" not in reads.values(), f"got through: {seen.attempts}"
    assert not seen.planted and not seen.forged and not seen.connected


# Lesson 04's training test asks for an outcome. This submission answers every exercise but
# never trains: its train_model returns a made-up history that passes the public asserts.
LYING_HISTORY = """
def train_model(model, *args, **kwargs):
    accuracy = [0.99 if type(model.layers[0]).__name__ == "LSTM" else 0.5]
    return {"accuracy": accuracy, "val_accuracy": accuracy, "loss": [0.1], "val_loss": [0.1]}, 0.0
"""


def test_an_outcome_is_scored_from_the_trained_weights_not_the_kernels_history(tmp_path):
    """Deserved: every point but the training test's 2 (nothing was trained). Given: the same."""
    lesson = "04_lstm"
    course = make_course(tmp_path / "course", [lesson])
    release(course, lesson)
    (path,) = (SOLUTIONS / lesson).glob("*.ipynb")
    solution = solution_answers(nbformat.read(path, as_version=4))
    lie = insert_cell(LYING_HISTORY, "test_memory_training")
    submit(course, lesson, "no-training", solution, lie)
    (report,) = autograde(course, lesson, "no-training").values()
    assert report.cells["test_memory_training"] == (0, 2), report.cells
    output = report.outputs["test_memory_training"]
    # the kernel's own public asserts passed: only the grader's verdict took the points
    assert "held-out accuracy" in output and "AssertionError" not in output, output
    assert (report.score, report.max_score) == (8, 10), report.cells


# Every answer returns an object that equals anything, and the comparisons lie too.
LOOK_ALIKE = """
import numpy as np, numpy.testing


class _Yes:
    def __eq__(self, other): return True
    def __ne__(self, other): return False


np.allclose = np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = np.testing.assert_array_equal = lambda *args, **kwargs: None
"""


@pytest.mark.parametrize(
    "lesson",
    [lesson for lesson in LESSONS if lesson != LESSON and lesson not in JUDGED_IN_THE_KERNEL],
)
def test_look_alike_results_and_lying_comparisons_score_zero(tmp_path, lesson):
    course = make_course(tmp_path / "course", [lesson])
    release(course, lesson)
    (path,) = (SOLUTIONS / lesson).glob("*.ipynb")
    solution = solution_answers(nbformat.read(path, as_version=4))
    cheats = {
        grade_id: LOOK_ALIKE
        + "".join(
            f"\n\ndef {name}(*args, **kwargs):\n    return _Yes()\n"
            for name in re.findall(r"^def (\w+)", source, flags=re.MULTILINE)
        )
        for grade_id, source in solution.items()
    }
    submit(course, lesson, "look-alike", cheats)
    for name, report in autograde(course, lesson, "look-alike").items():
        assert report.max_score > 0 and report.score == 0, f"{name}: {report.cells}"


def test_with_the_verdicts_back_in_the_kernel_the_forgery_would_win(tmp_path, answers):
    """The row above bites: judged by the kernel's word, the same blank gets full marks."""
    course = released_course(tmp_path)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\nc.ResilientExecute.grader_verdicts = False\n")
    report = grade(course, "forger-judged-in-kernel", {}, forge)
    assert (report.score, report.max_score) == (FULL, FULL), report.cells


# make_windows handed in as the course library's reference, by every route a learner might try.
IMPORTED_ANSWER = """
import glob, importlib, marshal, os
import rnn_lib.sequences.windows as _windows


def _from_source():
    namespace = {}
    with open(_windows.__file__) as source:
        exec(source.read(), namespace)
    return namespace["make_windows"]


def _from_bytecode():
    folder = os.path.join(os.path.dirname(_windows.__file__), "__pycache__")
    for path in glob.glob(os.path.join(folder, "windows.*.pyc")):
        namespace = {}
        with open(path, "rb") as compiled:
            exec(marshal.loads(compiled.read()[16:]), namespace)
        return namespace["make_windows"]
    raise FileNotFoundError(folder)


_ROUTES = [lambda: _windows.make_windows, lambda: importlib.reload(_windows).make_windows,
           _from_source, _from_bytecode]


def make_windows(series, window, horizon=1):
    for route in _ROUTES:
        try:
            return route()(series, window, horizon)
        except Exception:
            continue
    raise RuntimeError("no route to the course library's make_windows")
"""


@contextmanager
def compiled_windows_module():
    """The reference's bytecode in rnn_lib's __pycache__, as on a machine that writes it."""
    import rnn_lib.sequences.windows as windows

    compiled = Path(importlib.util.cache_from_source(windows.__file__))
    py_compile.compile(windows.__file__, cfile=str(compiled), doraise=True)
    try:
        yield compiled
    finally:
        # The folder stays: a kernel starting on another worker may be about to hide it.
        compiled.unlink(missing_ok=True)


@pytest.mark.sandbox
def test_the_course_librarys_answer_is_out_of_reach_while_its_lesson_is_graded(course, answers):
    with compiled_windows_module():
        report = grade(course, "borrower", {**answers, "make_windows": IMPORTED_ANSWER})
    assert report.cells["test_make_windows"] == (0, 2), report.outputs["test_make_windows"]
    # every route failed: import, reload, the source file, the bytecode
    assert "no route to the course library's make_windows" in report.outputs["test_make_windows"]
    assert (report.score, report.max_score) == (FULL - 3, FULL), report.cells


def test_without_the_sandbox_the_borrowed_answer_would_pass(course, answers, monkeypatch):
    """The row above bites: unconfined, the same wrapper earns make_windows' points."""
    monkeypatch.setenv(UNSANDBOXED_ENV, "1")
    report = grade(course, "unconfined-borrower", {**answers, "make_windows": IMPORTED_ANSWER})
    assert (report.score, report.max_score) == (FULL, FULL), report.cells


def test_huge_output_is_graded_and_bounded(course, answers):
    # 6.9 million characters: seven times what the grader keeps of one cell's output
    flood = "import sys\nfor i in range(10**6):\n    print(i)"
    report = grade(course, "flooder", answers, insert_cell(flood, "test_vocabulary"))
    assert (report.score, report.max_score) == (FULL, FULL)
    autograded = next((course / "autograded" / "flooder" / LESSON).glob("*.ipynb"))
    assert autograded.stat().st_size < 3_000_000, "the flood was stored in the notebook"


SNOOP = """
import glob, json, os, socket

def attempt(action):
    try:
        action()
        return "done"
    except Exception as error:
        return type(error).__name__

def read(path):
    with open(path, "rb") as f:
        return f.read(100)

def append(path, text):
    with open(path, "a") as f:
        f.write(text)

def connect(host, port):
    socket.create_connection((host, port), timeout=2).close()

course, port, planted = {course!r}, {port}, {planted!r}
print(json.dumps({{
    "solutions": attempt(lambda: read(glob.glob(course + "/solutions/*/*.ipynb")[0])),
    "gradebook": attempt(lambda: read(course + "/gradebook.db")),
    "gradebook_write": attempt(lambda: append(course + "/gradebook.db", "forged")),
    "others": attempt(lambda: read(glob.glob(course + "/submitted/*/*/*.ipynb")[0])),
    "rnn_lib_write": attempt(lambda: append(planted, "print('first!')")),
    "loopback": attempt(lambda: connect("127.0.0.1", port)),
    "outside": attempt(lambda: connect("10.255.255.1", 80)),
}}))
"""


@dataclass
class Snooped:
    """What a snooping cell managed, seen from inside (its report) and from outside."""

    attempts: dict[str, str]  # attempt -> "done" or the error's name
    planted: bool  # a module appeared in rnn_lib
    forged: bool  # the real gradebook holds the snooper's mark
    connected: bool  # the grader's host accepted a connection from the kernel
    report: object  # what grading returned


def graded_with(course, student, answers):
    """``graded(source)``: grade ``student``'s lesson 01 with ``source`` before test_vocabulary."""
    return lambda source: grade(course, student, answers, insert_cell(source, "test_vocabulary"))


def snoop(course, student, graded, lesson=LESSON) -> Snooped:
    """Grade ``student`` with the snooping cell: ``graded(source)`` submits and grades it."""
    planted = Path(rnn_lib.__file__).parent / "_planted_by_a_learner.py"
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0)
        port = server.getsockname()[1]
        source = SNOOP.format(course=str(course), port=port, planted=str(planted))
        try:
            report = graded(source)
        finally:
            was_planted = planted.exists()
            planted.unlink(missing_ok=True)
        try:
            server.accept()[0].close()
            connected = True
        except BlockingIOError:
            connected = False
    autograded = nbformat.read(
        next((course / "autograded" / student / lesson).glob("*.ipynb")), as_version=4
    )
    (cell,) = [cell for cell in autograded.cells if cell.source == source]
    printed = "".join(output.get("text", "") for output in cell.outputs)
    assert printed.startswith('{"solutions"'), f"the snooping cell printed: {cell.outputs}"
    forged = b"forged" in (course / "gradebook.db").read_bytes()
    return Snooped(json.loads(printed), was_planted, forged, connected, report)


@pytest.mark.sandbox
def test_the_grading_kernel_sees_and_reaches_nothing_outside_its_sandbox(course, answers):
    submit(course, LESSON, "honest-neighbour", answers)  # another student's submission
    seen = snoop(course, "snooper", graded_with(course, "snooper", answers))
    # A write to the gradebook's path lands, at most, in the sandbox's private /tmp (the
    # test's course lives under /tmp): the real gradebook is what counts.
    reads = {name: result for name, result in seen.attempts.items() if name != "gradebook_write"}
    assert "done" not in reads.values(), f"got through: {seen.attempts}"  # else an error's name
    assert not seen.planted, "the kernel planted a module in rnn_lib"
    assert not seen.forged and not seen.connected
    assert (seen.report.score, seen.report.max_score) == (FULL, FULL)
    (neighbour,) = autograde(course, LESSON, "honest-neighbour").values()
    assert (neighbour.score, neighbour.max_score) == (FULL, FULL)


def test_without_the_sandbox_the_snooping_row_would_fail(course, answers, monkeypatch):
    """The row above bites: unconfined, the same cell reads, plants, forges and connects."""
    monkeypatch.setenv(UNSANDBOXED_ENV, "1")
    submit(course, LESSON, "neighbour-of-the-unconfined", answers)
    seen = snoop(course, "unconfined-snooper", graded_with(course, "unconfined-snooper", answers))
    got_through = {name for name, result in seen.attempts.items() if result == "done"}
    assert {"solutions", "gradebook", "others", "rnn_lib_write", "loopback"} <= got_through
    assert seen.planted and seen.forged and seen.connected


@pytest.mark.sandbox
def test_fork_bomb_and_memory_hog_cost_no_points(course, answers):
    bomb = "import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(600)"
    hog = "chunks = []\nwhile True:\n    chunks.append(b'x' * 2**28)"
    transform_bomb = insert_cell(bomb, "test_vocabulary")
    transform_hog = insert_cell(hog, "test_pad_and_mask")

    def both(notebook):
        transform_bomb(notebook)
        transform_hog(notebook)

    start = time.perf_counter()
    report = grade(course, "exhauster", answers, both)
    assert (report.score, report.max_score) == (FULL, FULL), report.cells
    assert time.perf_counter() - start < 4 * CELL_TIMEOUT + 120
    # the bomb's sleepers filled the sandbox: the grader restarted the kernel and killed them
    # (else a kernel that cannot start a thread garbles its messages, and grading fails)
    noted = incidents(course / "autograded" / "exhauster" / LESSON)
    assert any("free processes in the sandbox: restarted" in text for text in noted), noted
