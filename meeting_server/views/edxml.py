"""edXML exchange: a signed document exported as a package (download or send), a package from
another agency imported (upload → its verified header and signatures → placed), and the
documents received by each person."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..models import AgendaItem, SigningRequest, User
from ..permissions import (
    can_edit_meeting,
    can_export_edxml,
    can_import_edxml,
    can_read_received_document,
)
from ..services import edxml_export as export_service
from ..services import edxml_import as import_service
from ..services import register
from ..services.errors import ServiceError
from ..storage import blob_store
from .forms import integer
from .lookups import get_or_404
from .responses import send_blob

bp = Blueprint("edxml", __name__, url_prefix="/edxml")

#: The packages this browser uploaded and may place (their SHA-256), newest last.
KEPT = "edxml_packages"
KEEP = 5


@bp.get("/")
@login_required
def index():
    """Show the documents other agencies sent me, and the way to import a package."""
    user = signed_in_user()
    return render_template(
        "edxml/index.html",
        received=import_service.received_for(user),
        may_import=can_import_edxml(user),
    )


@bp.get("/export/<int:request_id>")
@login_required
def export_form(request_id: int):
    """Show the export form: the receivers from the directory, urgency, date to answer by."""
    signing_request = get_or_404(SigningRequest, request_id)
    require(can_export_edxml(signed_in_user(), signing_request))
    return _export_page(signing_request)


@bp.post("/export/<int:request_id>")
@login_required
def export(request_id: int):
    """Make the package and download it, or send it through the configured transport."""
    user = signed_in_user()
    signing_request = get_or_404(SigningRequest, request_id)
    require(can_export_edxml(user, signing_request))
    try:
        choices: dict[str, Any] = {
            "receiver_ids": request.form.getlist("receivers"),
            "due_on": _optional_date("due_on"),
            "priority": integer("priority", 0),
        }
        if request.form.get("action") == "send":
            made, receipt = export_service.send_package(user, signing_request, **choices)
        else:
            made, receipt = export_service.export_package(user, signing_request, **choices), None
    except ServiceError as error:
        db.session.rollback()
        return _export_page(signing_request, error), error.status
    db.session.commit()
    if receipt is None:
        path = blob_store().path_for(made.sha256)
        return send_blob(
            path, made.sha256, "application/xml", filename=made.file_name, attachment=True
        )
    receivers = ", ".join(organ.name for organ in made.header.receivers)
    flash(_("The package was sent to %(receivers)s.", receivers=receivers), "ok")
    return redirect(url_for("signing.show", request_id=signing_request.id))


@bp.get("/import")
@login_required
def import_form():
    """Show the upload form for a package (.edxml or .xml) from another agency."""
    require(can_import_edxml(signed_in_user()))
    return render_template("edxml/import.html")


@bp.post("/import")
@login_required
def upload():
    """Read and verify the package; show its header and signatures and where it may go."""
    user = signed_in_user()
    require(can_import_edxml(user))
    upload = request.files.get("package")
    if upload is None or not upload.filename:
        error = ServiceError(_("Choose the .edxml file to import."), field="package")
        return render_template("edxml/import.html", error=error), error.status
    data = upload.stream.read(_package_limit() + 1)  # one byte more: too large is told
    try:
        inspection = import_service.check_package(user, data)
    except ServiceError as error:
        db.session.commit()  # keeps the refusal's audit event; nothing else was written
        return render_template("edxml/import.html", error=error), error.status
    db.session.commit()
    _remember(inspection.package.sha256)
    return _preview(inspection)


@bp.post("/import/<sha256>")
@login_required
def place(sha256: str):
    """Put the checked package's PDF into an agenda item or a person's received documents."""
    user = signed_in_user()
    require(can_import_edxml(user))
    if sha256 not in session.get(KEPT, []):
        abort(404)
    target = _target(user)
    try:
        import_service.place_package(user, sha256, target)
    except ServiceError as error:
        db.session.rollback()
        return render_template("edxml/import.html", error=error), error.status
    db.session.commit()
    if isinstance(target, import_service.ToAgendaItem):
        flash(_("The signed document was added to the agenda item unchanged."), "ok")
        return redirect(url_for("meetings.show", meeting_id=target.item.meeting_id))
    flash(_("The signed document was delivered to %(name)s.", name=target.person.full_name), "ok")
    return redirect(url_for("edxml.import_form"))


@bp.get("/received/<sha256>.pdf")
@login_required
def received_document(sha256: str):
    """Send a received document exactly as it arrived (its recipients and importers)."""
    deliveries = import_service.received_document(sha256)
    if not deliveries or not blob_store().exists(sha256):
        abort(404)
    recipients = {delivery.recipient_id for delivery in deliveries}
    require(can_read_received_document(signed_in_user(), recipients))
    return send_blob(
        blob_store().path_for(sha256),
        sha256,
        "application/pdf",
        filename=deliveries[0].file_name,
        attachment=bool(request.args.get("download")),
    )


# --- helpers ------------------------------------------------------------------------------------


def _export_page(signing_request: SigningRequest, error: ServiceError | None = None) -> str:
    organs: list[Any] = []
    try:
        organs = export_service.directory()
    except ServiceError as problem:
        error = error or problem
    return render_template(
        "edxml/export.html",
        req=signing_request,
        entry=register.entry_of(signing_request),
        directory=organs,
        problem=export_service.settings_problem(),
        priorities=export_service.PRIORITIES,
        error=error,
        form=request.form if request.method == "POST" else None,
    )


def _preview(inspection: import_service.Inspection) -> str:
    return render_template(
        "edxml/preview.html",
        inspection=inspection,
        header=inspection.package.header,
        items=import_service.open_agenda_items(),
        people=import_service.recipients(),
    )


def _optional_date(name: str) -> date | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ServiceError(_l("Enter a date (dd/mm/yyyy)."), field=name) from None


def _package_limit() -> int:
    return int(current_app.config["EDXML_MAX_MB"]) * 1024 * 1024


def _remember(sha256: str) -> None:
    kept = [value for value in session.get(KEPT, []) if value != sha256]
    session[KEPT] = [*kept, sha256][-KEEP:]


def _target(user: User) -> Any:
    """Read the chosen target: an agenda item of a meeting the user may edit, or a person."""
    if request.form.get("target") == "person":
        person = get_or_404(User, request.form.get("person_id", ""))
        return import_service.ToPerson(person)
    item = get_or_404(AgendaItem, request.form.get("item_id", ""))
    require(can_edit_meeting(user, item.meeting))
    return import_service.ToAgendaItem(item)
