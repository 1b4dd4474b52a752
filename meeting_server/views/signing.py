"""Signing requests: the sender's form, a request's page (preview, route, actions), its files."""

from __future__ import annotations

from datetime import timedelta
from typing import BinaryIO, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..models import (
    DocumentKind,
    KeyPurpose,
    Minutes,
    MinutesStatus,
    RequestStatus,
    SigningRequest,
    StepKind,
    User,
    utcnow,
)
from ..models.ids import find
from ..permissions import (
    can_cancel_signing_request,
    can_edit_minutes,
    can_export_edxml,
    can_hold_signing_key,
    can_send_for_signing,
    can_view_signing_request,
)
from ..services import register, signing_tries
from ..services import signing_requests as service
from ..services.certificates import holder_label, totp_required, usable_key
from ..services.documents import clean_filename, ingest_pdf
from ..services.errors import ServiceError
from ..services.inbox import actionable_step, mark_read
from ..storage import blob_store
from .forms import local_datetime
from .lookups import active_users, get_or_404
from .responses import send_blob

bp = Blueprint("signing", __name__, url_prefix="/signing")

SIGNER_ROWS = 4


@bp.get("/new")
@login_required
def new():
    """Show the form: the document (an upload, or finalised minutes), the route, the due date."""
    require(can_send_for_signing(signed_in_user()))
    minutes = _minutes_from(request.args.get("minutes"))
    return _form(minutes)


@bp.post("/new")
@login_required
def submit():
    """Send the document along its route; the first signer is told at once."""
    sender = signed_in_user()
    require(can_send_for_signing(sender))
    minutes = _minutes_from(request.form.get("minutes_id"))
    try:
        kind = _kind_from_form()
        route = _route_from_form()
        due_at = local_datetime("due_at")
        pdf, file_name = _document(minutes)
        outcome = service.submit_request(
            sender,
            title=request.form.get("title", ""),
            message=request.form.get("message", ""),
            due_at=due_at,
            pdf=pdf,
            file_name=file_name,
            route=route,
            minutes=minutes,
            kind=kind,
        )
    except ServiceError as error:
        db.session.rollback()
        return _form(minutes, error), error.status
    db.session.commit()
    flash(_("Sent for signing. The first signer has been told."), "ok")
    return redirect(url_for("signing.show", request_id=outcome.request.id))


@bp.get("/<int:request_id>")
@login_required
def show(request_id: int):
    """Show a request: the PDF, the route's progress and, when it is my turn, Sign / Return."""
    user = signed_in_user()
    signing_request = get_or_404(SigningRequest, request_id)
    require(can_view_signing_request(user, signing_request))
    step = actionable_step(user, signing_request)
    mark_read(user, signing_request)
    db.session.commit()
    key = None
    if step is not None:
        key = usable_key(user, KeyPurpose.SEAL if step.kind == StepKind.SEAL else KeyPurpose.SIGNER)
    return render_template(
        "signing/show.html",
        req=signing_request,
        step=step,
        key=key,
        key_label=holder_label(key) if key else "",
        needs_code=step is not None and totp_required(user),
        tries=signing_tries.tries_of(user),
        may_cancel=can_cancel_signing_request(user, signing_request),
        may_export_edxml=can_export_edxml(user, signing_request),
        verify_url=service.verification_url(signing_request.code),
        now=utcnow(),
        numbered=register.entry_of(signing_request)
        if signing_request.status == RequestStatus.COMPLETED
        else None,
        next_number=register.next_for(signing_request)
        if step is not None and step.kind == StepKind.SEAL and signing_request.document_kind
        else None,
    )


@bp.get("/<int:request_id>/document.pdf")
@login_required
def document(request_id: int):
    """Send the latest version (or ``?version=N``) exactly as stored, ETag = its SHA-256."""
    signing_request = get_or_404(SigningRequest, request_id)
    require(can_view_signing_request(signed_in_user(), signing_request))
    number = request.args.get("version", type=int)
    versions = signing_request.versions
    version = (
        versions[-1] if number is None else next((v for v in versions if v.number == number), None)
    )
    if version is None:
        abort(404)
    path = blob_store().path_for(version.sha256)
    name = f"{signing_request.code}-v{version.number}.pdf"
    download = bool(request.args.get("download"))
    return send_blob(path, version.sha256, "application/pdf", filename=name, attachment=download)


@bp.post("/<int:request_id>/cancel")
@login_required
def cancel(request_id: int):
    """Withdraw a request still in progress."""
    user = signed_in_user()
    signing_request = get_or_404(SigningRequest, request_id)
    require(can_cancel_signing_request(user, signing_request))
    service.cancel_request(user, signing_request)
    db.session.commit()
    flash(_("The request was withdrawn."), "ok")
    return redirect(url_for("signing.show", request_id=signing_request.id))


# --- helpers ------------------------------------------------------------------------------------


def _minutes_from(raw: str | None) -> Minutes | None:
    """Return the finalised minutes named in the request (the secretariat's), if any."""
    if not raw:
        return None
    minutes = find(Minutes, raw)
    if minutes is None or minutes.status != MinutesStatus.FINAL:
        abort(404)
    require(can_edit_minutes(signed_in_user(), minutes.meeting))
    return minutes


def _document(minutes: Minutes | None) -> tuple[bytes, str]:
    """Return the PDF to sign: the minutes, or the upload (screened like every document)."""
    if minutes is not None and minutes.pdf_sha256:
        path = blob_store().path_for(minutes.pdf_sha256)
        return path.read_bytes(), f"bien-ban-{minutes.meeting_id}.pdf"
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ServiceError(_("Choose the PDF to send for signing."), field="file")
    blob, _screened = ingest_pdf(cast(BinaryIO, upload.stream))
    return blob_store().path_for(blob.sha256).read_bytes(), clean_filename(upload.filename)


def _route_from_form() -> list[service.RouteEntry]:
    """Read the signer rows in order (empty rows skipped), then the clerk's seal."""
    signers = request.form.getlist("signer")
    pages = request.form.getlist("signer_page")
    boxes = request.form.getlist("signer_box")
    route: list[service.RouteEntry] = []
    for index, raw in enumerate(signers):
        if raw.strip():
            user = _person(raw, "signer")
            page, box = _placement(pages, boxes, index)
            route.append(service.RouteEntry(user, StepKind.SIGNER, page, box))
    clerk = request.form.get("seal", "")
    if not clerk.strip():
        raise ServiceError(_("Choose the clerk who applies the seal."), field="seal")
    page, box = _placement(request.form.getlist("seal_page"), request.form.getlist("seal_box"), 0)
    route.append(service.RouteEntry(_person(clerk, "seal"), StepKind.SEAL, page, box))
    return route


def _person(raw: str, field: str) -> User:
    user = find(User, raw)
    if user is None or not user.active:
        raise ServiceError(_("Choose a person from the list."), field=field)
    return user


def _placement(
    pages: list[str], boxes: list[str], index: int
) -> tuple[int, tuple[float, float, float, float] | None]:
    """Return the page and box the sender clicked for row ``index`` (default: none chosen)."""
    raw_box = boxes[index].strip() if index < len(boxes) else ""
    if not raw_box:
        return -1, None
    try:
        page = int(pages[index]) if index < len(pages) else -1
        x1, y1, x2, y2 = (float(part) for part in raw_box.split(","))
    except ValueError:
        raise ServiceError(
            _("A stamp position could not be read; place it again."), field="route"
        ) from None
    return page, (x1, y1, x2, y2)


def _form(minutes: Minutes | None, error: ServiceError | None = None) -> str:
    """Render the request form, pre-filled from the minutes (their route) when given."""
    people = [u for u in active_users() if can_hold_signing_key(u, KeyPurpose.SIGNER)]
    clerks = [u for u in people if can_hold_signing_key(u, KeyPurpose.SEAL)]
    chosen: list[int] = []
    title = ""
    if minutes is not None:
        entries = service.minutes_route(minutes, clerks[0]) if clerks else []
        chosen = [e.signer.id for e in entries if e.kind == StepKind.SIGNER]
        title = _("Minutes: %(title)s", title=minutes.meeting.title)
    due = utcnow() + timedelta(days=current_app.config["SIGNING_DUE_DAYS"])
    return render_template(
        "signing/new.html",
        minutes=minutes,
        people=people,
        clerks=clerks,
        chosen=chosen,
        rows=max(SIGNER_ROWS, len(chosen)),
        title=title,
        due=due,
        error=error,
        form=request.form if request.method == "POST" else None,
        enrolled={u.id for u in people if usable_key(u, KeyPurpose.SIGNER)},
        kinds=register.LABELS,
    )


def _kind_from_form() -> DocumentKind | None:
    """The kind the clerk's seal numbers the document as; empty: not numbered."""
    value = request.form.get("kind", "")
    if not value:
        return None
    try:
        return DocumentKind(value)
    except ValueError:
        raise ServiceError(_l("Choose a kind of document from the list."), field="kind") from None
