"""Every server emit lives here; notices leave only after their transaction commits."""

from __future__ import annotations

import time
from typing import Any, cast

import redis
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db, socketio
from ..services.notices import PENDING_KEY, PendingNotice
from .contract import DeviceRevoked, Notice, PresentedPosition

#: A tablet's latest connections, kept in Redis so any server process can end them.
DEVICE_SIDS_KEPT = 20
DEVICE_SIDS_TTL_S = 7 * 24 * 3600


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
