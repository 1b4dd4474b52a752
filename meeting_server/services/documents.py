"""Documents of agenda items: upload, replace (new version), withdraw.

Every upload is streamed to a temporary file, screened in a resource-limited subprocess
(``pdf.screening``) and only then moved into the content-addressed store. A refused upload
leaves nothing behind.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path, PurePath
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import AgendaItem, Document, DocumentVersion, Presentation, User, utcnow
from ..pdf.screening import PdfRejected, ScreenedPdf, screen_pdf
from ..storage import StoredBlob, blob_store, receive_stream
from .audit import record_event
from .errors import NotAllowed, UploadRefused
from .notices import record_notice


def add_document(
    actor: User, item: AgendaItem, *, stream: BinaryIO, filename: str, title: str = ""
) -> Document:
    """Screen and store an uploaded PDF as a new document of ``item``."""
    filename = clean_filename(filename)
    blob, screened = ingest_pdf(stream)
    document = Document(title=title.strip() or PurePath(filename).stem, agenda_item=item)
    db.session.add(document)
    version = _new_version(actor, document, blob, screened, filename)
    db.session.flush()
    record_notice(item.meeting, "document_added", [document.id], confidential=item.confidential)
    record_event(
        actor,
        "document.add",
        "document",
        document.id,
        item=item.id,
        sha256=version.sha256,
        filename=filename,
        stripped=list(screened.stripped),
    )
    return document


def replace_document(
    actor: User, document: Document, *, stream: BinaryIO, filename: str
) -> DocumentVersion:
    """Store a new version of ``document``; earlier versions stay listed."""
    if document.removed_at is not None:
        raise NotAllowed(_l("This document was withdrawn; upload it as a new document."))
    filename = clean_filename(filename)
    blob, screened = ingest_pdf(stream)
    if blob.sha256 == document.current.sha256:
        raise NotAllowed(_l("This file is identical to the current version; nothing was changed."))
    version = _new_version(actor, document, blob, screened, filename)
    _present_new_version(document, version)
    db.session.flush()
    _notify(document, "document_replaced")
    record_event(
        actor,
        "document.replace",
        "document",
        document.id,
        number=version.number,
        sha256=version.sha256,
        previous=document.versions[-2].sha256,
        stripped=list(screened.stripped),
    )
    return version


def _present_new_version(document: Document, version: DocumentVersion) -> None:
    """If the room is looking at ``document``, show it the new version at the same page.

    A room must never vote on superseded text: the presenter's and every follower's viewer
    switch to the new version (at the last page if the new one is shorter).
    """
    presentation = db.session.get(Presentation, document.agenda_item.meeting_id)
    if presentation is not None and presentation.document_id == document.id:
        presentation.version_number = version.number
        presentation.page = min(presentation.page, version.page_count)


def remove_document(actor: User, document: Document) -> None:
    """Withdraw a document from the agenda; its versions stay stored for the record."""
    if document.removed_at is None:
        document.removed_at = utcnow()
        _notify(document, "document_removed")
        record_event(actor, "document.remove", "document", document.id)


def _notify(document: Document, kind: str) -> None:
    item = document.agenda_item
    record_notice(item.meeting, kind, [document.id], confidential=item.confidential)


def clean_filename(filename: str) -> str:
    """Return a safe display name: last path part, no control characters, at most 200 chars."""
    name = PurePath(filename.replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())
    name = name.strip() or "document.pdf"
    return name[-200:]


def ingest_pdf(stream: BinaryIO) -> tuple[StoredBlob, ScreenedPdf]:
    """Receive an upload within the size limit, screen it, store it; refuse with a clear reason."""
    store = blob_store()
    config = current_app.config
    with store.temporary_file() as upload:
        try:
            receive_stream(stream, upload, limit=config["MAX_CONTENT_LENGTH"])
        except ValueError:
            raise UploadRefused(too_large_message()) from None
        try:
            screened = screen_pdf(
                upload,
                workdir=store.tmp_dir,
                timeout_s=config["PDF_SCREEN_TIMEOUT_S"],
                memory_limit_mb=config["PDF_SCREEN_MEMORY_MB"],
            )
        except PdfRejected as refusal:
            raise UploadRefused(refusal.message) from refusal
        try:
            blob = store.put_file(screened.output_path or upload)
        finally:
            if screened.output_path is not None:
                Path(screened.output_path).unlink(missing_ok=True)
    return blob, screened


def too_large_message() -> object:
    """Return the message for a file over the size limit."""
    return _l(
        "The file is larger than the limit of %(mb)d MB. Reduce it (e.g. scan at a lower "
        "resolution) or split it, then upload again.",
        mb=current_app.config["MAX_UPLOAD_MB"],
    )


def _new_version(
    actor: User, document: Document, blob: StoredBlob, screened: ScreenedPdf, filename: str
) -> DocumentVersion:
    version = DocumentVersion(
        number=len(document.versions) + 1,
        sha256=blob.sha256,
        size=blob.size,
        page_count=screened.page_count,
        original_filename=filename,
        screening_note=", ".join(screened.stripped),
        uploaded_by_id=actor.id,
    )
    document.versions.append(version)
    return version
