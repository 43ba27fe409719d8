"""A public test's call that raises says what it called, with which shapes, and what it expected."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_lib.notebook.explain import describe_argument, explain_errors


def test_a_raising_call_is_explained_above_its_unchanged_traceback(capsys):
    x = np.zeros((3, 5, 2), dtype="float32")
    params = {"W": np.zeros((2, 4)), "b": np.zeros(4)}
    with pytest.raises(IndexError, match="tuple index out of range") as raised:
        with explain_errors("rnn_forward(x, None, params)", "h_all of shape (3, 5, 4)", x=x,
                            h0=None, params=params):
            raise IndexError("tuple index out of range")
    assert raised.value.__traceback__ is not None
    printed = capsys.readouterr().out
    assert printed.splitlines() == [
        "The test called rnn_forward(x, None, params) with",
        "    x: float32 array of shape (3, 5, 2)",
        "    h0: None",
        "    params: dict {'W': float64 array of shape (2, 4), 'b': float64 array of shape (4,)}",
        "and expected h_all of shape (3, 5, 4). Your code raised IndexError: "
        "tuple index out of range",
        "(the traceback below shows where, in your code)",
    ]


def test_a_call_that_returns_prints_nothing(capsys):
    with explain_errors("f()", "a number"):
        pass
    assert capsys.readouterr().out == ""


def test_arguments_are_described_by_shape_not_by_value():
    assert describe_argument([np.zeros(2), np.ones((3, 1))] * 2) == (
        "list of 4: [float64 array of shape (2,), float64 array of shape (3, 1), "
        "float64 array of shape (2,), ...]"
    )
    assert describe_argument(["a", "b"]) == "['a', 'b']"
    assert describe_argument("x" * 100).endswith("...") and len(describe_argument("x" * 100)) == 60
