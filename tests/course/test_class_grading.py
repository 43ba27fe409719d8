"""A class graded three ways gives the same gradebook: one at a time, JOBS=2, a Dask cluster.

The class (lesson 01): a correct submission, a blank one, a typical mistake and a
corrupt notebook. Graded by the serial grader (nbgrader's autograde in the course, one
submission after another), by ``jobs=2`` (a ``LocalCluster`` of two worker processes,
one process writing the gradebook) and through an existing Dask scheduler's address (a
``LocalCluster`` on 127.0.0.1 that the test starts): every cell's score must be the same.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time

import nbformat
import pytest

from course_tools.answer_check import load_bugs
from course_tools.course_copy import SOLUTIONS, make_course, release, solution_answers, submit
from course_tools.grading import autograde_all, nbgrader_api
from course_tools.notebooks import coalesce_streams

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("class-grading")]

LESSON = "01_sequence_data"


def cell_scores(course) -> dict:
    """(student, grade_id) -> (score, max score) for every graded cell in the gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(nbgrader_api(course).coursedir.db_url) as gradebook:
        for student in gradebook.students:
            try:
                submission = gradebook.find_submission(LESSON, student.id)
            except Exception:  # noqa: BLE001 - not graded
                continue
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores[student.id, grade.name] = (grade.score, grade.max_score)
    return scores


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory):
    """A released lesson 01 with four submissions, to be copied for each way of grading."""
    course = make_course(tmp_path_factory.mktemp("class") / "course", [LESSON])
    release(course, LESSON)
    answers = solution_answers(nbformat.read(SOLUTIONS / LESSON / f"{LESSON}.ipynb", as_version=4))
    submit(course, LESSON, "ada", answers)
    submit(course, LESSON, "blank", {})
    bug = load_bugs(LESSON)[0]
    submit(course, LESSON, bug.name, {**answers, bug.cell: bug.apply(answers[bug.cell])})
    submit(course, LESSON, "corrupt", answers)
    (course / "submitted" / "corrupt" / LESSON / f"{LESSON}.ipynb").write_text("{not json")
    return course


def shown(notebook) -> list:
    """Each cell's outputs, consecutive stream chunks merged."""
    return [coalesce_streams(c.get("outputs", [])) for c in notebook.cells]


def copy_of(course, tmp_path, name):
    target = tmp_path / name
    shutil.copytree(course, target)
    return target


@pytest.fixture(scope="module")
def graded_three_ways(class_folder, tmp_path_factory):
    """The class graded serially, with jobs=2, and on a cluster given by its address."""
    from distributed import Client, LocalCluster

    root = tmp_path_factory.mktemp("graded")
    serial, parallel, clustered = (copy_of(class_folder, root, n) for n in ("s", "p", "c"))
    quiet, shown_lines = [], []
    summaries = [autograde_all(serial, out=quiet.append)]
    summaries.append(autograde_all(parallel, out=shown_lines.append, jobs=2))
    summaries[1]["lines"] = shown_lines
    # on the cluster, also a submission whose kernel dies in its first exercise (os._exit),
    # and one worker process killed while it grades
    answers = solution_answers(nbformat.read(SOLUTIONS / LESSON / f"{LESSON}.ipynb", as_version=4))
    dying = answers["make_windows"] + "\n\nimport os\nos._exit(1)\n"
    submit(clustered, LESSON, "dies", {**answers, "make_windows": dying})
    killed = []
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None, memory_limit=0, host="127.0.0.1"
    )
    with cluster, Client(cluster) as watcher:
        thread = threading.Thread(target=kill_a_busy_worker, args=(watcher, killed))
        thread.start()
        address = cluster.scheduler_address
        summaries.append(autograde_all(clustered, out=quiet.append, scheduler=address))
        thread.join()
    summaries[2]["killed"] = killed
    return (serial, parallel, clustered), summaries


def kill_a_busy_worker(client, killed: list, wait: float = 2.0) -> None:
    """SIGKILL the first worker process seen grading, ``wait`` seconds into its task."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not killed:
        busy = [worker for worker, tasks in client.processing().items() if tasks]
        if busy:
            time.sleep(wait)
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        time.sleep(0.2)


def test_serial_two_jobs_and_a_cluster_give_the_same_scores(graded_three_ways):
    (serial, parallel, clustered), summaries = graded_three_ways
    expected = cell_scores(serial)
    assert len(expected) == 3 * 8, "three graded submissions of eight test cells each"
    assert {student for student, _ in expected} == {"ada", "blank", load_bugs(LESSON)[0].name}
    assert len({score for score in expected.values()}) > 1, "some cells lost points"
    assert cell_scores(parallel) == expected
    clustered_scores = cell_scores(clustered)
    assert {k: v for k, v in clustered_scores.items() if k[0] != "dies"} == expected
    lines = summaries[1]["lines"]
    assert lines[0] == "grading 4 submissions on 2 worker processes"
    assert any(line.startswith(f"ada / {LESSON}: 11/11 (") for line in lines)
    assert "Graded 3 of 4 submissions; 1 could not be graded." in lines
    for summary in summaries:
        graded = [row for row in summary["graded"] if row[0] != "dies"]
        assert sorted(graded) == sorted(summaries[0]["graded"])
        assert [(s, lesson) for s, lesson, _ in summary["failed"]] == [("corrupt", LESSON)]
    # what the grader showed is the same too, output for output (how a kernel cuts its
    # stdout into messages depends on timing: the text is compared, not the cuts)
    for student in ("ada", "blank"):
        name = f"autograded/{student}/{LESSON}/{LESSON}.ipynb"
        want = shown(nbformat.read(serial / name, as_version=4))
        for other in (parallel, clustered):
            assert shown(nbformat.read(other / name, as_version=4)) == want


def test_a_worker_killed_mid_submission_costs_a_retry_and_a_dying_kernel_its_exercise(
    graded_three_ways,
):
    (_, _, clustered), summaries = graded_three_ways
    assert summaries[2]["killed"], "no worker was busy to be killed"
    # every submission was graded all the same (compared above); the one whose kernel died:
    dies = {cell: s for (student, cell), s in cell_scores(clustered).items() if student == "dies"}
    assert dies["test_make_windows"][0] == 0, "the exercise whose kernel died scores 0"
    assert dies["test_vocabulary"][0] == dies["test_vocabulary"][1], "the next one is graded"
    assert any(student == "dies" for student, _, _ in summaries[2]["incidents"])


class InterruptedRunError(Exception):
    """Stands for Ctrl-C in the middle of a run."""


def test_a_run_interrupted_and_rerun_with_only_new_gives_the_clean_run_s_scores(
    class_folder, graded_three_ways, tmp_path
):
    (serial, _, _), _ = graded_three_ways
    course = copy_of(class_folder, tmp_path, "interrupted")

    def stop_after_the_first(line):
        if " / " in line.split(":")[0] and "NOT GRADED" not in line:  # one was recorded
            raise InterruptedRunError(line)

    with pytest.raises(InterruptedRunError):
        autograde_all(course, out=stop_after_the_first, jobs=2)
    recorded = cell_scores(course)
    assert 0 < len(recorded) < len(cell_scores(serial)), "the run stopped part of the way"
    rerun = autograde_all(course, out=lambda line: None, jobs=2, regrade=False)
    assert rerun["skipped"], "what the interrupted run recorded is not graded again"
    assert cell_scores(course) == cell_scores(serial)
