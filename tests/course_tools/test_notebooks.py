"""course_tools.notebooks.output_differences: nbval's comparison, on a notebook run elsewhere.

The solution round trips compare the grader's whole, perturbed run of each lesson with
its stored outputs through this function instead of a second nbval run, so it must
bite where nbval bites and let pass what nbval lets pass.
"""

from __future__ import annotations

import copy

import nbformat
import pytest

from course_tools.course_copy import SOLUTIONS
from course_tools.notebooks import output_differences

STORED = nbformat.read(SOLUTIONS / "02_simple_rnn" / "02_simple_rnn.ipynb", as_version=4)


def first_code_cell_printing(notebook, needle):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for output in cell.outputs:
                if output.output_type == "stream" and needle in output.text:
                    return cell, output
    raise AssertionError(f"no stored stream output contains {needle!r}")


def figure(png: str):
    return nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})


def test_a_notebook_agrees_with_itself():
    assert output_differences(STORED, STORED) == []


def test_changed_printed_text_is_a_difference_that_names_the_cell():
    fresh = copy.deepcopy(STORED)
    _, output = first_code_cell_printing(fresh, "passes the public tests")
    output.text = output.text.replace("passes", "fails")
    (difference,) = output_differences(fresh, STORED)
    assert difference.startswith("cell ") and "fails the public tests" in difference


def test_an_error_where_the_stored_cell_had_none_is_a_difference():
    fresh = copy.deepcopy(STORED)
    cell, _ = first_code_cell_printing(fresh, "passes the public tests")
    cell.outputs.append(
        nbformat.v4.new_output("error", ename="AssertionError", evalue="wrong", traceback=[])
    )
    assert len(output_differences(fresh, STORED)) == 1


def test_figures_behind_approx_timings_stderr_and_images_are_not_compared():
    stored, fresh = copy.deepcopy(STORED), copy.deepcopy(STORED)
    cell = next(c for c in stored.cells if c.cell_type == "code" and c.execution_count)
    index = stored.cells.index(cell)
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="accuracy ≈0.952 (12.3 s)\n"),
        nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
        figure("AAAA"),
    ]
    fresh.cells[index].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="accuracy ≈0.948 (9.1 s)\n"),
        figure("BBBB"),
    ]
    assert output_differences(fresh, stored) == []
    fresh.cells[index].outputs[0].text = "accuracy 0.948 (9.1 s)\n"  # no ≈: digits compared
    assert len(output_differences(fresh, stored)) == 1


@pytest.mark.parametrize("how", ["tag", "never run"])
def test_cells_nbval_does_not_compare_are_not_compared(how):
    stored, fresh = copy.deepcopy(STORED), copy.deepcopy(STORED)
    cell, output = first_code_cell_printing(stored, "passes the public tests")
    if how == "tag":
        cell.metadata.setdefault("tags", []).append("nbval-ignore-output")
    else:
        cell.execution_count, cell.outputs = None, []
    _, changed = first_code_cell_printing(fresh, "passes the public tests")
    changed.text = "something else\n"
    assert output_differences(fresh, stored) == []


def test_a_different_number_of_code_cells_is_a_difference():
    fresh = copy.deepcopy(STORED)
    fresh.cells.append(nbformat.v4.new_code_cell("print('extra')"))
    (difference,) = output_differences(fresh, STORED)
    assert "code cells executed against" in difference
