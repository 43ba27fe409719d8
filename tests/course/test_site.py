"""`make site`: every lesson page with its figures, nothing of the solutions, no broken link.

The site is built once for the module, as ``make site`` builds it (Jupyter Book 2, then
course_tools/site.py's pages), into a temporary folder. Jupyter Book 2 runs on Node.js:
without ``node`` the tests are skipped with a note on how to install it, except under
``CI=true``, where they fail (``.ci/run`` installs Debian's package).
"""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from course_tools import site
from course_tools.nbgrader_plugins import HIDDEN_TESTS
from course_tools.notebooks import ci_quick_mode

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site")]

SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)


@pytest.fixture(scope="module")
def node():
    if shutil.which("node") is None:
        message = "no Node.js for Jupyter Book 2: sudo apt-get install nodejs"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (.ci/run installs it)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def built(node, tmp_path_factory):
    """The whole site: (its folder, each page's figures)."""
    root = tmp_path_factory.mktemp("site")
    shown = site.build_site(out=root / "html", book=root / "book")
    return root / "html", shown


def visible_text(path: Path) -> str:
    """What a browser shows: tags removed, entities decoded, runs of blanks made one."""
    text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
    return re.sub(r"[ \t]+", " ", text)


def shown_lines(text: str) -> set[str]:
    return {re.sub(r"[ \t]+", " ", line.strip()) for line in text.splitlines()}


def released_lines() -> set[str]:
    """Every line of every released notebook: learners hold these already."""
    return {
        line
        for name in site.lessons()
        for cell in nbformat.read(site.LESSONS_DIR / name / f"{name}.ipynb", as_version=4).cells
        for line in shown_lines(cell.source)
    }


def secret_lines(lesson: str, regions=(SOLUTION_REGION, HIDDEN_TESTS)) -> set[str]:
    """Distinctive lines of a lesson's solutions and hidden tests that no release holds.

    A line a released notebook also holds (a stub's docstring, a demonstration that
    calls the learner's function, another lesson's code) is no secret.
    """
    solution = nbformat.read(site.SOLUTIONS_DIR / lesson / f"{lesson}.ipynb", as_version=4)
    public = released_lines()
    secrets = set()
    for cell in solution.cells:
        for block in [found for region in regions for found in region.findall(cell.source)]:
            for line in shown_lines(block):
                if len(line) >= 20 and not line.startswith("#") and line not in public:
                    secrets.add(line)
    return secrets


def leaks(folder: Path, lessons: list[str]) -> list[str]:
    """Every secret line of ``lessons`` shown as a line anywhere in the built ``folder``."""
    shown = set()
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".html", ".css"):
            shown |= shown_lines(visible_text(path))
    return sorted(line for lesson in lessons for line in secret_lines(lesson) if line in shown)


def test_every_lesson_has_a_page_with_its_title_text_and_figures(built):
    folder, shown = built
    names = site.lessons()
    assert len(names) == 9
    assert sorted(shown) == sorted(["index.html", *(f"{name}.html" for name in names)])
    for name in names:
        notebook = site.site_notebook(name)
        page = (folder / f"{name}.html").read_text(encoding="utf-8")
        title = notebook.cells[0].source.splitlines()[0].lstrip("# ").strip()
        assert f"<h1>{html.escape(title)}</h1>" in page
        assert "YOUR CODE HERE" in page, f"{name}: the learner's stubs are shown"
        figures = [
            output
            for cell in notebook.cells
            if cell.cell_type == "code"
            for output in cell.outputs
            if "image/png" in output.get("data", {})
        ]
        assert len(figures) >= 1, f"{name}: every lesson stores at least one figure"
        assert len(shown[f"{name}.html"]) == len(figures), f"{name}: a stored figure is missing"
        assert page.count("<img ") == len(figures)
        sized = re.findall(r'<img [^>]*width="[1-9]\d*" height="[1-9]\d*"', page)
        assert len(sized) == len(figures), f"{name}: every figure has its size (no jumps)"
        for image in shown[f"{name}.html"]:
            data = (folder / "figures" / image).read_bytes()
            assert data.startswith(b"\x89PNG"), f"{name}: {image} is not a PNG"
    overview = visible_text(folder / "index.html")
    assert "Start here" in overview and "make lab" in overview


def test_equations_are_mathml_and_quick_mode_outputs_say_so(built):
    folder, _ = built
    page = (folder / "03_bptt.html").read_text(encoding="utf-8")
    assert page.count("<math") > 50, "lesson 03's equations are rendered as MathML"
    for name in site.lessons():
        quick = ci_quick_mode(site.SOLUTIONS_DIR / name / f"{name}.ipynb")
        noted = "executes this lesson in quick mode" in visible_text(folder / f"{name}.html")
        assert noted == quick, f"{name}: outputs from quick mode must say so, and only those"


def test_no_solution_code_and_no_hidden_test_appears_in_the_site(built):
    folder, _ = built
    names = site.lessons()
    checked = sum(len(secret_lines(name)) for name in names)
    assert checked > 200, "the leak check has solution and hidden-test lines to look for"
    assert leaks(folder, names) == []


def test_the_leak_check_finds_solutions_when_the_site_is_built_from_them(node, tmp_path):
    """The control: pages made from the instructor's notebooks must fail the check above."""
    lesson = "01_sequence_data"
    site.build_site(
        out=tmp_path / "html", book=tmp_path / "book", names=[lesson],
        lessons_dir=site.SOLUTIONS_DIR,
    )
    found = set(leaks(tmp_path / "html", [lesson]))
    assert found & secret_lines(lesson, [SOLUTION_REGION]), "solution code would be caught"
    assert found & secret_lines(lesson, [HIDDEN_TESTS]), "hidden tests would be caught"


def test_every_internal_link_and_anchor_resolves(built):
    folder, _ = built
    ids = {
        page.name: set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))
        for page in folder.glob("*.html")
    }
    checked = 0
    for page in sorted(folder.glob("*.html")):
        for target in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            target = html.unescape(target)
            if re.match(r"[a-z]+:", target):
                continue  # the web: not part of the site
            path, _, anchor = target.partition("#")
            file = folder / path if path else page
            assert file.is_file(), f"{page.name}: link to {target!r}, which does not exist"
            if anchor:
                assert anchor in ids[file.name], f"{page.name}: no anchor {anchor!r} in {file.name}"
            checked += 1
    assert checked > 9 * 10, "the pages link to each other, their figures and the style sheet"


def test_make_site_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(site.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match=r"Node\.js.*apt-get install nodejs"):
        site.jupyter_book()


def test_the_overview_links_lessons_to_their_pages_and_drops_links_to_files():
    readme = (
        "# Course\n\n| [Sequence data](lessons/01_sequence_data) | see [the config]"
        "(nbgrader_config.py) and [nbgrader](https://nbgrader.readthedocs.io) [here](#start)"
        " [gone](lessons/02_x) |\n"
        "\n## Data\n\nnot in the overview\n"
    )
    overview = site.overview_markdown(readme, ["01_sequence_data"])
    assert "[Sequence data](01_sequence_data.ipynb)" in overview
    kept = "see the config and [nbgrader](https://nbgrader.readthedocs.io) [here](#start) gone"
    assert kept in overview
    assert "not in the overview" not in overview


def test_the_renderer_refuses_what_it_cannot_show():
    renderer = site.Renderer({"bptt": site.Page("bptt", "03_bptt.html", "Lesson 03")})
    text = {"type": "text", "value": "a<b"}
    link = {"type": "link", "url": "/bptt#the-backward-pass", "children": [text]}
    assert renderer.render(link) == '<a href="03_bptt.html#the-backward-pass">a&lt;b</a>'
    with pytest.raises(site.UnknownNodeError, match="'footnoteReference'"):
        renderer.render({"type": "footnoteReference", "identifier": "1"})
    with pytest.raises(site.UnknownNodeError, match="no page of the site"):
        renderer.render({**link, "url": "/lstm"})


def test_a_stale_release_stops_the_site(tmp_path):
    lesson = "01_sequence_data"
    shutil.copytree(site.LESSONS_DIR / lesson, tmp_path / lesson)
    path = tmp_path / lesson / f"{lesson}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    demonstration = next(cell for cell in notebook.cells if site.is_demonstration(cell)
                         and cell.metadata.get("nbgrader") is None)
    demonstration.source += "\nprint('edited in lessons/ only')"
    nbformat.write(notebook, path)
    with pytest.raises(ValueError, match="differs from the solution"):
        site.site_notebook(lesson, lessons_dir=tmp_path)
