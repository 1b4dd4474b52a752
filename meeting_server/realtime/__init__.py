"""Socket.IO: connect authentication, join authorisation, the event contract, broadcasts."""

from __future__ import annotations

from flask import Flask

from ..extensions import socketio


def init_app(app: Flask) -> None:
    """Bind Socket.IO (Origin check, optional message queue) and register the handlers."""
    from . import broadcast, events

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"] or None,
        cors_allowed_origins=allowed_origins(app),
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"] or None,
        channel=app.config["SOCKETIO_CHANNEL"],
        manage_session=False,
    )
    events.register()
    broadcast.install()


def allowed_origins(app: Flask) -> list[str]:
    """Return the browser origins that may connect: our public URL (never ``*``)."""
    configured = [o.strip() for o in app.config["SOCKETIO_ORIGINS"].split(",") if o.strip()]
    public = app.config["PUBLIC_URL"].rstrip("/")
    return sorted({public, *configured})
