"""An outside system drives a whole signing through the API of a real server, while the leader
and the clerk sign on the pages: tests/support/integration_client.py, run as its own process."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.browser import free_port, live_server, signed_in
from tests.support.pdf_samples import simple_pdf

CLIENT = Path(__file__).parents[1] / "support" / "integration_client.py"
SIGNER, CLERK = ("chutich", "Trần Văn Minh"), ("vanthu", "Phạm Văn Nam")


def _form_token(http, url: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', http.get(url, timeout=10).text).group(1)


def _integration(base: str, hook_port: int) -> tuple[str, str]:
    """As the administrator, on the pages: a key acting as the secretary, and a webhook
    subscription to completed signings. Return the key and the webhook secret."""
    admin = signed_in(base, "admin")
    people = admin.get(base + "/admin/api-keys", timeout=10).text
    owner = re.search(r'<option value="(\d+)"[^>]*>[^<]*Nguyễn Thị Thu', people).group(1)
    made = admin.post(
        base + "/admin/api-keys",
        timeout=10,
        data={
            "name": "Hệ thống QLVB",
            "owner_id": owner,
            "scope": [
                "meetings:read",
                "meetings:write",
                "documents:write",
                "signing:read",
                "signing:write",
            ],
            "csrf_token": _form_token(admin, base + "/admin/api-keys"),
        },
    )
    key = re.search(r'value="(msk_[^"]+)"', made.text).group(1)
    form = admin.get(base + "/admin/webhooks/new", timeout=10).text
    key_id = re.search(r'<option value="(\d+)"[^>]*>[^<]*Hệ thống QLVB', form).group(1)
    created = admin.post(
        base + "/admin/webhooks/new",
        timeout=10,
        data={
            "api_key_id": key_id,
            "url": f"http://127.0.0.1:{hook_port}/hooks",
            "events": ["signing.completed", "signing.returned"],
            "csrf_token": _form_token(admin, base + "/admin/webhooks/new"),
        },
    )
    secret = re.search(r'value="(whsec_[^"]+)"', created.text).group(1)
    return key, secret


def _sign_on_the_page(base: str, username: str, request_id: int) -> None:
    person = signed_in(base, username)
    page = person.get(f"{base}/signing/{request_id}", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    answer = person.post(
        f"{base}/signing/{request_id}/sign",
        json={"pin": "123456"},
        headers={"X-CSRFToken": token, "X-Requested-With": "fetch"},
        timeout=120,
    )
    assert answer.status_code == 200 and answer.json()["ok"], answer.text[:300]


def _follow(client: subprocess.Popen[str], base: str) -> list[dict]:
    """Read the client's steps; once it has submitted, sign as the leader and the clerk while
    it waits for the webhook. Return its steps once it has exited (killed if it hangs)."""
    lines: list[dict] = []
    try:
        for line in client.stdout or ():
            lines.append(json.loads(line))
            if lines[-1]["step"] == "submitted":
                for username in (SIGNER[0], CLERK[0]):
                    _sign_on_the_page(base, username, lines[-1]["request_id"])
        assert client.wait(timeout=240) == 0, (client.stderr or io.StringIO()).read()
    finally:
        if client.poll() is None:
            client.kill()
    return lines


@pytest.mark.slow
def test_an_outside_system_signs_a_document_through_the_api_alone(tmp_path):
    pdf = tmp_path / "quyet-dinh.pdf"
    pdf.write_bytes(simple_pdf(2))
    hook_port = free_port()
    extra = {"MEETING_WEBHOOK_DELIVER_EVERY_S": "1", "MEETING_SESSION_COOKIE_SECURE": "false"}
    with live_server(tmp_path / "instance", extra_env=extra) as (base, _env):
        key, secret = _integration(base, hook_port)
        command = [
            sys.executable,
            str(CLIENT),
            "--base",
            base,
            "--key",
            key,
            "--webhook-secret",
            secret,
            "--listen-port",
            str(hook_port),
            "--pdf",
            str(pdf),
            "--signer",
            SIGNER[1],
            "--clerk",
            CLERK[1],
            "--wait",
            "180",
        ]
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as client:
            lines = _follow(client, base)
    steps = [line["step"] for line in lines]
    assert steps == [
        "meeting published",
        "submitted",
        "webhook verified",
        "signed document verified",
    ]
    done = lines[-1]
    assert done["status"] == "completed" and done["signatures"] == 2
    assert re.fullmatch(r"\d+/QĐ-\w+", done["register_number"])
    assert lines[2]["refused"] == 0
