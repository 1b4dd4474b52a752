"""The conclusion notice (Thông báo kết luận): drafted from the minutes, signed, then tasks.

The secretary starts it once the meeting has ended: each paragraph of the minutes' conclusions
becomes a numbered item, which may assign a task (owner unit, person in charge, deadline,
expected result). Sending renders the final PDF (``pdf/conclusion.py``, in the limited child)
and submits it on the ordinary route: the leader who concluded, then the clerk's seal, which
numbers it "TB". When the seal completes the route (:func:`notice_issued`) each assigning item
becomes a task. A returned or withdrawn request lets the secretary reopen the notice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..extensions import db
from ..i18n import to_local
from ..models import (
    ConclusionItem,
    ConclusionNotice,
    DocumentKind,
    Meeting,
    MeetingStatus,
    NoticeStatus,
    RequestStatus,
    Role,
    SigningRequest,
    StepKind,
    User,
    utcnow,
)
from ..pdf.conclusion import NoticeData, NoticeItem
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .minutes import render_pdf
from .minutes_record import minutes_of
from .signing_documents import RouteEntry
from .signing_requests import Outcome, submit_request
from .tasks import open_task, vietnam_today
from .users import units

MAX_ITEMS = 60
#: The furthest a deadline may be set (a longer plan is not a task to follow up).
MAX_AHEAD = timedelta(days=5 * 366)
MAX_TEXT = 4000
_NUMBERING = re.compile(r"^\s*(?:[-–•*+]|\(?\d{1,3}[.)]|[a-zđ][.)])\s+", re.IGNORECASE)


@dataclass(frozen=True)
class ItemInput:
    """One item as the secretary typed it (the form's row, already parsed)."""

    text: str
    owner_unit: str = ""
    assignee_id: int | None = None
    deadline: date | None = None
    expected_result: str = ""


def notice_of(meeting: Meeting) -> ConclusionNotice | None:
    """Return the meeting's conclusion notice, if one was started."""
    return db.session.scalar(
        select(ConclusionNotice).where(ConclusionNotice.meeting_id == meeting.id)
    )


def start_notice(actor: User, meeting: Meeting) -> ConclusionNotice:
    """Start the notice from the minutes' conclusions (one item per paragraph or line)."""
    if meeting.status != MeetingStatus.ENDED:
        raise NotAllowed(_l("The conclusion notice can be drafted once the meeting has ended."))
    existing = notice_of(meeting)
    if existing is not None:
        return existing
    leader = meeting.chair
    if leader is None:
        raise ServiceError(_l("Name the meeting's chair first: the chair concludes and signs."))
    minutes = minutes_of(meeting)
    notice = ConclusionNotice(
        meeting_id=meeting.id,
        concluded_by_id=leader.id,
        created_by_id=actor.id,
        preamble=default_preamble(meeting, leader),
    )
    for position, text in enumerate(split_conclusions(minutes.conclusions if minutes else "")):
        notice.items.append(ConclusionItem(position=position, text=text))
    db.session.add(notice)
    db.session.flush()
    record_event(actor, "conclusion.start", "meeting", meeting.id, items=len(notice.items))
    return notice


def save_notice(
    actor: User,
    notice: ConclusionNotice,
    *,
    concluded_by: User,
    preamble: str,
    recipients: str,
    items: Sequence[ItemInput],
) -> ConclusionNotice:
    """Replace the draft's text and items (refused once it is sent for signing)."""
    _require_draft(notice)
    if not concluded_by.active or not concluded_by.has_role(Role.LEADER):
        raise ServiceError(_l("Choose a leader to conclude and sign."), field="concluded_by")
    if not items:
        raise ServiceError(_l("Write at least one conclusion."), field="items")
    if len(items) > MAX_ITEMS:
        raise ServiceError(_l("Keep the notice under %(n)s items.", n=MAX_ITEMS), field="items")
    checked = [_checked_item(n, item) for n, item in enumerate(items, 1)]
    notice.concluded_by = concluded_by
    notice.preamble = _text(preamble, "preamble")
    notice.recipients = _text(recipients, "recipients")
    notice.items.clear()
    db.session.flush()  # the old rows go before the new ones take their positions
    for position, item in enumerate(checked):
        notice.items.append(ConclusionItem(position=position, **item))
    db.session.flush()
    record_event(actor, "conclusion.save", "conclusion_notice", notice.id, items=len(checked))
    return notice


def preview_notice(notice: ConclusionNotice) -> bytes:
    """Render the notice as it stands, marked "DỰ THẢO"."""
    return render_pdf("conclusion", notice_data(notice, final=False))


def send_notice(
    actor: User, notice: ConclusionNotice, *, clerk: User, due_at: datetime, message: str = ""
) -> Outcome:
    """Render the final notice and send it: the leader who concluded signs, the clerk seals."""
    _require_draft(notice)
    if not notice.items:
        raise ServiceError(_l("Write at least one conclusion."), field="items")
    leader = notice.concluded_by
    if not leader.active or not leader.has_role(Role.LEADER):
        raise ServiceError(_l("Choose a leader to conclude and sign."), field="concluded_by")
    _check_deadlines(notice, max(vietnam_today(), to_local(due_at).date()))
    pdf = render_pdf("conclusion", notice_data(notice, final=True))
    _claim(notice)  # two secretaries sending at once: one request
    meeting = notice.meeting
    outcome = submit_request(
        actor,
        title=f"Thông báo kết luận: {meeting.title}"[:300],
        message=message,
        due_at=due_at,
        pdf=pdf,
        file_name=f"thong-bao-ket-luan-{meeting.id}.pdf",
        route=[RouteEntry(notice.concluded_by, role="chair"), RouteEntry(clerk, StepKind.SEAL)],
        kind=DocumentKind.CONCLUSION,
    )
    notice.finalised_at = utcnow()
    notice.pdf_sha256 = outcome.request.source_sha256  # stored once, by submit_request
    notice.signing_request_id = outcome.request.id
    db.session.flush()
    record_event(
        actor,
        "conclusion.send",
        "conclusion_notice",
        notice.id,
        request=outcome.request.id,
        sha256=notice.pdf_sha256,
    )
    return outcome


def reopen_notice(actor: User, notice: ConclusionNotice) -> ConclusionNotice:
    """Make a notice whose request was returned or withdrawn a draft again."""
    request = notice.signing_request
    if (
        notice.status != NoticeStatus.FINAL
        or request is None
        or request.status
        not in (
            RequestStatus.RETURNED,
            RequestStatus.CANCELLED,
        )
    ):
        raise NotAllowed(
            _l("Only a notice whose signing was returned or withdrawn can be edited again.")
        )
    notice.status = NoticeStatus.DRAFT
    notice.signing_request_id = None
    notice.pdf_sha256 = None
    notice.finalised_at = None
    db.session.flush()
    record_event(actor, "conclusion.reopen", "conclusion_notice", notice.id, request=request.id)
    return notice


def notice_issued(request: SigningRequest) -> list[int]:
    """The seal completed a notice's route: issue it and open its tasks; return their ids."""
    notice = db.session.scalar(
        select(ConclusionNotice).where(ConclusionNotice.signing_request_id == request.id)
    )
    if notice is None or notice.status != NoticeStatus.FINAL:
        return []
    now = request.finished_at or utcnow()
    notice.status = NoticeStatus.ISSUED
    notice.issued_at = now
    dropped = [item.id for item in notice.items if _left_the_unit(item)]
    for item in notice.items:
        if item.id in dropped:  # deactivated or moved since: the whole unit takes the task
            item.assignee_id = None
    db.session.flush()
    tasks = [
        open_task(item, notice.concluded_by, notice.meeting_id, now)
        for item in notice.items
        if item.assigns_task
    ]
    record_event(
        None,
        "conclusion.issue",
        "conclusion_notice",
        notice.id,
        tasks=len(tasks),
        assignee_dropped=dropped,
    )
    return [task.id for task in tasks]


def split_conclusions(text: str) -> list[str]:
    """Split the minutes' conclusions into items: one per line, without its numbering."""
    items = [_NUMBERING.sub("", line).strip() for line in text.splitlines()]
    return [item[:MAX_TEXT] for item in items if item][:MAX_ITEMS]


def default_preamble(meeting: Meeting, leader: User) -> str:
    """Return the usual opening paragraph, ready to edit."""
    day = to_local(meeting.starts_at)
    who = f"{leader.position} {leader.full_name}".strip()
    return (
        f"Ngày {day:%d/%m/%Y}, đồng chí {who} chủ trì cuộc họp {meeting.title}. "
        f"Tham dự cuộc họp có đại diện lãnh đạo các cơ quan, đơn vị liên quan. Sau khi nghe "
        f"báo cáo và ý kiến phát biểu của các đại biểu dự họp, đồng chí {who} kết luận như sau:"
    )


def notice_data(notice: ConclusionNotice, *, final: bool) -> NoticeData:
    """Gather what the notice shows (the renderer reads nothing else)."""
    meeting = notice.meeting
    chair, signer = meeting.chair or notice.concluded_by, notice.concluded_by
    items = tuple(
        NoticeItem(
            number=n,
            text=item.text,
            owner_unit=item.owner_unit,
            assignee=item.assignee.full_name if item.assignee else "",
            deadline=item.deadline,
            expected_result=item.expected_result,
        )
        for n, item in enumerate(notice.items, 1)
    )
    return NoticeData(
        organisation=meeting.secretary.unit if meeting.secretary else "",
        organisation_code=current_app.config["ORGANISATION_CODE"],
        place=current_app.config.get("ORGANISATION_PLACE", ""),
        meeting_title=meeting.title,
        meeting_day=to_local(meeting.starts_at).date(),
        chair_name=chair.full_name,
        chair_position=chair.position,
        signer_name=signer.full_name,
        signer_heading=(signer.position or "").upper(),
        preamble=notice.preamble,
        items=items,
        recipients=tuple(recipients_of(notice)),
        final=final,
        dated=to_local(utcnow()),
    )


def recipients_of(notice: ConclusionNotice) -> list[str]:
    """Return "Nơi nhận": the secretary's lines, else the owner units in order."""
    lines = [line.strip(" -;") for line in notice.recipients.splitlines()]
    if any(lines):
        return [line for line in lines if line]
    seen: dict[str, None] = {}
    for item in notice.items:
        if item.owner_unit:
            seen.setdefault(item.owner_unit)
    return list(seen)


# --- helpers ------------------------------------------------------------------------------------


def _check_deadlines(notice: ConclusionNotice, first_day: date) -> None:
    """Refuse a task due before the notice can be issued (the day it is to be signed)."""
    for number, item in enumerate(notice.items, 1):
        if item.deadline is not None and item.deadline < first_day:
            message = _l(
                "Item %(n)s is due before the notice is signed. Give it a day on or after %(day)s.",
                n=number,
                day=f"{first_day:%d/%m/%Y}",
            )
            raise ServiceError(message, field="items")


def _claim(notice: ConclusionNotice) -> None:
    """Move the draft to final only if nobody sent it in the meantime."""
    claimed = db.session.execute(
        update(ConclusionNotice)
        .where(ConclusionNotice.id == notice.id, ConclusionNotice.status == NoticeStatus.DRAFT)
        .values(status=NoticeStatus.FINAL)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotAllowed(_l("Someone sent this notice at the same moment. Reload the page."))
    db.session.refresh(notice)


def _left_the_unit(item: ConclusionItem) -> bool:
    person = item.assignee
    return person is not None and (not person.active or person.unit != item.owner_unit)


def _require_draft(notice: ConclusionNotice) -> None:
    if notice.status != NoticeStatus.DRAFT:
        raise NotAllowed(
            _l(
                "The notice was sent for signing and can no longer be changed. If the leader "
                "returns it, edit it again then."
            )
        )


def _checked_item(number: int, item: ItemInput) -> dict[str, object]:
    """Check one item; a task needs a known unit, a deadline, and a person of that unit."""
    text = _text(item.text, "items")
    if not text:
        raise ServiceError(
            _l("Item %(n)s is empty: write it or remove it.", n=number), field="items"
        )
    unit = item.owner_unit.strip()
    if unit and unit not in units():
        raise ServiceError(
            _l("Item %(n)s: choose the unit from the list.", n=number), field="items"
        )
    if unit and item.deadline is None:
        raise ServiceError(
            _l("Item %(n)s assigns a task: give it a deadline.", n=number), field="items"
        )
    if item.deadline is not None and item.deadline > vietnam_today() + MAX_AHEAD:
        raise ServiceError(
            _l("Item %(n)s: give a deadline within five years.", n=number), field="items"
        )
    if not unit and (item.assignee_id or item.deadline or item.expected_result.strip()):
        raise ServiceError(
            _l("Item %(n)s: choose the unit the task is assigned to.", n=number), field="items"
        )
    if item.assignee_id is not None:
        person = db.session.get(User, item.assignee_id)
        if person is None or not person.active or person.unit != unit:
            raise ServiceError(
                _l("Item %(n)s: the person in charge must belong to the unit.", n=number),
                field="items",
            )
    return {
        "text": text,
        "owner_unit": unit,
        "assignee_id": item.assignee_id,
        "deadline": item.deadline if unit else None,
        "expected_result": _text(item.expected_result, "items"),
    }


def _text(value: str, field: str) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        raise ServiceError(_l("Keep each text under %(n)s characters.", n=MAX_TEXT), field=field)
    return text
