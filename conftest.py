"""Root pytest configuration: applies to tests/ and to the nbval run over solutions/."""

from __future__ import annotations

import os
import re

import pytest

from course_tools.environment import prepare_environment, set_quick_mode
from course_tools.notebooks import ci_quick_mode
from rnn_lib.notebook import THREADS_ENV

# Before anything imports TensorFlow: no C++ log lines, no oneDNN; kernels started by
# nbval and nbgrader run this interpreter, whatever PATH said.
prepare_environment()


def pytest_configure(config):
    """Give each xdist worker's kernels their share of the cores (the tests, not nbval).

    Two TensorFlow kernels with a thread pool each as large as the machine run slower
    side by side than one after the other (measured: two runs of lesson 06 at once took
    99 and 105 s with the default threads, 82 s each with one thread, on 2 cores). The
    threads a lesson runs with change no claim it asserts (the perturbed nbval runs with
    one). nbval's run over solutions/ keeps TensorFlow's default, as a learner has it.
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1 and not config.getoption("--nbval", default=False):
        os.environ.setdefault(THREADS_ENV, str(max(1, (os.cpu_count() or 1) // workers)))


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
    """nbval: run each notebook in the mode CI stores it in (see course_tools.notebooks)."""
    path = getattr(item, "path", None)
    if path is None or path.suffix != ".ipynb":
        return
    set_quick_mode(ci_quick_mode(path))


def pytest_collection_modifyitems(items):
    """Hand out the longest work first.

    pytest-xdist gives out tests (and xdist groups) in collection order: the slow tests
    come first, the later (larger) lessons' before the earlier ones', and the quick
    tests fill the workers at the end.
    """

    def longest_first(item):
        lesson = re.search(r"\b(\d\d)_[a-z]", item.nodeid)
        return (0 if item.get_closest_marker("slow") else 1, -int(lesson[1]) if lesson else 0)

    items.sort(key=longest_first)
