"""Fixtures of the grading tools' tests."""

from __future__ import annotations

import pytest
from nbformat import NotebookNode


@pytest.fixture
def run_probe(monkeypatch):
    """``run_probe(source, namespace)``: execute a grader's probe as a kernel would, in
    ``namespace``; returns its outputs as nbclient would record them."""

    def run(source: str, namespace: dict) -> list[NotebookNode]:
        outputs = []

        def display(data, raw):
            outputs.append(NotebookNode(output_type="display_data", data=data, metadata={}))

        monkeypatch.setattr("IPython.display.display", display)
        exec(source, namespace)  # noqa: S102 - the grader's own probe, in a test
        return outputs

    return run
