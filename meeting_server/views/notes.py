"""Private notes on document pages, read and written by the tablet (JSON)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import gettext as _

from ..auth import viewer_allowed, viewer_required
from ..extensions import db
from ..i18n import to_local
from ..models import Document, Note
from ..permissions import can_view_document
from ..services import notes as note_service
from . import schemas
from .lookups import get_or_404, version_or_404
from .schemas import read

bp = Blueprint("notes", __name__, url_prefix="/tablet")


@bp.get("/documents/<int:document_id>/notes")
@viewer_required
def index(document_id: int):
    """Return my notes on every version of the document, marking those on an older version."""
    document = get_or_404(Document, document_id)
    reader = viewer_allowed(document.agenda_item.meeting, can_view_document, document)
    notes = note_service.notes_on_document(reader, document)
    response = jsonify(
        ok=True,
        error=None,
        current_version=document.current.number,
        notes=[_note_json(note, document) for note in notes],
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.put("/documents/<int:document_id>/versions/<int:number>/pages/<int:page>/note")
@viewer_required
def save(document_id: int, number: int, page: int):
    """Write (or with an empty text, delete) my note on a page."""
    document = get_or_404(Document, document_id)
    reader = viewer_allowed(document.agenda_item.meeting, can_view_document, document)
    version = version_or_404(document, number)
    text = read(schemas.NoteText, {"text": _('Send the note as JSON with a "text" field.')}).text
    note = note_service.save_note(reader, version, page, text)
    db.session.commit()
    return jsonify(ok=True, error=None, note=_note_json(note, document) if note else None)


def _note_json(note: Note, document: Document) -> dict:
    return {
        "version": note.version.number,
        "page": note.page,
        "text": note.text,
        "updated_at": to_local(note.updated_at).strftime("%d/%m/%Y %H:%M"),
        "document_changed": note.version.number != document.current.number,
    }
