"""Minutes (biên bản): the secretary drafts the conclusions, previews and finalises the PDF."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..models import Meeting, Minutes, MinutesStatus
from ..permissions import (
    can_edit_minutes,
    can_send_for_signing,
    can_view_attendance,
    can_view_confidential,
    can_view_meeting,
)
from ..services import minutes as minutes_service
from ..services.errors import ServiceError
from ..services.signing_requests import requests_for_minutes
from ..storage import blob_store
from .lookups import get_or_404
from .responses import generated_pdf, send_blob

bp = Blueprint("minutes", __name__)


@bp.get("/meetings/<int:meeting_id>/minutes")
@login_required
def edit(meeting_id: int):
    """Show the minutes: the conclusions to draft, or once final the PDF and its signing route."""
    meeting = get_or_404(Meeting, meeting_id)
    _require_reader(meeting)
    return _page(meeting, minutes_service.minutes_of(meeting))


@bp.post("/meetings/<int:meeting_id>/minutes")
@login_required
def save(meeting_id: int):
    """Save the conclusions in the draft."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_minutes(signed_in_user(), meeting))
    try:
        minutes_service.save_draft(signed_in_user(), meeting, request.form.get("conclusions", ""))
    except ServiceError as error:
        db.session.rollback()  # keep what was typed on screen, with the reason
        minutes = minutes_service.minutes_of(meeting)
        return _page(meeting, minutes, error, request.form.get("conclusions", "")), error.status
    db.session.commit()
    flash(_("Draft saved. Preview the PDF to check it."), "ok")
    return redirect(url_for("minutes.edit", meeting_id=meeting.id))


@bp.get("/meetings/<int:meeting_id>/minutes/preview.pdf")
@login_required
def preview(meeting_id: int):
    """Render the draft as it stands now (marked "DỰ THẢO"), never cached."""
    meeting = get_or_404(Meeting, meeting_id)
    _require_reader(meeting)
    data = minutes_service.preview_pdf(meeting)
    return generated_pdf(data, f"bien-ban-du-thao-{meeting.id}.pdf", inline=True)


@bp.post("/meetings/<int:meeting_id>/minutes/finalise")
@login_required
def finalise(meeting_id: int):
    """Finalise the minutes: the PDF is stored, locked, and waits for the signing workflow."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_minutes(signed_in_user(), meeting))
    minutes_service.finalise_minutes(signed_in_user(), meeting)
    db.session.commit()
    flash(_("The minutes are final and locked. They now wait for the signatures."), "ok")
    return redirect(url_for("minutes.edit", meeting_id=meeting.id))


@bp.get("/meetings/<int:meeting_id>/minutes.pdf")
@login_required
def download(meeting_id: int):
    """Send the finalised PDF exactly as stored (ETag = its SHA-256)."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_view_meeting(signed_in_user(), meeting))
    minutes = minutes_service.minutes_of(meeting)
    if minutes is None or minutes.status != MinutesStatus.FINAL or not minutes.pdf_sha256:
        abort(404)
    sha256, name = minutes.pdf_sha256, f"bien-ban-{meeting.id}.pdf"
    cleared = can_view_confidential(signed_in_user(), meeting)
    if not cleared and minutes_service.has_confidential_items(meeting):
        if minutes.extract_sha256 is None:  # finalised before extracts existed
            abort(404)
        sha256, name = minutes.extract_sha256, f"bien-ban-{meeting.id}-ban-trich.pdf"
    # Revalidated, not immutable: once signed, the same address will serve the signed copy.
    return send_blob(blob_store().path_for(sha256), sha256, "application/pdf", filename=name)


def _require_reader(meeting: Meeting) -> None:
    """Allow the secretariat, and the chair who will sign, to read the draft."""
    user = signed_in_user()
    require(can_edit_minutes(user, meeting) or can_view_attendance(user, meeting))


def _page(
    meeting: Meeting,
    minutes: Minutes | None,
    error: ServiceError | None = None,
    typed: str | None = None,
):
    user = signed_in_user()
    final = minutes is not None and minutes.status == MinutesStatus.FINAL
    response = make_response(
        render_template(
            "minutes/edit.html",
            meeting=meeting,
            minutes=minutes,
            final=final,
            editable=can_edit_minutes(user, meeting) and not final,
            signing=requests_for_minutes(minutes) if final and minutes else [],
            may_send=final and can_send_for_signing(user) and can_edit_minutes(user, meeting),
            conclusions=typed if typed is not None else (minutes.conclusions if minutes else ""),
            error=error,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
