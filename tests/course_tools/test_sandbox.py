"""course_tools.sandbox: what a grading kernel can see, reach and use.

Each check runs untrusted-looking code inside the sandbox and decides from the outside
(files on disk, exit codes, data printed as JSON) whether it got through.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from jupyter_core.utils import run_sync
from nbclient import NotebookClient

from course_tools import sandbox
from course_tools.course_copy import PROJECT_ROOT
from course_tools.sandbox import ControlGroup, Limits, SandboxedKernelManager, sandbox_command

pytestmark = pytest.mark.sandbox  # skipped where no sandbox can be made, except under CI


def run_sandboxed(argv: list[str], workdir: Path, limits: Limits, **environ):
    """Run ``argv`` in the sandbox, in a control group of its own; the finished process.

    ``environ`` adds variables to the grader's environment that the sandbox filters.
    """
    cgroup = ControlGroup.create(limits, f"rnn-test-{workdir.name}")
    try:
        command = sandbox_command(
            argv, workdir=workdir, limits=limits, cgroup=cgroup, environ={**os.environ, **environ}
        )
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        cgroup.remove()
    assert not any(folder.exists() for folder in cgroup.folders), "control group left behind"
    return result


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


PROBE = """
import json, os, socket, sys

def readable(path):
    try:
        with open(path, "rb") as f:
            f.read(1)
        return True
    except OSError:
        return False

def writable(path):
    try:
        with open(path, "a"):
            pass
        return True
    except OSError:
        return False

def connects(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False

root, secret_file, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
print(json.dumps({
    "uid": os.getuid(),
    "rnn_lib": readable(os.path.join(root, "rnn_lib", "__init__.py")),
    "rnn_lib_writable": writable(os.path.join(root, "rnn_lib", "__init__.py")),
    "solutions": os.path.exists(os.path.join(root, "solutions")),
    "course_tools": os.path.exists(os.path.join(root, "course_tools")),
    "secret_file": readable(secret_file),
    "home": os.path.exists("/root/.bash_history") or os.path.exists("/root/.ssh"),
    "shadow": readable("/etc/shadow"),
    "workdir_writable": writable("scratch.txt"),
    "root_writable": writable("/planted.txt"),
    "project_write": writable(os.path.join(root, "planted_by_the_sandbox.txt")),
    "tmp_writable": writable("/tmp/scratch.txt"),
    "secret_variable": "GRADER_SECRET" in os.environ,
    "course_variable": os.environ.get("RNN_COURSE_SEED_OFFSET"),
    "loopback": connects("127.0.0.1", port),
    "outside": connects("10.255.255.1", 80),
    "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
}))
"""


def test_a_sandboxed_process_sees_only_python_rnn_lib_and_its_folders(tmp_path):
    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    work = tmp_path / "work"
    work.mkdir()
    with socket.create_server(("127.0.0.1", 0)) as server:  # the grader's host listens
        argv = [*python(PROBE), str(PROJECT_ROOT), str(secret), str(server.getsockname()[1])]
        result = run_sandboxed(argv, work, Limits(), GRADER_SECRET="x", RNN_COURSE_SEED_OFFSET="3")
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["uid"] == sandbox.SANDBOX_UID
    assert seen["rnn_lib"] and not seen["rnn_lib_writable"], "rnn_lib: read-only"
    assert not seen["solutions"] and not seen["course_tools"], "the course beyond rnn_lib"
    assert not seen["secret_file"] and not seen["home"] and not seen["shadow"]
    assert seen["workdir_writable"] and seen["tmp_writable"] and not seen["root_writable"]
    # A write to the project's path fails, or lands in the sandbox's private /tmp when the
    # project itself lives under /tmp (as in CI's clones): the real folder gets nothing.
    planted = PROJECT_ROOT / "planted_by_the_sandbox.txt"
    assert not planted.exists(), f"wrote into the project ({seen['project_write']})"
    assert (work / "scratch.txt").exists(), "the working folder is the real one"
    assert not seen["secret_variable"] and seen["course_variable"] == "3"
    assert not seen["loopback"] and not seen["outside"], "no network at all"
    assert len(seen["processes"]) <= 3, f"other processes visible: {seen['processes']}"


def test_processes_and_memory_are_limited_for_the_whole_sandbox(tmp_path):
    fork_bomb = """
    import os, time
    children = 0
    try:
        for _ in range(5000):
            if os.fork() == 0:
                time.sleep(2)
                os._exit(0)
            children += 1
    except OSError:
        pass
    print(children)
    """
    result = run_sandboxed(python(fork_bomb), tmp_path, Limits(processes=64))
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[0]) < 64, "the process limit did not hold"

    hog = """
    chunks = []
    for _ in range(40):
        chunks.append(b"x" * (100 * 2**20))  # 4 GB in 100 MB steps, every page written
    print("allocated it all")
    """
    result = run_sandboxed(python(hog), tmp_path, Limits(memory_bytes=2**30))
    assert "allocated it all" not in result.stdout, "the memory limit did not hold"
    assert result.returncode != 0, "the memory limit did not hold"


def test_a_sandboxed_kernel_is_interrupted_restarted_and_cleaned_up(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import os\nprint(os.getuid(), os.getcwd())"),
        nbformat.v4.new_code_cell("import time\ntime.sleep(60)"),
        nbformat.v4.new_code_cell("print('after the interrupt')"),
    ]
    client = NotebookClient(
        notebook,
        kernel_manager_class=SandboxedKernelManager,
        timeout=3,
        interrupt_on_timeout=True,
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        km = client.km
        folders = list(km._cgroup.folders)
        assert all(folder.exists() for folder in folders)
        run_sync(km.restart_kernel)(now=True)
        run_sync(client.kc.wait_for_ready)(timeout=60)
        client.execute_cell(notebook.cells[2], 2)
    first, interrupted, after = (cell.outputs for cell in notebook.cells)
    assert first[0].text.split() == [str(sandbox.SANDBOX_UID), str(tmp_path)]
    assert interrupted[-1].ename == "KeyboardInterrupt", "interrupts go as messages"
    assert after[-1].text == "after the interrupt\n", "the restarted kernel runs"
    assert not any(folder.exists() for folder in folders), "control group left behind"


@pytest.mark.filterwarnings("ignore")
def test_where_no_sandbox_can_be_made_the_reason_says_what_to_do(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    assert "apt-get install bubblewrap" in sandbox.sandbox_problem()
    monkeypatch.setattr(sandbox.sys, "platform", "darwin")
    assert "Linux namespaces" in sandbox.sandbox_problem()


def test_make_autograde_refuses_without_a_sandbox_unless_told_to(monkeypatch, tmp_path, capsys):
    from course_tools import grading

    monkeypatch.delenv(sandbox.UNSANDBOXED_ENV, raising=False)
    monkeypatch.setattr(sandbox, "_cached_problem", lambda: "no user namespaces here")
    assert grading.main(["autograde", "--course", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "Refusing to run learner code without a sandbox: no user namespaces here" in error
    assert f"{sandbox.UNSANDBOXED_ENV}=1" in error


def test_make_check_runs_the_notebook_in_the_sandbox(tmp_path):
    from course_tools.grading import check_notebook

    test_cell = nbformat.v4.new_code_cell(
        "import os\n"
        f"assert os.getuid() == {sandbox.SANDBOX_UID}, 'not in the sandbox'\n"
        f"assert not os.path.exists({str(PROJECT_ROOT / 'solutions')!r}), 'solutions/ visible'"
    )
    test_cell.metadata["nbgrader"] = {
        "grade": True, "grade_id": "test_sandboxed", "locked": True, "points": 1,
        "schema_version": 3, "solution": False, "task": False,
    }
    notebook = nbformat.v4.new_notebook(cells=[test_cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = tmp_path / "check.ipynb"
    nbformat.write(notebook, path)
    messages = []
    assert check_notebook(path, out=messages.append) == 0, messages
