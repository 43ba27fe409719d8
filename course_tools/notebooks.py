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
#: nbval's sanitizer: the regexes applied to stored and fresh outputs before they are compared.
NBVAL_SANITIZE = ROOT / "tests" / "course" / "nbval_sanitize.cfg"
#: Output fields nbval compares in no notebook of the course (make test adds stderr to its own).
NBVAL_SKIP_COMPARE = (
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
    "stderr",
)


def ci_quick_mode(notebook: Path) -> bool:
    """Whether CI runs this notebook in quick mode (its metadata decides)."""
    metadata = json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    return bool(metadata.get("rnn_course", {}).get("ci_quick_mode", False))


def lesson_quick_mode(lesson_folder: Path) -> bool:
    """Whether a lesson is stored, checked and graded in quick mode (its notebooks' metadata).

    The grader runs a submission in the mode its graded cells were proven in: the round
    trips of ``make test`` grade every lesson in this mode.
    """
    return any(ci_quick_mode(path) for path in Path(lesson_folder).glob("*.ipynb"))


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


def output_differences(executed, stored, sanitize_file: Path = NBVAL_SANITIZE) -> list[str]:
    """Code cells whose outputs differ between two runs of a notebook, by nbval's rules.

    What ``make nbval`` does to one cell, with nbval's own code (its cell options, its
    stream merging, its sanitizer and its comparison), applied to a notebook that was
    executed some other way: by the grader, say. Cells tagged ``nbval-ignore-output``
    or ``nbval-skip`` and cells never run in ``stored`` are not compared; stderr and
    images are not compared (as in ``make test``).

    Args:
        executed: the freshly executed notebook (an ``nbformat`` node).
        stored: the notebook with the reference outputs; the same code cells, in order.
        sanitize_file: nbval's sanitizer file.

    Returns:
        One line per differing cell, ``"cell N: <nbval's explanation>"`` (N counts code
        cells, as nbval's test ids do); empty when every compared cell agrees.
    """
    import copy

    from nbval.plugin import (
        IPyNbCell,
        find_comment_markers,
        find_metadata_tags,
        get_sanitize_patterns,
        nocolors,
    )
    from nbval.plugin import coalesce_streams as nbval_coalesce_streams  # it also applies \r, \b

    class Comparison:  # the parts of an nbval test item its comparison reads
        compare_outputs = IPyNbCell.compare_outputs
        sanitize = IPyNbCell.sanitize
        format_output_compare = IPyNbCell.format_output_compare
        colors = nocolors
        config = None

        class ihook:  # noqa: N801 - no pytest here: nbval falls back to its own diff
            @staticmethod
            def pytest_assertrepr_compare(**_):
                return []

        def __init__(self):
            patterns = get_sanitize_patterns(Path(sanitize_file).read_text(encoding="utf-8"))
            self.parent = type("Parent", (), {})()
            self.parent.sanitize_patterns = dict(patterns)
            self.parent.skip_compare = NBVAL_SKIP_COMPARE

    fresh = [cell for cell in executed.cells if cell.cell_type == "code"]
    reference = [cell for cell in stored.cells if cell.cell_type == "code"]
    if len(fresh) != len(reference):
        return [f"{len(fresh)} code cells executed against {len(reference)} stored"]
    comparison, differences = Comparison(), []
    for number, (new, old) in enumerate(zip(fresh, reference, strict=True)):
        options = dict(find_metadata_tags(old.metadata))
        options.update(find_comment_markers(old.source))
        if options.get("skip") or options.get("check") is False or old.execution_count is None:
            continue
        outputs = nbval_coalesce_streams(copy.deepcopy(new.outputs))
        reference_outputs = nbval_coalesce_streams(copy.deepcopy(old.outputs))
        if not comparison.compare_outputs(outputs, reference_outputs):
            explanation = "\n".join(map(str, comparison.comparison_traceback))
            differences.append(f"cell {number}: {explanation}")
    return differences


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
