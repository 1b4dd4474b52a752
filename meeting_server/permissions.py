"""Who may do what: plain ``can_<verb>_<noun>(user, obj) -> bool`` predicates.

Used by every view (and, later, every socket handler). The office secretariat works as a team:
any active secretary may prepare any meeting. Participants see only meetings they are invited to,
and only once published; confidential agenda items only with the invitation's permission.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from .models import (
    AgendaItem,
    CalendarFeed,
    Document,
    FeedKind,
    Invitation,
    Meeting,
    MeetingStatus,
    Presentation,
    RequestStatus,
    Role,
    SigningRequest,
    SigningStep,
    SpeakingRequest,
    StepStatus,
    Task,
    TaskStatus,
    User,
)


def _active(user: User | None) -> bool:
    return user is not None and user.active


def is_secretary(user: User | None) -> bool:
    """Tell whether the user belongs to the office secretariat."""
    return _active(user) and user is not None and user.has_role(Role.SECRETARY)


def can_administer(user: User | None) -> bool:
    """Tell whether the user may manage users, rooms and settings."""
    return _active(user) and user is not None and user.has_role(Role.ADMIN)


def can_create_meeting(user: User | None) -> bool:
    """Tell whether the user may prepare new meetings."""
    return is_secretary(user)


def can_edit_meeting(user: User | None, meeting: Meeting) -> bool:
    """Tell whether the user may change the meeting, its people, agenda and documents."""
    return is_secretary(user) and meeting.status != MeetingStatus.ENDED


def invitation_of(user: User | None, meeting: Meeting) -> Invitation | None:
    """Return the user's invitation to the meeting, if any."""
    if user is None:
        return None
    session = object_session(meeting)
    if session is None or meeting.id is None or "invitations" in meeting.__dict__:
        return next((inv for inv in meeting.invitations if inv.user_id == user.id), None)
    # One row, not the whole list: a meeting may have a thousand invitations; and once per
    # transaction (a join asks several predicates), forgotten as soon as anything is written.
    known: dict[tuple[int, int], Invitation | None] = session.info.setdefault(_INVITATIONS, {})
    key = (user.id, meeting.id)
    if key not in known:
        known[key] = session.scalar(
            select(Invitation).where(
                Invitation.meeting_id == meeting.id, Invitation.user_id == user.id
            )
        )
    return known[key]


_INVITATIONS = "permissions.invitations"


def _forget_invitations(session: Session, *_: object) -> None:
    session.info.pop(_INVITATIONS, None)


for _moment in ("after_flush", "after_commit", "after_soft_rollback"):
    event.listen(Session, _moment, _forget_invitations)


def can_view_meeting(user: User | None, meeting: Meeting) -> bool:
    """Tell whether the user may open the meeting (drafts: secretariat and chair only)."""
    if not _active(user) or user is None:
        return False
    if is_secretary(user) or meeting.chair_id == user.id:
        return True
    return not meeting.is_draft and invitation_of(user, meeting) is not None


def can_view_confidential(user: User | None, meeting: Meeting) -> bool:
    """Tell whether the user may see the meeting's confidential items."""
    if not can_view_meeting(user, meeting) or user is None:
        return False
    if is_secretary(user) or meeting.chair_id == user.id:
        return True
    invitation = invitation_of(user, meeting)
    return invitation is not None and invitation.may_view_confidential


def can_view_item(user: User | None, item: AgendaItem) -> bool:
    """Tell whether the user may see the agenda item and its documents."""
    if item.confidential:
        return can_view_confidential(user, item.meeting)
    return can_view_meeting(user, item.meeting)


def can_view_document(user: User | None, document: Document) -> bool:
    """Tell whether the user may read the document (withdrawn ones: secretariat only)."""
    if document.removed_at is not None and not is_secretary(user):
        return False
    return can_view_item(user, document.agenda_item)


def can_download_document(user: User | None, document: Document) -> bool:
    """Tell whether the user may download or print the document (watermarked if confidential).

    Confidential items may be read on screen only, unless the meeting allows downloads; the
    secretariat and the chair always may.
    """
    if not can_view_document(user, document):
        return False
    meeting = document.agenda_item.meeting
    if not document.agenda_item.confidential or meeting.confidential_download:
        return True
    return is_secretary(user) or (user is not None and meeting.chair_id == user.id)


class Audience(StrEnum):
    """The readers of a meeting who see the same live state (``services/live_state.py``)."""

    PUBLIC = "public"  # invited: everything but confidential items
    CLEARED = "cleared"  # invited with the right to see confidential items
    MANAGERS = "managers"  # the secretariat and the chair


def audience_of(user: User, meeting: Meeting) -> Audience:
    """Return the audience of someone who may view ``meeting`` (see ``can_view_meeting``)."""
    if is_secretary(user) or meeting.chair_id == user.id:
        return Audience.MANAGERS
    return Audience.CLEARED if can_view_confidential(user, meeting) else Audience.PUBLIC


def audience_sees_item(audience: Audience, item: AgendaItem) -> bool:
    """Tell whether everyone in ``audience`` may see ``item`` (``can_view_item`` for them)."""
    return not item.confidential or audience is not Audience.PUBLIC


def audience_may_download(audience: Audience, document: Document) -> bool:
    """Tell whether everyone in ``audience`` may download ``document`` (not withdrawn).

    The same rule as ``can_download_document`` for each of them.
    """
    if not audience_sees_item(audience, document.agenda_item):
        return False
    meeting = document.agenda_item.meeting
    if not document.agenda_item.confidential or meeting.confidential_download:
        return True
    return audience is Audience.MANAGERS


def can_conduct_meeting(user: User | None, meeting: Meeting) -> bool:
    """Tell whether the user may start or end the meeting and move through its agenda."""
    if (
        meeting.is_draft
        or meeting.status == MeetingStatus.ENDED
        or not _active(user)
        or user is None
    ):
        return False
    return is_secretary(user) or meeting.chair_id == user.id


def can_present(user: User | None, item: AgendaItem) -> bool:
    """Tell whether the user may present the item's documents to the room.

    The chair and the secretariat may present anything; an item's presenter only their item.
    """
    meeting = item.meeting
    if meeting.status != MeetingStatus.IN_PROGRESS or not can_view_item(user, item) or user is None:
        return False
    return can_conduct_meeting(user, meeting) or item.presenter_id == user.id


def can_stop_presenting(
    user: User | None, meeting: Meeting, presentation: Presentation | None
) -> bool:
    """Tell whether the user may stop the presentation (the conductors, or its presenter)."""
    if can_conduct_meeting(user, meeting):
        return True
    return presentation is not None and user is not None and presentation.presenter_id == user.id


def can_record_attendance(user: User | None, meeting: Meeting) -> bool:
    """Tell whether the user may take the roll, scan QR codes at the door and record absences.

    The secretariat and the chair, from publication until the meeting ends.
    """
    if (
        meeting.is_draft
        or meeting.status == MeetingStatus.ENDED
        or not _active(user)
        or user is None
    ):
        return False
    return is_secretary(user) or meeting.chair_id == user.id


def can_view_attendance(user: User | None, meeting: Meeting) -> bool:
    """Tell whether the user may see the attendance board and its exports (also once ended)."""
    if not _active(user) or user is None:
        return False
    return is_secretary(user) or meeting.chair_id == user.id


def can_run_votes(user: User | None, meeting: Meeting) -> bool:
    """Tell whether the user may open and close votes and give the floor (the conductors)."""
    return meeting.status == MeetingStatus.IN_PROGRESS and can_conduct_meeting(user, meeting)


def can_ask_to_speak(user: User | None, meeting: Meeting) -> bool:
    """Tell whether the user may ask to speak: invited to the meeting (or its chair)."""
    return can_view_meeting(user, meeting) and invitation_of(user, meeting) is not None


def can_withdraw_request_to_speak(user: User | None, request: SpeakingRequest) -> bool:
    """Tell whether the user may take a request to speak out of the queue: their own, or any
    for those who give the floor."""
    if user is None or not can_view_meeting(user, request.meeting):
        return False
    return request.invitation.user_id == user.id or can_run_votes(user, request.meeting)


def can_edit_minutes(user: User | None, meeting: Meeting) -> bool:
    """Tell whether the user may draft and finalise the minutes (the secretariat)."""
    return is_secretary(user) and not meeting.is_draft


# --- signing ----------------------------------------------------------------------------------


def can_hold_signing_key(user: User | None, purpose: str) -> bool:
    """Tell whether the user may hold a key: leaders, secretaries and clerks sign; clerks seal."""
    if not _active(user) or user is None:
        return False
    if purpose == "seal":
        return user.has_role(Role.CLERK)
    return any(user.has_role(r) for r in (Role.LEADER, Role.SECRETARY, Role.CLERK))


def can_send_for_signing(user: User | None) -> bool:
    """Tell whether the user may submit documents for signing (the secretariat)."""
    return is_secretary(user)


def can_view_signing_request(user: User | None, request: SigningRequest) -> bool:
    """Tell whether the user may see a request: its sender, its signers, clerks, admins."""
    if not _active(user) or user is None:
        return False
    if user.id == request.sender_id or user.has_role(Role.ADMIN):
        return True
    if any(step.signer_id == user.id for step in request.steps):
        return True
    return user.has_role(Role.CLERK) and any(s.kind == "seal" for s in request.steps)


def can_act_on_step(user: User | None, step: SigningStep) -> bool:
    """Tell whether the user may sign or return this step now (the seal: any clerk)."""
    if not _active(user) or user is None or step.status != StepStatus.PENDING:
        return False
    if step.request.status != RequestStatus.IN_PROGRESS:
        return False
    if step.kind == "seal":
        return user.has_role(Role.CLERK)
    return step.signer_id == user.id


def can_cancel_signing_request(user: User | None, request: SigningRequest) -> bool:
    """Tell whether the user may withdraw the request (its sender or an admin, while open)."""
    if not _active(user) or user is None or request.status != RequestStatus.IN_PROGRESS:
        return False
    return user.id == request.sender_id or user.has_role(Role.ADMIN)


def can_revoke_certificates(user: User | None) -> bool:
    """Tell whether the user may revoke anyone's signing certificate (admins)."""
    return can_administer(user)


def can_view_signing_dashboard(user: User | None) -> bool:
    """Tell whether the user may see the on-time dashboard (secretariat, leaders, admins)."""
    if not _active(user) or user is None:
        return False
    return any(user.has_role(r) for r in (Role.SECRETARY, Role.LEADER, Role.ADMIN))


# --- stamp images (Decree 30) -----------------------------------------------------------------


def can_set_signature_image(user: User | None, owner: User) -> bool:
    """Tell whether the user may upload, replace or remove ``owner``'s handwritten signature
    image: only the owner themselves, and only if they may hold a signing key."""
    return user is not None and user.id == owner.id and can_hold_signing_key(user, "signer")


def can_set_organisation_seal(user: User | None) -> bool:
    """Tell whether the user may set or remove the organisation's seal image (admins)."""
    return can_administer(user)


# --- after the meeting: the conclusion notice and its tasks -----------------------------------


def can_edit_conclusion_notice(user: User | None, meeting: Meeting) -> bool:
    """Tell whether the user may draft, finalise and send the meeting's conclusion notice
    (the secretariat, once the meeting has ended)."""
    return is_secretary(user) and meeting.status == MeetingStatus.ENDED


def sees_every_task(user: User | None) -> bool:
    """Tell whether the user follows every unit's tasks: leaders and the office."""
    if not _active(user) or user is None:
        return False
    return any(user.has_role(r) for r in (Role.SECRETARY, Role.LEADER, Role.ADMIN))


def can_view_task(user: User | None, task: Task) -> bool:
    """Tell whether the user may see a task: its unit, its assigner, leaders and the office."""
    if not _active(user) or user is None:
        return False
    if sees_every_task(user) or user.id in (task.assigned_by_id, task.assignee_id):
        return True
    return bool(user.unit) and user.unit == task.owner_unit


def can_work_on_task(user: User | None, task: Task) -> bool:
    """Tell whether the user may accept, report on, ask more time for, or report done a task:
    the person in charge and the people of its owner unit, until it is confirmed done — never
    the leader who assigned it, who confirms the result."""
    if not _active(user) or user is None or task.status == TaskStatus.DONE:
        return False
    if user.id == task.assigned_by_id:
        return False
    return user.id == task.assignee_id or (bool(user.unit) and user.unit == task.owner_unit)


def can_decide_task(user: User | None, task: Task) -> bool:
    """Tell whether the user may decide on an extension and confirm or return a result: the
    leader who assigned it."""
    return _active(user) and user is not None and user.id == task.assigned_by_id


def can_view_office_dashboard(user: User | None) -> bool:
    """Tell whether the user may see the leaders' dashboard (leaders, the office, admins)."""
    return sees_every_task(user)


def can_set_office_target(user: User | None) -> bool:
    """Tell whether the user may set the office's on-time target for tasks (admins)."""
    return can_administer(user)


# --- calendar feeds (the secret iCalendar addresses) -------------------------------------------


def can_create_person_feed(user: User | None, owner: User) -> bool:
    """Tell whether the user may make a calendar address of ``owner``'s meetings: only their
    own (the address lists what they are invited to)."""
    return _active(user) and user is not None and user.id == owner.id


def can_create_room_feed(user: User | None) -> bool:
    """Tell whether the user may make a calendar address of a room's meetings (admins)."""
    return can_administer(user)


def can_manage_calendar_feed(user: User | None, feed: CalendarFeed) -> bool:
    """Tell whether the user may revoke or replace ``feed``: a person's own, a room's (admins)."""
    if feed.kind == FeedKind.ROOM:
        return can_create_room_feed(user)
    return _active(user) and user is not None and user.id == feed.user_id


# --- interconnection: edXML packages --------------------------------------------------------


def can_export_edxml(user: User | None, request: SigningRequest) -> bool:
    """Tell whether the user may export a signed document as an edXML package or send it to
    other agencies: once its route is complete, its sender or a clerk who may see it (the
    clerk dispatches the office's outgoing documents)."""
    if not _active(user) or user is None or request.status != RequestStatus.COMPLETED:
        return False
    if user.id == request.sender_id:
        return True
    return user.has_role(Role.CLERK) and can_view_signing_request(user, request)


def can_import_edxml(user: User | None) -> bool:
    """Tell whether the user may import packages from other agencies (secretaries, clerks)."""
    if not _active(user) or user is None:
        return False
    return user.has_role(Role.SECRETARY) or user.has_role(Role.CLERK)


def can_read_received_document(user: User | None, recipient_ids: Collection[int]) -> bool:
    """Tell whether the user may read a document received by edXML: a person it was delivered
    to, or whoever imports packages."""
    if not _active(user) or user is None:
        return False
    return user.id in recipient_ids or can_import_edxml(user)
