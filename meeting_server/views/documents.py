"""Documents: upload (with progress, from our JavaScript), replace, withdraw, read, thumbnails."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..auth import login_required, require, signed_in_user, viewer_allowed, viewer_required
from ..extensions import db
from ..models import AgendaItem, Document, DocumentVersion
from ..models.ids import parse_id
from ..pdf import thumbnails
from ..pdf.watermark import WatermarkFailed, watermarked_copy
from ..permissions import can_download_document, can_edit_meeting, can_view_document
from ..services import documents as document_service
from ..services.audit import record_event
from ..services.errors import ServiceError
from ..storage import blob_store
from .forms import wants_json
from .lookups import get_or_404, version_or_404
from .responses import Caching, send_blob

bp = Blueprint("documents", __name__)

PDF = "application/pdf"


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
@viewer_required
def read(document_id: int, number: int):
    """Send a version's PDF (ETag, ranges; confidential items watermarked for the reader)."""
    download = request.args.get("download") == "1"
    document = get_or_404(Document, document_id)
    reader = viewer_allowed(document.agenda_item.meeting, can_view_document, document)
    version = version_or_404(document, number)
    if download and not can_download_document(reader, document):
        message = _(
            "This confidential document may be read on screen only: the meeting does not "
            "allow downloading or printing its confidential items. Ask the secretariat if you "
            "need a copy."
        )
        return _explain(403, message)
    name = version.original_filename
    if not document.agenda_item.confidential:
        path = blob_store().path_for(version.sha256)
        return send_blob(
            path, version.sha256, PDF, filename=name, attachment=download, caching=Caching.IMMUTABLE
        )
    if request.range is None or request.range.ranges[0][0] == 0:  # once per read, not per range
        details = {"version": number, "download": download}
        record_event(reader, "document.read_confidential", "document", document.id, **details)
        db.session.commit()
    try:
        copy = watermarked_copy(version.sha256, reader, continuing=request.range is not None)
    except WatermarkFailed as failed:
        return _explain(503, str(failed.message))
    return send_blob(copy.path, copy.sha256, PDF, filename=name, attachment=download)


@bp.get("/documents/<int:document_id>/versions/<int:number>/pages/<int:page>/thumbnail")
@viewer_required
def thumbnail(document_id: int, number: int, page: int):
    """Send one page's WebP thumbnail, ``?w=160`` (default) or ``?w=320`` pixels wide."""
    raw_width = request.args.get("w", "160")
    width = parse_id(raw_width) or 0
    if width not in thumbnails.ALLOWED_WIDTHS:
        return _explain(400, _("Ask for a page preview 160 or 320 pixels wide (w=160 or w=320)."))
    document = get_or_404(Document, document_id)
    reader = viewer_allowed(document.agenda_item.meeting, can_view_document, document)
    version = version_or_404(document, number)
    if not 1 <= page <= version.page_count:
        abort(404)
    confidential = document.agenda_item.confidential
    try:
        if confidential:  # legible at 320 px: drawn from the reader's watermarked copy
            copy = watermarked_copy(version.sha256, reader)
            image = thumbnails.copy_thumbnail(copy.path, page, width)
        else:
            image = thumbnails.page_thumbnail(version.sha256, page, width)
    except (thumbnails.ThumbnailFailed, WatermarkFailed) as failed:
        return _explain(503, str(failed.message))
    if image is None:
        abort(404)
    # The same for everyone, or drawn from a reader's own copy (asked again each time).
    caching = Caching.REVALIDATE if confidential else Caching.IMMUTABLE
    return send_blob(image.path, image.sha256, thumbnails.MIMETYPE, caching=caching)


def _explain(status: int, message: str):
    """Answer ``status`` with a message for people (page) or our JavaScript (JSON)."""
    if wants_json():
        response = jsonify(ok=False, error=message)
    else:
        response = current_app.make_response(
            render_template("error.html", status=status, message=message)
        )
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
