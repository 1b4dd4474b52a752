"""The one way bytes leave the server: stored files (``send_blob``) and generated PDFs.

``send_blob`` answers with a file of the blob store: the ETag is its SHA-256, ranges and
``If-None-Match`` work, and behind nginx (``DOCUMENT_ACCEL_PREFIX``) Flask only names the file
(``X-Accel-Redirect``) once access is checked, so nginx sends the bytes. Documents, their
thumbnails and watermarked copies, finalised minutes, signing versions and the public
verification download all go through it. ``generated_pdf`` answers with bytes made for this
request (a draft, an export), never cached. Both name the file for people (RFC 6266: an ASCII
name and the exact UTF-8 one).
"""

from __future__ import annotations

import unicodedata
from enum import Enum
from pathlib import Path
from urllib.parse import quote

from flask import Response, current_app, request, send_file

from ..storage import blob_store

ONE_YEAR = 365 * 24 * 3600


class Caching(Enum):
    """How a browser may keep what it was sent."""

    #: The same bytes for everyone, forever at this address (a document version, a thumbnail).
    IMMUTABLE = f"private, max-age={ONE_YEAR}, immutable"
    #: Asked again each time (a reader's own watermarked copy; minutes that will be signed).
    REVALIDATE = "private, no-cache"


def send_blob(
    path: Path,
    sha256: str,
    mimetype: str,
    *,
    filename: str | None = None,
    attachment: bool = False,
    caching: Caching = Caching.REVALIDATE,
) -> Response:
    """Answer with the stored file at ``path`` (whose content hash is ``sha256``)."""
    prefix = current_app.config["DOCUMENT_ACCEL_PREFIX"]
    if prefix:
        response = _accel_redirect(path, prefix, sha256, mimetype)
    else:
        response = send_file(path, mimetype=mimetype, conditional=True, etag=sha256)
    if filename is not None:
        response.headers["Content-Disposition"] = disposition(filename, attachment)
    # Written whole: send_file's own Cache-Control (no-cache, or public) must not remain.
    response.headers["Cache-Control"] = caching.value
    return response


def generated_pdf(data: bytes, filename: str, *, inline: bool = False) -> Response:
    """Answer with a PDF made for this request, never cached (it reflects the current record)."""
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = disposition(filename, attachment=not inline)
    response.headers["Cache-Control"] = "no-store"
    return response


def disposition(filename: str, attachment: bool) -> str:
    """Return a Content-Disposition with an ASCII name and the exact UTF-8 one (RFC 6266)."""
    kind = "attachment" if attachment else "inline"
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c for c in ascii_name if c.isprintable() and c not in '"\\')
    exact = quote(filename, safe="")
    return f"{kind}; filename=\"{ascii_name or 'document.pdf'}\"; filename*=UTF-8''{exact}"


def _accel_redirect(path: Path, prefix: str, etag: str, mimetype: str) -> Response:
    """Return an empty answer that tells nginx which stored file to send (it does ranges)."""
    if request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(b"", mimetype=mimetype)
        relative = path.relative_to(blob_store().root).as_posix()
        response.headers["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(relative)
    response.set_etag(etag)
    response.headers["Accept-Ranges"] = "bytes"
    return response
