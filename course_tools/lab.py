"""`make lab`: JupyterLab on the learner's lessons, one command line for the Makefile and the tests.

``make lab`` runs ``python -m course_tools.lab lessons/`` from the course root, and the
browser test (tests/course/test_browser.py) starts the server from :func:`lab_command`
too, with a port, a token and no browser of its own: so the test drives the JupyterLab
a learner gets, not a look-alike. The server's working directory is the course root:
nbgrader's Validate button reads ``nbgrader_config.py`` from there.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def lab_command(
    lessons: Path | str, *, port: int | None = None, token: str | None = None
) -> list[str]:
    """The command line that serves ``lessons`` in JupyterLab.

    Args:
        lessons: the folder the file browser opens on (``lessons/``, or a copy of it).
        port: listen on 127.0.0.1 at this port and open no browser (tests); ``None``:
            JupyterLab's defaults (localhost, port 8888 or the next free one, and the
            learner's browser opened on the lab).
        token: the server's access token (tests); ``None``: JupyterLab makes one.

    Returns:
        The argument list, starting with this interpreter.
    """
    command = [sys.executable, "-m", "jupyter", "lab", str(lessons)]
    if port is not None:
        command += ["--no-browser", "--ip=127.0.0.1", f"--port={port}"]
        # no look-up of newer JupyterLab versions on the internet during a test
        command.append("--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
    if token is not None:
        command.append(f"--IdentityProvider.token={token}")
    if os.geteuid() == 0:  # CI containers run as root; JupyterLab refuses without this
        command.append("--allow-root")
    return command


def main(argv: list[str] | None = None) -> None:
    """Replace this process with JupyterLab on ``argv[0]`` (default ``lessons``)."""
    args = sys.argv[1:] if argv is None else argv
    command = lab_command(args[0] if args else "lessons")
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
