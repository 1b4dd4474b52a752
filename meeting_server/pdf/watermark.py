"""Confidential documents: each reader gets a copy stamped with their name and the time.

The rule:

1. Every page of a document of a confidential agenda item is served with a watermark in its
   bytes (not drawn by the viewer), so a downloaded or printed copy keeps it: the word
   ``MẬT``, the reader's full name and the time of their first access that day in Vietnam
   time (``MẬT · Đỗ Văn An · 22/11/2026 14:05``), as real text in Noto Sans, repeated in
   diagonal semi-transparent rows across the whole page so it cannot be cropped away. The
   page's own text stays extractable. (``MẬT`` is the legal marking and is not translated.)
2. One copy per (version, reader, day): PDF.js reads a document with many Range requests,
   and every range must come from the same bytes. The copy is kept under
   ``<root>/watermarked/<yyyy-mm-dd>/<sha256>/<user id>-<copy sha256>.pdf`` (written in
   ``tmp/``, fsynced, renamed into place), its ETag is its own SHA-256, and folders of days
   before yesterday are removed when a new copy is made. The page thumbnails of a
   confidential document are rendered from the reader's copy and kept beside it (a page is
   legible at 320 px), so they carry the watermark too.
3. A signed document is never changed in storage. Its copy cannot keep a valid signature (its
   bytes differ), so the copy has the signature stamps drawn into the pages and the
   signature fields removed, rather than showing signatures a viewer would call broken;
   signatures are checked on the stored original.
4. Stamping parses the stored PDF, so it runs in a child process with the screening's memory
   limit (``PDF_SCREEN_MEMORY_MB``) and ``WATERMARK_TIMEOUT_S``; a file that fails there is
   remembered for a while (see ``runner.RETRY_AFTER_S``) and the web process carries on.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from signing.fonts import private_font_folder

from ..i18n import to_local
from ..models import User, utcnow
from ..storage import BlobStore, blob_store, file_digest, fsync_path
from .runner import (
    ChildFailed,
    WorkFailed,
    exclusive_lock,
    output_allowance_mb,
    remembered_failure,
    run_child,
)

__all__ = ["WORD", "WatermarkFailed", "WatermarkedCopy", "copy_for", "watermarked_copy"]

log = logging.getLogger(__name__)

WORD = "MẬT"
_DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class WatermarkFailed(WorkFailed):
    """A reader's copy could not be made; ``message`` tells the reader."""

    @property
    def message(self) -> LazyString:
        """Return the translatable explanation for the reader."""
        if self.reason == "busy":
            return _l(
                "Your copy of this confidential document is being prepared. Try again in a moment."
            )
        return _l(
            "Your copy of this confidential document could not be prepared: the file is too "
            "large or too complex to mark with your name. Tell the secretariat."
        )


@dataclass(frozen=True)
class WatermarkedCopy:
    """A reader's stamped copy: where it is stored and its own SHA-256 (the ETag)."""

    path: Path
    sha256: str


def watermarked_copy(sha256: str, reader: User, *, continuing: bool = False) -> WatermarkedCopy:
    """Return today's copy of the version for ``reader``, stamping it on first access.

    ``continuing`` (a Range request) accepts yesterday's copy when there is none for today
    yet, so a document open across midnight keeps reading from the same bytes.
    """
    config = current_app.config
    return copy_for(
        blob_store(),
        sha256,
        reader_id=reader.id,
        full_name=reader.full_name,
        moment=to_local(utcnow()),
        timeout_s=float(config["WATERMARK_TIMEOUT_S"]),
        memory_mb=int(config["PDF_SCREEN_MEMORY_MB"]),
        continuing=continuing,
    )


def copy_for(
    store: BlobStore,
    sha256: str,
    *,
    reader_id: int,
    full_name: str,
    moment: datetime,
    timeout_s: float,
    memory_mb: int,
    continuing: bool = False,
) -> WatermarkedCopy:
    """Return the copy for (version, reader, ``moment``'s day); ``moment`` is local time."""
    source = store.path_for(sha256)
    day_folder = store.root / "watermarked" / moment.date().isoformat()
    folder = day_folder / sha256
    found = _existing(folder, reader_id)
    if found is None and continuing:
        yesterday = (moment.date() - timedelta(days=1)).isoformat()
        found = _existing(day_folder.parent / yesterday / sha256, reader_id)
    if found is not None:
        return found
    folder.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(folder / f"{reader_id}.lock", wait_s=timeout_s + 5) as locked:
        if not locked:
            raise WatermarkFailed("busy")
        found = _existing(folder, reader_id)
        if found is not None:
            return found  # made by the request we waited for
        with remembered_failure(folder / "failed", WatermarkFailed):
            _prune(day_folder.parent, keep_since=moment.date() - timedelta(days=1))
            text = f"{WORD} · {full_name} · {moment:%d/%m/%Y %H:%M}"
            return _stamp(store, source, folder, reader_id, text, timeout_s, memory_mb)


def _existing(folder: Path, reader_id: int) -> WatermarkedCopy | None:
    """Return the reader's copy in ``folder`` if it was made."""
    for path in folder.glob(f"{reader_id}-*.pdf"):
        return WatermarkedCopy(path, path.stem.partition("-")[2])
    return None


def _stamp(
    store: BlobStore,
    source: Path,
    folder: Path,
    reader_id: int,
    text: str,
    timeout_s: float,
    memory_mb: int,
) -> WatermarkedCopy:
    """Stamp ``source`` in the child, then move the copy into ``folder`` under its hash."""
    out = store.tmp_dir / f"watermark-{secrets.token_hex(16)}.pdf"
    fonts = private_font_folder()
    try:
        try:
            report = run_child(
                "meeting_server.pdf.children.watermark",
                [str(source), str(out), str(fonts), text],
                timeout_s=timeout_s,
                memory_mb=memory_mb,
                file_mb=output_allowance_mb(source),
            )
        except ChildFailed:
            raise WatermarkFailed("too_complex") from None
        if report.get("ok") is not True or not out.is_file():
            log.warning("watermarking %s failed: %s", source.name, report.get("code"))
            raise WatermarkFailed(str(report.get("code", "damaged")))
        if report.get("signed"):
            log.info("watermarked copy of signed %s has its signatures flattened", source.name)
        digest, _size = file_digest(out)
        target = folder / f"{reader_id}-{digest}.pdf"
        os.replace(out, target)
        fsync_path(folder)
        return WatermarkedCopy(target, digest)
    finally:
        out.unlink(missing_ok=True)


def _prune(root: Path, *, keep_since: date) -> None:
    """Remove the folders of days before ``keep_since`` (copies are made again on demand)."""
    for child in root.iterdir():
        if _DAY_FOLDER.match(child.name) and child.name < keep_since.isoformat():
            shutil.rmtree(child, ignore_errors=True)
