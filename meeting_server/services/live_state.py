"""The live meeting's read model: what a tablet shows, built once per audience, not per reader.

Everything a tablet shows splits in two:

* the **shared state** of an *audience* — ``public`` (invited), ``cleared`` (may see
  confidential items) or ``managers`` (secretariat and chair): the meeting, the agenda and its
  documents, the current item, the presented page, the open vote, the last results, the queue
  to speak, and the quorum (managers only). Everyone in an audience sees exactly the same, so
  a change is computed once per audience and travels *inside* the notice
  (:func:`notice_state`), and a full read is cached per ``(meeting, audience, seq)``;
* the reader's own part, ``mine`` (:func:`reader_state`): who reads, their attendance,
  whether they may vote now and which open vote they already voted in. A notice names the
  people whose part changed (``readers``); only their tablets read it again.

The browser combines the two (``static/js/lib/live.js``, ``personalise``): a document may be
presented by the item's presenter, a speaking request is mine when it names me.

Permission stays exact: :func:`audience_of` puts each reader in the one audience whose
predicates (``permissions.audience_sees_item`` …) equal their own ``can_view_item`` …;
``tests/test_live_state.py`` checks it for every kind of reader.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict
from functools import cached_property
from typing import Any, TypedDict

from flask import current_app, url_for

from ..i18n import to_local
from ..models import (
    AgendaItem,
    Document,
    Meeting,
    MeetingNoticeKind,
    MeetingStatus,
    Presentation,
    SpeakingRequest,
    User,
    Vote,
    VoteStatus,
)
from ..permissions import (
    Audience,
    audience_may_download,
    audience_of,
    audience_sees_item,
)
from . import attendance as attendance_service
from . import presentations as presentation_service
from . import speaking as speaking_service
from . import votes as vote_service

#: Every part of the shared state: top-level keys, and dotted keys inside ``conduct``. A
#: tablet keeps, per part, the ``seq`` of the notice (or read) it came with.
SHARED_PARTS = (
    "meeting",
    "can_conduct",
    "items",
    "documents",
    "current_item_id",
    "presentation",
    "conduct.can_run",
    "conduct.quorum",
    "conduct.vote",
    "conduct.last_vote",
    "conduct.speaking",
)

#: The parts of the shared state each notice kind may change (keys of the state; dotted
#: keys are inside ``conduct``). ``None``: the whole shared state.
PARTS_OF: dict[MeetingNoticeKind, tuple[str, ...] | None] = {
    MeetingNoticeKind.MEETING_PUBLISHED: None,
    MeetingNoticeKind.MEETING_UPDATED: None,
    MeetingNoticeKind.MEETING_STARTED: None,
    MeetingNoticeKind.MEETING_ENDED: None,
    MeetingNoticeKind.AGENDA_CHANGED: None,
    MeetingNoticeKind.DOCUMENT_ADDED: None,
    MeetingNoticeKind.DOCUMENT_REPLACED: None,
    MeetingNoticeKind.DOCUMENT_REMOVED: None,
    MeetingNoticeKind.CURRENT_ITEM_CHANGED: ("current_item_id",),
    MeetingNoticeKind.PRESENTER_PAGE_CHANGED: ("presentation",),
    MeetingNoticeKind.ATTENDANCE_CHANGED: ("conduct.quorum", "conduct.vote"),
    MeetingNoticeKind.SPEAKING_CHANGED: ("conduct.speaking",),
    MeetingNoticeKind.VOTE_OPENED: ("conduct.vote", "conduct.last_vote"),
    MeetingNoticeKind.VOTE_CLOSED: ("conduct.vote", "conduct.last_vote"),
}

#: Full shared states kept per (meeting, audience, seq); a few seconds at most, so that a
#: change that sends no notice (a person's name) shows within that time.
CACHE_SECONDS = 10.0
CACHE_ENTRIES = 64


class MeetingHead(TypedDict):
    id: int
    title: str
    status: str
    seq: int
    version: int


class ItemState(TypedDict):
    id: int
    title: str
    confidential: bool
    presenter: str
    presenter_id: int | None
    planned_minutes: int


class DocumentState(TypedDict):
    id: int
    item_id: int
    title: str
    version: int
    page_count: int
    confidential: bool
    file_url: str
    thumbnail_url: str
    can_download: bool
    can_present: bool  # for the whole audience; the item's presenter may too (``mine``)


class Me(TypedDict):
    invited: bool
    status: str | None
    late: bool
    may_vote_now: bool


class ReaderState(TypedDict):
    """The reader's own part of the state."""

    reader: dict[str, Any]
    me: Me
    voted: list[int]  # the votes holding this reader's ballot (theirs, or the one delegated)


# ---- the shared state ---------------------------------------------------------------------


def shared_state(meeting: Meeting, audience: Audience) -> dict[str, Any]:
    """Return the whole shared state of ``audience`` (cached per ``seq``)."""
    key = (meeting.id, audience, meeting.seq)
    cache = _cache()
    cached = cache.get(key)
    if cached is not None:
        return cached
    state = _build(meeting, audience, None, _Facts(meeting))
    cache.put(key, state)
    return state


def notice_states(meeting: Meeting, kind: str) -> dict[Audience, dict[str, Any]]:
    """Return what a notice of ``kind`` carries to each audience: the parts it may change.

    Read once for all audiences, then filtered per audience. A kind that changes everything
    carries the whole shared state, with ``conduct``'s parts as dotted keys like the others.
    """
    parts = PARTS_OF[MeetingNoticeKind(kind)]
    facts = _Facts(meeting)
    states = {}
    for audience in Audience:
        state = _build(meeting, audience, parts, facts)
        conduct = state.pop("conduct", None)
        if conduct is not None:
            state.update({f"conduct.{key}": value for key, value in conduct.items()})
        states[audience] = state
    return states


class _Facts:
    """What the shared states are made of, read at most once and shared by the audiences."""

    def __init__(self, meeting: Meeting) -> None:
        self.meeting = meeting

    @cached_property
    def presentation(self) -> Presentation | None:
        return presentation_service.presentation_of(self.meeting)

    @cached_property
    def votes(self) -> list[Vote]:
        return vote_service.votes_of(self.meeting)

    @cached_property
    def open_vote(self) -> dict[str, Any] | None:
        vote = next((v for v in self.votes if v.status == VoteStatus.OPEN), None)
        return _open_vote(vote) if vote else None

    @cached_property
    def queue(self) -> list[SpeakingRequest]:
        return speaking_service.queue_of(self.meeting)

    @cached_property
    def quorum(self) -> dict[str, Any]:
        return _quorum(self.meeting)


def _build(
    meeting: Meeting, audience: Audience, parts: tuple[str, ...] | None, facts: _Facts
) -> dict[str, Any]:
    wanted = (lambda part: True) if parts is None else parts.__contains__
    items = [i for i in meeting.agenda_items if audience_sees_item(audience, i)]
    state: dict[str, Any] = {}
    conduct: dict[str, Any] = {}
    if parts is None:
        state["meeting"] = _meeting_head(meeting)
        state["can_conduct"] = _manages(meeting, audience)
        state["items"] = [_item_state(item) for item in items]
        state["documents"] = [
            _document_state(d, audience) for i in items for d in i.documents if d.removed_at is None
        ]
        conduct["can_run"] = (
            _manages(meeting, audience) and meeting.status == MeetingStatus.IN_PROGRESS
        )
    if wanted("current_item_id"):
        state["current_item_id"] = _current_item_id(facts.presentation, audience)
    if wanted("presentation"):
        state["presentation"] = _presentation(facts.presentation, audience)
    if wanted("conduct.quorum"):
        conduct["quorum"] = facts.quorum if audience is Audience.MANAGERS else None
    if wanted("conduct.vote") or wanted("conduct.last_vote"):
        votes = [v for v in facts.votes if audience_sees_item(audience, v.agenda_item)]
        if wanted("conduct.vote"):
            visible = any(v.status == VoteStatus.OPEN for v in votes)
            conduct["vote"] = facts.open_vote if visible else None
        if wanted("conduct.last_vote"):
            closed = [v for v in votes if v.status == VoteStatus.CLOSED]
            conduct["last_vote"] = vote_service.vote_summary(closed[-1]) if closed else None
    if wanted("conduct.speaking"):
        conduct["speaking"] = [_speaking(r, audience) for r in facts.queue]
    if parts is None:
        state["conduct"] = conduct
    else:
        state.update({f"conduct.{key}": value for key, value in conduct.items()})
    return state


def _manages(meeting: Meeting, audience: Audience) -> bool:
    return audience is Audience.MANAGERS and meeting.status in (
        MeetingStatus.PUBLISHED,
        MeetingStatus.IN_PROGRESS,
    )


def _meeting_head(meeting: Meeting) -> MeetingHead:
    return MeetingHead(
        id=meeting.id,
        title=meeting.title,
        status=str(meeting.status),
        seq=meeting.seq,
        version=meeting.version,
    )


def _item_state(item: AgendaItem) -> ItemState:
    return ItemState(
        id=item.id,
        title=item.title,
        confidential=item.confidential,
        presenter=item.presenter_label or "",
        presenter_id=item.presenter_id,
        planned_minutes=item.planned_minutes,
    )


def _document_state(document: Document, audience: Audience) -> DocumentState:
    version = document.current
    ids: dict[str, Any] = {"document_id": document.id, "number": version.number}
    thumbnail = url_for("documents.thumbnail", **ids, page=1, w=160)
    item = document.agenda_item
    return DocumentState(
        id=document.id,
        item_id=document.agenda_item_id,
        title=document.title,
        version=version.number,
        page_count=version.page_count,
        confidential=item.confidential,
        file_url=url_for("documents.read", **ids),
        thumbnail_url=thumbnail.replace("/pages/1/", "/pages/{page}/"),
        can_download=audience_may_download(audience, document),
        can_present=audience is Audience.MANAGERS
        and item.meeting.status == MeetingStatus.IN_PROGRESS,
    )


def _current_item_id(presentation: Presentation | None, audience: Audience) -> int | None:
    if presentation is None or presentation.current_item_id is None:
        return None
    item = presentation.current_item
    visible = item is not None and audience_sees_item(audience, item)
    return presentation.current_item_id if visible else None


def _presentation(presentation: Presentation | None, audience: Audience) -> dict[str, Any] | None:
    if presentation is None or presentation.document_id is None:
        return None  # (``document`` may still hold the one just stopped: read the column)
    document = presentation.document
    if document is None or document.removed_at is not None:
        return None
    if not audience_sees_item(audience, document.agenda_item):
        return None
    return {
        "document_id": presentation.document_id,
        "version": presentation.version_number,
        "page": presentation.page,
        "zoom": presentation.zoom,
        "presenter_id": presentation.presenter_id,
        "presenter": presentation.presenter.full_name if presentation.presenter else "",
    }


def _quorum(meeting: Meeting) -> dict[str, Any]:
    quorum = attendance_service.quorum_of(meeting)
    return asdict(quorum) | {"met": quorum.met}


def _open_vote(vote: Vote) -> dict[str, Any]:
    count = vote_service.count_of(vote)
    return vote_service.vote_summary(vote) | {"cast": count.cast, "eligible": count.eligible}


def _speaking(request: SpeakingRequest, audience: Audience) -> dict[str, Any]:
    item, document = request.agenda_item, request.document
    visible = item is None or audience_sees_item(audience, item)
    shows_document = document is not None and visible and document.removed_at is None
    if document is not None and not audience_sees_item(audience, document.agenda_item):
        shows_document = False  # asked on a public item about a confidential document
    return {
        "id": request.id,
        "user_id": request.invitation.user_id,
        "name": request.invitation.user.full_name,
        "status": str(request.status),
        "topic": request.topic if visible else "",
        "item": item.title if item is not None and visible else "",
        "document": document.title if shows_document and document is not None else "",
        "requested_at": to_local(request.requested_at).strftime("%H:%M"),
        "started_at": to_local(request.started_at).isoformat() if request.started_at else None,
    }


# ---- the reader's own part -----------------------------------------------------------------


def reader_state(meeting: Meeting, reader: User, *, at_seat: bool) -> ReaderState:
    """Return ``reader``'s own part: attendance, may they vote now, their ballot."""
    held = vote_service.invitations_held(reader.id, meeting.id)  # one query for both
    invitation, record = held.own or (None, None)
    voter = vote_service.choose_ballot(held, at_seat=at_seat)
    voted = vote_service.votes_with_ballots_of([invitation, voter], meeting.id)
    return ReaderState(
        reader={"id": reader.id, "name": reader.full_name},
        me=Me(
            invited=invitation is not None,
            status=str(record.status) if record else None,
            late=bool(record and attendance_service.is_late(record, meeting)),
            may_vote_now=voter is not None,
        ),
        voted=voted,
    )


def tablet_state(meeting: Meeting, reader: User, *, at_seat: bool) -> dict[str, Any]:
    """Return the whole state of ``reader``'s tablet: the audience's shared state and ``mine``."""
    shared = shared_state(meeting, audience_of(reader, meeting))
    return {**shared, "mine": reader_state(meeting, reader, at_seat=at_seat)}


class _Cache:
    """A small, thread-safe, time-bounded map of full shared states."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, Audience, int], tuple[float, dict[str, Any]]] = {}

    def get(self, key: tuple[int, Audience, int]) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > CACHE_SECONDS:
            return None
        return entry[1]

    def put(self, key: tuple[int, Audience, int], state: dict[str, Any]) -> None:
        with self._lock:
            if len(self._entries) >= CACHE_ENTRIES:
                oldest = min(self._entries, key=lambda k: self._entries[k][0])
                del self._entries[oldest]
            self._entries[key] = (time.monotonic(), state)


def _cache() -> _Cache:
    """Return this app's cache (each app has its own database)."""
    cache: _Cache = current_app.extensions.setdefault("meeting.live_state", _Cache())
    return cache
