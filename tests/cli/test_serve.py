"""The production server: `meeting-server serve` is one gevent process with WebSocket delivery."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request

import pytest

from tests.support.browser import (
    demo_template,
    free_port,
    notice_reaches_a_tablet,
    server_env,
    signed_in,
    stop,
    wait_until_up,
)

pytestmark = pytest.mark.browser  # a live server process, like the browser tests

STARTED = re.compile(r"meeting-server serve: pid=(\d+) async_mode=(\S+) websocket=(\S+) on (\S+)")


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """Run `meeting-server serve` on a free loopback port with its own instance; stop it by PID."""
    instance = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = server_env(instance, port)
    # Plain HTTP on loopback here; in production nginx terminates HTTPS.
    env["MEETING_SESSION_COOKIE_SECURE"] = "false"
    shutil.copytree(demo_template(), instance, dirs_exist_ok=True)
    log_path = instance / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from meeting_server.cli import main; main()", "serve"]
            + ["--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + "/login", process, seconds=60)
            yield base, log_path, process
        finally:
            stop(process, seconds=15)


def test_serve_runs_gevent_with_websocket_in_the_same_process(production):
    _base, log_path, process = production
    started = STARTED.search(log_path.read_text())
    assert started, log_path.read_text()
    pid, mode, websocket, _url = started.groups()
    assert (mode, websocket) == ("gevent", "simple-websocket")
    assert int(pid) == process.pid  # gevent's launcher replaced the command: stop it by this PID


def test_a_tablet_gets_the_notice_from_the_production_server_over_websocket(production):
    base, _log, _process = production
    notice_reaches_a_tablet(base, "42")


def test_signing_and_verifying_run_off_the_event_loop_under_gevent(production):
    """The demo request: the chair signs over HTTP, then the public page validates it.

    Both run in gevent's thread pool (``offload.offload``), where no app context exists.
    """
    base, _log, _process = production
    chair = signed_in(base, "chutich")
    inbox = chair.get(f"{base}/signing/", timeout=10).text
    request_id = re.search(r'href="/signing/(\d+)"', inbox).group(1)
    token = re.search(r'name="csrf-token" content="([^"]+)"', inbox).group(1)
    answer = chair.post(
        f"{base}/signing/{request_id}/sign",
        json={"pin": "123456"},
        headers={"X-CSRFToken": token},
        timeout=60,
    )
    assert answer.status_code == 200 and answer.json()["ok"], answer.text[:300]
    page = chair.get(f"{base}/signing/{request_id}", timeout=10).text
    code = re.search(r"/v/([A-Z0-9]{8})", page).group(1)
    report = urllib.request.urlopen(f"{base}/v/{code}.json", timeout=60)  # noqa: S310 - loopback
    verdicts = [s["verdict"] for s in json.loads(report.read())["signatures"]]
    assert verdicts == ["valid"]


def test_the_server_module_refuses_to_start_without_gevent_patching(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "meeting_server.cli.serve", "--port", str(free_port())],
        env={**os.environ, "MEETING_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "meeting-server serve" in result.stderr
