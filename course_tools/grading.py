"""The instructor's grading commands, on top of nbgrader's API.

Command line (``python -m course_tools``, which the Makefile calls)::

    autograde [LESSON ...]   grade every submission in submitted/, with progress
    check NOTEBOOK           run a notebook's public tests; exit 1 if any fails

:func:`nbgrader_api` is the one way this project talks to nbgrader in-process
(``make autograde``, the tests' temporary courses and the benchmarks).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from course_tools.environment import prepare_environment


def nbgrader_api(course_root: Path, whole_notebooks: bool = False):
    """An ``NbGraderAPI`` configured by ``course_root``'s own ``nbgrader_config.py``.

    Args:
        course_root: the course folder.
        whole_notebooks: grading runs every cell, not only up to the last graded one
            (``ResilientExecute.run_whole_notebook``).
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    if whole_notebooks:
        config.ResilientExecute.run_whole_notebook = True
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


def incidents(autograded: Path) -> list[str]:
    """What went wrong while grading the notebooks in ``autograded`` (one folder of
    ``autograded/<student>/<lesson>/``), as ``ResilientExecute`` recorded it."""
    import nbformat

    from course_tools.nbgrader_plugins import INCIDENTS_KEY

    found = []
    for path in sorted(autograded.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        found.extend(notebook.metadata.get(INCIDENTS_KEY, []))
    return found


def not_graded_because(bad: list[str] | None = None, result: dict | None = None) -> str:
    """Why a submission was not graded: its unreadable notebooks, or autograde's last line."""
    if bad:
        return "corrupt notebook (" + "; ".join(bad) + ")"
    last = ((result or {}).get("error") or (result or {}).get("log") or "unknown error").strip()
    return last.splitlines()[-1][:200]


def autograde_all(
    course_root: Path,
    lessons: list[str] | None = None,
    out=print,
    full: bool = False,
    jobs: int = 1,
    scheduler: str | None = None,
    regrade: bool = True,
) -> dict:
    """Autograde every submission, printing progress; return the summary.

    A broken submission never stops the others: it is reported and skipped. Every
    lesson is graded in quick mode, where the round trips of ``make test`` prove its
    graded cells (the solution full marks, the blank release zero, every typical mistake
    its own exercise's points), and grading stops after the last graded cell (the
    feedback notes the cells it did not re-run).

    Args:
        course_root: the course folder.
        lessons: grade only these lessons (all by default).
        out: where progress lines go.
        full: run every notebook whole and at full size instead (slower; no score changes).
        jobs: submissions graded at once; above 1 (or with a ``scheduler``) through
            :mod:`course_tools.class_grading` (Dask workers, one gradebook writer).
        scheduler: the address of a Dask scheduler to grade on instead of this machine.
        regrade: grade submissions already graded since they were submitted too
            (False: a rerun after an interruption grades only the rest).

    Returns:
        ``{"graded": [(student, lesson, score, max)], "failed": [(student, lesson, why)],
        "incidents": [(student, lesson, text)], "skipped": [(student, lesson)]}``.
    """
    import warnings

    from sqlalchemy.exc import SAWarning

    # nbgrader's own ORM use triggers this on every submission; it is not the instructor's concern.
    warnings.filterwarnings("ignore", category=SAWarning)
    from course_tools.class_grading import already_graded
    from course_tools.environment import quick_mode

    api = nbgrader_api(course_root, whole_notebooks=full)
    todo = submissions(course_root, lessons)
    summary = {"graded": [], "failed": [], "incidents": [], "skipped": []}
    if not regrade:
        summary["skipped"] = [s for s in todo if already_graded(course_root, *s)]
        todo = [s for s in todo if s not in summary["skipped"]]
        if summary["skipped"]:
            out(f"{len(summary['skipped'])} submissions already graded: skipped")
    if jobs > 1 or scheduler:
        _grade_in_parallel(course_root, todo, summary, out, full, jobs, scheduler)
        todo = []
    for number, (student, lesson) in enumerate(todo, start=1):
        start = time.perf_counter()
        prefix = f"[{number}/{len(todo)}] {student} / {lesson}:"
        bad = unreadable_notebooks(course_root / "submitted" / student / lesson)
        if bad:
            why = not_graded_because(bad)
            summary["failed"].append((student, lesson, why))
            out(f"{prefix} NOT GRADED: {why}")
            continue
        with quick_mode(not full):
            result = api.autograde(lesson, student)
        if not result["success"]:
            why = not_graded_because(result=result)
            summary["failed"].append((student, lesson, why))
            out(f"{prefix} NOT GRADED: {why}")
            continue
        for text in incidents(course_root / "autograded" / student / lesson):
            summary["incidents"].append((student, lesson, text))
        score, max_score = _scores(course_root, student, lesson)
        summary["graded"].append((student, lesson, score, max_score))
        out(f"{prefix} {score:g}/{max_score:g} ({time.perf_counter() - start:.1f} s)")
    _print_summary(summary, out)
    return summary


def _scores(course_root: Path, student: str, lesson: str) -> tuple[float, float]:
    from nbgrader.api import Gradebook

    with Gradebook(nbgrader_api(course_root).coursedir.db_url) as gradebook:
        submission = gradebook.find_submission(lesson, student)
        return submission.score, submission.max_score


def _grade_in_parallel(course_root, todo, summary, out, full, jobs, scheduler) -> None:
    """:func:`course_tools.class_grading.grade_in_parallel`, with a progress bar."""
    from tqdm import tqdm

    from course_tools.class_grading import grade_in_parallel

    where = scheduler or f"{jobs} worker processes"
    out(f"grading {len(todo)} submissions on {where}")
    with tqdm(total=len(todo), unit="submission", file=sys.stdout, dynamic_ncols=True) as bar:

        def write(line: str) -> None:
            with tqdm.external_write_mode(file=sys.stdout):
                out(line)

        def graded(result):
            prefix = f"{result.student} / {result.lesson}:"
            if result.error:
                summary["failed"].append((result.student, result.lesson, result.error))
                write(f"{prefix} NOT GRADED: {result.error}")
            else:
                score, max_score = _scores(course_root, result.student, result.lesson)
                summary["graded"].append((result.student, result.lesson, score, max_score))
                for text in incidents(course_root / "autograded" / result.student / result.lesson):
                    summary["incidents"].append((result.student, result.lesson, text))
                write(f"{prefix} {score:g}/{max_score:g} ({result.seconds:.1f} s)")
            bar.update(1)

        grade_in_parallel(
            course_root, todo, jobs=jobs, scheduler=scheduler, full=full, on_graded=graded
        )


def _print_summary(summary: dict, out) -> None:
    total = len(summary["graded"]) + len(summary["failed"])
    out("")
    out(
        f"Graded {len(summary['graded'])} of {total} submissions; "
        f"{len(summary['failed'])} could not be graded."
    )
    for student, lesson, why in summary["failed"]:
        out(f"  not graded: {student} / {lesson}: {why}")
    for student, lesson, text in summary["incidents"]:
        out(f"  note: {student} / {lesson}: {text}")


def check_notebook(path: Path, out=print) -> int:
    """Run a notebook and its public tests (nbgrader's validator); 0 if all pass.

    The kernel runs in the grading sandbox where one can be made
    (:mod:`course_tools.sandbox`: an instructor may check a learner's notebook), and
    unconfined elsewhere, with a note: on a learner's own machine it is their own code.
    """
    from nbgrader.validator import Validator
    from traitlets.config import Config

    from course_tools.sandbox import SandboxedKernelManager, sandbox_problem

    config = Config()
    problem = sandbox_problem()
    if problem is None:
        config.Execute.kernel_manager_class = SandboxedKernelManager
    else:
        out(f"note: no sandbox on this machine ({problem}); the notebook runs unconfined.")
    results = Validator(config=config).validate(str(path))
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
    prepare_environment()
    parser = argparse.ArgumentParser(prog="python -m course_tools")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("autograde", help="grade every submission in submitted/")
    grade.add_argument("lessons", nargs="*")
    grade.add_argument("--course", type=Path, default=Path.cwd())
    grade.add_argument(
        "--full",
        action="store_true",
        help="run every notebook whole and at full size (the default stops after the last "
        "graded cell, in quick mode, where the round trips prove the graded cells)",
    )
    grade.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="submissions graded at once (worker processes of a local Dask cluster)",
    )
    grade.add_argument("--scheduler", help="grade on this Dask scheduler (tcp://host:8786)")
    grade.add_argument(
        "--only-new",
        action="store_true",
        help="skip submissions graded since they were submitted (resume an interrupted run)",
    )
    check = commands.add_parser("check", help="run a notebook's public tests")
    check.add_argument("notebook", type=Path)
    args = parser.parse_args(argv)
    if args.command == "autograde":
        from course_tools.sandbox import grading_refusal

        refused = grading_refusal()
        if refused is not None:
            print(refused, file=sys.stderr)
            return 2
        summary = autograde_all(
            args.course.resolve(),
            args.lessons or None,
            full=args.full,
            jobs=args.jobs,
            scheduler=args.scheduler,
            regrade=not args.only_new,
        )
        return 1 if summary["failed"] else 0
    return check_notebook(args.notebook)


if __name__ == "__main__":
    sys.exit(main())
