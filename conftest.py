"""Root pytest configuration: applies to tests/ and to the nbval run over solutions/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Before anything imports TensorFlow: no C++ log lines, no oneDNN banner.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
# tools/run_notebooks.py decides which notebooks CI runs in quick mode.
sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
# Kernels started by nbval and nbgrader must run this interpreter, whatever PATH says.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


def pytest_collectstart(collector):
    """nbval: never compare stderr (warnings and log lines are not lesson content).

    Everything else a solution notebook prints is compared, after the regexes in
    tests/nbval_sanitize.cfg have removed timings and memory addresses.
    """
    path = getattr(collector, "path", None)
    if path is not None and path.suffix == ".ipynb" and hasattr(collector, "skip_compare"):
        collector.skip_compare = (*collector.skip_compare, "stderr")


@pytest.hookimpl(tryfirst=True)  # before nbval's collector starts the notebook's kernel
def pytest_runtest_setup(item):
    """nbval: run each notebook in the mode CI stores it in (see tools/run_notebooks.py)."""
    path = getattr(item, "path", None)
    if path is None or path.suffix != ".ipynb":
        return
    from run_notebooks import ci_quick_mode, set_quick_mode

    set_quick_mode(ci_quick_mode(path))
