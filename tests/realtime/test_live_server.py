"""Socket.IO against a real server process: Origin check and websocket delivery."""

from __future__ import annotations

import pytest
import socketio

from tests.support.browser import connect, live_server, notice_reaches_a_tablet, signed_in

pytestmark = pytest.mark.browser  # a live server process, like the browser tests


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("live-rt")) as running:
        yield running


def test_a_foreign_origin_is_refused(server):
    base, _env = server
    http = signed_in(base, "daibieu1")
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(base, http, "http://evil.example")


def test_no_session_is_refused(server):
    base, _env = server
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(base, None)


def test_a_tablet_gets_the_notice_over_websocket(server):
    base, _env = server
    notice_reaches_a_tablet(base, "77")
