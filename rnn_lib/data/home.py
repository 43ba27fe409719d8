"""Every lesson: where the course keeps its data, and the quick-mode switch for CI.

The data home is ``$RNN_COURSE_DATA`` when that is set, otherwise a per-user cache
folder (``$XDG_CACHE_HOME/rnn_course`` or ``~/.cache/rnn_course``). Loaders look
there first and download into it only when the data is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_HOME_ENV = "RNN_COURSE_DATA"
QUICK_MODE_ENV = "RNN_COURSE_QUICK"


def data_home(override: str | os.PathLike | None = None) -> Path:
    """Return the folder that holds the course's datasets (not created here).

    Args:
        override: an explicit folder; wins over the environment variable.

    Returns:
        The data home as an absolute ``Path``.
    """
    if override is not None:
        return Path(override).expanduser().resolve()
    configured = os.environ.get(DATA_HOME_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return (Path(cache) / "rnn_course").resolve()


def quick_mode() -> bool:
    """True when ``RNN_COURSE_QUICK`` asks for small, fast runs (CI and nbval).

    Learners get the full-size lesson by default; any of ``1``, ``true``, ``yes``
    (any case) switches quick mode on.
    """
    return os.environ.get(QUICK_MODE_ENV, "").strip().lower() in {"1", "true", "yes"}
