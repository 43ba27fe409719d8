"""Grading a whole class: many submissions at once, one process writing the gradebook.

nbgrader grades one submission at a time, in the process that holds the gradebook (its
issue #174). Here the grading of one submission is a pure function of the gradebook as it
was when the run started and of the submission's files (:func:`grade_submission`): it
runs nbgrader's autograde in a private copy of the course, in the grading sandbox, and
returns the graded notebooks as text. Any number of them can run at once, on this machine
or on a cluster. The coordinator (:func:`record_graded`), one process, then writes each
result into the real gradebook with nbgrader's own autograde, whose executor replays the
graded notebook's outputs instead of running anything (:class:`ReplayExecute`): the
gradebook gets exactly the rows a serial ``nbgrader autograde`` would write, and no two
processes ever write it.

The work is handed out by ``dask.distributed``: ``jobs=N`` starts a ``LocalCluster`` of
N single-threaded worker processes; ``scheduler="tcp://host:8786"`` sends it to an
existing Dask scheduler (one started by ``dask-jobqueue`` on Slurm, or by the Dask
Kubernetes operator), whose workers need this project installed and the data home.
A task whose worker dies is retried on another one by Dask; a submission that fails is
reported and the others go on.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

#: How many times Dask retries a submission whose grading did not finish (a worker died).
RETRIES = 2


@dataclass
class Graded:
    """What grading one submission returns (plain data: it may cross machines).

    Attributes:
        student, lesson: the submission.
        notebooks: each graded notebook's JSON text, by notebook name (no ``.ipynb``).
        error: why it could not be graded (then ``notebooks`` is empty), or ``""``.
        seconds: how long grading took.
    """

    student: str
    lesson: str
    notebooks: dict[str, str]
    error: str = ""
    seconds: float = 0.0


def pack_folder(folder: Path) -> bytes:
    """A folder's files as a gzipped tar (to send a submission to a remote worker)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.add(path, arcname=str(path.relative_to(folder)))
    return buffer.getvalue()


def grade_submission(
    student: str,
    lesson: str,
    submission: bytes,
    gradebook: bytes,
    config: str,
    full: bool = False,
) -> Graded:
    """Grade one submission in a private course copy; the result as data.

    Runs on any machine with the project installed (a Dask worker): it reads nothing of
    the real course but what it is given.

    Args:
        student, lesson: the submission's ids.
        submission: its folder, :func:`pack_folder`-ed.
        gradebook: the bytes of the gradebook as it was when the run started (the
            lesson's cells and points; nothing is written back to it).
        config: the text of the course's ``nbgrader_config.py``.
        full: run every notebook whole and at full size.

    Returns:
        The graded notebooks, or the error that stopped grading.
    """
    import time
    import warnings

    from sqlalchemy.exc import SAWarning

    from course_tools.environment import quick_mode
    from course_tools.grading import nbgrader_api, not_graded_because, unreadable_notebooks

    # nbgrader's own ORM use raises this on every submission (as in the serial grader)
    warnings.filterwarnings("ignore", category=SAWarning)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rnn-grade-") as scratch:
        course = Path(scratch) / "course"
        folder = course / "submitted" / student / lesson
        folder.mkdir(parents=True)
        (course / "nbgrader_config.py").write_text(config, encoding="utf-8")
        (course / "gradebook.db").write_bytes(gradebook)
        with tarfile.open(fileobj=io.BytesIO(submission), mode="r:gz") as archive:
            archive.extractall(folder, filter="data")
        bad = unreadable_notebooks(folder)
        if bad:
            return Graded(student, lesson, {}, not_graded_because(bad))
        with quick_mode(not full):
            result = nbgrader_api(course, whole_notebooks=full).autograde(lesson, student)
        if not result["success"]:
            return Graded(student, lesson, {}, not_graded_because(result=result))
        graded = course / "autograded" / student / lesson
        notebooks = {p.stem: p.read_text(encoding="utf-8") for p in graded.glob("*.ipynb")}
    return Graded(student, lesson, notebooks, seconds=time.perf_counter() - started)


class ReplayExecute(NbGraderPreprocessor):
    """nbgrader's executor, replaced: the outputs come from a notebook graded elsewhere.

    The coordinator's autograde runs nbgrader's whole pipeline (the cells restored from
    the gradebook, the scores saved, the late penalty) on the submission, with this in
    place of the executor: each cell gets the outputs of the same cell in the notebook
    :func:`grade_submission` returned, and the notebook the grading metadata it recorded.
    The cells must be the same, source for source, or the replay refuses.
    """

    replay_dir = Unicode("", help="the folder of the graded notebooks to replay").tag(config=True)

    def preprocess(self, nb, resources):
        path = Path(self.replay_dir) / f"{resources['unique_key']}.ipynb"
        graded = nbformat.read(path, as_version=4)
        if [c.source for c in graded.cells] != [c.source for c in nb.cells]:
            raise ValueError(f"{path.name}: the graded cells differ from the submission's")
        for cell, done in zip(nb.cells, graded.cells, strict=True):
            if cell.cell_type == "code":
                cell.outputs = done.outputs
                cell.execution_count = done.execution_count
        for key, value in graded.metadata.items():
            if key.startswith("rnn_course_"):
                nb.metadata[key] = value
        return nb, resources


def record_graded(course_root: Path, graded: Graded) -> None:
    """Write one graded submission into the course's gradebook and ``autograded/``.

    nbgrader's own autograde of the submission, with :class:`ReplayExecute` as its
    executor (no kernel runs): the same rows as if it had been graded here.

    Raises:
        RuntimeError: if nbgrader's autograde fails.
    """
    from traitlets.config.loader import PyFileConfigLoader

    from course_tools.grading import nbgrader_api

    with tempfile.TemporaryDirectory(prefix="rnn-replay-") as replay:
        for name, text in graded.notebooks.items():
            (Path(replay) / f"{name}.ipynb").write_text(text, encoding="utf-8")
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
        steps = list(config.Autograde.autograde_preprocessors)
        executor = "course_tools.nbgrader_plugins.ResilientExecute"
        steps[steps.index(executor)] = "course_tools.class_grading.ReplayExecute"
        api = nbgrader_api(course_root)
        api.config.Autograde.autograde_preprocessors = steps
        api.config.ReplayExecute.replay_dir = replay
        result = api.autograde(graded.lesson, graded.student)
    if not result["success"]:
        raise RuntimeError((result.get("error") or result.get("log") or "").strip()[-400:])


def course_inputs(course_root: Path) -> tuple[bytes, str]:
    """The gradebook's bytes (a consistent snapshot) and the nbgrader config's text."""
    import sqlite3

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "gradebook.db"
        source = sqlite3.connect(course_root / "gradebook.db")
        target = sqlite3.connect(copy)
        with target:
            source.backup(target)
        source.close()
        target.close()
        gradebook = copy.read_bytes()
    return gradebook, (course_root / "nbgrader_config.py").read_text(encoding="utf-8")




def already_graded(course_root: Path, student: str, lesson: str) -> bool:
    """Whether a submission was graded after it was last submitted (a rerun skips it).

    Its ``autograded/`` folder holds every notebook of the submission, each written
    after the submitted one: :func:`record_graded` writes them only once the gradebook
    has the scores.
    """
    submitted = sorted((course_root / "submitted" / student / lesson).glob("*.ipynb"))
    graded = course_root / "autograded" / student / lesson
    return bool(submitted) and all(
        (graded / path.name).exists()
        and (graded / path.name).stat().st_mtime >= path.stat().st_mtime
        for path in submitted
    )


def grade_in_parallel(
    course_root: Path,
    todo: list[tuple[str, str]],
    *,
    jobs: int = 2,
    scheduler: str | None = None,
    full: bool = False,
    on_graded=None,
) -> list[Graded]:
    """Grade ``todo`` on a Dask cluster and record each result as it arrives.

    Args:
        course_root: the course folder (its gradebook is written here, by this process).
        todo: (student, lesson) pairs.
        jobs: worker processes of the ``LocalCluster`` started when no ``scheduler``
            is given (one thread each: each runs one grading kernel at a time).
        scheduler: the address of an existing Dask scheduler (``tcp://host:8786``).
        full: grade whole notebooks at full size.
        on_graded: called with each :class:`Graded` once it is recorded (or failed).

    Returns:
        One :class:`Graded` per submission, in the order they finished.
    """
    from distributed import Client, LocalCluster, as_completed

    gradebook, config = course_inputs(course_root)
    if scheduler:
        cluster, client = None, Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=jobs,
            threads_per_worker=1,
            processes=True,
            memory_limit=0,  # the kernels are the sandbox's to limit, not Dask's
            dashboard_address=None,
        )
        client = Client(cluster)
    results = []
    try:
        shared = client.scatter([gradebook, config], broadcast=True)
        futures = [
            client.submit(
                grade_submission,
                student,
                lesson,
                pack_folder(course_root / "submitted" / student / lesson),
                shared[0],
                shared[1],
                full,
                key=f"grade-{student}-{lesson}",
                retries=RETRIES,
                pure=False,
            )
            for student, lesson in todo
        ]
        for future in as_completed(futures):
            try:
                graded = future.result()
            except Exception as error:  # noqa: BLE001 - one submission's failure, reported
                student, lesson = todo[futures.index(future)]
                graded = Graded(student, lesson, {}, f"{type(error).__name__}: {error}"[:200])
            if not graded.error:
                try:
                    record_graded(course_root, graded)
                except Exception as error:  # noqa: BLE001 - reported, the others go on
                    graded.error = f"recording failed: {error}"[:200]
            results.append(graded)
            if on_graded is not None:
                on_graded(graded)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results
