"""Execute solution notebooks the way CI checks them, and store their outputs.

Usage (``make solutions`` calls it):
    python -m course_tools.notebooks                 # every lesson in solutions/
    python -m course_tools.notebooks 04_lstm 05_gru  # some lessons

A notebook runs at full size unless its metadata says
``"rnn_course": {"ci_quick_mode": true}``: then it runs (in CI, in nbval and here)
with ``RNN_COURSE_QUICK=1``. Learners always get full size by default. nbval
(through conftest.py) and benchmarks/notebook_times.py use the same rule, so the
stored outputs are what nbval will compare against.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from course_tools.environment import prepare_environment, quick_mode

ROOT = Path(__file__).resolve().parent.parent


def ci_quick_mode(notebook: Path) -> bool:
    """Whether CI runs this notebook in quick mode (its metadata decides)."""
    metadata = json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    return bool(metadata.get("rnn_course", {}).get("ci_quick_mode", False))


def execute(
    notebook: Path, *, quick: bool, store: bool, timeout: int = 1800, save_to: Path | None = None
) -> float:
    """Run ``notebook`` in a fresh kernel (its folder as working directory).

    Args:
        notebook: the .ipynb file.
        quick: run with RNN_COURSE_QUICK=1.
        store: write the executed notebook back in place (no timing metadata).
        timeout: seconds allowed per cell.
        save_to: also write the executed notebook here (e.g. to read a full-size
            run's outputs without touching the stored ones).

    Returns:
        The wall time of the execution in seconds.
    """
    import nbformat
    from nbclient import NotebookClient

    prepare_environment()
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=False,  # random model ids and a PNG: a diff on every run
        shutdown_kernel="immediate",  # no wait for TensorFlow's teardown (1-3 s)
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    start = time.perf_counter()
    with quick_mode(quick):  # the kernel reads it when it starts
        client.execute()
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    if store:
        nbformat.write(nb, notebook)
    if save_to is not None:
        Path(save_to).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, save_to)
    return seconds


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stdout (or stderr) chunks, as nbval does before comparing.

    How a kernel splits its output into messages depends on timing; storing the
    merged text keeps re-executed notebooks from producing spurious diffs.
    """
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def main(argv: list[str]) -> int:
    lessons = argv or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    for lesson in lessons:
        for notebook in sorted((ROOT / "solutions" / lesson).glob("*.ipynb")):
            quick = ci_quick_mode(notebook)
            seconds = execute(notebook, quick=quick, store=True)
            mode = "quick" if quick else "full size"
            print(f"stored {notebook.relative_to(ROOT)} ({mode}, {seconds:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
