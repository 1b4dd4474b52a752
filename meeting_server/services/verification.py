"""Public verification of signed PDFs: a request's latest version by its short code, or an upload.

Our own files are validated in the web process, off the event loop (``offload.offload``). An
uploaded file is anyone's: it is validated in a throw-away, resource-limited child
(``children.verify``) that fetches nothing from the network. It is kept for an hour in
``<STORAGE_DIR>/verify-uploads/<sha256>.pdf``, beside its report (``<sha256>.json``), so that
the revisions its signatures signed can be downloaded; older uploads are removed when a new
one arrives. Both are also compared in pictures (``visual_check``; the pictures are not kept).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import SigningRequest
from ..pdf.runner import ChildExhausted, ChildFailed, run_child
from ..storage import blob_store
from . import shared_slots, signatures, visual_check
from .errors import ServiceError, UploadRefused
from .verification_view import SignatureCheck, Verification, to_verification

__all__ = [
    "KEEP_UPLOAD_S",
    "SignatureCheck",
    "Verification",
    "find_request",
    "normalise_code",
    "prune_uploads",
    "request_revision",
    "upload_revision",
    "verify_request",
    "verify_upload",
]

KEEP_UPLOAD_S = 3600
BUSY = _l("Many documents are being checked right now. Wait a minute, then press “Check” again.")


class VerifyBusy(ServiceError):
    """Every check slot stayed busy: try again shortly (503 with Retry-After)."""

    status = 503


UPLOAD_DIR = "verify-uploads"
HEADER_WINDOW = 1024
CHUNK = 1024 * 1024
MAX_CODE_LENGTH = 16
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

NOT_PDF = _l(
    "This file is not a PDF. Choose the signed PDF file itself (not a photo or a Word "
    "document) and upload it again."
)
DAMAGED = _l(
    "This PDF is damaged and cannot be checked. Ask whoever sent it for the original file, "
    "then upload that."
)
TOO_COMPLEX = _l(
    "This PDF is too large or too complex to check here. Check it with the signing software "
    "on your computer, or ask the secretariat."
)


def normalise_code(text: str) -> str:
    """Return a typed or pasted code (or the whole ``…/v/<code>`` address) in upper case."""
    last = text.strip().rstrip("/").rsplit("/", 1)[-1]
    return "".join(ch for ch in last if ch.isascii() and ch.isalnum()).upper()[:MAX_CODE_LENGTH]


def find_request(code: str) -> SigningRequest | None:
    """Return the signing request with the short ``code``, if there is one."""
    if not code:
        return None
    return db.session.scalar(select(SigningRequest).where(SigningRequest.code == code))


def verify_request(request: SigningRequest) -> Verification:
    """Validate the request's latest version (our own file) against our trust settings, and
    compare what each signature signed with it in pictures."""
    version = request.latest
    path = blob_store().path_for(version.sha256)
    try:
        document = signatures.verify_stored_document(path.read_bytes())
    except signatures.SigningError as error:  # no trusted root at all: nothing signed yet
        report = {"all_valid": False, "trailing_data": False, "error": str(error)}
        return to_verification(report, version.sha256, version.size)
    seen = visual_check.compare_stored(version.sha256, path, document.ranges())
    document = document.with_visual_json(seen.checks if seen else [])
    pictures = seen.pictures if seen else None
    return to_verification(document.to_json(), version.sha256, version.size, pictures)


def request_revision(request: SigningRequest, number: int) -> bytes | None:
    """Return the bytes signature ``number`` (from 1) of the latest version signed, or None."""
    data = blob_store().path_for(request.latest.sha256).read_bytes()
    return signatures.signed_revision_of(data, number)


def verify_upload(upload: IO[bytes]) -> Verification:
    """Keep an uploaded PDF for an hour and validate it in a limited child process.

    Raises ``UploadRefused`` for a file that is not a PDF, is damaged or is too complex.
    """
    folder = uploads_dir()
    prune_uploads(folder)
    path, sha256, size = _keep(upload, folder)
    if not _looks_like_pdf(path):
        path.unlink(missing_ok=True)
        raise UploadRefused(NOT_PDF)
    with _check_slot():
        report, pictures = _validate_in_child(path)
    if report.get("error"):
        path.unlink(missing_ok=True)
        raise UploadRefused(DAMAGED)
    result = to_verification(report, sha256, size, pictures)
    _keep_only_signed_ranges(path, result)
    _write_atomically(folder / f"{sha256}.json", json.dumps(report).encode())
    return result


@contextmanager
def _check_slot() -> Iterator[None]:
    """Hold one of the ``VERIFY_CONCURRENCY`` slots shared by every process while a check runs
    (anonymous checks must not take the meetings' CPU); all busy for ``VERIFY_WAIT_S``:
    ``VerifyBusy``. A killed check's slot comes free when its child would have been stopped."""
    config = current_app.config
    with shared_slots.slot(
        "verify",
        int(config["VERIFY_CONCURRENCY"]),
        wait_s=float(config["VERIFY_WAIT_S"]),
        lease_s=float(config["VERIFY_TIMEOUT_S"]) + 30,
    ) as held:
        if not held:
            raise VerifyBusy(BUSY)
        yield


def _keep_only_signed_ranges(path: Path, result: Verification) -> None:
    """Keep of an upload only what its revision downloads need (the longest signed prefix)."""
    length = max((check.signed_length for check in result.signatures), default=0)
    if length <= 0:
        path.unlink(missing_ok=True)  # nothing to download: the report is enough
        return
    if length < path.stat().st_size:
        with path.open("r+b") as kept:
            kept.truncate(length)


def upload_revision(sha256: str, number: int) -> bytes | None:
    """Return what signature ``number`` (from 1) of a kept upload signed, or None.

    The revision is the file up to the end of that signature's ``/ByteRange`` (as
    ``signing.signed_revision``), read from the report the child made.
    """
    if not _SHA256.match(sha256):
        return None
    folder = uploads_dir()
    pdf, saved = folder / f"{sha256}.pdf", folder / f"{sha256}.json"
    if not (_fresh(pdf) and saved.is_file()):
        return None
    checks = to_verification(json.loads(saved.read_bytes()), sha256, 0).signatures
    if not 1 <= number <= len(checks):
        return None
    data = pdf.read_bytes()
    length = checks[number - 1].signed_length
    return data[:length] if 0 < length <= len(data) else None


def uploads_dir() -> Path:
    """Return the folder of kept uploads (created if needed)."""
    folder = Path(current_app.config["STORAGE_DIR"]) / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def prune_uploads(folder: Path, now: float | None = None) -> int:
    """Remove kept uploads (and unfinished ones) older than an hour, then the oldest while the
    folder holds more than ``VERIFY_KEEP_MB``; return how many files went."""
    limit = (time.time() if now is None else now) - KEEP_UPLOAD_S
    quota = int(current_app.config["VERIFY_KEEP_MB"]) * 1024 * 1024
    kept: list[tuple[float, int, Path]] = []
    removed = 0
    for path in folder.iterdir():
        try:
            info = path.stat()
            if info.st_mtime < limit:
                path.unlink()
                removed += 1
            else:
                kept.append((info.st_mtime, info.st_size, path))
        except FileNotFoundError:  # another process pruned it first
            continue
    total = sum(size for _at, size, _path in kept)
    for _at, size, path in sorted(kept):
        if total <= quota:
            break
        path.unlink(missing_ok=True)
        total -= size
        removed += 1
    return removed


def _keep(upload: IO[bytes], folder: Path) -> tuple[Path, str, int]:
    """Copy the upload into ``folder`` as ``<sha256>.pdf``; return (path, sha256, size)."""
    partial = folder / f".{secrets.token_hex(8)}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as out:
            while chunk := upload.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        target = folder / f"{digest.hexdigest()}.pdf"
        os.replace(partial, target)
    except BaseException:  # the client went away mid-upload: nothing half-written stays
        partial.unlink(missing_ok=True)
        raise
    return target, digest.hexdigest(), size


def _looks_like_pdf(path: Path) -> bool:
    with path.open("rb") as source:
        return b"%PDF-" in source.read(HEADER_WINDOW)


def _validate_in_child(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run ``children.verify`` on ``path``: the report and the pictures of changed pages;
    raise ``UploadRefused`` when it gives no report."""
    config = current_app.config
    trust = signatures.trust_files()
    args = [str(path), *(json.dumps(trust[key]) for key in ("roots", "others", "crls"))]
    args.append(json.dumps(visual_check.options()))
    try:
        answer = run_child(
            "meeting_server.pdf.children.verify",
            args,
            timeout_s=float(config["VERIFY_TIMEOUT_S"]),
            memory_mb=int(config["VERIFY_MEMORY_MB"]),
            file_mb=1,  # the child writes nothing
        )
    except ChildExhausted:
        path.unlink(missing_ok=True)
        raise UploadRefused(TOO_COMPLEX) from None
    except ChildFailed:
        answer = {"ok": False, "code": "damaged"}
    if not answer.get("ok") or not isinstance(answer.get("report"), dict):
        path.unlink(missing_ok=True)
        raise UploadRefused(TOO_COMPLEX if answer.get("code") == "too_complex" else DAMAGED)
    report: dict[str, Any] = answer["report"]
    return report, answer.get("pictures") or {}


def _fresh(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime < KEEP_UPLOAD_S
    except FileNotFoundError:
        return False


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{secrets.token_hex(8)}.part")
    partial.write_bytes(data)
    os.replace(partial, path)
