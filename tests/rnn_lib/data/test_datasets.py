"""Data loaders: local copies, downloads over a loopback HTTP server, failure modes.

No test here touches the internet: the "official" server is a thread on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rnn_lib.data import datasets
from rnn_lib.data.download import DownloadError, download
from rnn_lib.data.home import DATA_HOME_ENV, data_home, quick_mode

REVIEWS = {
    "train/pos/0_9.txt": "A wonderful film.<br />Loved it.",
    "train/pos/10_8.txt": "Great acting, great story.",
    "train/pos/2_7.txt": "Good fun.",
    "train/neg/1_1.txt": "Dreadful.",
    "train/neg/3_2.txt": "Boring and far too long.",
    "test/pos/5_10.txt": "Masterpiece.",
    "test/neg/4_3.txt": "Not for me.",
}


def make_imdb_tree(root: Path) -> Path:
    for relative, text in REVIEWS.items():
        path = root / "aclImdb" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    # Files the official archive has and the loader must ignore.
    (root / "aclImdb" / "train" / "unsup").mkdir()
    (root / "aclImdb" / "train" / "unsup" / "0_0.txt").write_text("unlabelled")
    (root / "aclImdb" / "train" / "labeledBow.feat").write_text("0 0:1")
    return root / "aclImdb"


def make_imdb_archive(tmp_path: Path) -> bytes:
    tree = tmp_path / "archive_source"
    make_imdb_tree(tree)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(tree / "aclImdb", arcname="aclImdb")
    return buffer.getvalue()


class _Handler(http.server.BaseHTTPRequestHandler):
    payload: bytes = b""
    truncate_at: int | None = None

    def do_GET(self):  # noqa: N802 - the name http.server dispatches to
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        body = self.payload if self.truncate_at is None else self.payload[: self.truncate_at]
        self.wfile.write(body)
        self.wfile.flush()
        if self.truncate_at is not None:
            self.close_connection = True

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def serve() -> Iterator:
    """Serve bytes on 127.0.0.1; optionally drop the connection part-way through."""
    servers = []

    def start(payload: bytes, truncate_at: int | None = None) -> str:
        handler = type("Handler", (_Handler,), {"payload": payload, "truncate_at": truncate_at})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/aclImdb_v1.tar.gz"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def visible_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_data_home_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_HOME_ENV, str(tmp_path / "here"))
    assert data_home() == (tmp_path / "here").resolve()
    monkeypatch.delenv(DATA_HOME_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data_home() == (tmp_path / "cache" / "rnn_course").resolve()
    assert data_home(tmp_path / "explicit") == (tmp_path / "explicit").resolve()


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("YES", True), ("0", False), ("", False)]
)
def test_quick_mode_switch(monkeypatch, value, expected):
    monkeypatch.setenv("RNN_COURSE_QUICK", value)
    assert quick_mode() is expected


def test_load_imdb_reads_a_local_tree_without_network(tmp_path):
    make_imdb_tree(tmp_path)
    texts, labels = datasets.load_imdb("train", home=tmp_path, download_if_missing=False)
    # negatives first, then positives, each by numeric id: 1, 3 then 0, 2, 10
    assert texts == [
        "Dreadful.",
        "Boring and far too long.",
        "A wonderful film.<br />Loved it.",
        "Good fun.",
        "Great acting, great story.",
    ]
    assert labels.dtype == np.int64 and labels.tolist() == [0, 0, 1, 1, 1]
    test_texts, test_labels = datasets.load_imdb("test", home=tmp_path)
    assert test_texts == ["Not for me.", "Masterpiece."] and test_labels.tolist() == [0, 1]


def test_load_imdb_rejects_unknown_split(tmp_path):
    with pytest.raises(ValueError, match="split"):
        datasets.load_imdb("validation", home=tmp_path)


@pytest.mark.network
def test_download_with_good_checksum_gives_the_data(tmp_path, serve):
    archive = make_imdb_archive(tmp_path)
    url = serve(archive)
    home = tmp_path / "home"
    texts, labels = datasets.load_imdb(
        "train", home=home, url=url, sha256=hashlib.sha256(archive).hexdigest(), progress=False
    )
    assert len(texts) == 5 and labels.sum() == 3
    # only the labelled reviews are extracted, the archive is gone, no temporary files remain
    names = {p.relative_to(home).as_posix() for p in visible_files(home)}
    assert names == {f"aclImdb/{r}" for r in REVIEWS}


@pytest.mark.network
def test_bad_checksum_is_a_clear_error_and_leaves_nothing(tmp_path, serve):
    url = serve(make_imdb_archive(tmp_path))
    home = tmp_path / "home"
    with pytest.raises(DownloadError) as error:
        datasets.load_imdb("train", home=home, url=url, sha256="0" * 64, progress=False)
    message = str(error.value)
    assert "sha256" in message and url in message and DATA_HOME_ENV in message
    assert visible_files(home) == []


@pytest.mark.network
def test_connection_dropped_mid_transfer_leaves_no_corrupt_cache(tmp_path, serve):
    archive = make_imdb_archive(tmp_path)
    url = serve(archive, truncate_at=len(archive) // 2)
    home = tmp_path / "home"
    with pytest.raises(DownloadError, match="stopped after"):
        datasets.load_imdb(
            "train", home=home, url=url, sha256=hashlib.sha256(archive).hexdigest(), progress=False
        )
    assert visible_files(home) == []


def test_offline_without_data_names_the_variable_url_and_steps(tmp_path):
    home = tmp_path / "home"
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    url = "http://127.0.0.1:9/aclImdb_v1.tar.gz"
    with pytest.raises(DownloadError) as error:
        datasets.load_imdb("train", home=home, url=url, progress=False)
    message = str(error.value)
    assert url in message and DATA_HOME_ENV in message and "by hand" in message
    assert visible_files(home) == []


def test_download_replaces_atomically_and_verifies(tmp_path, serve):
    payload = b"x" * 200_000
    url = serve(payload)
    target = download(url, tmp_path / "f.bin", sha256=hashlib.sha256(payload).hexdigest(),
                      progress=False)
    assert target.read_bytes() == payload
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_tiny_shakespeare_checks_its_local_copy(tmp_path):
    (tmp_path / "tinyshakespeare.txt").write_text("To be, or not to be")
    with pytest.raises(DownloadError, match="published sha256"):
        datasets.load_tiny_shakespeare(home=tmp_path)
    text = "First Citizen:\nBefore we proceed any further, hear me speak.\n"
    (tmp_path / "tinyshakespeare.txt").write_text(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert datasets.load_tiny_shakespeare(home=tmp_path, sha256=digest) == text


@pytest.mark.network
def test_tiny_shakespeare_downloads_when_missing(tmp_path, serve):
    text = b"ROMEO:\nBut soft, what light through yonder window breaks?\n"
    url = serve(text)
    loaded = datasets.load_tiny_shakespeare(
        home=tmp_path, url=url, sha256=hashlib.sha256(text).hexdigest(), progress=False
    )
    assert loaded == text.decode()


def test_co2_is_monthly_complete_and_plausible():
    months, ppm = datasets.load_co2()
    assert months.shape == ppm.shape == (526,)
    assert str(months[0]) == "1958-03" and str(months[-1]) == "2001-12"
    assert np.all(np.diff(months).astype(int) == 1), "one value per month, no gaps"
    assert not np.isnan(ppm).any()
    assert 310 < ppm.min() < 320 and 365 < ppm.max() < 375


def test_real_shared_data_when_present():
    """In CI the data home holds the real copies: check their size and labels."""
    home = data_home()
    if not (home / "aclImdb" / "train").is_dir():
        pytest.skip(f"no IMDB copy in {home} (CI extracts one from ../shared/datasets)")
    texts, labels = datasets.load_imdb("test", download_if_missing=False)
    assert len(texts) == 25_000 and int(labels.sum()) == 12_500
    assert len(datasets.load_tiny_shakespeare(download_if_missing=False)) == 1_115_394
