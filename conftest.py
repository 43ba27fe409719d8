"""Root pytest configuration: applies to tests/ and to nbval's cells of solutions/."""

from __future__ import annotations

import os
import re

import pytest

from course_tools.environment import PERTURBED, QUICK_MODE_ENV, prepare_environment
from course_tools.notebooks import ci_quick_mode
from course_tools.sandbox import UNSANDBOXED_ENV, sandbox_problem
from rnn_lib.notebook import THREADS_ENV

# Before anything imports TensorFlow: no C++ log lines, no oneDNN; kernels started by
# nbval and nbgrader run this interpreter, whatever PATH said.
prepare_environment()

#: The TensorFlow threads of the kernels the tests start (their share of the cores), and
#: the caller's values of what nbval's kernels change (course_tools.environment.PERTURBED).
_TEST_THREADS: str | None = None
_NO_SANDBOX: str | None = None  # why no sandbox can be made here (not under CI)
_CALLERS = {name: os.environ.get(name) for name in (*PERTURBED, QUICK_MODE_ENV)}


def _is_notebook_cell(item) -> bool:
    path = getattr(item, "path", None)
    return path is not None and path.suffix == ".ipynb"


def pytest_configure(config):
    """Grade in the sandbox where one can be made (always under CI), and share the cores.

    Without a sandbox (a learner's Mac, say), the tests grade the course's own
    solutions and typical mistakes unconfined (``RNN_COURSE_UNSANDBOXED=1``: trusted
    code) and skip the tests marked ``sandbox``; under ``CI=true`` nothing is skipped.
    """
    global _NO_SANDBOX
    config.addinivalue_line("markers", "sandbox: needs the grading sandbox (bubblewrap)")
    problem = sandbox_problem()
    if problem is not None and os.environ.get("CI") != "true":
        _NO_SANDBOX = problem
        os.environ[UNSANDBOXED_ENV] = "1"
    _share_the_cores()


def _share_the_cores():
    """Give each xdist worker's test kernels their share of the cores.

    Two TensorFlow kernels with a thread pool each as large as the machine run slower
    side by side than one after the other (measured: two runs of lesson 06 at once took
    99 and 105 s with the default threads, 82 s each with one thread, on 2 cores).
    nbval's kernels run with one thread in any case (:func:`pytest_runtest_setup`).
    """
    global _TEST_THREADS
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        _TEST_THREADS = _CALLERS[THREADS_ENV] or str(max(1, (os.cpu_count() or 1) // workers))


def pytest_collectstart(collector):
    """nbval: never compare stderr (warnings and log lines are not lesson content).

    Everything else a solution notebook prints is compared, after the regexes in
    tests/course/nbval_sanitize.cfg have removed timings, memory addresses and the digits of
    figures printed behind "≈".
    """
    path = getattr(collector, "path", None)
    if path is not None and path.suffix == ".ipynb" and hasattr(collector, "skip_compare"):
        collector.skip_compare = (*collector.skip_compare, "stderr")


@pytest.hookimpl(tryfirst=True)  # before nbval's collector starts the notebook's kernel
def pytest_runtest_setup(item):
    """The environment of the kernels an item starts.

    nbval's cells: the mode CI stores the notebook in (see course_tools.notebooks), on
    another machine (:data:`~course_tools.environment.PERTURBED`: every seed shifted,
    one TensorFlow thread), so every stored output is reproduced in a setting other than
    the one that stored it. Tests: the caller's seeds and size, their share of the cores.
    """
    if _is_notebook_cell(item):
        wanted = {**PERTURBED, QUICK_MODE_ENV: "1" if ci_quick_mode(item.path) else None}
    else:
        wanted = {**_CALLERS, THREADS_ENV: _TEST_THREADS or _CALLERS[THREADS_ENV]}
    for name, value in wanted.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (its hook turns them into ids)
def pytest_collection_modifyitems(items):
    """Keep each notebook's nbval cells on one worker, and hand out the longest work first.

    nbval's cells share their notebook's kernel, so they form one xdist group, like a
    lesson's round trips. pytest-xdist gives out tests (and groups) in collection order:
    the slow tests and notebooks come first, the later (larger) lessons' before the
    earlier ones', and the quick tests fill the workers at the end. The sort is stable,
    so a notebook's cells keep their order.
    """
    for item in items:
        if _NO_SANDBOX is not None and item.get_closest_marker("sandbox"):
            item.add_marker(pytest.mark.skip(reason=f"no sandbox here: {_NO_SANDBOX}"))
        if _is_notebook_cell(item):
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.xdist_group(f"nbval-{item.path.parent.name}"))

    def longest_first(item):
        lesson = re.search(r"\b(\d\d)_[a-z]", item.nodeid)
        return (0 if item.get_closest_marker("slow") else 1, -int(lesson[1]) if lesson else 0)

    items.sort(key=longest_first)
