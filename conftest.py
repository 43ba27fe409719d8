"""Root pytest configuration: applies to tests/ and to the nbval run over solutions/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Before anything imports TensorFlow: no C++ log lines, no oneDNN banner.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
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


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the node ids
def pytest_collection_modifyitems(config, items):
    """Keep each notebook's nbval cells on one xdist worker (they share a kernel)."""
    for item in items:
        path = getattr(item, "path", None)
        if path is not None and path.suffix == ".ipynb":
            item.add_marker(pytest.mark.xdist_group(str(path)))
