"""Typical wrong answers, graded inside one kernel per lesson (the tests' fast path).

A real round trip (:mod:`course_tools.course_copy`) builds a course, releases the
lesson, starts a kernel, imports TensorFlow and re-executes the lesson up to its last
graded cell, for every wrong answer. This module pays that once per lesson, inside the
solution's own real autograde (:class:`MistakeGradingExecute`, which the tests use) or
in a kernel of its own (:func:`check_notebook`):

1. execute the solution notebook as the autograder would (hidden tests included, the
   grader's own executor, configuration and mode), up to its last graded cell, and
   score every graded cell by nbgrader's rule (:func:`grade_cell`);
2. for each typical mistake, replace its answer cell's source, execute that cell and
   the later cells that depend on it (:func:`cells_to_rerun`), and score them again,
   leaving out the graded cells it is allowed to fail, whose verdicts no check reads,
   and what only they or demonstrations use (:func:`cells_that_matter`; such cells
   count 0); every other graded cell keeps the score it had, as nothing it reads changed;
3. put the solution back (re-run the answer cell, and any re-run cell whose names a
   later mistake's cells read) before the next mistake's cells run; the mistakes go
   from the last exercise to the first, so that little needs putting back.

Dependencies are read from each cell's code: the module-level names it assigns and
all the names it reads (inside its functions too). That is an approximation, valid
for lessons whose cells share state only through names; a cell that mutates another
cell's objects in place, or a function that reads a global assigned again by a later
cell, would escape it. Two things keep it honest: when a re-run cell reads a name that
a later cell (up to the last one executed) assigns again, so that the kernel may hold a
value the real run would not see yet, that mistake is graded in a fresh kernel from
the top instead; and the tests
grade one mistake per lesson through real nbgrader too, and require the gradebook to
agree with this module cell by cell (tests/course/test_round_trips.py).
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import importlib.util
import json
import os
import re
import shutil
import symtable
import tempfile
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from traitlets import List, Unicode

from course_tools.course_copy import (
    PROJECT_ROOT,
    Bug,
    GradeReport,
    ValidAnswer,
    autograde,
    cell_text,
    exercise_tests,
    lesson_answers,
    make_course,
    release,
    solution_answers,
    submit,
)
from course_tools.environment import prepare_environment, quick_mode
from course_tools.nbgrader_plugins import ResilientExecute, last_graded_index
from course_tools.verdicts import declared_cases, kernel_source

BUGS_DIR = PROJECT_ROOT / "tests" / "course" / "buggy_answers"


def load_bugs(lesson: str, path: Path | None = None) -> list[Bug]:
    """The typical wrong answers of ``lesson`` (``tests/course/buggy_answers/bugs_<lesson>.py``).

    Args:
        lesson: the lesson folder's name.
        path: another module to read them from (its ``BUGS`` list), e.g. a test's own.
    """
    module = _bugs_module(lesson, path)
    return module.BUGS if module else []


def load_valid_answers(lesson: str, path: Path | None = None) -> list[ValidAnswer]:
    """The valid alternative answers of ``lesson`` (its bugs module's ``VALID_ANSWERS``).

    They are graded with the mistakes, on every cell they reach, and must earn full marks.
    """
    module = _bugs_module(lesson, path)
    return list(getattr(module, "VALID_ANSWERS", [])) if module else []


def cross_checked_bug(lesson: str, path: Path | None = None) -> Bug:
    """The typical mistake of ``lesson`` that the tests also grade through real nbgrader.

    The one its bugs module names ``CROSS_CHECKED``, else its first. Lessons name one
    where the first would re-run their longest test in full in that round trip.

    Args:
        lesson: the lesson folder's name.
        path: another module to read it from, as for :func:`load_bugs`.

    Raises:
        ValueError: if the lesson has no mistakes, or ``CROSS_CHECKED`` names none of them.
    """
    module = _bugs_module(lesson, path)
    if module is None or not module.BUGS:
        raise ValueError(f"{lesson}: no typical mistakes to cross-check")
    name = getattr(module, "CROSS_CHECKED", module.BUGS[0].name)
    named = [bug for bug in module.BUGS if bug.name == name]
    if not named:
        raise ValueError(f"{lesson}: CROSS_CHECKED names no mistake of the lesson: {name!r}")
    return named[0]


def _bugs_module(lesson: str, path: Path | None):
    path = Path(path) if path else BUGS_DIR / f"bugs_{lesson}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"bugs_{lesson}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------- cell names


@dataclass(frozen=True)
class CellNames:
    """What one code cell does with module-level names.

    Attributes:
        stores: names the cell assigns at module level (``=``, ``def``, ``import``,
            ``for``, ``with ... as``, ``del``, ``global`` in a function).
        loads: every name the cell reads, in its functions and classes too.
        free_loads: names read before the cell assigns them (per top-level statement),
            i.e. the values the cell takes from earlier cells.
        imports: the names among ``stores`` that only ``import`` statements bind.
        parsed: False if the source is not plain Python (a syntax error, a magic, a shell
            command): such a cell runs again after any change.
    """

    stores: frozenset[str] = frozenset()
    loads: frozenset[str] = frozenset()
    free_loads: frozenset[str] = frozenset()
    imports: frozenset[str] = frozenset()
    parsed: bool = True


def _names_of(node: ast.AST) -> tuple[set[str], set[str], set[str], set[str]]:
    """(stores, imports, loads now, loads at call time) of a statement or an expression.

    Python's own symbol tables decide what is global: a name a function assigns is its
    local, a name it only reads is a read of the module's name, made when it is called.
    """
    mode = "eval" if isinstance(node, ast.expr) else "exec"
    table = symtable.symtable(ast.unparse(node), "<cell>", mode)
    stores, imports, loads = set(), set(), set()
    for symbol in table.get_symbols():
        if symbol.is_imported():
            imports.add(symbol.get_name())
        if symbol.is_assigned() or symbol.is_imported():
            stores.add(symbol.get_name())
        if symbol.is_referenced():
            loads.add(symbol.get_name())
    deferred: set[str] = set()
    children = list(table.get_children())
    while children:
        scope = children.pop()
        children.extend(scope.get_children())
        for symbol in scope.get_symbols():
            if symbol.is_global() or symbol.is_declared_global():
                if symbol.is_referenced():
                    deferred.add(symbol.get_name())
                if symbol.is_declared_global() and symbol.is_assigned():
                    stores.add(symbol.get_name())
    return stores, imports - (stores - imports), loads, deferred


class _CellReader:
    """Walks a cell's statements in order, noting which reads come before the cell's own stores."""

    def __init__(self):
        self.stores: set[str] = set()
        self.imports: set[str] = set()
        self.loads: set[str] = set()
        self.free: set[str] = set()

    def read(self, node: ast.AST) -> None:
        stores, imports, now, deferred = _names_of(node)
        self.loads |= now | deferred
        self.free |= (now - self.stores) | (deferred - self.stores - stores)
        self.imports = (self.imports - stores) | imports
        self.stores |= stores

    def block(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self.statement(statement)

    def statement(self, statement: ast.stmt) -> None:
        """Compound statements in their order of execution: a loop's target before its body."""
        if isinstance(statement, ast.For | ast.AsyncFor):
            self.read(statement.iter)
            self.read(ast.Assign(targets=[statement.target], value=ast.Constant(None), lineno=0))
            self.block(statement.body + statement.orelse)
        elif isinstance(statement, ast.While | ast.If):
            self.read(statement.test)
            self.block(statement.body + statement.orelse)
        elif isinstance(statement, ast.With | ast.AsyncWith):
            for item in statement.items:
                self.read(item.context_expr)
                if item.optional_vars is not None:
                    target = ast.Assign(targets=[item.optional_vars], value=ast.Constant(None))
                    self.read(ast.fix_missing_locations(target))
            self.block(statement.body)
        elif isinstance(statement, ast.Try):
            self.block(statement.body)
            for handler in statement.handlers:
                if handler.type is not None:
                    self.read(handler.type)
                if handler.name:
                    self.stores.add(handler.name)
                self.block(handler.body)
            self.block(statement.orelse + statement.finalbody)
        else:
            self.read(statement)


def cell_names(source: str) -> CellNames:
    """Read a cell's module-level stores and its loads from its code (IPython syntax allowed)."""
    from IPython.core.inputtransformer2 import TransformerManager

    python = TransformerManager().transform_cell(source)
    if "get_ipython()" in python:  # a magic or a shell command: it may assign anything
        return CellNames(parsed=False)
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return CellNames(parsed=False)
    reader = _CellReader()
    reader.block(tree.body)
    return CellNames(
        frozenset(reader.stores),
        frozenset(reader.loads),
        frozenset(reader.free),
        frozenset(reader.imports),
    )


def kernel_names(cell: nbformat.NotebookNode, verdicts: bool = True) -> CellNames:
    """What a cell does with the kernel's names when the grader runs it.

    A test cell that declares its cases (:mod:`course_tools.verdicts`) runs without its
    hidden part, and the grader's probe then reads the functions and models the cases
    name: those are its reads; the hidden part's own names live in the grader.

    Args:
        cell: a notebook cell.
        verdicts: whether the grader decides declared cases (``grader_verdicts``).
    """
    if cell.cell_type != "code":
        return CellNames()
    cases = declared_cases(cell.source) if verdicts else None
    if cases is None:
        return cell_names(cell.source)
    probed = sorted({case.weights_of[0] if case.weights_of else case.function for case in cases})
    return cell_names(kernel_source(cell.source) + "\n" + "\n".join(probed) + "\n")


def cells_to_rerun(
    names: Sequence[CellNames], start: int, last: int, changed: frozenset[str]
) -> list[int]:
    """The cells to execute again after cell ``start`` changed: it, and its dependants.

    A cell depends on the change if it reads (before assigning it itself) a name that a
    re-run cell assigned, transitively; a cell that is not Python always runs. Names
    bound only by ``import`` never carry a change. One more kind of cell runs again: a
    cell that assigns, without depending on the change, a name a re-run cell assigned
    earlier and a re-run cell reads later (in the kernel that name would still hold the
    earlier, changed value).

    Args:
        names: :func:`cell_names` of every cell of the notebook (``CellNames()`` for
            markdown cells).
        start: index of the changed cell.
        last: index of the last cell that matters (the last graded cell).
        changed: the names the changed cell assigns, in any version of it.

    Returns:
        Sorted cell indices, ``start`` first.
    """
    rerun = {start}
    while True:
        affected = set(changed) - names[start].imports
        assigned_by_rerun: dict[str, int] = {name: start for name in affected}
        last_store: dict[str, int] = {name: start for name in names[start].stores}
        missing: set[int] = set()
        for index in range(start + 1, last + 1):
            cell = names[index]
            if index not in rerun and (not cell.parsed or cell.free_loads & affected):
                rerun.add(index)
            if index in rerun:
                for name in cell.free_loads:
                    writer = last_store.get(name)
                    if (
                        writer is not None
                        and writer not in rerun
                        and assigned_by_rerun.get(name, last + 1) < writer
                    ):
                        missing.add(writer)
                affected |= cell.stores - cell.imports
                assigned_by_rerun.update(
                    {n: index for n in cell.stores if n not in assigned_by_rerun}
                )
            else:
                affected -= cell.stores  # assigned again, independently of the change
            last_store.update({name: index for name in cell.stores})
        if not missing:
            return sorted(rerun)
        rerun |= missing


def stale_reads(names: Sequence[CellNames], rerun: Sequence[int], last: int) -> set[str]:
    """Names a re-run cell reads that a later cell (up to ``last``) assigns again.

    After the first execution the kernel holds those names' later values, which the
    re-run cell would not see in a real run: the mistake must be graded from the top.
    Names that only ``import`` statements bind are the same module every time.
    """
    stale: set[str] = set()
    for index in rerun:
        later = set().union(
            *(names[i].stores - names[i].imports for i in range(index + 1, last + 1))
        )
        stale |= names[index].free_loads & later
    return stale


def restore_plan(
    names: Sequence[CellNames], rerun: Sequence[int], later: Sequence[Sequence[int]]
) -> list[int]:
    """The cells of ``rerun`` to execute again, as the solution, before the ``later`` runs.

    A later run's cells read some names before they assign them; whatever of those a
    mistake's run left behind must hold the solution's value again. Working backwards
    through ``rerun``: a cell is restored if it assigns such a name, or a name that a
    restored cell after it reads. The changed answer cell is always restored.

    Returns:
        Cell indices, in execution order (empty if nothing runs later).
    """
    if not later:
        return []
    needed: set[str] = set()
    for cells in later:
        assigned: set[str] = set()
        for index in cells:
            needed |= names[index].free_loads - assigned
            assigned |= names[index].stores
    restore = []
    for index in reversed(rerun):
        if index == rerun[0] or names[index].stores & needed:
            restore.append(index)
            needed |= names[index].free_loads
    return restore[::-1]


# ------------------------------------------------------------------------------ grading


def grade_cell(cell: nbformat.NotebookNode) -> tuple[float, float]:
    """(score, max score) of a graded cell by the autograder's rule, after its plugins.

    The same steps nbgrader's autograde runs on an executed cell: stderr shown as
    stdout (:class:`course_tools.nbgrader_plugins.StderrToStdout`), then
    ``nbgrader.utils.determine_grade`` (no error output: full marks). A manually graded
    cell counts 0, as in the gradebook before an instructor grades it.
    """
    from nbgrader.utils import determine_grade

    from course_tools.nbgrader_plugins import StderrToStdout

    graded, _ = StderrToStdout().preprocess_cell(copy.deepcopy(cell), {}, 0)
    score, max_score = determine_grade(graded)
    return float(score or 0), float(max_score)


def _grade_id(cell: nbformat.NotebookNode) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _is_graded(cell: nbformat.NotebookNode) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("grade"))


def as_submitted(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The solution notebook as the autograder runs a perfect submission of it.

    Answer cells lose their ``### BEGIN/END SOLUTION`` lines (nbgrader releases the
    stubs; the learner's answer replaces them), test cells keep their hidden tests
    (autograde restores them), outputs are cleared.
    """
    notebook = copy.deepcopy(solution)
    answers = solution_answers(notebook)
    for cell in notebook.cells:
        if _grade_id(cell) in answers:
            cell.source = answers[_grade_id(cell)]
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook


# ------------------------------------------------------------------------------- kernel


class GraderKernel:
    """A kernel driven by the autograder's own executor, one cell at a time.

    The executor is :class:`course_tools.nbgrader_plugins.ResilientExecute` configured
    by the course's ``nbgrader_config.py`` (timeouts, output caps, kernel restarts), and
    the kernel starts in ``workdir`` as an autograded notebook's kernel starts in its
    submission folder.
    """

    @staticmethod
    def verdicts() -> bool:
        """Whether the course's executor decides declared cases in the grader."""
        return ResilientExecute(config=GraderKernel._config()).grader_verdicts

    @staticmethod
    def _config():
        from traitlets.config.loader import PyFileConfigLoader

        return PyFileConfigLoader("nbgrader_config.py", path=str(PROJECT_ROOT)).load_config()

    def __init__(self, notebook: nbformat.NotebookNode, workdir: Path):
        config = self._config()
        self.notebook = notebook  # never changed: the executor writes into its own copy
        self.executor = ResilientExecute(config=config)
        self.executor.nb = copy.deepcopy(notebook)
        self.executor.resources = {"metadata": {"path": str(workdir)}}
        self.executor._replayable = []
        self.executor._kept_chars = {}
        self.executor.incidents = []

    @contextmanager
    def running(self) -> Iterator[GraderKernel]:
        with self.executor.setup_kernel():
            yield self

    def run(self, index: int, source: str | None = None) -> nbformat.NotebookNode:
        """Execute cell ``index`` (with ``source`` instead of its own, if given); return it."""
        cell = copy.deepcopy(self.notebook.cells[index])
        if source is not None:
            cell.source = source
        if cell.cell_type != "code":
            return cell
        cell.outputs = []
        self.executor._kept_chars.pop(index, None)  # the output cap counts per execution here
        return self.executor.execute_cell(cell, index)


# ------------------------------------------------------------------------------ checking


@dataclass
class LessonCheck:
    """What one notebook's graded cells said, for the solution and for each mistake.

    Attributes:
        notebook: the notebook's name (stem).
        baseline: the solution's report.
        reports: a report per mistake, by the mistake's name.
        rerun: the cells executed for each mistake, by name (a fresh kernel's run
            from the top is recorded as every cell up to the last graded one).
        fresh_kernel: the mistakes graded from the top because of stale reads.
    """

    notebook: str
    baseline: GradeReport
    reports: dict[str, GradeReport] = field(default_factory=dict)
    rerun: dict[str, list[int]] = field(default_factory=dict)
    fresh_kernel: list[str] = field(default_factory=list)


#: The text of a graded cell the check did not execute (its verdict is read by no check).
NOT_EXECUTED = "(not executed: a cell this mistake may fail; counted 0 points)"


def _report(verdicts: dict[str, tuple[float, float]], texts: dict[str, str]) -> GradeReport:
    return GradeReport(
        score=sum(score for score, _ in verdicts.values()),
        max_score=sum(max_score for _, max_score in verdicts.values()),
        cells=dict(verdicts),
        outputs=dict(texts),
    )


class _Grades:
    """Per-cell verdicts and texts, filled as cells execute."""

    def __init__(self):
        self.verdicts: dict[str, tuple[float, float]] = {}
        self.texts: dict[str, str] = {}

    def record(self, cell: nbformat.NotebookNode) -> None:
        if _is_graded(cell) and cell.cell_type == "code":
            self.verdicts[_grade_id(cell)] = grade_cell(cell)
            self.texts[_grade_id(cell)] = cell_text(cell)

    def unrun(self, cells: Sequence[str]) -> tuple[dict, dict]:
        """(verdicts, texts) with ``cells`` counted 0 and marked as not executed."""
        verdicts, texts = dict(self.verdicts), dict(self.texts)
        for cell in cells:
            verdicts[cell] = (0.0, verdicts[cell][1])
            texts[cell] = NOT_EXECUTED
        return verdicts, texts

    def copy(self) -> _Grades:
        other = _Grades()
        other.verdicts, other.texts = dict(self.verdicts), dict(self.texts)
        return other


def cells_that_matter(
    names: Sequence[CellNames], rerun: Sequence[int], verdicts_needed: set[int]
) -> list[int]:
    """The cells of ``rerun`` worth executing: those whose verdict is needed, and what they read.

    Working backwards: a cell runs if it is the changed cell (the first), if its verdict
    is needed, if it is not plain Python, or if it assigns a name a later running cell
    reads. A demonstration that only draws what an answer computed, or a test cell
    whose verdict nothing asks for, is left out.

    Returns:
        Cell indices in execution order.
    """
    live: set[str] = set()
    keep = []
    for index in reversed(rerun):
        cell = names[index]
        if index == rerun[0] or index in verdicts_needed or not cell.parsed or cell.stores & live:
            keep.append(index)
            live |= cell.free_loads
    return keep[::-1]


@dataclass(frozen=True)
class _Plan:
    bug: Bug
    start: int
    wrong: str
    cells: list[int]  # executed for this mistake, in order
    unrun: list[str]  # graded cells the mistake reaches whose verdict no check reads
    stale: bool


def _plan(bug, names, ids, answers, graded, last, complete, ran_until, own) -> _Plan:
    start = ids.index(bug.cell)
    wrong = bug.apply(answers[bug.cell])
    changed = names[start].stores | cell_names(wrong).stores
    rerun = cells_to_rerun(names, start, last, changed)
    allowed = set(own[bug.cell]) - {bug.failing_test}
    needed = {i for i in rerun if i in graded and (complete or ids[i] not in allowed)}
    cells = list(rerun) if complete else cells_that_matter(names, rerun, needed)
    unrun = [ids[i] for i in rerun if i in graded and i not in cells]
    return _Plan(bug, start, wrong, cells, unrun, bool(stale_reads(names, cells, ran_until)))


@dataclass(frozen=True)
class LessonPlans:
    """What grading a notebook's mistakes in one kernel needs to know, read from its code.

    Attributes:
        names: :func:`cell_names` of every cell (``CellNames()`` for markdown).
        last: index of the last graded cell.
        plans: one per mistake whose answer cell is in the notebook, the last
            exercise's first: what an earlier exercise's mistake re-runs (the
            demonstrations built on its answer) is then never read again.
    """

    names: list[CellNames]
    last: int
    plans: list[_Plan]


def lesson_plans(
    notebook: nbformat.NotebookNode,
    bugs: Sequence[Bug],
    complete: Sequence[str] = (),
    ran_until: int | None = None,
    verdicts: bool = True,
) -> LessonPlans:
    """Plan the grading of ``bugs`` in a submitted ``notebook`` (see :func:`check_notebook`).

    Args:
        notebook: the submitted notebook.
        bugs: the mistakes (those of other notebooks are ignored).
        complete: names of mistakes to grade on every cell their change reaches.
        ran_until: the last cell the kernel ran before the mistakes are graded (by
            default the last graded cell): a mistake whose cells read a name that a
            cell up to there assigns again is marked stale.
        verdicts: whether the grader decides the cells that declare cases (its
            ``grader_verdicts``): their hidden parts then never run in the kernel.
    """
    ids = [_grade_id(cell) for cell in notebook.cells]
    graded = {i for i, cell in enumerate(notebook.cells) if _is_graded(cell)}
    last = max(graded)
    names = [kernel_names(cell, verdicts) for cell in notebook.cells]
    answers = solution_answers(notebook)
    mine = sorted((b for b in bugs if b.cell in ids), key=lambda b: -ids.index(b.cell))
    until = last if ran_until is None else ran_until
    own = exercise_tests(notebook)
    plans = [
        _plan(b, names, ids, answers, graded, last, b.name in complete, until, own) for b in mine
    ]
    return LessonPlans(names, last, plans)


def check_notebook(
    path: Path,
    bugs: Sequence[Bug],
    quick: bool | None = None,
    complete: Sequence[str] = (),
    workdir: Path | None = None,
) -> LessonCheck:
    """Grade the solution notebook at ``path`` and each of ``bugs`` in one kernel.

    For each mistake only the cells whose result a check reads are executed: the
    cells its change reaches (:func:`cells_to_rerun`) minus the graded cells it is
    allowed to fail (its exercise's other tests, whose verdicts no check reads) and what only
    they, or only demonstrations, use (:func:`cells_that_matter`). Such a cell counts
    0 points in the report, so its score is a lower bound of nbgrader's (the mistake's
    own public test always runs, so the score is below full marks either way).

    Args:
        path: a solution notebook (its folder is copied as the kernel's working folder).
        bugs: mistakes whose answer cell is in this notebook (others are ignored).
        quick: quick mode for the kernel; by default the grading mode, quick
            (``RNN_COURSE_ROUND_TRIPS=full`` for full size).
        complete: names of mistakes to grade on every cell their change reaches (to
            compare every verdict with nbgrader's).
        workdir: where to copy the lesson folder (a temporary folder by default).

    Returns:
        The solution's report and one report per mistake, as nbgrader would grade a
        submission of the solution with that one answer replaced.
    """
    prepare_environment()
    if quick is None:
        quick = os.environ.get("RNN_COURSE_ROUND_TRIPS") != "full"
    notebook = as_submitted(nbformat.read(path, as_version=4))
    lesson = lesson_plans(notebook, bugs, complete, verdicts=GraderKernel.verdicts())
    names, plans, last = lesson.names, lesson.plans, lesson.last

    result = LessonCheck(notebook=path.stem, baseline=GradeReport(0, 0))
    with tempfile.TemporaryDirectory(prefix="answer-check-") as scratch:
        folder = Path(workdir or scratch) / path.parent.name
        shutil.copytree(path.parent, folder, dirs_exist_ok=True)
        with quick_mode(quick):
            kernel = GraderKernel(notebook, folder)
            baseline = _Grades()
            with kernel.running():
                for index in range(last + 1):
                    baseline.record(kernel.run(index))
                result.baseline = _report(baseline.verdicts, baseline.texts)
                reports, rerun = drive(mistake_runs(plans, names, baseline), kernel.run)
                result.reports.update(reports)
                result.rerun.update(rerun)
            for plan in plans:
                if plan.stale:
                    grades = _Grades()
                    with GraderKernel(notebook, folder).running() as fresh:
                        for index in range(last + 1):
                            source = plan.wrong if index == plan.start else None
                            grades.record(fresh.run(index, source))
                    result.reports[plan.bug.name] = _report(grades.verdicts, grades.texts)
                    result.rerun[plan.bug.name] = list(range(last + 1))
                    result.fresh_kernel.append(plan.bug.name)
    return result


#: What :func:`mistake_runs` asks for (a cell to execute, with this source or its own)
#: and what it is sent back (that cell, executed).
CellRequest = tuple[int, str | None]


def mistake_runs(
    plans: Sequence[_Plan], names: Sequence[CellNames], baseline: _Grades
) -> Generator[CellRequest, nbformat.NotebookNode, tuple[dict, dict]]:
    """Grade the in-kernel ``plans`` one after the other, in a kernel that ran the solution.

    A generator, so that one plan serves every way of executing a cell (a
    :class:`GraderKernel` in this process, or nbgrader's own executor during a real
    autograde, :class:`MistakeGradingExecute`): it yields ``(index, source)`` for each
    cell to execute (``source`` None: the solution's own) and is sent the executed cell.
    Mistakes whose plan is stale are left out (they need a fresh kernel).

    Args:
        plans: one per mistake, in the order to grade them.
        names: :func:`cell_names` of every cell.
        baseline: the solution's verdicts, which a mistake's unchanged cells keep.

    Returns:
        (reports, rerun): a :class:`GradeReport` and the cells executed, by mistake name.
    """
    reports: dict[str, GradeReport] = {}
    rerun: dict[str, list[int]] = {}
    in_kernel = [plan for plan in plans if not plan.stale]
    for number, plan in enumerate(in_kernel):
        grades = baseline.copy()
        for index in plan.cells:
            source = plan.wrong if index == plan.start else None
            grades.record((yield index, source))
        reports[plan.bug.name] = _report(*grades.unrun(plan.unrun))
        rerun[plan.bug.name] = plan.cells
        later = [other.cells for other in in_kernel[number + 1 :]]
        for index in restore_plan(names, plan.cells, later):
            yield index, None
    return reports, rerun


def drive(runs: Generator, execute: Callable[[int, str | None], nbformat.NotebookNode]):
    """Run the generator ``runs`` (:func:`mistake_runs`), executing each cell it asks for."""
    try:
        request = next(runs)
        while True:
            request = runs.send(execute(*request))
    except StopIteration as stop:
        return stop.value


# ------------------------------------------------------------ inside a real autograde


class MistakeGradingExecute(ResilientExecute):
    """The grader's executor, which also grades typical mistakes in the grading kernel.

    A real autograde of the solution runs the notebook as usual (up to its last graded
    cell, or whole if ``run_whole_notebook``); once its last cell to run has run, this
    executor grades each of ``lesson``'s mistakes in the same kernel
    (:func:`mistake_runs`, on a copy of the notebook, so that the graded notebook, its
    outputs and the kernel-restart bookkeeping are the solution's). The notebook's own
    cells run in their order, untouched by the mistakes; a mistake whose cells read a
    name that a later cell assigned again is stale (:func:`stale_reads` up to the last
    cell run). The solution round trip and the
    in-kernel check of every mistake then cost one execution of the lesson. The reports
    are written to ``report_dir`` as ``<notebook>.json`` (:func:`read_mistake_reports`);
    a stale mistake, which needs a fresh kernel, is only listed there, for the caller
    to grade.

    Plugged in by :func:`grade_mistakes_while_autograding`; only the tests use it.
    """

    lesson = Unicode("", help="the lesson whose typical mistakes to grade").tag(config=True)
    bugs_file = Unicode("", help="a module whose BUGS to grade instead of the lesson's").tag(
        config=True
    )
    report_dir = Unicode("", help="where to write each notebook's reports").tag(config=True)
    complete = List(Unicode(), help="mistakes graded on every cell they reach").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        valid = load_valid_answers(self.lesson, self.bugs_file or None)
        bugs = [*load_bugs(self.lesson, self.bugs_file or None), *valid]
        complete = [*self.complete, *(answer.name for answer in valid)]
        self._ran_until = len(nb.cells) - 1 if self.run_whole_notebook else last_graded_index(nb)
        self._lesson_plans = lesson_plans(
            nb, bugs, complete, ran_until=self._ran_until, verdicts=self.grader_verdicts
        )
        self._baseline = _Grades()
        self._check = LessonCheck(notebook=resources["unique_key"], baseline=GradeReport(0, 0))
        nb, resources = super().preprocess(nb, resources, km=km)
        check = self._check
        check.fresh_kernel = [plan.bug.name for plan in self._lesson_plans.plans if plan.stale]
        folder = Path(self.report_dir)
        folder.mkdir(parents=True, exist_ok=True)
        report = json.dumps(dataclasses.asdict(check), indent=1)
        (folder / f"{check.notebook}.json").write_text(report, encoding="utf-8")
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        self._baseline.record(cell)
        if index == self._lesson_plans.last:
            self._check.baseline = _report(self._baseline.verdicts, self._baseline.texts)
        if index == self._ran_until:
            self._grade_mistakes()
        return cell, resources

    def _grade_mistakes(self) -> None:
        plans = self._lesson_plans
        graded_nb, displays = self.nb, copy.deepcopy(self._display_id_map)
        replayable, kept = list(self._replayable), dict(self._kept_chars)
        # nbclient stores every executed cell into self.nb: give it a copy to write into.
        self.nb = copy.deepcopy(graded_nb)

        def run(index: int, source: str | None) -> nbformat.NotebookNode:
            cell = copy.deepcopy(graded_nb.cells[index])
            if source is not None:
                cell.source = source
            if cell.cell_type != "code":
                return cell
            cell.outputs = []
            self._kept_chars.pop(index, None)  # the output cap counts per execution here
            return self.execute_cell(cell, index)

        incidents = len(self.incidents)
        try:
            runs = mistake_runs(plans.plans, plans.names, self._baseline)
            reports, rerun = drive(runs, run)
            if len(self.incidents) > incidents:  # a restart replayed cells as a mistake left them
                raise RuntimeError(
                    f"a typical mistake broke the kernel: {self.incidents[incidents:]}"
                )
        finally:
            self.nb, self._display_id_map = graded_nb, displays
            self._replayable, self._kept_chars = replayable, kept
        self._check.reports.update(reports)
        self._check.rerun.update(rerun)


def grade_mistakes_while_autograding(
    course: Path,
    lesson: str,
    report_dir: Path,
    complete: Sequence[str] = (),
    bugs_file: Path | None = None,
) -> None:
    """Make ``course``'s autograde grade ``lesson``'s mistakes too (:class:`MistakeGradingExecute`).

    Appends to the course copy's ``nbgrader_config.py``: the executor (first of the
    autograde preprocessors) becomes :class:`MistakeGradingExecute`, configured like
    ``ResilientExecute`` (traitlets applies a parent class's settings to a subclass):
    it stops after the last graded cell, as the grader does, and grades the mistakes
    there.
    """
    executor = f"{MistakeGradingExecute.__module__}.{MistakeGradingExecute.__name__}"
    lines = [
        "",
        "# tests: grade the typical mistakes in the grading kernel (course_tools.answer_check)",
        "c.Autograde.autograde_preprocessors = "
        f"[{executor!r}] + list(c.Autograde.autograde_preprocessors[1:])",
        f"c.MistakeGradingExecute.lesson = {lesson!r}",
        f"c.MistakeGradingExecute.report_dir = {str(report_dir)!r}",
        f"c.MistakeGradingExecute.complete = {list(complete)!r}",
        f"c.MistakeGradingExecute.bugs_file = {str(bugs_file or '')!r}",
        "",
    ]
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write("\n".join(lines))


def read_mistake_reports(report_dir: Path) -> dict[str, LessonCheck]:
    """The :class:`LessonCheck` of each notebook :class:`MistakeGradingExecute` graded."""

    def report(data: dict) -> GradeReport:
        cells = {cell: tuple(grade) for cell, grade in data["cells"].items()}
        return GradeReport(data["score"], data["max_score"], cells, data["outputs"])

    checks = {}
    for path in sorted(Path(report_dir).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        checks[data["notebook"]] = LessonCheck(
            notebook=data["notebook"],
            baseline=report(data["baseline"]),
            reports={name: report(r) for name, r in data["reports"].items()},
            rerun=data["rerun"],
            fresh_kernel=data["fresh_kernel"],
        )
    return checks


def autograde_solution_and_mistakes(
    folder: Path,
    lesson: str,
    complete: Sequence[str] = (),
    bugs_file: Path | None = None,
    edit_solutions: Callable[[Path], None] | None = None,
) -> tuple[dict[str, GradeReport], dict[str, LessonCheck]]:
    """The solution's real round trip, with every typical mistake graded in its kernel.

    A course copy in ``folder`` releases ``lesson``, the solution's answers are
    submitted and autograded by :class:`MistakeGradingExecute`, up to the last graded
    cell as the grader runs it, with the mistakes graded there (the autograded
    notebooks are in ``folder / "course" / "autograded" / "solution"``). A mistake
    whose cells would read a later value is graded afterwards from the top
    (:func:`check_notebook`).

    Args:
        folder: an empty folder for the course copy and the reports.
        lesson: the lesson.
        complete: mistakes to grade on every cell they reach.
        bugs_file: a module of mistakes to grade instead of the lesson's own.
        edit_solutions: called with the copy's ``solutions/<lesson>`` folder before the
            release (a test that breaks the lesson on purpose).

    Returns:
        (gradebook, checks): the gradebook's report and the in-kernel
        :class:`LessonCheck`, each by notebook.
    """
    course = make_course(folder / "course", [lesson])
    solutions = course / "solutions" / lesson
    if edit_solutions is not None:
        edit_solutions(solutions)
    grade_mistakes_while_autograding(course, lesson, folder / "reports", complete, bugs_file)
    release(course, lesson)
    submit(course, lesson, "solution", lesson_answers(solutions))
    gradebook = autograde(course, lesson, "solution")
    checks = read_mistake_reports(folder / "reports")
    valid = load_valid_answers(lesson, bugs_file)
    bugs = [*load_bugs(lesson, bugs_file), *valid]
    complete = [*complete, *(answer.name for answer in valid)]
    for name, check in checks.items():
        if check.fresh_kernel:
            stale = [bug for bug in bugs if bug.name in check.fresh_kernel]
            fresh = check_notebook(solutions / f"{name}.ipynb", stale, complete=complete)
            check.reports.update(fresh.reports)
            check.rerun.update(fresh.rerun)
    return gradebook, checks


# ----------------------------------------------------------------------------- verdicts


def assert_typical_mistake(report: GradeReport, bug: Bug, own_tests: Collection[str]) -> None:
    """The grader's verdict on one mistake is what the course promises.

    Its public test fails with the message that names it, it costs points only in its
    own exercise (``own_tests``: :func:`~course_tools.course_copy.exercise_tests` of its
    answer cell), and it earns partial credit.

    Raises:
        AssertionError: saying which promise broke.
    """
    if not 0 < report.score < report.max_score:
        raise AssertionError(f"{bug.name}: score {report.score}/{report.max_score}, not partial")
    if report.cells[bug.failing_test][0] != 0:
        raise AssertionError(f"{bug.name}: {bug.failing_test} did not fail")
    if bug.message not in report.outputs[bug.failing_test]:
        raise AssertionError(
            f"{bug.name}: the message of {bug.failing_test} should name the mistake "
            f"({bug.message!r}); it said:\n{report.outputs[bug.failing_test]}"
        )
    if bug.failing_test not in own_tests:
        raise AssertionError(f"{bug.name}: {bug.failing_test} is not a test of {bug.cell}")
    allowed = set(own_tests)
    collateral = {c: s for c, s in report.cells.items() if s[0] < s[1] and c not in allowed}
    if collateral:
        raise AssertionError(f"{bug.name}: other exercises lost points too: {collateral}")


def error_lines(report: GradeReport) -> dict[str, list[str]]:
    """The ``Name: message`` lines of the errors each graded cell showed."""
    return {
        cell: [
            line for line in text.splitlines() if re.match(r"^\w+(Error|Exception|Died): ", line)
        ]
        for cell, text in report.outputs.items()
    }


def assert_same_grades(gradebook: GradeReport, in_kernel: GradeReport, what: str) -> None:
    """nbgrader's gradebook and this module graded one submission alike, cell by cell.

    The same (score, max score) for every graded cell, and the same error lines in the
    cells that failed.

    Raises:
        AssertionError: listing the cells on which they disagree.
    """
    cells = sorted(set(gradebook.cells) | set(in_kernel.cells))
    differ = {
        cell: (gradebook.cells.get(cell), in_kernel.cells.get(cell))
        for cell in cells
        if gradebook.cells.get(cell) != in_kernel.cells.get(cell)
    }
    if differ:
        raise AssertionError(f"{what}: nbgrader vs in-kernel (score, max) differ: {differ}")
    real, fast = error_lines(gradebook), error_lines(in_kernel)
    messages = {
        cell: (real.get(cell), fast.get(cell)) for cell in cells if real.get(cell) != fast.get(cell)
    }
    if messages:
        raise AssertionError(f"{what}: nbgrader vs in-kernel error messages differ: {messages}")
