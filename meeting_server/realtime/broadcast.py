"""Every server emit lives here; notices leave only after their transaction commits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any, cast

import redis
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db, socketio
from ..models import Vote
from ..services import votes as vote_service
from ..services.notices import PENDING_KEY, PendingNotice
from .contract import (
    DeviceRevoked,
    InboxChanged,
    Notice,
    PresentedPosition,
    VoteCountChanged,
    VoteSummary,
)

#: A tablet's latest connections, kept in Redis so any server process can end them.
DEVICE_SIDS_KEPT = 20
DEVICE_SIDS_TTL_S = 7 * 24 * 3600
#: The live count of an open vote goes out at most this often (200 ballots: a few emits).
VOTE_COUNT_INTERVAL_S = 0.25

_counts_due: set[int] = set()
_counts_lock = threading.Lock()


def meeting_room(meeting_id: int, *, confidential: bool = False) -> str:
    """Return the Socket.IO room of a meeting (or of its confidential channel)."""
    return f"meeting:{meeting_id}:confidential" if confidential else f"meeting:{meeting_id}"


def notice_payload(notice: PendingNotice) -> Notice:
    """Return the wire form of a notice (a page turn also says where the presenter is)."""
    payload = Notice(
        meeting_id=notice.meeting_id, kind=notice.kind, ids=list(notice.ids),
        version=notice.version, seq=notice.seq,
    )  # fmt: skip
    if notice.kind == "presenter_page_changed":
        payload["state"] = cast("PresentedPosition | None", notice.state)
    elif notice.kind in ("vote_opened", "vote_closed"):
        payload["state"] = cast("VoteSummary", notice.state)
    return payload


def send_notice(notice: PendingNotice) -> None:
    """Emit one notice to the tablets allowed to receive it."""
    room = meeting_room(notice.meeting_id, confidential=notice.confidential)
    socketio.emit(notice.kind, notice_payload(notice), to=room)


def _after_commit(session: Session) -> None:
    for notice in session.info.pop(PENDING_KEY, []):
        send_notice(notice)


def _after_rollback(session: Session, *_: Any) -> None:
    session.info.pop(PENDING_KEY, None)


def install() -> None:
    """Hook the app's sessions: send queued notices after commit, drop them on rollback."""
    factory = db.session.session_factory
    if not event.contains(factory, "after_commit", _after_commit):
        event.listen(factory, "after_commit", _after_commit)
        event.listen(factory, "after_soft_rollback", _after_rollback)


def user_room(user_id: int) -> str:
    """Return the Socket.IO room of one person's connections (their inbox)."""
    return f"user:{user_id}"


def inbox_changed(user_ids: Iterable[int], request_id: int) -> None:
    """Tell these people's open pages that a signing request in their inbox changed."""
    for user_id in set(user_ids):
        socketio.emit("inbox_changed", InboxChanged(request_id=request_id), to=user_room(user_id))


def device_room(device_id: int) -> str:
    """Return the Socket.IO room of a paired tablet's connections."""
    return f"device:{device_id}"


def track_device_connection(device_id: int, sid: str) -> None:
    """Remember a tablet's connection so that any server process can end it.

    python-socketio's message queue carries a disconnect *of a sid* to every process, but a
    room's members are known only to the process holding them; so, with Redis as the queue,
    each tablet's recent sids are kept there too (a bounded, expiring sorted set).
    """
    store = _connection_store()
    if store is None:
        return
    key = _sids_key(device_id)
    try:
        pipe = store.pipeline()
        pipe.zadd(key, {sid: time.time()})
        pipe.zremrangebyrank(key, 0, -DEVICE_SIDS_KEPT - 1)
        pipe.expire(key, DEVICE_SIDS_TTL_S)
        pipe.execute()
    except redis.RedisError as error:  # the tablet still connects; revoking it reaches it by room
        current_app.logger.warning("cannot record tablet %s's connection: %s", device_id, error)


def end_device_connections(device_id: int) -> None:
    """Tell a removed tablet's connections (``device_revoked``), then disconnect them all."""
    room = device_room(device_id)
    socketio.emit("device_revoked", DeviceRevoked(device_id=device_id), to=room)
    sids = {sid for sid, _eio_sid in socketio.server.manager.get_participants("/", room)}
    store = _connection_store()
    if store is not None:
        key = _sids_key(device_id)
        try:
            sids.update(str(sid) for sid in store.zrange(key, 0, -1))
            store.delete(key)
        except redis.RedisError as error:
            current_app.logger.warning("cannot read tablet %s's connections: %s", device_id, error)
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


def _sids_key(device_id: int) -> str:
    return f"{current_app.config['SOCKETIO_CHANNEL']}:device:{device_id}:sids"


def vote_count_soon(vote: Vote) -> None:
    """Send the vote's live count within ``VOTE_COUNT_INTERVAL_S``, coalescing ballots.

    Call after the ballot's commit. The count is read when it is sent, so one emit covers
    every ballot committed before it; a ballot committed later schedules the next one.
    """
    with _counts_lock:
        if vote.id in _counts_due:
            return
        _counts_due.add(vote.id)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    confidential = vote.agenda_item.confidential
    socketio.start_background_task(_send_vote_count, app, vote.meeting_id, vote.id, confidential)


def _send_vote_count(app: Any, meeting_id: int, vote_id: int, confidential: bool) -> None:
    socketio.sleep(VOTE_COUNT_INTERVAL_S)
    with _counts_lock:
        _counts_due.discard(vote_id)
    with app.app_context():
        try:
            vote = db.session.get(Vote, vote_id)
            if vote is None:
                return
            count = vote_service.count_of(vote)
        finally:
            db.session.remove()
    payload = VoteCountChanged(
        meeting_id=meeting_id, vote_id=vote_id, cast=count.cast, eligible=count.eligible
    )
    socketio.emit(
        "vote_count_changed", payload, to=meeting_room(meeting_id, confidential=confidential)
    )
