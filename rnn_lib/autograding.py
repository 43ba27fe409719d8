"""nbgrader extensions that make grading robust, and the instructor's command line.

nbgrader 0.9.6 loses grades in ways a real class will hit. This module plugs the
holes through nbgrader's own configuration (see ``nbgrader_config.py``):

- :class:`ResilientExecute` replaces nbgrader's ``Execute``. When a cell kills the
  kernel (``os._exit``, a crash, out of memory) or keeps running after the timeout
  interrupt (an infinite loop that ignores SIGINT), it records an error in that
  cell, restarts the kernel, replays the cells that had succeeded, and goes on, so
  every other exercise is still graded. It also caps each cell's output while it
  arrives, so printing 10**7 lines cannot exhaust the grader's memory.
- :class:`StderrToStdout` moves stderr text in graded cells to stdout. nbgrader
  scores a test cell 0 when anything reaches stderr, so a correct answer that
  prints a warning would otherwise lose its points.
- :class:`HideHiddenTests` is for feedback: it removes hidden tests, and what
  their failures printed, from the notebook the learner gets back.

None of this is a sandbox: learners' code runs with the grader's permissions (see
the README's security section).

Command line (``python -m rnn_lib.autograding``)::

    autograde [LESSON ...]   grade every submission in submitted/, with progress
    check NOTEBOOK           run a notebook's public tests; exit 1 if any fails
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

HIDDEN_TESTS = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*\n?",
    re.MULTILINE | re.DOTALL,
)
KERNEL_DIED = "KernelDied"
TIMED_OUT = "CellTimeoutError"


def _is_graded(cell: NotebookNode) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("grade"))


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(
        output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
    )


class ResilientExecute(Execute):
    """nbgrader's ``Execute``, surviving dead and runaway kernels, with bounded output."""

    max_output_chars = Integer(
        1_000_000, help="characters of stream output kept per cell while it runs"
    ).tag(config=True)
    probe_timeout = Integer(
        10, help="seconds a kernel has to answer after a timeout interrupt"
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._replayable: list[int] = []
        self._kept_chars: dict[int, int] = {}
        self.incidents: list[str] = []
        nb, resources = super().preprocess(nb, resources, km=km)
        resources.setdefault("rnn_course", {})["incidents"] = list(self.incidents)
        return nb, resources

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most ``max_output_chars`` of stream text per cell, drop the rest."""
        if msg["msg_type"] == "stream":
            kept = self._kept_chars.get(cell_index, 0)
            text = msg["content"].get("text", "")
            if kept >= self.max_output_chars:
                return None
            if kept + len(text) > self.max_output_chars:
                room = self.max_output_chars - kept
                msg = {
                    **msg,
                    "content": {
                        **msg["content"],
                        "text": text[:room] + "\n... output truncated by the grader ...\n",
                    },
                }
                text = msg["content"]["text"]
            self._kept_chars[cell_index] = kept + len(text)
        return super().output(outs, msg, display_id, cell_index)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
        try:
            cell = await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
        except DeadKernelError:
            cell.outputs.append(
                _error_output(
                    KERNEL_DIED,
                    "The kernel died while running this cell (os._exit, a crash or running out "
                    "of memory). The grader restarted it and re-ran the earlier cells; later "
                    "cells were graded as usual.",
                )
            )
            self._incident(f"kernel died in cell {cell_index}")
            await self._restart_and_replay()
            return cell
        errors = [o.ename for o in cell.outputs if o.output_type == "error"]
        if TIMED_OUT in errors:
            self._incident(f"cell {cell_index} timed out after {self.timeout} s")
            if not await self._kernel_answers():
                self._incident(f"kernel ignored the interrupt after cell {cell_index}: restarted")
                await self._restart_and_replay()
        elif not errors:
            self._replayable.append(cell_index)
        return cell

    # nbclient binds the synchronous wrapper to its own coroutine at class creation.
    execute_cell = run_sync(async_execute_cell)

    def _incident(self, text: str) -> None:
        self.incidents.append(text)
        self.log.warning(text)

    async def _run_quietly(self, source: str, timeout: float) -> bool:
        """Execute ``source`` without recording outputs; True if it replied in time."""
        msg_id = self.kc.execute(source, silent=True, store_history=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = await ensure_async(
                    self.kc.shell_channel.get_msg(timeout=max(0.1, deadline - time.monotonic()))
                )
            except Exception:  # noqa: BLE001 - queue.Empty and friends: keep waiting
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return True
        return False

    async def _kernel_answers(self) -> bool:
        return await self._run_quietly("pass", self.probe_timeout)

    async def _restart_and_replay(self) -> None:
        await ensure_async(self.km.restart_kernel(now=True))
        await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
        for index in self._replayable:
            await self._run_quietly(self.nb.cells[index].source, self.timeout or 300)


class StderrToStdout(NbGraderPreprocessor):
    """In graded cells, show stderr text as stdout so that it does not cost points."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and _is_graded(cell):
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    output.name = "stdout"
                    output.text = "".join(
                        f"[stderr] {line}" for line in output.text.splitlines(keepends=True)
                    )
        return cell, resources


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback only: strip hidden tests and anything their failure revealed."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or not HIDDEN_TESTS.search(cell.source):
            return cell, resources
        cell.source = HIDDEN_TESTS.sub("# (hidden tests ran here)\n", cell.source)
        failed = any(o.output_type == "error" for o in cell.outputs)
        message = (
            "Some hidden tests failed. They check cases beyond the public tests (other sizes, "
            "edge cases, random inputs): re-read the exercise and test your code on your own "
            "examples.\n"
            if failed
            else "Hidden tests passed.\n"
        )
        cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=message)]
        return cell, resources


# --- the command line -----------------------------------------------------------------------


def _nbgrader_api(course_root: Path):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def submissions(course_root: Path, lessons: list[str] | None = None) -> list[tuple[str, str]]:
    """(student, lesson) pairs found in ``submitted/``, sorted."""
    found = []
    for folder in sorted((course_root / "submitted").glob("*/*")):
        if folder.is_dir() and (not lessons or folder.name in lessons):
            found.append((folder.parent.name, folder.name))
    return found


def unreadable_notebooks(folder: Path) -> list[str]:
    """Names of the notebooks in ``folder`` that are not valid notebook JSON."""
    import nbformat

    bad = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except Exception as error:  # noqa: BLE001 - any parse or schema failure
            bad.append(f"{path.name}: {type(error).__name__}: {str(error).splitlines()[0][:120]}")
    return bad


def autograde_all(course_root: Path, lessons: list[str] | None = None, out=print) -> dict:
    """Autograde every submission, printing progress; return the summary.

    A broken submission never stops the others: it is reported and skipped.

    Returns:
        ``{"graded": [(student, lesson, score, max)], "failed": [(student, lesson, why)],
        "incidents": [(student, lesson, text)]}``.
    """
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    # nbgrader's own ORM use triggers this on every submission; it is not the instructor's concern.
    warnings.filterwarnings("ignore", category=SAWarning)
    api = _nbgrader_api(course_root)
    todo = submissions(course_root, lessons)
    summary = {"graded": [], "failed": [], "incidents": []}
    for number, (student, lesson) in enumerate(todo, start=1):
        start = time.perf_counter()
        prefix = f"[{number}/{len(todo)}] {student} / {lesson}:"
        bad = unreadable_notebooks(course_root / "submitted" / student / lesson)
        if bad:
            why = "corrupt notebook (" + "; ".join(bad) + ")"
            summary["failed"].append((student, lesson, why))
            out(f"{prefix} NOT GRADED: {why}")
            continue
        result = api.autograde(lesson, student)
        if not result["success"]:
            last = (result.get("error") or result.get("log") or "unknown error").strip()
            why = last.splitlines()[-1][:200]
            summary["failed"].append((student, lesson, why))
            out(f"{prefix} NOT GRADED: {why}")
            continue
        for line in (result.get("log") or "").splitlines():
            if "kernel died" in line or "timed out" in line or "ignored the interrupt" in line:
                text = line.split("] ", 1)[-1]
                summary["incidents"].append((student, lesson, text))
        with Gradebook(api.coursedir.db_url) as gradebook:
            submission = gradebook.find_submission(lesson, student)
            score, max_score = submission.score, submission.max_score
        summary["graded"].append((student, lesson, score, max_score))
        out(f"{prefix} {score:g}/{max_score:g} ({time.perf_counter() - start:.1f} s)")
    out("")
    out(
        f"Graded {len(summary['graded'])} of {len(todo)} submissions; "
        f"{len(summary['failed'])} could not be graded."
    )
    for student, lesson, why in summary["failed"]:
        out(f"  not graded: {student} / {lesson}: {why}")
    for student, lesson, text in summary["incidents"]:
        out(f"  note: {student} / {lesson}: {text}")
    return summary


def check_notebook(path: Path, out=print) -> int:
    """Run a notebook and its public tests (nbgrader's validator); 0 if all pass."""
    from nbgrader.validator import Validator

    results = Validator().validate(str(path))
    if results.get("type_changed"):
        out(f"{path}: some cells changed type; restore them from the released lesson.")
        return 1
    if results.get("changed"):
        out(
            f"{path}: {len(results['changed'])} test cell(s) were edited; the grader will put "
            "the originals back, so check against those."
        )
        return 1
    failed = results.get("failed", [])
    if not failed:
        out(f"{path}: all public tests pass. Hidden tests run when you hand it in.")
        return 0
    out(f"{path}: {len(failed)} test cell(s) fail:")
    for cell in failed:
        lines = re.sub(r"\x1b\[[0-9;]*m", "", cell.get("raw_error", "")).strip().splitlines()
        out(f"  - {lines[-1] if lines else cell.get('source', '')[:80]}")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnn_lib.autograding")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("autograde", help="grade every submission in submitted/")
    grade.add_argument("lessons", nargs="*")
    grade.add_argument("--course", type=Path, default=Path.cwd())
    check = commands.add_parser("check", help="run a notebook's public tests")
    check.add_argument("notebook", type=Path)
    args = parser.parse_args(argv)
    if args.command == "autograde":
        summary = autograde_all(args.course.resolve(), args.lessons or None)
        return 1 if summary["failed"] else 0
    return check_notebook(args.notebook)


if __name__ == "__main__":
    sys.exit(main())
