"""nbgrader extensions that make grading robust (plugged in by ``nbgrader_config.py``).

nbgrader 0.9.6 loses grades in ways a real class will hit. This module plugs the
holes through nbgrader's own configuration (see ``nbgrader_config.py``):

- :class:`ResilientExecute` replaces nbgrader's ``Execute``. When a cell kills the
  kernel (``os._exit``, a crash, out of memory) or keeps running after the timeout
  interrupt (an infinite loop that ignores SIGINT), it records an error in that
  cell, restarts the kernel, replays the cells that had succeeded, and goes on, so
  every other exercise is still graded. A kernel that stops sending output after its
  reply (a cell that sends itself SIGSTOP, a memory hog thrashing at its limit) made
  nbclient raise and nbgrader drop the whole submission; it is handled the same way.
  It also caps each cell's output while it arrives, so a flood of prints cannot
  exhaust the grader's memory.
- :class:`StderrToStdout` moves stderr text in graded cells to stdout. nbgrader
  scores a test cell 0 when anything reaches stderr, so a correct answer that
  prints a warning would otherwise lose its points.
- :class:`HideHiddenTests` is for feedback: it removes hidden tests, and what
  their failures printed, from the notebook the learner gets back.

:class:`ResilientExecute` also decides the verdict of every test cell that declares its
cases (:mod:`course_tools.verdicts`): the kernel runs the cell without its hidden part, and
the grader checks the learner's functions on the declared cases, from data, in its own
process.

:class:`ResilientExecute` also stops after the last graded cell (nothing after it can
change a score) unless ``run_whole_notebook`` is set.

None of this confines learners' code: the sandbox the kernels run in is
:mod:`course_tools.sandbox`. The instructor's command line is :mod:`course_tools.grading`.
"""

from __future__ import annotations

import copy
import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Enum, Integer

from course_tools.verdicts import (
    HIDDEN_TESTS,
    declared_cases,
    kernel_source,
    probe_source,
    verdict,
    verdict_output,
)

KERNEL_DIED = "KernelDied"
#: Notebook metadata key of what went wrong while grading (a dead kernel, a timeout).
INCIDENTS_KEY = "rnn_course_grading_incidents"
#: Notebook metadata key of the code cells the grader did not re-run (after the last graded cell).
NOT_RERUN_KEY = "rnn_course_cells_not_rerun"
#: What such a cell shows in the autograded notebook and in the feedback.
NOT_RERUN_NOTE = (
    "[not re-run by the grader: this cell comes after the last graded cell, so it cannot "
    "change a score]\n"
)
TIMED_OUT = "CellTimeoutError"


def _is_graded(cell: NotebookNode) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("grade"))


def _is_test_cell(cell: NotebookNode) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(
        output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
    )


def last_graded_index(nb: NotebookNode) -> int | None:
    """Index of the notebook's last graded cell (None if it has none)."""
    graded = [index for index, cell in enumerate(nb.cells) if _is_graded(cell)]
    return graded[-1] if graded else None


class ResilientExecute(Execute):
    """nbgrader's ``Execute``, surviving dead and runaway kernels, with bounded output.

    By default it stops after the last graded cell: cells run in order and a graded
    cell is scored on its own outputs, so nothing after it can change a score. The
    cells it skips (a lesson's closing demonstrations) get a note saying so, which the
    feedback shows, and are listed in the notebook's metadata (:data:`NOT_RERUN_KEY`).
    ``run_whole_notebook = True`` runs them too.
    """

    run_whole_notebook = Bool(
        False, help="also run the cells after the last graded cell (they change no score)"
    ).tag(config=True)
    max_output_chars = Integer(
        1_000_000, help="characters of stream output kept per cell while it runs"
    ).tag(config=True)
    probe_timeout = Integer(
        10, help="seconds a kernel has to answer after a timeout interrupt"
    ).tag(config=True)
    # Every output is in once the last cell has replied: stop the kernel at once instead
    # of waiting for it to exit of itself (TensorFlow's teardown took 1.2-3 s a notebook).
    shutdown_kernel = Enum(
        ["graceful", "immediate"],
        default_value="immediate",
        help="'immediate': kill the kernel after the last cell; 'graceful': let it exit",
    ).tag(config=True)
    processes_kept_free = Integer(
        32,
        help="restart a sandboxed kernel (and kill what it started) when a cell fails and "
        "leaves fewer free processes than this in its sandbox",
    ).tag(config=True)
    grader_verdicts = Bool(
        True,
        help="decide test cells that declare cases in the grader (course_tools.verdicts); "
        "False runs them whole in the learner's kernel, which a submission can fool",
    ).tag(config=True)
    _stop_after: int | None = None  # the last cell to run (None: all of them)

    def preprocess(self, nb, resources=None, km=None):
        self._replayable: list[int] = []
        self._kept_chars: dict[int, int] = {}
        self.incidents: list[str] = []
        self.not_rerun: list[int] = []
        last = last_graded_index(nb)
        self._stop_after = None if self.run_whole_notebook or last is None else last
        nb, resources = super().preprocess(nb, resources, km=km)
        # Recorded in the autograded notebook, where the instructor's summary reads them
        # (course_tools.grading.incidents): nbgrader's API does not return ``resources``.
        nb.metadata[INCIDENTS_KEY] = list(self.incidents)
        nb.metadata[NOT_RERUN_KEY] = list(self.not_rerun)
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
        if self._stop_after is not None and cell_index > self._stop_after:
            if cell.cell_type == "code":
                note = NotebookNode(output_type="stream", name="stdout", text=NOT_RERUN_NOTE)
                cell.outputs = [note]
                self.not_rerun.append(cell_index)
            return cell
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
        cases = self._declared_cases(cell)
        if cases is None:
            return await self._execute_guarded(cell, cell_index, execution_count, store_history)
        # The kernel runs the cell without its hidden part; the grader decides the verdict.
        source = cell.source
        cell.source = kernel_source(source)
        try:
            cell = await self._execute_guarded(cell, cell_index, execution_count, store_history)
        finally:
            cell.source = source
        if not any(output.output_type == "error" for output in cell.outputs):
            problem = await self._probe(cell, cell_index, cases)
            if problem is not None:
                cell.outputs.append(verdict_output(problem))
        return cell

    async def _execute_guarded(
        self, cell, cell_index, execution_count=None, store_history=True, replayable=True
    ):
        """Execute a cell; record a dead, frozen or runaway kernel as an error and recover."""
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
        except CellTimeoutError:
            # raised only after the reply (real, or nbclient's own on a timeout) while the
            # kernel's last outputs never came: it is frozen (SIGSTOP, thrashing)
            cell.outputs.append(
                _error_output(
                    TIMED_OUT,
                    f"The kernel stopped sending output for {self.iopub_timeout} s while "
                    "running this cell. The grader restarted it if it no longer answered and "
                    "re-ran the earlier cells; later cells were graded as usual.",
                )
            )
            self._incident(f"no output from the kernel after cell {cell_index}")
            await self._restart_unless_it_answers(f"kernel frozen after cell {cell_index}")
            return cell
        errors = [o.ename for o in cell.outputs if o.output_type == "error"]
        left = getattr(self.km, "processes_left", lambda: None)() if errors else None
        if left is not None and left < self.processes_kept_free:
            # the cell failed and left processes behind that fill the sandbox (a fork
            # bomb's sleepers): the kernel could not start a thread any more
            self._incident(
                f"cell {cell_index} left {left} free processes in the sandbox: restarted"
            )
            await self._restart_and_replay()
            return cell
        if TIMED_OUT in errors:
            self._incident(f"cell {cell_index} timed out after {self._get_timeout(cell)} s")
            await self._restart_unless_it_answers(
                f"kernel ignored the interrupt after cell {cell_index}"
            )
        elif not errors and replayable:
            self._replayable.append(cell_index)
        return cell

    def _declared_cases(self, cell):
        """The cases a test cell declares for the grader (None: it is graded in the kernel)."""
        if not self.grader_verdicts or not _is_test_cell(cell):
            return None
        return declared_cases(cell.source)

    async def _probe(self, cell, cell_index, cases) -> str | None:
        """Run a cell's declared cases in the kernel; why their results fail (None: they pass).

        The probe gets the test cell's metadata, so its timeout is the test cell's.
        nbclient stores every executed cell in the notebook: the test cell is put back.
        """
        probe = NotebookNode(
            cell_type="code",
            source=probe_source(cases),
            metadata=copy.deepcopy(cell.metadata),  # nbclient records its timings there
            outputs=[],
            execution_count=None,
        )
        try:
            probe = await self._execute_guarded(
                probe, cell_index, store_history=False, replayable=False
            )
        finally:
            self.nb.cells[cell_index] = cell
        return verdict(cases, probe.outputs)

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

    async def _restart_unless_it_answers(self, incident: str) -> None:
        """Probe the kernel; if it does not answer in time, record ``incident`` and restart."""
        if not await self._run_quietly("pass", self.probe_timeout):
            self._incident(f"{incident}: restarted")
            await self._restart_and_replay()

    async def _restart_and_replay(self) -> None:
        await ensure_async(self.km.restart_kernel(now=True))
        await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
        for index in self._replayable:
            cell = self.nb.cells[index]
            source = (
                cell.source if self._declared_cases(cell) is None else kernel_source(cell.source)
            )
            await self._run_quietly(source, self.timeout or 300)


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
    """Feedback only: strip hidden tests and anything their failure revealed.

    A public test cell whose hidden part only declares the grader's run of its public
    cases (:mod:`course_tools.verdicts`) keeps its outputs: the learner's messages.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or not HIDDEN_TESTS.search(cell.source):
            return cell, resources
        public = _has_code(kernel_source(cell.source))
        if public and declared_cases(cell.source) is not None:
            cell.source = HIDDEN_TESTS.sub("# (the grader ran these cases itself)\n", cell.source)
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


def _has_code(source: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in source.splitlines())
