"""The conclusion notice (Thông báo kết luận): the secretary drafts it from the minutes,
previews it, and sends it for the leader's signature and the clerk's seal."""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..models import ConclusionNotice, KeyPurpose, Meeting, Role, utcnow
from ..models.ids import parse_id
from ..permissions import can_edit_conclusion_notice, can_hold_signing_key, sees_every_task
from ..services import conclusions as service
from ..services.errors import ServiceError
from ..services.users import units
from .forms import local_datetime, optional_user
from .lookups import active_users, get_or_404
from .responses import generated_pdf

bp = Blueprint("conclusions", __name__)

BLANK_ROWS = 3
#: The columns of an item row in the form, in order.
ITEM_FIELDS = ("text", "unit", "assignee", "deadline", "result")


@bp.get("/meetings/<int:meeting_id>/conclusions")
@login_required
def edit(meeting_id: int):
    """Show the notice: start it, edit the draft, or follow its signing and its tasks."""
    meeting = get_or_404(Meeting, meeting_id)
    require(_may_read(meeting))
    return _page(meeting, service.notice_of(meeting))


@bp.post("/meetings/<int:meeting_id>/conclusions/start")
@login_required
def start(meeting_id: int):
    """Start the notice from the minutes' conclusions."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_conclusion_notice(signed_in_user(), meeting))
    service.start_notice(signed_in_user(), meeting)
    db.session.commit()
    flash(_("The notice is drafted from the minutes' conclusions. Assign the tasks."), "ok")
    return redirect(url_for("conclusions.edit", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/conclusions")
@login_required
def save(meeting_id: int):
    """Save the draft: the leader, the opening, the items and their tasks, the recipients."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_conclusion_notice(signed_in_user(), meeting))
    notice = _notice_or_404(meeting)
    try:
        _save(notice)
    except ServiceError as error:
        db.session.rollback()  # keep what was typed on screen, with the reason
        return _page(meeting, _notice_or_404(meeting), error, typed=True), error.status
    db.session.commit()
    flash(_("Draft saved. Preview the PDF to check it."), "ok")
    return redirect(url_for("conclusions.edit", meeting_id=meeting.id))


@bp.get("/meetings/<int:meeting_id>/conclusions/preview.pdf")
@login_required
def preview(meeting_id: int):
    """Render the draft as it stands (marked "DỰ THẢO"), never cached."""
    meeting = get_or_404(Meeting, meeting_id)
    require(_may_read(meeting))
    data = service.preview_notice(_notice_or_404(meeting))
    return generated_pdf(data, f"thong-bao-ket-luan-du-thao-{meeting.id}.pdf", inline=True)


@bp.post("/meetings/<int:meeting_id>/conclusions/send")
@login_required
def send(meeting_id: int):
    """Save the draft as it is on the page, render the final notice and send it: the leader
    signs, the clerk seals and numbers it."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_conclusion_notice(signed_in_user(), meeting))
    notice = _notice_or_404(meeting)
    try:
        if notice.status == "draft":  # a stale page on a sent notice is refused by the service
            _save(notice)
        clerk = optional_user("clerk")
        if clerk is None or not can_hold_signing_key(clerk, KeyPurpose.SEAL):
            raise ServiceError(_l("Choose the clerk who applies the seal."), field="clerk")
        due_at = local_datetime("due_at")
        outcome = service.send_notice(signed_in_user(), notice, clerk=clerk, due_at=due_at)
    except ServiceError as error:
        db.session.rollback()
        return _page(meeting, _notice_or_404(meeting), error, typed=True), error.status
    db.session.commit()
    flash(_("The notice went to %(name)s for signing.", name=notice.concluded_by.full_name), "ok")
    return redirect(url_for("signing.show", request_id=outcome.request.id))


@bp.post("/meetings/<int:meeting_id>/conclusions/reopen")
@login_required
def reopen(meeting_id: int):
    """Make a returned or withdrawn notice a draft again."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_conclusion_notice(signed_in_user(), meeting))
    service.reopen_notice(signed_in_user(), _notice_or_404(meeting))
    db.session.commit()
    flash(_("The notice is a draft again. Change it and send it once more."), "ok")
    return redirect(url_for("conclusions.edit", meeting_id=meeting.id))


def _save(notice: ConclusionNotice) -> None:
    """Save the editor's fields into the draft."""
    leader = optional_user("concluded_by")
    if leader is None:
        raise ServiceError(_l("Choose a leader to conclude and sign."), field="concluded_by")
    service.save_notice(
        signed_in_user(),
        notice,
        concluded_by=leader,
        preamble=request.form.get("preamble", ""),
        recipients=request.form.get("recipients", ""),
        items=_items(),
    )


def _may_read(meeting: Meeting) -> bool:
    """The secretariat edits; leaders and the office follow every meeting's notice."""
    user = signed_in_user()
    return can_edit_conclusion_notice(user, meeting) or sees_every_task(user)


def _notice_or_404(meeting: Meeting) -> ConclusionNotice:
    notice = service.notice_of(meeting)
    if notice is None:
        abort(404)
    return notice


def _items() -> list[service.ItemInput]:
    """Read the item rows in order; a row left wholly empty is dropped."""
    items = []
    for number, row in enumerate(_typed_rows(), 1):
        items.append(
            service.ItemInput(
                text=str(row["text"]),
                owner_unit=str(row["unit"]).strip(),
                assignee_id=_person_id(str(row["assignee"]), number),
                deadline=_day(str(row["deadline"]), number),
                expected_result=str(row["result"]),
            )
        )
    return items


def _person_id(raw: str, number: int) -> int | None:
    if not raw.strip():
        return None
    person_id = parse_id(raw)
    if person_id is None:
        message = _l("Item %(n)s: choose the person from the list.", n=number)
        raise ServiceError(message, field="items")
    return person_id


def _day(raw: str, number: int) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        message = _l("Item %(n)s: enter the deadline as a date.", n=number)
        raise ServiceError(message, field="items") from None


def _page(
    meeting: Meeting,
    notice: ConclusionNotice | None,
    error: ServiceError | None = None,
    *,
    typed: bool = False,
):
    user = signed_in_user()
    may_edit = can_edit_conclusion_notice(user, meeting)
    people = active_users()
    request_status = notice.signing_request.status if notice and notice.signing_request else None
    texts = request.form if typed else {"preamble": "", "recipients": ""}
    response = make_response(
        render_template(
            "conclusions/edit.html",
            meeting=meeting,
            notice=notice,
            error=error,
            editable=notice is not None and notice.status == "draft" and may_edit,
            may_start=notice is None and may_edit,
            rows=(_typed_rows(check=False) if typed else _stored_rows(notice)) + [{}] * BLANK_ROWS,
            units=units(),
            leaders=[u for u in people if u.has_role(Role.LEADER)],
            people_by_unit=_people_by_unit(people),
            clerks=[u for u in people if can_hold_signing_key(u, KeyPurpose.SEAL)],
            due=utcnow() + timedelta(days=current_app.config["SIGNING_DUE_DAYS"]),
            preamble=texts.get("preamble") if typed else (notice.preamble if notice else ""),
            recipients=texts.get("recipients") if typed else (notice.recipients if notice else ""),
            recipients_default=service.recipients_of(notice) if notice else [],
            reopenable=may_edit and request_status in ("returned", "cancelled"),
            form_clerk=texts.get("clerk", ""),
            form_due=texts.get("due_at", ""),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _stored_rows(notice: ConclusionNotice | None) -> list[dict[str, object]]:
    if notice is None:
        return []
    return [
        {
            "text": i.text,
            "unit": i.owner_unit,
            "assignee": i.assignee_id or "",
            "deadline": i.deadline.isoformat() if i.deadline else "",
            "result": i.expected_result,
        }
        for i in notice.items
    ]


def _typed_rows(*, check: bool = True) -> list[dict[str, object]]:
    """Return the item rows as typed (wholly empty rows dropped)."""
    columns = [request.form.getlist(f"item_{name}") for name in ITEM_FIELDS]
    if check and len({len(column) for column in columns}) > 1:  # not our form's rows
        raise ServiceError(_l("The items could not be read. Reload the page and try again."))
    rows = [dict(zip(ITEM_FIELDS, values, strict=True)) for values in zip(*columns, strict=False)]
    return [row for row in rows if any(str(v).strip() for v in row.values())]


def _people_by_unit(people: list) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for person in people:
        if person.unit:
            grouped.setdefault(person.unit, []).append(person)
    return grouped
