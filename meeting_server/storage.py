"""Content-addressed blob storage: files are named by SHA-256 and written atomically.

Layout: ``<root>/blobs/ab/cd/<sha256>`` for stored content, ``<root>/tmp/`` for uploads in
flight (same filesystem, so the final ``rename`` is atomic). A blob is never rewritten: storing
content that is already there just drops the temporary copy.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app

CHUNK = 1024 * 1024
#: Nothing a live request or child puts in ``tmp/`` lasts this long; older is a killed
#: process's leftover, swept at start and by the serving process's housekeeping.
TMP_MAX_AGE_S = 2 * 3600
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path


class BlobStore:
    """Blobs under one root directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        (root / "blobs").mkdir(exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        """Return where the blob named ``sha256`` lives (whether or not it exists)."""
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / "blobs" / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        """Tell whether the blob is stored."""
        return self.path_for(sha256).is_file()

    @contextmanager
    def temporary_file(self, suffix: str = ".upload") -> Iterator[Path]:
        """Yield a fresh temp path on the store's filesystem; it is removed afterwards."""
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, suffix=suffix)
        os.close(fd)
        path = Path(name)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    def sweep_tmp(self, older_than_s: float = TMP_MAX_AGE_S, now: float | None = None) -> int:
        """Remove files and folders left in ``tmp/`` for longer than ``older_than_s``."""
        cutoff = (time.time() if now is None else now) - older_than_s
        removed = 0
        for entry in self.tmp_dir.iterdir():
            try:
                if entry.lstat().st_mtime >= cutoff:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
                removed += 1
            except FileNotFoundError:  # another process swept it first
                continue
        return removed

    def put_file(self, source: Path) -> StoredBlob:
        """Move ``source`` (a file under ``tmp/``) into the store under its SHA-256.

        If the content is already stored, ``source`` is left for its owner to delete.
        """
        sha256, size = file_digest(source)
        target = self.path_for(sha256)
        if target.is_file():
            return StoredBlob(sha256, size, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Group-readable, so that nginx (in the server's group) can send it (X-Accel-Redirect).
        source.chmod(0o640)
        fsync_path(source)
        os.replace(source, target)
        fsync_path(target.parent)
        return StoredBlob(sha256, size, target)

    def put_bytes(self, data: bytes) -> StoredBlob:
        """Store ``data`` (generated files; uploads stream through tmp/); nothing if stored."""
        target = self.path_for(hashlib.sha256(data).hexdigest())
        if target.is_file():
            return StoredBlob(target.name, len(data), target)
        with self.temporary_file() as path:
            path.write_bytes(data)
            return self.put_file(path)


def receive_stream(stream: BinaryIO, destination: Path, limit: int) -> tuple[str, int]:
    """Copy ``stream`` into ``destination``, fsync it, and return (sha256, size).

    Raises ``ValueError`` as soon as more than ``limit`` bytes arrive.
    """
    digest = hashlib.sha256()
    size = 0
    with destination.open("wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise ValueError("upload larger than the limit")
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size


def file_digest(path: Path) -> tuple[str, int]:
    """Return the SHA-256 hex digest and size of a file."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return digest.hexdigest(), path.stat().st_size


def init_app(app: Flask) -> None:
    """Create the store for ``STORAGE_DIR``; sweep what a killed process left in ``tmp/``."""
    store = app.extensions["blob_store"] = BlobStore(Path(app.config["STORAGE_DIR"]))
    store.sweep_tmp()


def blob_store() -> BlobStore:
    """Return the current app's store."""
    store: BlobStore = current_app.extensions["blob_store"]
    return store


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's entry to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
