"""One production server process: gevent, with the WebSocket transport.

Start it with ``meeting-server serve [--host H] [--port P]``; run several behind nginx (and
share the tablets through ``MEETING_SOCKETIO_MESSAGE_QUEUE``).

Why a separate entry point. gevent must patch the standard library
(``gevent.monkey.patch_all()``) before ``socket``, ``ssl`` and ``threading`` are imported, or
database drivers and locks keep blocking the whole process. The ``meeting-server`` console
script imports click and Flask (which import all three) before any command runs, and even
``python -m meeting_server.cli.serve`` imports ``meeting_server/__init__.py`` (Flask) before this
module — both too late to patch. So the ``serve`` command replaces its own process (same PID,
same environment) with gevent's launcher::

    python -m gevent.monkey --module meeting_server.cli.serve --host H --port P

which patches everything first and then runs this module as ``__main__``. :func:`main`
refuses to start when the process was not patched.

WebSocket under gevent: python-engineio uses ``gevent-websocket`` when it is installed, and
otherwise (our case: it is not a dependency) the ``simple-websocket`` package on gevent's own
pywsgi server, with gevent greenlets, events and selectors
(``engineio/async_drivers/gevent.py``). Flask-SocketIO's ``socketio.run()`` then starts a plain
``gevent.pywsgi.WSGIServer``; nothing else is needed.

Plain HTTP: put nginx with HTTPS in front. The session cookie keeps its ``Secure`` flag
(``MEETING_SESSION_COOKIE_SECURE``), unlike ``meeting-server run`` on loopback.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import resource
import signal
import sys

#: Pending connections the listener queues: a room's tablets reconnect together after a restart.
LISTEN_BACKLOG = 2048
#: Open files wanted: each WebSocket holds two descriptors (simple-websocket duplicates it).
WANTED_OPEN_FILES = 65536


def main(argv: list[str] | None = None) -> None:
    """Serve the app in one gevent process until SIGTERM or SIGINT."""
    from gevent import monkey

    if not monkey.is_module_patched("socket"):
        sys.exit("Start this with `meeting-server serve` (gevent must patch first).")
    args = _arguments(argv)
    raise_open_files_limit()

    import gevent

    from .. import create_app
    from ..extensions import socketio
    from .housekeeping import start_housekeeping
    from .reminders import start_reminders

    app = create_app()
    mode = socketio.server.eio.async_mode
    if mode != "gevent":
        sys.exit(f"MEETING_SOCKETIO_ASYNC_MODE={mode!r}: `serve` runs gevent only; unset it.")
    # What start-up built (modules, the app) lives as long as the process: keep it out of the
    # collector's full passes, which stall every tablet (docs/benchmarks.md, "Fan-out").
    gc.collect()
    gc.freeze()
    gevent.signal_handler(signal.SIGTERM, socketio.stop)
    start_reminders(app)
    start_housekeeping(app)
    print(
        f"meeting-server serve: pid={os.getpid()} async_mode={mode} "
        f"websocket={websocket_implementation()} on http://{args.host}:{args.port}/",
        flush=True,
    )
    socketio.run(
        app,
        host=args.host,
        port=args.port,
        log_output=False,
        backlog=LISTEN_BACKLOG,
        handler_class=no_delay_handler(),
    )


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="meeting-server serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    return parser.parse_args(argv)


def no_delay_handler() -> type:
    """Return gevent's WSGI handler with Nagle's algorithm off on each connection.

    A keep-alive answer otherwise waits ~40 ms for the client's delayed ACK whenever it
    leaves in more than one write (headers, then body); a tablet's page turn and its state
    read should not.
    """
    import socket

    from gevent import pywsgi

    class NoDelayHandler(pywsgi.WSGIHandler):
        def handle(self) -> None:
            try:
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # a UNIX socket behind nginx: nothing to turn off
                pass
            super().handle()

    return NoDelayHandler


def websocket_implementation() -> str:
    """Name the package that carries python-engineio's WebSocket transport under gevent."""
    return "gevent-websocket" if importlib.util.find_spec("geventwebsocket") else "simple-websocket"


def raise_open_files_limit(wanted: int = WANTED_OPEN_FILES) -> int:
    """Raise the soft open-files limit towards ``wanted`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return int(soft)


if __name__ == "__main__":
    main()
