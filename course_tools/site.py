"""`make site`: the course as a website, built with Jupyter Book 2 (MyST), read before installing.

Three steps, each a function:

1. :func:`write_book` assembles the book's source in ``_build/book/``: ``index.md``, the
   README's course overview (up to its Data section, lesson links pointing at the lesson
   pages), and one notebook per lesson *as the learner gets it*: the released notebook
   from ``lessons/`` (stubs where the solutions are, no hidden tests), with the stored
   outputs of the solution's demonstration cells (:func:`site_notebook`).
2. :func:`build_content` runs ``jupyter-book build --site``: MyST parses every page
   (Markdown, equations rendered by KaTeX with their MathML, notebook outputs, links
   resolved) into one JSON tree per page and writes the figures to its ``public/``.
3. :func:`render_site` turns those trees into static HTML pages in ``_build/html/``
   (:func:`render_page`): a sidebar with the lessons, code highlighted by Pygments,
   equations as MathML (which browsers draw without any script), figures as image files.

Why the last step is ours: Jupyter Book 2's own theme (``book-theme``) is a web
application that the ``myst`` command downloads from api.mystmd.org when it builds HTML,
and neither that server nor GitHub can be reached from CI (nor from a classroom behind a
proxy). The book is built with a local site template (``site/template.yml``), which MyST
accepts offline, and this module renders what MyST built. A node type the renderer does
not know stops the build (:class:`UnknownNodeError`), so no content is ever dropped silently.

Usage: ``make site`` (``python -m course_tools.site``); open ``_build/html/index.html``.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_tools.notebooks import ci_quick_mode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LESSONS_DIR = PROJECT_ROOT / "lessons"
SOLUTIONS_DIR = PROJECT_ROOT / "solutions"
SITE_DIR = PROJECT_ROOT / "site"
BUILD_DIR = PROJECT_ROOT / "_build"

#: The README's overview ends where this section starts.
OVERVIEW_ENDS_AT = "## Data"

#: Shown at the top of a lesson whose stored outputs come from CI's quick mode.
QUICK_MODE_NOTE = (
    "```{note}\n"
    "The printed results and figures on this page come from the course's test run, which "
    "executes this lesson in **quick mode**: less data and fewer epochs, so trained "
    "figures are smaller than at full size. The text says what holds at each size; run "
    "the notebook (`make lab`) for the full-size results.\n"
    "```"
)

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class UnknownNodeError(ValueError):
    """A MyST node type the renderer has no rule for (the build stops rather than drop it)."""


def lessons() -> list[str]:
    """The released lessons, in order (``01_sequence_data``, ...)."""
    return sorted(p.name for p in LESSONS_DIR.iterdir() if re.match(r"\d\d_", p.name))


def _grader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_demonstration(cell) -> bool:
    """A code cell the learner only runs: neither an answer nor a test."""
    grader = _grader(cell)
    return cell.cell_type == "code" and not grader.get("solution") and not grader.get("grade")


def site_notebook(lesson: str, lessons_dir: Path = LESSONS_DIR,
                  solutions_dir: Path = SOLUTIONS_DIR) -> nbformat.NotebookNode:
    """The released notebook of ``lesson`` with the solution's stored demonstration outputs.

    Answer cells keep their stubs and test cells their public tests (released test cells
    hold no hidden test), both without outputs: what a learner sees before running
    anything, plus the figures and printed results of every demonstration cell, copied
    from the solution notebook by cell id.

    Raises:
        ValueError: a demonstration cell of the release has no cell of that id in the
            solution, or a different source there (the release is stale: make release).
    """
    name = f"{lesson}.ipynb"
    released = nbformat.read(lessons_dir / lesson / name, as_version=4)
    solution = nbformat.read(solutions_dir / lesson / name, as_version=4)
    by_id = {cell.id: cell for cell in solution.cells}
    for cell in released.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        if not is_demonstration(cell):
            continue
        source = by_id.get(cell.id)
        if source is None or source.source != cell.source:
            raise ValueError(f"{lesson}: cell {cell.id} differs from the solution (make release)")
        cell.outputs = [output for output in source.outputs if output.output_type != "error"]
    return released


def overview_markdown(readme: str, names: list[str]) -> str:
    """The README up to its Data section, links made to work on the site.

    A link to a lesson of ``names`` (``lessons/04_lstm``) points at the lesson's page; any
    other relative link (a file of the repository, which the site does not carry) becomes
    its text.
    """
    head = readme.split(f"\n{OVERVIEW_ENDS_AT}\n", 1)[0]

    def relink(match: re.Match) -> str:
        text, target = match[1], match[2]
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            return match[0]
        lesson = re.fullmatch(r"lessons/(\d\d_[a-z0-9_]+)/?", target)
        if lesson and lesson[1] in names:
            return f"[{text}]({lesson[1]}.ipynb)"
        return text

    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", relink, head)


def write_book(
    book: Path, names: list[str] | None = None, lessons_dir: Path = LESSONS_DIR
) -> list[str]:
    """Write the book's source into ``book`` (emptied first); return the lessons in it.

    Args:
        book: the folder (MyST's project root).
        names: the lessons to put in (default: every released lesson).
        lessons_dir: where the learners' notebooks come from (a test passes
            ``solutions/`` to show that its leak check would notice).
    """
    if book.exists():
        shutil.rmtree(book)
    book.mkdir(parents=True)
    names = lessons() if names is None else names
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    (book / "index.md").write_text(overview_markdown(readme, names))
    for lesson in names:
        notebook = site_notebook(lesson, lessons_dir)
        if ci_quick_mode(SOLUTIONS_DIR / lesson / f"{lesson}.ipynb"):
            notebook.cells.insert(1, nbformat.v4.new_markdown_cell(QUICK_MODE_NOTE))
        for cell in notebook.cells:  # MyST makes cell ids page anchors, unique in the book
            cell.id = f"l{lesson[:2]}-{cell.id}"
        nbformat.write(notebook, book / f"{lesson}.ipynb")
    shutil.copy(SITE_DIR / "template.yml", book / "template.yml")
    toc = "\n".join(f"    - file: {name}" for name in ["index.md", *(f"{n}.ipynb" for n in names)])
    (book / "myst.yml").write_text(
        "version: 1\n"
        "project:\n"
        "  title: Recurrent neural networks, an auto-graded course\n"
        "  toc:\n"
        f"{toc}\n"
        "site:\n"
        "  template: ./template.yml\n"
    )
    return names


def jupyter_book() -> list[str]:
    """The ``jupyter-book`` command of this environment, or exit saying what is missing."""
    executable = Path(sys.executable).parent / "jupyter-book"
    missing = []
    if not executable.exists():
        missing.append("jupyter-book (pip install -e '.[dev]', which make site does first)")
    if shutil.which("node") is None:
        missing.append("Node.js, which Jupyter Book 2 runs on (sudo apt-get install nodejs)")
    if missing:
        raise SystemExit("make site needs " + " and ".join(missing))
    return [str(executable)]


def build_content(book: Path) -> Path:
    """``jupyter-book build --site`` in ``book``; return MyST's site folder.

    Raises:
        RuntimeError: the build failed or warned (a missing file, a broken reference).
    """
    env = {**os.environ, "NO_COLOR": "1", "CI": "true"}  # CI: no prompt to install Node
    result = subprocess.run(
        [*jupyter_book(), "build", "--site"], cwd=book, env=env, capture_output=True, text=True
    )
    log = result.stdout + result.stderr
    warnings = [line for line in log.splitlines() if line.startswith(("⚠️", "⛔️"))]
    if result.returncode != 0 or warnings:
        raise RuntimeError(f"jupyter-book build --site failed or warned:\n{log}")
    return book / "_build" / "site"


@dataclass
class Page:
    """One page of the site: its MyST slug, the HTML file it becomes, its title."""

    slug: str
    file: str
    title: str


def _element(tag: str):
    """The rule for a node that is one HTML element around its children."""

    def rule(renderer: Renderer, node: dict) -> str:
        return f"<{tag}>{renderer.children(node)}</{tag}>"

    return rule


@dataclass
class Renderer:
    """Turns one page's MyST tree into HTML.

    Attributes:
        pages: every page of the site by slug (for links between pages).
        public: MyST's folder of figures (to give each image its size, so that the page
            does not jump while images load).
        figures: the image files the page shows, filled while rendering.
    """

    pages: dict[str, Page]
    public: Path | None = None
    figures: list[str] = field(default_factory=list)

    def render(self, node: dict) -> str:
        kind = node.get("type", "")
        # the rule for listItem is _list_item
        rule = getattr(self, "_" + re.sub(r"([A-Z])", r"_\1", kind).lower(), None)
        if rule is None:
            raise UnknownNodeError(f"no rule for MyST node {kind!r}: {json.dumps(node)[:300]}")
        return rule(node)

    def children(self, node: dict) -> str:
        return "".join(self.render(child) for child in node.get("children", []))

    _root = children
    _paragraph = _element("p")
    _strong = _element("strong")
    _emphasis = _element("em")
    _list_item = _element("li")
    _table_row = _element("tr")
    _superscript = _element("sup")
    _subscript = _element("sub")
    _blockquote = _element("blockquote")
    _delete = _element("del")
    _span = children
    _div = children

    def _admonition(self, node: dict) -> str:
        kind = html.escape(node.get("kind", "note"))
        return f'<aside class="admonition {kind}">{self.children(node)}</aside>'

    def _admonition_title(self, node: dict) -> str:
        return f'<p class="admonition-title">{self.children(node)}</p>'

    def _text(self, node: dict) -> str:
        return html.escape(node["value"])

    def _inline_code(self, node: dict) -> str:
        return f"<code>{html.escape(node['value'])}</code>"

    def _break(self, node: dict) -> str:
        return "<br>"

    def _thematic_break(self, node: dict) -> str:
        return "<hr>"

    def _comment(self, node: dict) -> str:
        return ""

    def _html(self, node: dict) -> str:
        return node["value"]

    def _heading(self, node: dict) -> str:
        depth, anchor = node["depth"], node.get("html_id", "")
        return f'<h{depth} id="{anchor}">{self.children(node)}</h{depth}>'

    def _list(self, node: dict) -> str:
        if node.get("ordered"):
            start = node.get("start", 1)
            return f'<ol start="{start}">{self.children(node)}</ol>'
        return f"<ul>{self.children(node)}</ul>"

    def _table(self, node: dict) -> str:
        return f'<div class="table"><table>{self.children(node)}</table></div>'

    def _table_cell(self, node: dict) -> str:
        tag = "th" if node.get("header") else "td"
        align = f' style="text-align:{node["align"]}"' if node.get("align") else ""
        return f"<{tag}{align}>{self.children(node)}</{tag}>"

    def _inline_math(self, node: dict) -> str:
        return node["html"]

    def _math(self, node: dict) -> str:
        return f'<div class="math">{node["html"]}</div>'

    def href(self, url: str) -> str:
        """A page link (``/bptt#anchor``) as a file link (``03_bptt.html#anchor``)."""
        path, _, anchor = url.partition("#")
        if path.startswith("/") and path[1:] in self.pages:
            return self.pages[path[1:]].file + (f"#{anchor}" if anchor else "")
        if path == "" and anchor:
            return url
        if re.match(r"[a-z]+:", url):
            return url
        raise UnknownNodeError(f"a link to {url!r}, which is no page of the site")

    def _link(self, node: dict) -> str:
        return f'<a href="{html.escape(self.href(node["url"]))}">{self.children(node)}</a>'

    _cross_reference = _link

    def _image(self, node: dict) -> str:
        return self.figure(node["url"], node.get("alt", ""))

    def figure(self, url: str, alt: str) -> str:
        name = url.rsplit("/", 1)[-1]
        self.figures.append(name)
        size = ""
        if self.public is not None and name.endswith(".png"):
            header = (self.public / name).read_bytes()[16:24]  # the PNG's IHDR: width, height
            width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")
            size = f' width="{width}" height="{height}"'
        src, alt = html.escape(name), html.escape(alt)
        return f'<img src="figures/{src}" alt="{alt}"{size} loading="lazy">'

    def _block(self, node: dict) -> str:
        kind = node.get("kind", "")
        return f'<div class="{kind or "block"}">{self.children(node)}</div>'

    def _code(self, node: dict) -> str:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer, TextLexer

        lexer = PythonLexer() if node.get("lang") in ("python", "ipython3", None) else TextLexer()
        code = highlight(node["value"], lexer, HtmlFormatter(nowrap=True))
        return f'<pre class="code highlight"><code>{code}</code></pre>'

    def _outputs(self, node: dict) -> str:
        inner = self.children(node)
        return f'<div class="outputs">{inner}</div>' if inner else ""

    def _output(self, node: dict) -> str:
        output = node["jupyter_data"]
        if output["output_type"] == "stream":
            return f'<pre class="output {output["name"]}">{self.plain(output["text"])}</pre>'
        data = output.get("data", {})
        for mime in ("image/png", "image/jpeg", "image/svg+xml"):
            if mime in data:
                alt = data.get("text/plain", {}).get("content", "")
                if not alt or alt.startswith("<Figure"):  # matplotlib's repr says nothing
                    alt = "a figure made by the code above"
                return f'<div class="output figure">{self.figure(data[mime]["path"], alt)}</div>'
        if "text/html" in data:
            return f'<div class="output html">{data["text/html"]["content"]}</div>'
        if "text/plain" in data:
            return f'<pre class="output">{self.plain(data["text/plain"]["content"])}</pre>'
        raise UnknownNodeError(f"an output with none of the shown types: {sorted(data)}")

    @staticmethod
    def plain(text: str | list[str]) -> str:
        return html.escape(_ANSI.sub("", "".join(text)))


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def render_page(
    tree: dict, page: Page, pages: dict[str, Page], nav: str, public: Path | None = None
) -> tuple[str, list[str]]:
    """One page's HTML and the figure files it shows (``public``: MyST's figures folder)."""
    renderer = Renderer(pages, public)
    body = renderer.render(tree["mdast"])
    title = html.escape(tree["frontmatter"].get("title", page.title))
    heading = "" if tree["frontmatter"].get("content_includes_title", True) else f"<h1>{title}</h1>"
    document = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>"
        '<link rel="stylesheet" href="style.css"></head>\n'
        f'<body><nav class="sidebar">{nav}</nav>\n<main>{heading}{body}</main></body></html>\n'
    )
    return document, renderer.figures


def navigation(pages: Iterable[Page], current: str) -> str:
    items = "".join(
        f'<li{" class=current" if page.slug == current else ""}>'
        f'<a href="{page.file}">{html.escape(page.title)}</a></li>'
        for page in pages
    )
    return f"<ul>{items}</ul>"


def render_site(content: Path, out: Path) -> dict[str, list[str]]:
    """Render MyST's site folder ``content`` into ``out``; return each page's figures."""
    config = _read(content / "config.json")
    (project,) = config["projects"]
    listed = [Page(project["index"], "index.html", "Overview")]
    for entry in project["pages"]:
        if "slug" in entry:
            tree = _read(content / "content" / f"{entry['slug']}.json")
            stem = Path(tree["location"]).stem
            listed.append(Page(entry["slug"], f"{stem}.html", entry["title"]))
    pages = {page.slug: page for page in listed}
    if out.exists():
        shutil.rmtree(out)
    (out / "figures").mkdir(parents=True)
    shown = {}
    for page in listed:
        tree = _read(content / "content" / f"{page.slug}.json")
        nav = navigation(listed, page.slug)
        document, figures = render_page(tree, page, pages, nav, content / "public")
        (out / page.file).write_text(document, encoding="utf-8")
        for name in figures:
            shutil.copy(content / "public" / name, out / "figures" / name)
        shown[page.file] = figures
    from pygments.formatters import HtmlFormatter

    style = (SITE_DIR / "style.css").read_text(encoding="utf-8")
    (out / "style.css").write_text(style + HtmlFormatter().get_style_defs(".highlight"))
    return shown


def build_site(
    out: Path = BUILD_DIR / "html",
    book: Path = BUILD_DIR / "book",
    names: list[str] | None = None,
    lessons_dir: Path = LESSONS_DIR,
) -> dict[str, list[str]]:
    """All three steps (arguments: :func:`write_book`'s); return each page's figures."""
    write_book(book, names, lessons_dir)
    return render_site(build_content(book), out)


def main() -> None:
    import time

    start = time.monotonic()
    shown = build_site()
    figures = sum(len(names) for names in shown.values())
    print(
        f"site: {len(shown)} pages, {figures} figures in {time.monotonic() - start:.1f} s; "
        f"open {BUILD_DIR / 'html' / 'index.html'}"
    )


if __name__ == "__main__":
    main()
