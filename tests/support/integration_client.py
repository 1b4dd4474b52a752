"""An outside system using the meeting server's API, as an integrator would write it.

It knows only the server's address, its API key, its webhook secret and the names of the
people who sign; every address comes from the OpenAPI document (by ``operationId``), every
call goes through ``requests``, and the completion is learnt from a signed webhook. It imports
nothing of the server (run it as a script: ``python tests/support/integration_client.py``).

The story: create a meeting, add an agenda item, upload its PDF, invite the signers, publish;
send the same PDF for signing (the named leaders, then the clerk's seal); wait for the
``signing.completed`` webhook, verified with the Standard Webhooks library; download the signed
PDF; check it: the SHA-256 the API gives, every signature intact with pyHanko, and the
server's own validation. Each step prints one JSON line; the exit code is 0 only if all held.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import queue
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from standardwebhooks.webhooks import Webhook

TIMEOUT = 30


def say(step: str, **facts: Any) -> None:
    print(json.dumps({"step": step, **facts}, ensure_ascii=False), flush=True)


class Api:
    """The API as its OpenAPI document describes it."""

    def __init__(self, base: str, key: str) -> None:
        self.base = base.rstrip("/")
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {key}", "Accept-Language": "en"})
        spec = requests.get(f"{self.base}/api/v1/openapi.json", timeout=TIMEOUT).json()
        self.operations = {
            operation["operationId"]: (method.upper(), path)
            for path, item in spec["paths"].items()
            for method, operation in item.items()
        }

    def call(self, operation_id: str, expect: int = 200, **kw: Any) -> requests.Response:
        method, path = self.operations[operation_id]
        url = self.base + path.format(**kw.pop("path", {}))
        answer = self.http.request(method, url, timeout=TIMEOUT, **kw)
        if answer.status_code != expect:
            raise SystemExit(f"{operation_id} answered {answer.status_code}: {answer.text[:500]}")
        return answer

    def everyone(self) -> list[dict[str, Any]]:
        people, cursor = [], None
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = self.call("list_people", params=params).json()
            people += page["data"]
            cursor = page["next_cursor"]
            if cursor is None:
                return people


class Hooks:
    """A webhook receiver on 127.0.0.1 that keeps the messages whose signature is right."""

    def __init__(self, port: int, secret: str) -> None:
        self.verified: queue.Queue[dict[str, Any]] = queue.Queue()
        self.refused = 0
        checker = Webhook(secret)
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — the http.server interface
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    message = checker.verify(body, dict(self.headers.items()))
                except Exception:  # noqa: BLE001 — a forged or stale message is refused
                    hooks.refused += 1
                    self.send_response(400)
                else:
                    hooks.verified.put({**message, "id": self.headers["webhook-id"]})
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, kind: str, subject_key: str, subject_id: int, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                message = self.verified.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if message["type"] == kind and message["data"].get(subject_key) == subject_id:
                return message
        raise SystemExit(f"no verified {kind} webhook for {subject_id} within {seconds} s")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def prepare_meeting(api: Api, pdf: bytes, people: list[dict], signers: list[dict]) -> int:
    """Create, fill and publish a meeting; return its id."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    room = api.call("list_rooms").json()["data"][0]
    meeting = api.call(
        "create_meeting",
        expect=201,
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={
            "title": "Họp thẩm định dự toán (API)",
            "room_id": room["id"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "chair_id": signers[0]["id"],
        },
    ).json()
    path = {"meeting_id": meeting["id"]}
    item = api.call(
        "create_agenda_item", expect=201, path=path, json={"title": "Dự toán ngân sách 2027"}
    ).json()
    uploaded = api.call(
        "upload_document",
        expect=201,
        path={"item_id": item["id"]},
        files={"file": ("du-toan-2027.pdf", io.BytesIO(pdf), "application/pdf")},
        data={"title": "Dự toán ngân sách 2027"},
    ).json()
    api.call("invite_participants", path=path, json={"person_ids": [p["id"] for p in people]})
    api.call("publish_meeting", path=path)
    say("meeting published", meeting_id=meeting["id"], document_id=uploaded["id"])
    return int(meeting["id"])


def submit(api: Api, pdf: bytes, signers: list[dict], clerk: dict) -> dict:
    """Send the PDF for signing; retried with the same Idempotency-Key, it is sent once."""
    key = str(uuid.uuid4())
    form = {
        "title": "Quyết định phê duyệt dự toán 2027 (API)",
        "due_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
        "signer_ids": [str(s["id"]) for s in signers],
        "seal_clerk_id": str(clerk["id"]),
        "kind": "decision",
    }
    answers = [
        api.call(
            "create_signing_request",
            expect=201,
            headers={"Idempotency-Key": key},
            data=form,
            files={"file": ("quyet-dinh.pdf", io.BytesIO(pdf))},
        )
        for _try in range(2)
    ]
    first, retried = (a.json() for a in answers)
    if first["id"] != retried["id"] or answers[1].headers.get("Idempotent-Replayed") != "true":
        raise SystemExit("a retried create made a second signing request")
    say("submitted", request_id=first["id"], steps=len(first["steps"]))
    return first


def check_signed(api: Api, request_id: int) -> dict[str, Any]:
    """Download the signed PDF and check it three ways: it is the PDF the API describes, each
    signature is intact and its cryptography valid (pyHanko, here), and the server's own
    validation (trust, revocation, timestamps) finds them all valid."""
    path = {"request_id": request_id}
    state = api.call("get_signing_request", path=path).json()
    data = api.call("get_signing_document", path=path).content
    if hashlib.sha256(data).hexdigest() != state["latest_sha256"]:
        raise SystemExit("the downloaded PDF is not the one the API describes")
    embedded = PdfFileReader(io.BytesIO(data)).embedded_signatures
    # The signatures (the archive timestamps of a long-term document are checked by the server)
    statuses = [validate_pdf_signature(s) for s in embedded if s.sig_object_type == "/Sig"]
    if len(statuses) != len(state["steps"]) or not all(s.intact and s.valid for s in statuses):
        raise SystemExit(f"signatures not intact: {[s.summary() for s in statuses]}")
    checked = api.call("get_signing_validation", path=path).json()
    if not checked["all_valid"] or checked["changed_after_signing"]:
        raise SystemExit(f"the server's validation disagrees: {checked}")
    return {
        "sha256": state["latest_sha256"],
        "signatures": len(statuses),
        "register_number": state["register_number"],
        "status": state["status"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--webhook-secret", required=True)
    parser.add_argument("--listen-port", type=int, required=True)
    parser.add_argument("--pdf", required=True, help="the document to upload and sign")
    parser.add_argument("--signer", action="append", required=True, help="a leader's full name")
    parser.add_argument("--clerk", required=True, help="the clerk's full name")
    parser.add_argument("--wait", type=float, default=240)
    args = parser.parse_args(argv)
    hooks = Hooks(args.listen_port, args.webhook_secret)
    try:
        api = Api(args.base, args.key)
        with open(args.pdf, "rb") as source:
            pdf = source.read()
        people = {p["full_name"]: p for p in api.everyone()}
        signers = [people[name] for name in args.signer]
        prepare_meeting(api, pdf, signers, signers)
        sent = submit(api, pdf, signers, people[args.clerk])
        message = hooks.wait_for("signing.completed", "signing_request_id", sent["id"], args.wait)
        say("webhook verified", webhook_id=message["id"], refused=hooks.refused)
        say("signed document verified", **check_signed(api, sent["id"]))
    finally:
        hooks.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
