"""`make lab` opens a working JupyterLab: start one on loopback and fetch a lesson through it."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from course_tools.course_copy import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.network]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_jupyter_lab_serves_the_lesson_notebooks(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    env_dirs = {
        name: str(tmp_path / name.lower())
        for name in ("JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTERLAB_WORKSPACES_DIR")
    }
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={PROJECT_ROOT / 'lessons'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        *(["--allow-root"] if os.geteuid() == 0 else []),  # CI containers run as root
    ]

    server = subprocess.Popen(
        command, env={**os.environ, **env_dirs}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.stdout.read().decode(errors="replace")
            try:
                status = get_json(f"{base}/api/status", token)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "JupyterLab did not start within 90 s"
                time.sleep(0.5)
        assert "started" in status
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as page:
            assert page.status == 200 and b"JupyterLab" in page.read()
        lesson = get_json(f"{base}/api/contents/01_sequence_data/01_sequence_data.ipynb", token)
        assert lesson["type"] == "notebook"
        cells = lesson["content"]["cells"]
        assert cells[0]["cell_type"] == "markdown" and "Lesson 01" in cells[0]["source"]
        assert any("YOUR CODE HERE" in c["source"] for c in cells), "the student version is served"
        listing = get_json(f"{base}/api/contents", token)
        assert {"01_sequence_data"} <= {item["name"] for item in listing["content"]}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode is not None
