"""The minutes (biên bản): the secretary drafts the conclusions, then finalises a Vietnamese PDF.

Everything else in the minutes is gathered from the record — attendance, delegations, the
agenda and its documents (version and SHA-256), the speaking log, the votes with their
attendance snapshots — when the PDF is rendered. Finalising (only once the meeting has ended)
stores the PDF by its SHA-256 and locks the minutes for good: it is the file the signing
workflow (chair, secretary, clerk's seal) works on, so every later edit is refused.
"""

from __future__ import annotations

import logging
import pickle
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ..extensions import db
from ..models import (
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    User,
    utcnow,
)
from ..pdf.conclusion import NoticeData
from ..pdf.runner import ChildFailed, run_child
from ..storage import StoredBlob, blob_store
from . import webhooks
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .minutes_record import MinutesData, has_confidential_items, minutes_data, minutes_of

#: Long enough for any real set of conclusions; a paste of a whole report is refused.
MAX_CONCLUSIONS = 50_000
#: Limits of the rendering child (a 200-person meeting with three named votes: ≈ 2 s).
RENDER_TIMEOUT_S = 60
RENDER_MEMORY_MB = 768

log = logging.getLogger(__name__)


class RenderFailed(ServiceError):
    """The rendering child gave no PDF (a limit, or a bug): nothing was stored."""

    status = 503


def save_draft(actor: User, meeting: Meeting, conclusions: str) -> Minutes:
    """Save the secretary's conclusions in the draft (refused once the minutes are final)."""
    if meeting.is_draft:
        raise NotAllowed(_l("Publish the meeting before drafting its minutes."))
    text = conclusions.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_CONCLUSIONS:
        raise ServiceError(
            _l("Keep the conclusions under %(n)s characters.", n=MAX_CONCLUSIONS),
            field="conclusions",
        )
    minutes = minutes_of(meeting)
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, status=MinutesStatus.DRAFT)
        db.session.add(minutes)
    _require_draft(minutes)
    minutes.conclusions = text
    minutes.updated_by_id = actor.id
    db.session.flush()
    record_event(actor, "minutes.save", "meeting", meeting.id, length=len(text))
    return minutes


def preview_pdf(meeting: Meeting) -> bytes:
    """Render the draft minutes as they stand now, marked "DỰ THẢO" on every page."""
    minutes = minutes_of(meeting)
    if minutes is not None and minutes.status == MinutesStatus.FINAL:
        raise NotAllowed(_l("The minutes are final. Download the finalised PDF instead."))
    return render_pdf("minutes", minutes_data(meeting))


def finalise_minutes(actor: User, meeting: Meeting) -> Minutes:
    """Render the final PDF, store it by SHA-256 and lock the minutes for signing."""
    if meeting.status != MeetingStatus.ENDED:
        raise NotAllowed(_l("The minutes can be finalised once the meeting has ended."))
    minutes = minutes_of(meeting)
    if minutes is not None:
        _require_draft(minutes)
    if minutes is None or not minutes.conclusions:
        raise ServiceError(
            _l("Write the conclusions and save the draft before finalising the minutes."),
            field="conclusions",
        )
    now = utcnow()
    blob = blob_store().put_bytes(render_pdf("minutes", minutes_data(meeting, final=True, at=now)))
    if has_confidential_items(meeting):
        extract = minutes_data(meeting, final=True, at=now, extract=True)
        minutes.extract_sha256 = blob_store().put_bytes(render_pdf("minutes", extract)).sha256
    _lock(minutes, actor, blob, now)
    webhooks.record(webhooks.MINUTES_FINALISED, meeting)
    record_event(
        actor, "minutes.finalise", "meeting", meeting.id, sha256=blob.sha256, size=blob.size
    )
    return minutes


def render_pdf(kind: str, data: MinutesData | NoticeData) -> bytes:
    """Render the minutes, the attendance sheet or a conclusion notice (``kind``) in a limited
    child process."""
    store = blob_store()
    with store.temporary_file(".minutes-data") as source, store.temporary_file(".pdf") as target:
        source.write_bytes(pickle.dumps(data))
        try:
            report = run_child(
                "meeting_server.pdf.children.minutes", [kind, str(source), str(target)],
                timeout_s=RENDER_TIMEOUT_S, memory_mb=RENDER_MEMORY_MB, file_mb=64,
            )  # fmt: skip
        except ChildFailed as error:
            log.error("rendering %s failed: %s", kind, error)
            report = {"ok": False}
        if report.get("ok") is not True:
            raise RenderFailed(
                _l("The PDF could not be made. Try again; if it fails again, tell the "
                   "administrator.")
            )  # fmt: skip
        return target.read_bytes()


def _lock(minutes: Minutes, actor: User, blob: StoredBlob, now: datetime) -> None:
    """Make the draft that was rendered final, unless someone changed it in the meantime."""
    # A save or a finalisation committed at the same moment leaves no row to update.
    locked = db.session.execute(
        update(Minutes)
        .where(
            Minutes.id == minutes.id,
            Minutes.status == MinutesStatus.DRAFT,
            Minutes.conclusions == minutes.conclusions,
        )
        .values(
            status=MinutesStatus.FINAL,
            finalised_at=now,
            finalised_by_id=actor.id,
            pdf_sha256=blob.sha256,
            pdf_size=blob.size,
        )
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise NotAllowed(_l("Someone changed the minutes at the same moment. Reload the page."))
    db.session.refresh(minutes)


def _require_draft(minutes: Minutes) -> None:
    if minutes.status == MinutesStatus.FINAL:
        raise NotAllowed(
            _l(
                "The minutes are final and locked for signing; they can no longer be changed. "
                "Download the finalised PDF to read them."
            )
        )
