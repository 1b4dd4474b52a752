"""Meetings held and tasks written straight into the database with chosen times, for the
leaders' dashboard's tests (and its bench's idea of the same rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from meeting_server.extensions import db
from meeting_server.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Document,
    DocumentVersion,
    Invitation,
    Meeting,
    MeetingStatus,
    Task,
    TaskStatus,
)
from tests.support.people import actor


@dataclass
class Held:
    """A meeting to write: who came (minutes after the actual start; ``None``: no check-in),
    the pages of each document's versions."""

    room_id: int
    starts_at: datetime
    arrivals: dict[str, float | None] = field(default_factory=dict)
    documents: list[list[int]] = field(default_factory=list)
    status: MeetingStatus = MeetingStatus.ENDED
    started_late_by: float = 0  # minutes between the scheduled and the actual start
    #: A status other than present (absent, delegated with the deputy's arrival, left).
    statuses: dict[str, AttendanceStatus] = field(default_factory=dict)


def add_meeting(held: Held) -> Meeting:
    """Insert the meeting, its invitations and attendance, and its documents' versions."""
    started = held.starts_at + timedelta(minutes=held.started_late_by)
    meeting = Meeting(
        title="Họp giao ban",
        room_id=held.room_id,
        starts_at=held.starts_at,
        ends_at=held.starts_at + timedelta(hours=2),
        started_at=started if held.status == MeetingStatus.ENDED else None,
        status=held.status,
        created_by_id=actor().id,
    )
    db.session.add(meeting)
    db.session.flush()
    for username, minutes in held.arrivals.items():
        invitation = Invitation(meeting_id=meeting.id, user_id=actor(username).id)
        db.session.add(invitation)
        db.session.flush()
        status = held.statuses.get(username, AttendanceStatus.PRESENT)
        if minutes is None and username not in held.statuses:
            continue  # nothing recorded
        arrived = None if minutes is None else started + timedelta(minutes=minutes)
        db.session.add(
            Attendance(invitation_id=invitation.id, status=status, checked_in_at=arrived)
        )
    _add_documents(meeting, held.documents)
    db.session.commit()
    return meeting


def _add_documents(meeting: Meeting, documents: list[list[int]]) -> None:
    item = AgendaItem(meeting_id=meeting.id, position=1, title="Báo cáo")
    db.session.add(item)
    db.session.flush()
    for number, versions in enumerate(documents, 1):
        document = Document(agenda_item_id=item.id, title=f"Tài liệu {number}")
        db.session.add(document)
        db.session.flush()
        for version, pages in enumerate(versions, 1):
            db.session.add(
                DocumentVersion(
                    document_id=document.id,
                    number=version,
                    sha256=f"{document.id:032x}{version:032x}",
                    size=1000,
                    page_count=pages,
                    original_filename="tai-lieu.pdf",
                    uploaded_by_id=actor().id,
                )
            )


def add_task(
    meeting_id: int,
    *,
    deadline: date,
    unit: str = "Sở Tài chính",
    assigner: str = "chutich",
    first_deadline: date | None = None,
    assignee: str | None = None,
    reported_at: datetime | None = None,
    done_at: datetime | None = None,
    status: TaskStatus | None = None,
) -> Task:
    """Insert a task; its status follows from the times unless told (done, reported, assigned)."""
    if status is None:
        status = TaskStatus.DONE if done_at else TaskStatus.REPORTED if reported_at else None
    task = Task(
        meeting_id=meeting_id,
        title="Hoàn thiện báo cáo",
        owner_unit=unit,
        assignee_id=actor(assignee).id if assignee else None,
        assigned_by_id=actor(assigner).id,
        deadline=deadline,
        original_deadline=first_deadline or deadline,
        status=status or TaskStatus.ASSIGNED,
        reported_at=reported_at,
        done_at=done_at,
    )
    db.session.add(task)
    db.session.commit()
    return task
