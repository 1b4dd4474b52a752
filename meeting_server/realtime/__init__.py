"""Socket.IO: connect authentication, join authorisation, the event contract, broadcasts."""

from __future__ import annotations

from flask import Flask

from ..extensions import socketio


def init_app(app: Flask) -> None:
    """Bind Socket.IO (Origin check, optional message queue) and register the handlers."""
    from . import broadcast, events, presenter

    socketio.init_app(
        app,
        async_mode=async_mode(app),
        cors_allowed_origins=allowed_origins(app),
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"] or None,
        channel=app.config["SOCKETIO_CHANNEL"],
        manage_session=False,
    )
    events.register()
    presenter.register()
    broadcast.install()


def async_mode(app: Flask) -> str:
    """Return the configured async mode, else gevent only if the process was monkey-patched.

    gevent is installed for production, but without ``gevent.monkey.patch_all()`` at start-up
    (``meeting-server serve`` does it) its blocking calls would stall every client.
    """
    configured = str(app.config["SOCKETIO_ASYNC_MODE"] or "")
    if configured:
        return configured
    from gevent import monkey

    return "gevent" if monkey.is_module_patched("socket") else "threading"


def allowed_origins(app: Flask) -> list[str]:
    """Return the browser origins that may connect: our public URL (never ``*``)."""
    configured = [o.strip() for o in app.config["SOCKETIO_ORIGINS"].split(",") if o.strip()]
    public = app.config["PUBLIC_URL"].rstrip("/")
    return sorted({public, *configured})
