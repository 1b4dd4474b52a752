"""Property-based tests of what clients may send (hypothesis): any JSON body to any JSON route,
any payload to any Socket.IO event, is answered — with the result or a clear refusal, never a
500 and never a silent socket; and a schema id means exactly what ``parse_id`` means."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from meeting_server.extensions import db, socketio
from meeting_server.models import CheckInMethod
from meeting_server.models.ids import Id, parse_id
from meeting_server.services import attendance
from meeting_server.services.presentations import start_meeting
from tests.support.clients import signed_in
from tests.support.people import actor, invitation

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ["item_id", "question", "options", "secret", "rule", "choice", "document_id", "topic",
          "action", "reason", "deputy_id", "deputy_name", "code", "online", "order", "pin", "ids",
          "text", "meeting_id", "last_seq", "state", "version", "page", "zoom"]  # fmt: skip
#: Bodies that use the routes' own keys, with any values; and any JSON at all.
BODIES = st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6) | JSON
ANSWERED = {200, 201, 302, 400, 403, 404, 409, 413, 422, 429}
SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(JSON)
@settings(max_examples=300)
def test_a_schema_id_is_exactly_what_parse_id_accepts(value):
    try:
        validated = TypeAdapter(Id).validate_python(value)
    except ValidationError:
        validated = None
    assert validated == parse_id(value)


@pytest.fixture
def meeting(app, published_meeting):
    start_meeting(actor(), published_meeting)
    attendance.check_in(actor(), invitation(published_meeting, "chutich"), method=CheckInMethod.QR)
    db.session.commit()
    return published_meeting


def json_routes(meeting) -> list[tuple[str, str]]:
    item = meeting.agenda_items[0]
    member = invitation(meeting, "daibieu1")
    return [
        ("POST", f"/tablet/meetings/{meeting.id}/votes"),
        ("POST", "/tablet/votes/1/ballot"),
        ("POST", f"/tablet/meetings/{meeting.id}/speaking"),
        ("POST", f"/meetings/{meeting.id}/attendance/{member.id}"),
        ("POST", f"/meetings/{meeting.id}/attendance/scan"),
        ("POST", f"/tablet/meetings/{meeting.id}/check-in"),
        ("POST", f"/meetings/{meeting.id}/items/order"),
        ("POST", "/signing/1/sign"),
        ("POST", "/signing/batch"),
        ("PUT", "/tablet/documents/1/versions/1/pages/1/note"),
        ("POST", f"/tablet/items/{item.id}/current"),
    ]


@given(body=BODIES, pick=st.integers(min_value=0, max_value=10))
@SETTINGS
def test_any_body_to_any_json_route_is_answered(app, meeting, body, pick):
    route = json_routes(meeting)[pick]
    http = signed_in(app, "chutich")
    answer = http.open(route[1], method=route[0], json=body, headers={"Accept": "application/json"})
    assert answer.status_code in ANSWERED, (route, body, answer.status_code)
    if answer.status_code != 302:
        assert isinstance(answer.get_json(), dict), (route, body)


EVENTS = ["join_meeting", "leave_meeting", "present_page", "stop_presenting", "still_here"]


@given(data=BODIES, event=st.sampled_from(EVENTS))
@SETTINGS
def test_any_payload_to_any_event_gets_an_ack(app, meeting, data, event):
    client = socketio.test_client(app, flask_test_client=signed_in(app, "chutich"))
    try:
        ack = client.emit(event, data, callback=True)
    finally:
        client.disconnect()
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), (event, data, ack)
