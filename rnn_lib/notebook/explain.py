"""What a public test was doing when the learner's code raised (every lesson's tests).

A bare ``IndexError`` from deep inside a learner's function says where it broke, not what
the test asked for. A public test wraps each call of the learner's code in
:func:`explain_errors`; if the call raises, the learner first reads what was called, with
which arguments (shapes and dtypes, not values), and what the test expected, then the
traceback of their own code, unchanged::

    with explain_errors("rnn_forward(x, h0, params)", "h_all of shape (N, T, H) = (3, 5, 4)",
                        x=x, h0=h0, params=params):
        h_all = rnn_forward(x, h0, params)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["describe_argument", "explain_errors"]


def describe_argument(value: Any) -> str:
    """A short description of an argument: an array's shape and dtype, a dict's entries.

    Args:
        value: anything a test passes to a learner's function.

    Returns:
        ``"float32 array of shape (3, 5, 2)"``, ``"dict {'W': float32 array of shape (2, 4),
        ...}"``, ``"list of 2: [...]"``, or the ``repr`` of a small value.
    """
    if isinstance(value, np.ndarray) or hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"{np.dtype(value.dtype).name} array of shape {tuple(value.shape)}"
    if isinstance(value, dict):
        entries = ", ".join(f"{key!r}: {describe_argument(item)}" for key, item in value.items())
        return "dict {" + entries + "}"
    if isinstance(value, list | tuple) and value and not all(
        isinstance(item, int | float | str) for item in value
    ):
        kind = type(value).__name__
        shown = ", ".join(describe_argument(item) for item in value[:3])
        return f"{kind} of {len(value)}: [{shown}{', ...' if len(value) > 3 else ''}]"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@contextmanager
def explain_errors(call: str, expected: str, **arguments: Any) -> Iterator[None]:
    """Print what a test was calling, and what it expected, if the block raises.

    The exception itself goes on unchanged (the test fails, the traceback points into
    the learner's code); the explanation is printed first, so it appears above it.

    Args:
        call: the call as the test writes it, ``"rnn_step(x_t, h_prev, params)"``.
        expected: what the test expected back, in words.
        **arguments: the arguments by name (described by :func:`describe_argument`).
    """
    try:
        yield
    except Exception as error:
        described = "".join(
            f"\n    {name}: {describe_argument(value)}" for name, value in arguments.items()
        )
        print(
            f"The test called {call}"
            + (f" with{described}" if described else "")
            + f"\nand expected {expected}. Your code raised {type(error).__name__}: {error}"
            + "\n(the traceback below shows where, in your code)"
        )
        raise
