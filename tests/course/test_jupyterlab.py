"""`make lab` opens a working JupyterLab, and a learner's loop works in it, in a real browser.

One JupyterLab is started for the module, from :func:`course_tools.lab.lab_command` (the
command line ``make lab`` runs) on a free port of 127.0.0.1, in a temporary copy of the
course: ``nbgrader_config.py`` and the released lesson 01, in which a learner has already
answered every exercise but the first. The first test reads the lesson through the
server's API. The second drives Chromium with Playwright as a learner would: run the
set-up cell, type an answer into exercise 1 and run its public test, type a typical
wrong answer and read the message that names the mistake, put the answer back, save,
press nbgrader's Validate button and read its verdict, then check the notebook on disk.
A screenshot of every step is kept in the test's temporary directory.

Playwright cannot download its own browsers here: it drives Debian's ``chromium``
(``$CHROMIUM`` to use another executable). Without one the browser test is skipped with
a note on how to install it, except under ``CI=true``, where a missing browser fails
(``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import nbformat
import pytest

from course_tools.answer_check import load_bugs
from course_tools.course_copy import PROJECT_ROOT, SOLUTIONS, solution_answers
from course_tools.lab import lab_command

pytestmark = [pytest.mark.slow, pytest.mark.network, pytest.mark.xdist_group("jupyterlab")]

LESSON = "01_sequence_data"
#: The exercise the browser test types into, and its public test cell.
EXERCISE, PUBLIC_TEST = "make_windows", "test_make_windows"
#: Longest wait for one step in the browser (a cell to run, Validate to run the notebook).
STEP_TIMEOUT_MS = 180_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def chromium_executable() -> str | None:
    """Debian's Chromium (or ``$CHROMIUM``), or ``None`` when there is none."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return os.environ.get("CHROMIUM") or found


def grade_ids(notebook: nbformat.NotebookNode) -> list[str | None]:
    return [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in notebook.cells]


@pytest.fixture(scope="module")
def answers() -> dict[str, str]:
    solution = nbformat.read(SOLUTIONS / LESSON / f"{LESSON}.ipynb", as_version=4)
    return solution_answers(solution)


@pytest.fixture(scope="module")
def lab(tmp_path_factory, answers):
    """JupyterLab on a copy of the course; yields (base URL, token, the lesson's notebook path)."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(PROJECT_ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(PROJECT_ROOT / "lessons" / LESSON, course / "lessons" / LESSON)
    notebook_path = course / "lessons" / LESSON / f"{LESSON}.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    for cell, grade_id in zip(notebook.cells, grade_ids(notebook), strict=True):
        if grade_id in answers and grade_id != EXERCISE:  # the rest of the work is done
            cell.source = answers[grade_id]
    nbformat.write(notebook, notebook_path)

    port, token = free_port(), secrets.token_hex(16)
    jupyter_dirs = {
        name: str(course / ".jupyter" / name.lower())
        for name in ("JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTERLAB_WORKSPACES_DIR")
    }
    log = (course / "server.log").open("w")
    server = subprocess.Popen(
        lab_command(course / "lessons", port=port, token=token),
        cwd=course,  # as make lab runs from the course root: Validate reads its nbgrader_config.py
        env={**os.environ, **jupyter_dirs},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (course / "server.log").read_text()
            try:
                status = get_json(f"{base}/api/status", token)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "JupyterLab did not start within 90 s"
                time.sleep(0.3)
        assert "started" in status
        yield base, token, notebook_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_jupyter_lab_serves_the_lesson_notebooks(lab):
    base, token, _ = lab
    with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as page:
        assert page.status == 200 and b"JupyterLab" in page.read()
    lesson = get_json(f"{base}/api/contents/{LESSON}/{LESSON}.ipynb", token)
    assert lesson["type"] == "notebook"
    cells = lesson["content"]["cells"]
    assert cells[0]["cell_type"] == "markdown" and "Lesson 01" in cells[0]["source"]
    assert any("YOUR CODE HERE" in c["source"] for c in cells), "the student version is served"
    listing = get_json(f"{base}/api/contents", token)
    assert {LESSON} <= {item["name"] for item in listing["content"]}


def require_chromium() -> str:
    """The browser's executable; without one skip the test, or fail it under CI=true."""
    executable = chromium_executable()
    if executable is None:
        message = (
            "no Chromium for the browser test: install Debian's package "
            "(sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (.ci/run installs it)")
        pytest.skip(message)
    return executable


def test_a_missing_browser_is_skipped_with_a_how_to_but_fails_under_ci(monkeypatch):
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="sudo apt-get install chromium"):
        require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"\.ci/run installs it"):
        require_chromium()


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium driven by Playwright."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            # as root in a container Chromium's own sandbox cannot start; no GPU on CI
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


def test_a_learner_answers_checks_and_validates_in_the_browser(lab, browser, answers, tmp_path):
    from playwright.sync_api import expect

    base, token, notebook_path = lab
    ids = grade_ids(nbformat.read(notebook_path, as_version=4))
    bug = next(bug for bug in load_bugs(LESSON) if bug.cell == EXERCISE)
    assert bug.failing_test == PUBLIC_TEST
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    # a loaded 2-core machine renders the notebook in seconds, not in expect's default 5 s
    page.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)
    shots = iter(range(1, 100))

    def screenshot(step: str) -> None:
        page.screenshot(path=tmp_path / f"{next(shots):02d}-{step}.png")

    page.goto(f"{base}/lab/tree/{LESSON}/{LESSON}.ipynb?token={token}")
    cells = page.locator(".jp-Notebook .jp-Cell")
    expect(cells).to_have_count(len(ids))
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(1)
    screenshot("opened")

    def run(grade_id: str):
        """Select a cell, Shift+Enter, wait for its execution count; return the cell."""
        cell = cells.nth(ids.index(grade_id))
        cell.locator(".jp-InputPrompt").click()
        page.keyboard.press("Shift+Enter")
        expect(cell.locator(".jp-InputPrompt")).to_have_text(
            re.compile(r"\[\d+\]"), timeout=STEP_TIMEOUT_MS
        )
        cell.scroll_into_view_if_needed()
        return cell

    def type_answer(source: str) -> None:
        """Replace the exercise cell's text, as pasting it in would."""
        cells.nth(ids.index(EXERCISE)).locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(source)

    errors = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    setup = run("setup")
    expect(setup.locator(errors)).to_have_count(0)
    screenshot("set-up-run")

    type_answer(answers[EXERCISE])
    run(EXERCISE)
    test = run(PUBLIC_TEST)
    expect(test.locator(errors)).to_have_count(0)
    expect(test.locator(".jp-OutputArea")).to_contain_text(f"{EXERCISE} passes the public tests.")
    screenshot("correct-answer-passes")

    type_answer(bug.apply(answers[EXERCISE]))
    run(EXERCISE)
    test = run(PUBLIC_TEST)
    expect(test.locator(errors)).to_have_count(1)
    expect(test.locator(errors)).to_contain_text("AssertionError")
    expect(test.locator(errors)).to_contain_text(bug.message)
    screenshot("typical-mistake-named")

    type_answer(answers[EXERCISE])
    run(EXERCISE)
    expect(run(PUBLIC_TEST).locator(errors)).to_have_count(0)
    page.keyboard.press("Control+s")
    expect(page.locator(".jp-mod-dirty")).to_have_count(0)
    screenshot("saved")

    validate = page.locator("jp-button[title='Validate Assignment']")
    expect(validate, "nbgrader's Validate button is not in the notebook's toolbar").to_be_visible(
        timeout=10_000
    )
    validate.click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog.locator(".jp-Dialog-header")).to_have_text(
        "Validation Results", timeout=STEP_TIMEOUT_MS
    )
    screenshot("validated")
    expect(dialog.locator(".jp-Dialog-body")).to_have_text(
        "Success! Your notebook passes all the tests."
    )
    dialog.get_by_role("button", name="Ok").click()
    page.close()

    assert len(list(tmp_path.glob("*.png"))) == 6, "a screenshot of every step"
    saved = nbformat.read(notebook_path, as_version=4)
    assert saved.cells[ids.index(EXERCISE)].source == answers[EXERCISE], (
        "the notebook on disk does not hold the answer typed in the browser"
    )
