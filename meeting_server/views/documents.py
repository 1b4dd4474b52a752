"""Documents: upload (with progress, from our JavaScript), replace, withdraw, read."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, request, send_file, url_for
from flask_babel import gettext as _

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..models import AgendaItem, Document, DocumentVersion
from ..permissions import can_edit_meeting, can_view_document
from ..services import documents as document_service
from ..services.errors import ServiceError
from ..storage import blob_store
from .lookups import get_or_404

bp = Blueprint("documents", __name__)

ONE_YEAR = 365 * 24 * 3600


def _uploaded_file():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ServiceError(_("Choose a PDF file to upload."), field="file")
    return upload


def _version_json(version: DocumentVersion) -> dict:
    return {
        "document_id": version.document_id,
        "number": version.number,
        "sha256": version.sha256,
        "page_count": version.page_count,
        "size": version.size,
        "stripped": version.screening_note,
    }


@bp.post("/items/<int:item_id>/documents")
@login_required
def upload(item_id: int):
    """Add a PDF to an agenda item."""
    item = get_or_404(AgendaItem, item_id)
    require(can_edit_meeting(signed_in_user(), item.meeting))
    file = _uploaded_file()
    document = document_service.add_document(
        signed_in_user(),
        item,
        stream=file.stream,
        filename=file.filename,
        title=request.form.get("title", ""),
    )
    db.session.commit()
    return jsonify(ok=True, error=None, **_version_json(document.current)), 201


@bp.post("/documents/<int:document_id>/versions")
@login_required
def replace(document_id: int):
    """Upload a new version of a document."""
    document = get_or_404(Document, document_id)
    require(can_edit_meeting(signed_in_user(), document.agenda_item.meeting))
    file = _uploaded_file()
    version = document_service.replace_document(
        signed_in_user(), document, stream=file.stream, filename=file.filename
    )
    db.session.commit()
    return jsonify(ok=True, error=None, **_version_json(version)), 201


@bp.post("/documents/<int:document_id>/remove")
@login_required
def remove(document_id: int):
    """Withdraw a document from its agenda item (kept for the record)."""
    document = get_or_404(Document, document_id)
    require(can_edit_meeting(signed_in_user(), document.agenda_item.meeting))
    document_service.remove_document(signed_in_user(), document)
    db.session.commit()
    flash(_("Document withdrawn. Its files stay in the record."), "ok")
    return redirect(
        url_for("meetings.show", meeting_id=document.agenda_item.meeting_id, _anchor="agenda")
    )


@bp.get("/documents/<int:document_id>/versions/<int:number>/file")
@login_required
def read(document_id: int, number: int):
    """Send a version's PDF after the access check (ETag = SHA-256, ranges, immutable)."""
    document = get_or_404(Document, document_id)
    require(can_view_document(signed_in_user(), document))
    version = next((v for v in document.versions if v.number == number), None)
    if version is None:
        abort(404)
    response = send_file(
        blob_store().path_for(version.sha256),
        mimetype="application/pdf",
        download_name=version.original_filename,
        conditional=True,
        etag=version.sha256,
        max_age=ONE_YEAR,
    )
    response.cache_control.private = True
    response.cache_control.immutable = True
    return response
