"""A participant's private notes on document pages (never shown to anyone else)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Document, DocumentVersion, Note, User
from .errors import ServiceError

MAX_NOTE_LENGTH = 10_000


def notes_on_document(user: User, document: Document) -> list[Note]:
    """Return the user's notes on every version of ``document``, by version then page."""
    version_ids = [version.id for version in document.versions]
    query = (
        select(Note)
        .join(DocumentVersion, DocumentVersion.id == Note.document_version_id)
        .where(Note.user_id == user.id, Note.document_version_id.in_(version_ids))
        .order_by(DocumentVersion.number, Note.page)
    )
    return list(db.session.scalars(query))


def save_note(user: User, version: DocumentVersion, page: int, text: str) -> Note | None:
    """Write the user's note on ``page`` of ``version``; an empty text deletes it."""
    if not 1 <= page <= version.page_count:
        raise ServiceError(_l("This page does not exist in the document."))
    text = text.strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise ServiceError(
            _l("A note can hold up to %(num)d characters. Shorten it.", num=MAX_NOTE_LENGTH)
        )
    note = db.session.scalars(
        select(Note).where(
            Note.user_id == user.id, Note.document_version_id == version.id, Note.page == page
        )
    ).first()
    if not text:
        if note is not None:
            db.session.delete(note)
            db.session.flush()
        return None
    if note is None:
        note = Note(user_id=user.id, document_version_id=version.id, page=page, text=text)
        db.session.add(note)
    else:
        note.text = text
    db.session.flush()
    return note
