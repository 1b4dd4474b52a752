"""Every server emit lives here: the outbox's messages, sent after their transaction commits.

Services record messages (``services/outbox.py``); once a commit has returned,
:func:`send_committed` sends them in the order recorded. A meeting notice goes to each of the
meeting's audience rooms (``meeting:<id>:public|cleared|managers``; every tablet is in exactly
one) with the parts of the state it changed for that audience, read once per audience
(``services/live_state.py``): a public change costs the room no per-tablet read. Readers who
may not learn a confidential notice get ``notice_withheld`` with the same ``seq`` (so their
numbering has no gap) and their own, unchanged-or-not, state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

import redis
from flask import current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import CommitSession, db, socketio
from ..models import Meeting, Vote
from ..permissions import Audience, audience_sees_item
from ..services import live_state, outbox, task_mail
from ..services import votes as vote_service
from .contract import (
    WITHHELD,
    DeviceRevoked,
    InboxChanged,
    Notice,
    TasksChanged,
    VoteCountChanged,
)

#: A tablet's or a person's latest connections, kept in Redis so any process can end them.
SIDS_KEPT = 20
SIDS_TTL_S = 7 * 24 * 3600
#: The live count of an open vote goes out at most this often (200 ballots: a few emits).
VOTE_COUNT_INTERVAL_S = 0.25
#: The longest a notice waits for an earlier one of this process (which committed first but
#: is still reading what it carries) before it goes anyway.
ORDER_WAIT_S = 2.0

_order = threading.Condition()

_counts_due: set[int] = set()
_counts_lock = threading.Lock()


def meeting_room(meeting_id: int, audience: Audience) -> str:
    """Return the Socket.IO room of one audience of a meeting."""
    return f"meeting:{meeting_id}:{audience}"


def send_committed(session: Session) -> None:
    """Send the messages of the transaction that just committed on ``session``.

    What the notices carry is read first; then the read transaction ends (its pooled
    connection goes back) before a notice waits for an earlier one (``_in_order``): a room's
    worth of waiting requests must not hold every connection the awaited one needs.
    """
    messages = outbox.committed(session)
    if not messages:
        return
    notices = [m for m in messages if isinstance(m, outbox.MeetingNotice)]
    payloads: dict[tuple[int, int], list[tuple[str, Notice]]] = {}
    try:
        payloads = _read_payloads(notices)
    except Exception:  # the change is committed; a tablet catches up at its next read
        current_app.logger.exception("reading what %d notice(s) carry failed", len(notices))
    finally:  # only reads since the commit: end them (objects stay loaded), free the connection
        session.commit()
    for message in messages:
        try:
            _send(message, payloads)
        except Exception:
            current_app.logger.exception("sending %r failed", message)


def _read_payloads(
    notices: list[outbox.MeetingNotice],
) -> dict[tuple[int, int], list[tuple[str, Notice]]]:
    """Return each notice's messages per audience room (by meeting and seq), read once per kind."""
    if not notices:
        return {}
    shared: dict[tuple[int, str], dict[Audience, dict[str, Any]]] = {}
    if has_request_context():
        return {(n.meeting_id, n.seq): _payloads(n, shared) for n in notices}
    public = current_app.config["PUBLIC_URL"]  # a command or a task: url_for needs a request
    with current_app.test_request_context(base_url=public):
        return {(n.meeting_id, n.seq): _payloads(n, shared) for n in notices}


def _send(
    message: outbox.Message, payloads: dict[tuple[int, int], list[tuple[str, Notice]]]
) -> None:
    if isinstance(message, outbox.MeetingNotice):
        # sent, or (if reading failed) at least no longer awaited by the next ones
        room_payloads = payloads.get((message.meeting_id, message.seq), [])
        _in_order(message.meeting_id, message.seq, room_payloads)
    elif isinstance(message, outbox.InboxChanged):
        inbox_changed(message.user_ids, message.request_id)
    elif isinstance(message, outbox.TasksChanged):
        tasks_changed(message.user_ids, message.task_id)
    elif isinstance(message, outbox.DeviceRevoked):
        end_device_connections(message.device_id)
    elif isinstance(message, outbox.ConnectionsEnded):
        rooms = [user_room(user_id) for user_id in message.user_ids]
        end_connections(rooms + [device_room(device_id) for device_id in message.device_ids])
    elif isinstance(message, outbox.VoteCounted):
        vote_count_soon(message.vote_id)


def _payloads(
    notice: outbox.MeetingNotice, shared: dict[tuple[int, str], dict[Audience, dict[str, Any]]]
) -> list[tuple[str, Notice]]:
    meeting = db.session.get(Meeting, notice.meeting_id)
    if meeting is None:
        return []
    key = (meeting.id, notice.kind)
    if key not in shared:
        shared[key] = live_state.notice_states(meeting, notice.kind)
    payloads = []
    for audience in Audience:
        withheld = notice.confidential and audience is Audience.PUBLIC
        payload = Notice(
            meeting_id=notice.meeting_id,
            kind=WITHHELD if withheld else notice.kind,
            ids=[] if withheld else list(notice.ids),
            version=notice.version,
            seq=notice.seq,
            state=shared[key][audience],
            readers=list(notice.readers),
        )
        payloads.append((meeting_room(meeting.id, audience), payload))
    return payloads


def _in_order(meeting_id: int, seq: int, payloads: list[tuple[str, Notice]]) -> None:
    """Emit a meeting's notice once every earlier notice of this process has gone.

    Each number is taken under the meeting's row lock, so this process knows, from the moment
    a notice is recorded, which earlier numbers it still has to send (``_unsent``). Two
    requests commit one after the other, each then reads what its notice carries; the later
    one may finish first and waits here for the earlier one, so tablets receive the numbers
    in order. Numbers sent by other processes are not waited for (the tablet's channel puts
    what arrives out of order back in order).
    """
    deadline = time.monotonic() + ORDER_WAIT_S
    unsent = _unsent(meeting_id)
    with _order:
        while any(earlier < seq for earlier in unsent):
            left = deadline - time.monotonic()
            if left <= 0:
                current_app.logger.warning(
                    "notice %s of meeting %s sent out of order", seq, meeting_id
                )
                break
            _order.wait(left)
        for room, payload in payloads:
            socketio.emit(payload["kind"], payload, to=room)
        unsent.discard(seq)
        _order.notify_all()


def _unsent(meeting_id: int) -> set[int]:
    """Return the seqs of ``meeting_id`` recorded in this process and not yet sent."""
    unsent: dict[int, set[int]] = current_app.extensions.setdefault("meeting.unsent", {})
    return unsent.setdefault(meeting_id, set())


def _track(message: outbox.Message, recorded: bool) -> None:
    """Note each meeting notice recorded in this process, and forget those rolled back."""
    if not isinstance(message, outbox.MeetingNotice):
        return
    with _order:
        if recorded:
            _unsent(message.meeting_id).add(message.seq)
        else:
            _unsent(message.meeting_id).discard(message.seq)
            _order.notify_all()


def install() -> None:
    """Hook the app's sessions: keep messages of committed transactions, send them after."""
    factory = db.session.session_factory
    if not event.contains(factory, "after_commit", outbox.on_commit):
        event.listen(factory, "after_commit", outbox.on_commit)
        event.listen(factory, "after_transaction_end", outbox.on_transaction_end)
    if _track not in outbox.observers:
        outbox.observers.append(_track)
    if send_committed not in CommitSession.after_commit_returned:
        CommitSession.after_commit_returned.append(send_committed)


def user_room(user_id: int) -> str:
    """Return the Socket.IO room of one person's connections (their inbox)."""
    return f"user:{user_id}"


def inbox_changed(user_ids: Iterable[int], request_id: int) -> None:
    """Tell these people's open pages that a signing request in their inbox changed."""
    for user_id in set(user_ids):
        socketio.emit("inbox_changed", InboxChanged(request_id=request_id), to=user_room(user_id))


def tasks_changed(user_ids: Iterable[int], task_id: int) -> None:
    """Tell these people's open pages that a task in their inbox changed; hand the office's
    mail hook (``TASK_MAIL_HOOK``, off by default) the same news."""
    for user_id in set(user_ids):
        socketio.emit("tasks_changed", TasksChanged(task_id=task_id), to=user_room(user_id))
    task_mail.send_soon(frozenset(user_ids), task_id)


def device_room(device_id: int) -> str:
    """Return the Socket.IO room of a paired tablet's connections."""
    return f"device:{device_id}"


def track_connection(room: str, sid: str) -> None:
    """Remember a connection of a tablet's or a person's ``room`` so any process can end it.

    python-socketio's message queue carries a disconnect *of a sid* to every process, but a
    room's members are known only to the process holding them; so, with Redis as the queue,
    each room's recent sids are kept there too (a bounded, expiring sorted set).
    """
    store = _connection_store()
    if store is None:
        return
    key = _sids_key(room)
    try:
        pipe = store.pipeline()
        pipe.zadd(key, {sid: time.time()})
        pipe.zremrangebyrank(key, 0, -SIDS_KEPT - 1)
        pipe.expire(key, SIDS_TTL_S)
        pipe.execute()
    except redis.RedisError as error:  # it still connects; ending it reaches it by room
        current_app.logger.warning("cannot record %s's connection: %s", room, error)


def end_device_connections(device_id: int) -> None:
    """Tell a removed tablet's connections (``device_revoked``), then disconnect them all."""
    room = device_room(device_id)
    socketio.emit("device_revoked", DeviceRevoked(device_id=device_id), to=room)
    end_connections([room])


def end_connections(rooms: Iterable[str]) -> None:
    """Disconnect every connection in these rooms, on every process (before what follows).

    A page connects again by itself and joins with what it may see now; a browser whose
    session ended is refused and goes to the sign-in form.
    """
    sids: set[str] = set()
    store = _connection_store()
    for room in rooms:
        sids.update(sid for sid, _eio_sid in socketio.server.manager.get_participants("/", room))
        if store is None:
            continue
        try:
            sids.update(str(sid) for sid in store.zrange(_sids_key(room), 0, -1))
            store.delete(_sids_key(room))
        except redis.RedisError as error:
            current_app.logger.warning("cannot read %s's connections: %s", room, error)
    for sid in sids:  # a sid on another process: the queue carries the disconnect there
        socketio.server.disconnect(sid, namespace="/")


def _connection_store() -> redis.Redis | None:
    url = str(current_app.config["SOCKETIO_MESSAGE_QUEUE"] or "")
    if not url.startswith(("redis://", "rediss://")):
        return None  # one process: its own rooms know every connection
    store: redis.Redis | None = current_app.extensions.get("meeting.device_connections")
    if store is None:
        store = current_app.extensions["meeting.device_connections"] = redis.Redis.from_url(
            url, decode_responses=True
        )
    return store


def _sids_key(room: str) -> str:
    return f"{current_app.config['SOCKETIO_CHANNEL']}:{room}:sids"


def vote_count_soon(vote_id: int) -> None:
    """Send the vote's live count within ``VOTE_COUNT_INTERVAL_S``, coalescing ballots.

    Called after the ballot's commit. The count is read when it is sent, so one emit covers
    every ballot committed before it; a ballot committed later schedules the next one.
    """
    with _counts_lock:
        if vote_id in _counts_due:
            return
        _counts_due.add(vote_id)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    socketio.start_background_task(_send_vote_count, app, vote_id)


def _send_vote_count(app: Any, vote_id: int) -> None:
    socketio.sleep(VOTE_COUNT_INTERVAL_S)
    with _counts_lock:
        _counts_due.discard(vote_id)
    with app.app_context():
        try:
            vote = db.session.get(Vote, vote_id)
            if vote is None:
                return
            count = vote_service.count_of(vote)
            meeting_id, item = vote.meeting_id, vote.agenda_item
            payload = VoteCountChanged(
                meeting_id=meeting_id, vote_id=vote_id, cast=count.cast, eligible=count.eligible
            )
            for audience in Audience:
                if audience_sees_item(audience, item):
                    room = meeting_room(meeting_id, audience)
                    socketio.emit("vote_count_changed", payload, to=room)
        except Exception:  # a background task: the count is also in the next state read
            app.logger.exception("the live count of vote %s was not sent", vote_id)
        finally:
            db.session.remove()
