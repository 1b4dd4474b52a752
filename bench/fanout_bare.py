"""The fan-out baseline: a bare python-socketio server, gevent + WebSocket like `serve`.

Started by ``bench/fanout_bench.py`` as ``python bench/fanout_bare.py --port P``. The same
stack as ``meeting-server serve`` (monkey-patched gevent, ``gevent.pywsgi`` with
python-engineio's simple-websocket transport) without our application: any client may connect,
``join_meeting`` puts it in the room and acks like ours (with the number of the last notice),
and ``POST /notify`` emits a notice of the same shape as ours to the room, then answers 204.
"""

from gevent import monkey

monkey.patch_all()  # before anything else imports socket, ssl or threading

import argparse  # noqa: E402
import itertools  # noqa: E402
import resource  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import socketio  # noqa: E402
from gevent import pywsgi  # noqa: E402

ROOM = "meeting:1"
LIFETIME_S = 1800  # the bench stops us by PID long before; this is in case it could not


def build(origin: str) -> Any:
    """Return the WSGI app: Socket.IO plus the HTTP trigger."""
    sio = socketio.Server(async_mode="gevent", cors_allowed_origins=[origin])
    seq = itertools.count(1)
    last = {"seq": 0}  # a tablet joining after a notice learns its number from the ack

    @sio.on("join_meeting")
    def join_meeting(sid: str, data: Any) -> dict[str, Any]:
        sio.enter_room(sid, ROOM)
        return {"ok": True, "error": None, "seq": last["seq"], "version": last["seq"]}

    def trigger(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["REQUEST_METHOD"] != "POST" or environ["PATH_INFO"] != "/notify":
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        number = last["seq"] = next(seq)
        notice = {"meeting_id": 1, "kind": "meeting_updated", "ids": [], "version": number}
        sio.emit("meeting_updated", {**notice, "seq": number}, to=ROOM)
        start_response("204 No Content", [])
        return [b""]

    return socketio.WSGIApp(sio, trigger)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    raise_open_files_limit()
    app = build(f"http://127.0.0.1:{args.port}")
    print(f"bare socketio server on 127.0.0.1:{args.port}", flush=True)
    server = pywsgi.WSGIServer(("127.0.0.1", args.port), app, log=None, backlog=2048)
    gevent.spawn_later(LIFETIME_S, server.stop)
    server.serve_forever()


def raise_open_files_limit(wanted: int = 65536) -> None:
    """Raise the soft open-files limit towards ``wanted`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


if __name__ == "__main__":
    main()
