"""Every lesson: a wall-clock timer for notebooks.

It prints durations as ``(12.3 s)``, the one pattern the nbval sanitizer
(tests/course/nbval_sanitize.cfg) rewrites, so a lesson can show how long something
took without breaking output regression tests.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


def format_seconds(seconds: float) -> str:
    """Format a duration the way lessons print it, e.g. ``(3.2 s)``."""
    return f"({seconds:.1f} s)"


@contextmanager
def timed(label: str) -> Iterator[dict[str, float]]:
    """Time a block and print ``label (N.N s)`` when it ends.

    Args:
        label: what is being timed, printed before the duration.

    Yields:
        A dict whose ``"seconds"`` entry is filled in when the block ends.
    """
    result: dict[str, float] = {}
    start = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - start
        print(f"{label} {format_seconds(result['seconds'])}")
