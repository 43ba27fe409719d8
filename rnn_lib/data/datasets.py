"""Lessons 01, 02, 04, 07: the real datasets of the course.

Each loader reads the data home (see :mod:`rnn_lib.data.home`) and, when the data
is missing, downloads the official file with its published checksum. Tests and CI
point ``RNN_COURSE_DATA`` at local copies, so no loader needs a network there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from rnn_lib.data.download import DownloadError, download, extract_tar, manual_steps, sha256_of
from rnn_lib.data.home import data_home

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
SHAKESPEARE_URL = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
)
SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"

_IMDB_LABELS = {"neg": 0, "pos": 1}
_IMDB_REVIEW = re.compile(r"aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$")


def _imdb_member_wanted(name: str) -> bool:
    return bool(_IMDB_REVIEW.search(name)) or name in {"aclImdb/README", "aclImdb/imdb.vocab"}


def imdb_folder(
    home: str | os.PathLike | None = None,
    *,
    url: str = IMDB_URL,
    sha256: str = IMDB_SHA256,
    download_if_missing: bool = True,
    progress: bool = True,
) -> Path:
    """Return ``<data home>/aclImdb``, downloading and extracting it if needed.

    Args:
        home: the data home; default :func:`rnn_lib.data.home.data_home`.
        url: the archive's address (the official one by default).
        sha256: the archive's published checksum.
        download_if_missing: fetch the archive when the folder is absent.
        progress: show a progress bar while downloading.

    Returns:
        The extracted ``aclImdb`` folder (with ``train/`` and ``test/``).

    Raises:
        DownloadError: offline with no local copy, a bad checksum, or a cut transfer.
    """
    home = data_home(home)
    folder = home / "aclImdb"
    if (folder / "train").is_dir() and (folder / "test").is_dir():
        return folder
    archive = home / "aclImdb_v1.tar.gz"
    if not download_if_missing and not archive.exists():
        raise DownloadError(
            f"No IMDB reviews in {home}. " + manual_steps(url, archive, "the IMDB reviews")
        )
    if archive.exists() and sha256_of(archive) != sha256:
        archive.unlink()  # a stale or foreign file: never trust it
    if not archive.exists():
        download(url, archive, sha256=sha256, progress=progress)
    extract_tar(archive, home, top_level="aclImdb", keep_member=_imdb_member_wanted)
    archive.unlink()
    return folder


def load_imdb(
    split: str = "train",
    home: str | os.PathLike | None = None,
    **fetch_options,
) -> tuple[list[str], np.ndarray]:
    """Load the raw IMDB movie reviews (Maas et al., 2011) of one split.

    Reviews come in a fixed order (negatives, then positives, each by file name),
    so shuffle them yourself with a seeded generator.

    Args:
        split: ``"train"`` or ``"test"`` (25,000 reviews each in the real data).
        home: the data home; default :func:`rnn_lib.data.home.data_home`.
        **fetch_options: passed to :func:`imdb_folder` (``url``, ``sha256``, ...).

    Returns:
        ``(texts, labels)``: a list of review strings and an int64 array of shape
        ``(num_reviews,)`` with 1 for positive and 0 for negative.
    """
    if split not in {"train", "test"}:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    folder = imdb_folder(home, **fetch_options) / split
    texts: list[str] = []
    labels: list[int] = []
    for name, label in _IMDB_LABELS.items():
        files = sorted((folder / name).glob("*.txt"), key=lambda p: int(p.stem.split("_")[0]))
        texts.extend(f.read_text(encoding="utf-8") for f in files)
        labels.extend([label] * len(files))
    if not texts:
        raise DownloadError(f"{folder} holds no reviews: delete it and load again.")
    return texts, np.asarray(labels, dtype=np.int64)


def load_tiny_shakespeare(
    home: str | os.PathLike | None = None,
    *,
    url: str = SHAKESPEARE_URL,
    sha256: str = SHAKESPEARE_SHA256,
    download_if_missing: bool = True,
    progress: bool = True,
) -> str:
    """Load Tiny Shakespeare (1,115,394 characters of plays) as one string.

    Args:
        home: the data home; default :func:`rnn_lib.data.home.data_home`.
        url: the file's address (the official one by default).
        sha256: the file's published checksum, also checked on a local copy.
        download_if_missing: fetch the file when it is absent.
        progress: show a progress bar while downloading.

    Returns:
        The whole text.
    """
    path = data_home(home) / "tinyshakespeare.txt"
    if path.exists() and sha256_of(path) != sha256:
        raise DownloadError(
            f"{path} does not have the published sha256 {sha256}: delete it and load again."
        )
    if not path.exists():
        if not download_if_missing:
            raise DownloadError(
                f"No Tiny Shakespeare at {path}. " + manual_steps(url, path, "Tiny Shakespeare")
            )
        download(url, path, sha256=sha256, progress=progress)
    return path.read_text(encoding="utf-8")


def load_co2() -> tuple[np.ndarray, np.ndarray]:
    """Monthly atmospheric CO2 at Mauna Loa, March 1958 to December 2001.

    The weekly record ships inside statsmodels (no download). Weeks are averaged
    into months, and the few months with no measurement are filled by linear
    interpolation between their neighbours.

    Returns:
        ``(months, ppm)``: ``datetime64[M]`` month stamps and float64 CO2
        concentrations in parts per million, both of shape ``(526,)``.
    """
    from statsmodels.datasets import co2

    weekly = co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate(method="linear")
    months = monthly.index.to_numpy().astype("datetime64[M]")
    return months, monthly.to_numpy(dtype=np.float64)
