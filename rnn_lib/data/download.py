"""Lessons 04, 07: verified, atomic downloads and archive extraction.

Two promises: a file in the data home is either complete and verified or absent
(downloads go to a temporary file beside the target and are renamed into place
only after the sha256 matches), and every failure says what to do next.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from rnn_lib.data.home import DATA_HOME_ENV

CHUNK_BYTES = 1 << 16


class DownloadError(RuntimeError):
    """A dataset could not be fetched or verified; the message says how to fix it."""


def sha256_of(path: str | os.PathLike) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def manual_steps(url: str, destination: Path, what: str) -> str:
    """The instructions printed when a download cannot happen."""
    return (
        f"To get {what} by hand: download {url} on a machine with internet access, "
        f"then place it at {destination} (or extract it there, for an archive). "
        f"The data home is {destination.parent}; set the environment variable "
        f"{DATA_HOME_ENV} to use another folder."
    )


def download(
    url: str,
    destination: str | os.PathLike,
    *,
    sha256: str,
    progress: bool = True,
    timeout: float = 60.0,
) -> Path:
    """Download ``url`` to ``destination`` atomically, verifying its sha256.

    The bytes go to a hidden temporary file in the destination's folder; only a
    complete file with the expected checksum is renamed to ``destination``. On any
    failure the temporary file is removed and nothing is left behind.

    Args:
        url: where to download from (http, https or file).
        destination: the final path of the file.
        sha256: the expected hex digest of the complete file.
        progress: show a tqdm progress bar.
        timeout: socket timeout in seconds.

    Returns:
        ``destination`` as a ``Path``.

    Raises:
        DownloadError: the transfer failed, was cut short, or the checksum differs.
    """
    from tqdm.auto import tqdm

    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, partial_name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".part", dir=destination.parent
    )
    partial = Path(partial_name)
    digest = hashlib.sha256()
    received = 0
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            expected_bytes = int(length) if length else None
            with tqdm(
                total=expected_bytes,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=destination.name,
                disable=not progress,
            ) as bar:
                while chunk := resp.read(CHUNK_BYTES):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
        if expected_bytes is not None and received != expected_bytes:
            raise DownloadError(
                f"The download of {url} stopped after {received} of {expected_bytes} bytes. "
                "Nothing was saved; run the loader again to retry. "
                + manual_steps(url, destination, destination.name)
            )
        actual = digest.hexdigest()
        if actual != sha256:
            raise DownloadError(
                f"The file downloaded from {url} has sha256 {actual}, but {sha256} was "
                "expected: it is corrupt or not the published file, so it was deleted. "
                + manual_steps(url, destination, destination.name)
            )
        os.replace(partial, destination)
    except DownloadError:
        raise
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        raise DownloadError(
            f"Could not download {url}: {error}. Nothing was saved. "
            + manual_steps(url, destination, destination.name)
        ) from error
    finally:
        partial.unlink(missing_ok=True)
    return destination


def extract_tar(
    archive: str | os.PathLike,
    target: str | os.PathLike,
    *,
    top_level: str,
    keep_member: Callable[[str], bool] = lambda name: True,
) -> Path:
    """Extract ``top_level/`` from a tar archive into ``target`` atomically.

    Members are unpacked into a temporary folder beside ``target/top_level`` and the
    folder is renamed into place at the end, so an interrupted extraction never
    leaves a half-filled dataset where a loader would trust it.

    Args:
        archive: the ``.tar`` / ``.tar.gz`` file.
        target: the folder that will contain ``top_level``.
        top_level: the archive's root folder, e.g. ``"aclImdb"``.
        keep_member: a filter on member names; files it rejects are skipped.

    Returns:
        The path ``target/top_level``.
    """
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    final = target / top_level
    staging = Path(tempfile.mkdtemp(prefix=f".{top_level}.", suffix=".extracting", dir=target))
    try:
        with tarfile.open(archive) as tar:
            members = [
                m
                for m in tar.getmembers()
                if (m.name == top_level or m.name.startswith(top_level + "/"))
                and (m.isdir() or keep_member(m.name))
            ]
            _refuse_unsafe_members(members, archive)
            if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4
                tar.extractall(staging, members=members, filter="data")
            else:
                tar.extractall(staging, members=members)
        if not (staging / top_level).is_dir():
            raise DownloadError(f"{archive} has no folder {top_level}/ at its top level.")
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging / top_level, final)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DownloadError(f"Could not extract {archive}: {error}") from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def _refuse_unsafe_members(members: list[tarfile.TarInfo], archive: str | os.PathLike) -> None:
    """Reject absolute paths, ``..`` and links: an archive may not write outside its folder."""
    for member in members:
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or member.issym() or member.islnk():
            raise DownloadError(f"{archive} holds an unsafe member {member.name!r}: refused.")
