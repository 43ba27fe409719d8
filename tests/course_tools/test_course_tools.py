"""The grading and CI tooling: its environment, the architecture contract, the Makefile."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_tools.course_copy import LESSONS, PROJECT_ROOT
from course_tools.environment import QUICK_MODE_ENV, environment, quick_mode
from course_tools.notebooks import execute


def tracked_files(*patterns: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *patterns],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    )
    return [PROJECT_ROOT / line for line in out.stdout.splitlines() if line]


def test_environment_restores_every_variable_it_changed(monkeypatch):
    monkeypatch.setenv("RNN_COURSE_TEST_A", "before")
    monkeypatch.delenv("RNN_COURSE_TEST_B", raising=False)
    with environment(RNN_COURSE_TEST_A=None, RNN_COURSE_TEST_B="inside"):
        assert "RNN_COURSE_TEST_A" not in os.environ
        assert os.environ["RNN_COURSE_TEST_B"] == "inside"
    assert os.environ["RNN_COURSE_TEST_A"] == "before"
    assert "RNN_COURSE_TEST_B" not in os.environ


def test_quick_mode_is_switched_for_a_block_only(monkeypatch):
    monkeypatch.delenv(QUICK_MODE_ENV, raising=False)
    with quick_mode():
        assert os.environ[QUICK_MODE_ENV] == "1"
    assert QUICK_MODE_ENV not in os.environ
    monkeypatch.setenv(QUICK_MODE_ENV, "1")
    with quick_mode(False):
        assert QUICK_MODE_ENV not in os.environ
    assert os.environ[QUICK_MODE_ENV] == "1"


@pytest.mark.slow
def test_kernels_started_by_the_tooling_order_sets_of_strings_the_same_way(tmp_path):
    """PYTHONHASHSEED works only in a new process: the tooling sets it for its kernels."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "words = {'gate', 'state', 'cell', 'mask', 'token', 'layer', 'scan', 'epoch'}\n"
        "print(list(words))"
    )]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = tmp_path / "hash.ipynb"
    orders = []
    for _ in range(2):
        nbformat.write(notebook, path)
        execute(path, quick=False, store=True)
        orders.append(nbformat.read(path, as_version=4).cells[0].outputs[0].text)
    assert orders[0] == orders[1], "two kernels ordered the same set differently"


def _phony_targets() -> list[str]:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    return re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE).group(1).split()


def test_make_help_lists_every_target():
    shown = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=PROJECT_ROOT,
        capture_output=True, text=True, check=True,
    ).stdout
    missing = [t for t in _phony_targets() if not re.search(rf"^make {t}\b", shown, re.M)]
    assert not missing, f"`make help` does not mention: {missing}"


def test_no_sys_path_edits_and_nothing_imports_the_tests():
    offenders = []
    for path in tracked_files("*.py"):
        if path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"sys\.path\s*(\.|\[|=|\+)", text):
            offenders.append(f"{path.relative_to(PROJECT_ROOT)}: edits sys.path")
        if re.search(r"^\s*(from|import)\s+tests\b", text, re.MULTILINE):
            offenders.append(f"{path.relative_to(PROJECT_ROOT)}: imports tests")
    assert not offenders, offenders


def test_every_file_the_project_files_cite_exists():
    cited = set()
    project_files = ("pyproject.toml", "environment.yml", "README.md", "Makefile",
                     "nbgrader_config.py")
    for name in project_files:
        text = (PROJECT_ROOT / name).read_text(encoding="utf-8")
        cited |= {(name, m) for m in re.findall(r"\b((?:tests|benchmarks|course_tools|rnn_lib)"
                                                 r"/[\w/.-]+\.(?:py|cfg|json))", text)}
    missing = sorted((name, path) for name, path in cited if not (PROJECT_ROOT / path).exists())
    assert not missing, f"cited but missing (file, path): {missing}"


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(lint), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )


def test_architecture_contract_holds():
    result = _lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("rnn_lib/sequences/text.py", "import course_tools.grading\n"),
        ("rnn_lib/notebook/timing.py", "from nbgrader.preprocessors import Execute\n"),
        # a lower layer importing a higher one
        ("rnn_lib/layers/lstm.py", "from rnn_lib.tasks import experiments\n"),
        ("rnn_lib/tasks/char_lm.py", "from rnn_lib.imdb import model\n"),
        ("rnn_lib/notebook/claims.py", "from rnn_lib.data import home\n"),
        # independent siblings
        ("rnn_lib/data/synthetic.py", "from rnn_lib.sequences import text\n"),
    ],
)
def test_architecture_contract_fails_on_a_forbidden_import(tmp_path, module, line):
    for package in ("rnn_lib", "course_tools"):
        shutil.copytree(PROJECT_ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + "\n" + line)
    result = _lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout or "broken" in result.stdout, result.stdout


def test_grading_waits_a_minute_for_a_cells_last_output():
    """nbgrader raises on an IOPub timeout, and the error aborts the notebook's grading.

    nbclient's default (4 s) aborted the grading of a whole lesson 07 submission on a
    loaded 2-core machine (a full-size, one-thread round trip beside another job);
    the course's configuration must give both executors a minute.
    """
    from traitlets.config.loader import PyFileConfigLoader

    from course_tools.nbgrader_plugins import ResilientExecute

    config = PyFileConfigLoader("nbgrader_config.py", path=str(PROJECT_ROOT)).load_config()
    executor = ResilientExecute(config=config)
    assert executor.raise_on_iopub_timeout, "nbgrader's setting changed: revisit this test"
    assert executor.iopub_timeout >= 60
    assert config.Execute.iopub_timeout >= 60


def test_a_course_copy_starts_with_the_gradebook_nbgrader_would_create(tmp_path):
    import sqlite3

    from nbgrader.api import Gradebook

    from course_tools.course_copy import make_course
    from course_tools.grading import nbgrader_api

    course = make_course(tmp_path / "course", ["01_sequence_data"])
    coursedir = nbgrader_api(course).coursedir
    fresh = tmp_path / "fresh.db"
    with Gradebook(f"sqlite:///{fresh}", course_id=coursedir.course_id):  # runs alembic
        pass

    def contents(path):
        with sqlite3.connect(path) as db:
            schema = sorted(db.execute("SELECT type, name, sql FROM sqlite_master"))
            version = db.execute("SELECT version_num FROM alembic_version").fetchall()
            courses = db.execute("SELECT id FROM course").fetchall()
        return schema, version, courses

    copied = contents(course / "gradebook.db")
    assert coursedir.db_url == f"sqlite:///{course / 'gradebook.db'}"
    assert copied == contents(fresh)
    assert copied[1] != [] and copied[2] == [(coursedir.course_id,)]


def test_the_readme_shows_the_current_table_of_typical_mistakes():
    from course_tools.feedback_table import lesson_feedback, markdown_table

    table = markdown_table([lesson_feedback(lesson) for lesson in LESSONS])
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert table in readme, f"README.md: replace the table of typical mistakes with\n{table}"
