"""Page thumbnails, rendered once per (version, width) by pdfium in a resource-limited child.

Layout next to the blobs: ``<root>/thumbnails/<sha256>/<width>/<page>.webp`` (pages from 1);
the thumbnails of a reader's watermarked copy of a confidential document sit beside that
copy (``<copy>-thumbnails/<width>/``) and go when the copy goes (see ``watermark``).
The first request for a (version, width) renders *every* page into a fresh folder under
``<root>/tmp/`` and renames the folder into place, so a reader sees all pages or none, never a
half-written file. A lock file per (version, width) (``flock``, which works across the server
processes of one machine) makes a second request wait for the first renderer instead of
rendering again. A version that could not be rendered (a hostile or huge file that hits the
memory or time limit or kills the child) is remembered for ``runner.RETRY_AFTER_S``, so
repeated requests cannot keep a CPU busy; the web process itself never loads pdfium.

Format: lossless WebP (all tablet browsers show it): text stays sharp like PNG, at about a
third of PNG's size, which counts when 200 tablets fetch a 100-page agenda over the room's
Wi-Fi.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from ..storage import BlobStore, blob_store, fsync_path
from .runner import ChildFailed, WorkFailed, exclusive_lock, remembered_failure, run_child

__all__ = [
    "ALLOWED_WIDTHS",
    "MIMETYPE",
    "Thumbnail",
    "ThumbnailFailed",
    "copy_thumbnail",
    "page_thumbnail",
]

log = logging.getLogger(__name__)

ALLOWED_WIDTHS = frozenset({160, 320})
EXTENSION = "webp"
MIMETYPE = "image/webp"


class ThumbnailFailed(WorkFailed):
    """The thumbnails of a version could not be made; ``message`` tells the reader."""

    @property
    def message(self) -> LazyString:
        """Return the translatable explanation for the reader."""
        if self.reason == "busy":
            return _l("The page previews are still being prepared. Try again in a moment.")
        return _l(
            "The page previews of this document could not be made: it is too large or too "
            "complex. Open the document itself to read it."
        )


@dataclass(frozen=True)
class Thumbnail:
    """One page's image: where it is stored and its own SHA-256 (the ETag)."""

    path: Path
    sha256: str


def page_thumbnail(sha256: str, page: int, width: int) -> Thumbnail | None:
    """Return page ``page`` (from 1) of a stored version at ``width`` px, rendering if needed.

    ``None`` means the version has no such page. Raises ``ThumbnailFailed``.
    """
    store = blob_store()
    folder = thumbnail_folder(store, sha256, width)
    return _page_of(store, store.path_for(sha256), folder, page, width)


def copy_thumbnail(copy: Path, page: int, width: int) -> Thumbnail | None:
    """Return page ``page`` of a reader's watermarked copy, kept beside the copy.

    A confidential page at 320 px is legible, so its thumbnail must carry the watermark too.
    """
    folder = copy.with_name(f"{copy.stem}-thumbnails") / str(width)
    return _page_of(blob_store(), copy, folder, page, width)


def thumbnail_folder(store: BlobStore, sha256: str, width: int) -> Path:
    """Return the folder that holds (or will hold) the version's pages at ``width``."""
    store.path_for(sha256)  # refuses anything but a SHA-256
    return store.root / "thumbnails" / sha256 / str(width)


def _page_of(
    store: BlobStore, source: Path, folder: Path, page: int, width: int
) -> Thumbnail | None:
    """Return one page's image from ``folder``, rendering all of ``source`` there first."""
    if width not in ALLOWED_WIDTHS:
        raise ValueError(f"width {width} is not one of {sorted(ALLOWED_WIDTHS)}")
    if not folder.is_dir():
        config = current_app.config
        render_pages(
            store,
            source,
            folder,
            timeout_s=float(config["THUMBNAIL_TIMEOUT_S"]),
            memory_mb=int(config["THUMBNAIL_MEMORY_MB"]),
        )
    path = folder / f"{page}.{EXTENSION}"
    if page < 1 or not path.is_file():
        return None
    return Thumbnail(path, hashlib.sha256(path.read_bytes()).hexdigest())


def render_pages(
    store: BlobStore, source: Path, folder: Path, *, timeout_s: float, memory_mb: int
) -> None:
    """Render every page of ``source`` into ``folder`` (named by width) once."""
    width = int(folder.name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(folder.with_name(f"{width}.lock"), wait_s=timeout_s + 5) as locked:
        if not locked:
            raise ThumbnailFailed("busy")
        if folder.is_dir():
            return  # rendered by the request we waited for
        with remembered_failure(folder.with_name(f"{width}.failed"), ThumbnailFailed):
            _render_into(store, source, width, folder, timeout_s, memory_mb)


def _render_into(
    store: BlobStore, source: Path, width: int, folder: Path, timeout_s: float, memory_mb: int
) -> None:
    """Run the child into a fresh temporary folder, then rename that folder into place."""
    work = Path(tempfile.mkdtemp(dir=store.tmp_dir, prefix="thumbnails-"))
    try:
        try:
            report = run_child(
                "meeting_server.pdf.children.thumbnail",
                [str(source), str(work), str(width)],
                timeout_s=timeout_s,
                memory_mb=memory_mb,
                file_mb=64,
            )
        except ChildFailed:
            raise ThumbnailFailed("too_complex") from None
        if report.get("ok") is not True:
            log.warning("thumbnails of %s failed: %s", source.name, report.get("code"))
            raise ThumbnailFailed(str(report.get("code", "damaged")))
        # mkdtemp's 0700 would hide the pages from nginx's group (X-Accel-Redirect).
        os.chmod(work, 0o750)  # noqa: S103
        fsync_path(work)
        os.rename(work, folder)
        fsync_path(folder.parent)
    finally:
        shutil.rmtree(work, ignore_errors=True)
