"""Every route × every kind of person, built from ``app.url_map``: who is refused is refused,
who may read can read, and nothing answers 500. A new route without an entry here fails.

Refused requests are sent for every method (a refusal must change nothing); a permitted
person's requests are sent for GET only (their effects are tested where they belong).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from werkzeug.routing import Rule

from meeting_server.auth import DEVICE_COOKIE
from meeting_server.extensions import db
from meeting_server.models import (
    CheckInMethod,
    ConclusionItem,
    ConclusionNotice,
    Device,
    Role,
    StepKind,
    Task,
    utcnow,
)
from meeting_server.services import attendance, speaking, votes
from meeting_server.services import checkin_codes as codes
from meeting_server.services.agenda import add_item
from meeting_server.services.devices import create_device as add_device
from meeting_server.services.devices import revoke_device
from meeting_server.services.documents import add_document
from meeting_server.services.participants import update_invitation
from meeting_server.services.presentations import start_meeting
from meeting_server.services.signing_requests import RouteEntry, submit_request
from meeting_server.services.task_files import Upload
from meeting_server.services.tasks import accept_task, open_task, report_progress, vietnam_today
from tests.support.clients import PASSWORD, signed_in
from tests.support.pdf_samples import simple_pdf
from tests.support.people import actor, invitation
from tests.support.signing_setup import enrol, with_internal_ca

ANON, OUTSIDER, MEMBER, CLEARED = "anonymous", "daibieu9", "daibieu2", "daibieu1"
SECRETARY, CHAIR, ADMIN, CLERK = "thuky", "chutich", "admin", "vanthu"
ROLES = (ANON, OUTSIDER, MEMBER, CLEARED, SECRETARY, CHAIR, ADMIN, CLERK)

EVERYONE = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()
SIGNED_IN = EVERYONE - {ANON}
INVITED = frozenset({MEMBER, CLEARED, CHAIR, SECRETARY})
CLEARED_READERS = frozenset({CLEARED, CHAIR, SECRETARY})
DESK = frozenset({SECRETARY})
CONDUCT = frozenset({CHAIR, SECRETARY})
ADMINS = frozenset({ADMIN})
ROUTE = frozenset({SECRETARY, CHAIR, CLERK, ADMIN})  # the sender, the signers, admins
DASHBOARD = frozenset({SECRETARY, CHAIR, ADMIN})  # the secretariat, leaders, admins
SELF = frozenset({MEMBER})  # the speaking request's own author
SIGNERS = frozenset({SECRETARY, CHAIR, CLERK})  # may hold a signing key: a signature image
TASK_READERS = frozenset({MEMBER, SECRETARY, CHAIR, ADMIN})  # its unit, the office, leaders
UNIT = frozenset({MEMBER})  # daibieu2 belongs to the task's unit
ASSIGNER = frozenset({CHAIR})

#: endpoint -> who may use it (on the world below). Every route must be here.
POLICY: dict[str, frozenset[str]] = {
    "static": EVERYONE,
    "auth.login": EVERYONE,
    # Without a right password first, the code page sends a visitor to the sign-in form.
    "auth.second_factor": SIGNED_IN,
    "auth.logout": EVERYONE,
    "auth.set_language": EVERYONE,
    "auth.home": SIGNED_IN,
    "ca.crl": EVERYONE,
    "ca.tsa": EVERYONE,  # RFC 3161 for anyone (a wrong body is told what to send)
    "ca.ocsp": EVERYONE,  # RFC 6960 for anyone: POST a request
    "ca.ocsp_by_url": EVERYONE,  # ... or GET it, base64 in the URL
    "verify.check": EVERYONE,
    "verify.upload": EVERYONE,
    "verify.by_code": EVERYONE,
    "verify.by_code_json": EVERYONE,
    # The API's reference is public; the API itself opens only to a key, never to a session
    # cookie (tests/api/test_access.py is its matrix of keys and scopes).
    "api_keys.index": ADMINS,
    "api_keys.create": ADMINS,
    "api_keys.revoke": ADMINS,
    "api.openapi_document": EVERYONE,
    "api.docs": EVERYONE,
    "api.create_agenda_item": NOBODY,
    "api.create_meeting": NOBODY,
    "api.create_signing_request": NOBODY,
    "api.get_document": NOBODY,
    "api.get_document_content": NOBODY,
    "api.get_meeting": NOBODY,
    "api.get_minutes": NOBODY,
    "api.get_minutes_document": NOBODY,
    "api.get_signing_document": NOBODY,
    "api.get_signing_request": NOBODY,
    "api.get_signing_validation": NOBODY,
    "api.get_task": NOBODY,
    "api.invite_participants": NOBODY,
    "api.list_agenda_items": NOBODY,
    "api.list_attendance": NOBODY,
    "api.list_documents": NOBODY,
    "api.list_meetings": NOBODY,
    "api.list_participants": NOBODY,
    "api.list_people": NOBODY,
    "api.list_rooms": NOBODY,
    "api.list_signing_requests": NOBODY,
    "api.list_tasks": NOBODY,
    "api.list_votes": NOBODY,
    "api.publish_meeting": NOBODY,
    "api.update_meeting": NOBODY,
    "api.upload_document": NOBODY,
    "verify.document": EVERYONE,
    "verify.request_revision": EVERYONE,
    "verify.upload_revision": EVERYONE,
    "devices.pair": EVERYONE,
    "tablet.service_worker": EVERYONE,
    "tablet.home": SIGNED_IN,
    "meetings.mine": SIGNED_IN,
    "meetings.schedule": DESK,
    "certificates.mine": SIGNED_IN,
    "certificates.enrol": SIGNED_IN,
    "certificates.import_p12": SIGNED_IN,
    "certificates.start_totp": SIGNED_IN,
    "certificates.confirm_totp": SIGNED_IN,
    "certificates.disable_totp": SIGNED_IN,
    "certificates.preview_signature_image": SIGNERS,
    "certificates.change_signature_image": SIGNERS,
    "certificates.signature_image": SIGNED_IN,  # only one's own or one's preview (else 404)
    "inbox.index": SIGNED_IN,
    "inbox.batch": SIGNED_IN,
    "certificates.index": ADMINS,
    "certificates.revoke": ADMINS,
    "admin.users": ADMINS,
    "admin.create_user": ADMINS,
    "admin.edit_user": ADMINS,
    "admin.rooms": ADMINS,
    "admin.edit_room": ADMINS,
    "admin.seal": ADMINS,
    "admin.preview_seal": ADMINS,
    "admin.change_seal": ADMINS,
    "admin.seal_image": ADMINS,
    "devices.index": ADMINS,
    "devices.create": ADMINS,
    "devices.detail": ADMINS,
    "devices.issue_code": ADMINS,
    "devices.revoke": ADMINS,
    "meetings.show": INVITED,
    "meetings.agenda": INVITED,
    "tablet.meeting": INVITED,
    "tablet.state": INVITED,
    "attendance.my_qr": INVITED,
    "attendance.check_in_self": INVITED,
    "attendance.check_out_self": INVITED,
    "attendance.door": INVITED,
    "attendance.door_check_in": INVITED,
    "speaking.raise_hand": INVITED,
    "speaking.withdraw": SELF | CONDUCT,  # their own, or whoever gives the floor
    "documents.read": CLEARED_READERS,  # the world's document is on the confidential item
    "documents.thumbnail": CLEARED_READERS,
    "notes.index": CLEARED_READERS,
    "notes.save": CLEARED_READERS,
    "minutes.download": INVITED,
    "minutes.edit": CONDUCT,  # the chair reads the draft it will sign
    "minutes.preview": CONDUCT,
    "attendance.board": CONDUCT,
    "attendance.state": CONDUCT,
    "attendance.room_qr": CONDUCT,
    "attendance.record": CONDUCT,
    "attendance.scan": CONDUCT,
    "exports.attendance_csv": CONDUCT,
    "exports.attendance_pdf": CONDUCT,
    "exports.votes_csv": CONDUCT,
    "votes.open_vote": CONDUCT,
    "votes.close": CONDUCT,
    "votes.cast": INVITED,  # whether they may vote now, the service says (409)
    "speaking.give_floor": CONDUCT,
    "speaking.end_floor": CONDUCT,
    "tablet.start": CONDUCT,
    "tablet.end": CONDUCT,
    "tablet.make_current": CONDUCT,
    "meetings.create": DESK,
    "meetings.edit": DESK,
    "meetings.preview": DESK,
    "meetings.publish": DESK,
    "agenda.add": DESK,
    "agenda.delete": DESK,
    "agenda.edit": DESK,
    "agenda.move": DESK,
    "agenda.reorder": DESK,
    "documents.upload": DESK,
    "documents.replace": DESK,
    "documents.remove": DESK,
    "participants.invite": DESK,
    "participants.invite_unit": DESK,
    "participants.update": DESK,
    "participants.remove": DESK,
    "minutes.save": DESK,
    "minutes.finalise": DESK,
    "signing.new": DESK,
    "signing.submit": DESK,
    "signing.show": ROUTE,
    "signing.document": ROUTE,
    "signing.cancel": frozenset({SECRETARY, ADMIN}),  # the sender, or an admin
    "inbox.sign": frozenset({CHAIR}),  # the step waiting is the chair's
    "inbox.give_back": frozenset({CHAIR}),
    "dashboard.index": DASHBOARD,
    "dashboard.months_csv": DASHBOARD,
    "dashboard.people_csv": DASHBOARD,
    "dashboard.units_csv": DASHBOARD,
    "conclusions.edit": DASHBOARD,  # the meeting is not over: the office and leaders follow
    "conclusions.preview": DASHBOARD,
    "conclusions.start": DESK,
    "conclusions.save": DESK,
    "conclusions.send": DESK,
    "conclusions.reopen": DESK,
    "tasks.index": SIGNED_IN,
    "tasks.show": TASK_READERS,
    "tasks.attachment": TASK_READERS,
    "tasks.accept": UNIT,
    "tasks.progress": UNIT,
    "tasks.extension": UNIT,
    "tasks.done": UNIT,
    "tasks.decide": ASSIGNER,
    "tasks.confirm": ASSIGNER,
    "tasks.send_back": ASSIGNER,
    "office.index": DASHBOARD,
    "office.table_csv": DASHBOARD,  # /office/<name>.csv: the world's "name" is no table (404)
    "office.workbook_xlsx": DASHBOARD,
    "office.set_target": ADMINS,
    "edxml.index": SIGNED_IN,  # one's own received documents (empty for most)
    "edxml.export_form": frozenset(),  # the world's request is in progress: nobody exports it
    "edxml.export": frozenset(),
    "edxml.import_form": frozenset({SECRETARY, CLERK}),
    "edxml.upload": frozenset({SECRETARY, CLERK}),
    "edxml.place": frozenset({SECRETARY, CLERK}),  # a package this browser checked, else 404
    "edxml.received_document": SIGNED_IN,  # the world's sha256 was delivered to nobody (404)
    "webhooks.index": ADMINS,
    "webhooks.create": ADMINS,
    "webhooks.show": ADMINS,  # the world has no subscription: 404 for an admin, 403 for others
    "webhooks.rotate": ADMINS,
    "webhooks.disable": ADMINS,
    "webhooks.enable": ADMINS,
    "webhooks.delete": ADMINS,
    "webhooks.send_test": ADMINS,
    "webhooks.replay": ADMINS,
    "feeds.calendar": EVERYONE,  # the token is the credential; the world's is nobody's (404)
    "feeds.mine": SIGNED_IN,
    "feeds.create_mine": SIGNED_IN,  # one's own address only
    "feeds.revoke_mine": SIGNED_IN,
    "feeds.room": ADMINS,
    "feeds.create_room": ADMINS,
    "feeds.revoke_room": ADMINS,
}


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture
def world(app, published_meeting, create_user, admin):
    """The meeting in progress with a confidential item and its document, a vote, a request
    to speak by daibieu2, a device, and a signing request from thuky: chutich, then the seal."""
    create_user(CLERK, Role.CLERK)
    create_user(OUTSIDER)
    meeting, desk, chair = published_meeting, actor(), actor("chutich")
    secret = add_item(desk, meeting, title="Nhân sự", confidential=True)
    document = add_document(desk, secret, stream=io.BytesIO(simple_pdf(2)), filename="mat.pdf")
    update_invitation(
        desk, invitation(meeting, CLEARED), role="member", seat="1", may_view_confidential=True
    )
    start_meeting(desk, meeting)
    for name in (CHAIR, CLEARED, MEMBER):
        attendance.check_in(desk, invitation(meeting, name), method=CheckInMethod.TABLET)
    vote = votes.open_vote(chair, meeting.agenda_items[0], "Thông qua?")
    turn = speaking.request_to_speak(actor(MEMBER), invitation(meeting, MEMBER), topic="Ý kiến")
    device = add_device(actor(ADMIN), meeting.room, name="Máy 1", seat="1")
    enrol(chair, PASSWORD)
    enrol(actor(CLERK), PASSWORD, purpose="seal")
    sent = submit_request(
        desk,
        title="Quyết định",
        message="",
        due_at=utcnow() + timedelta(days=2),
        pdf=simple_pdf(1),
        file_name="qd.pdf",
        route=[RouteEntry(chair), RouteEntry(actor(CLERK), StepKind.SEAL)],
    ).request
    task, attachment_id = _task_of(meeting, chair)
    db.session.commit()
    return {
        "task_id": task.id,
        "attachment_id": attachment_id,
        "meeting_id": meeting.id,
        "item_id": secret.id,
        "document_id": document.id,
        "number": 1,
        "page": 1,
        "invitation_id": invitation(meeting, MEMBER).id,
        "vote_id": vote.id,
        "speaking_id": turn.id,
        "request_id": sent.id,
        "device_id": device.id,
        "user_id": actor(MEMBER).id,
        "room_id": meeting.room_id,
        "key_id": 1,
        "subscription_id": 1,
        "delivery_id": 1,
        "code": sent.code,
        "token": codes.sign_code(codes.ROOM, meeting),
        "sha256": "0" * 64,
        "name": "issuing.crl",
        "encoded": "MAA=",  # base64 of an empty SEQUENCE: a malformed OCSP request
        "filename": "css/app.css",
    }


def _task_of(meeting, chair) -> tuple[Task, int]:
    """A drafted notice of the meeting and a task for daibieu2's unit, with a progress file."""
    actor(MEMBER).unit = "Sở Tài chính"
    notice = ConclusionNotice(
        meeting_id=meeting.id, concluded_by_id=chair.id, created_by_id=actor(SECRETARY).id
    )
    item = ConclusionItem(
        position=0, text="Báo cáo", owner_unit="Sở Tài chính", deadline=vietnam_today()
    )
    notice.items.append(item)
    db.session.add(notice)
    db.session.flush()
    task = open_task(item, chair, meeting.id, utcnow())
    accept_task(actor(MEMBER), task)
    event = report_progress(
        actor(MEMBER), task, percent=10, text="", files=[Upload("a.pdf", simple_pdf(1))]
    )
    return task, event.attachments[0].id


def url_for_rule(rule: Rule, values: dict) -> str:
    """The rule's path with the world's ids (a speaking route's request_id is the turn)."""
    fill = dict(values)
    if rule.endpoint.startswith("speaking."):
        fill["request_id"] = values["speaking_id"]
    return re.sub(
        r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_0-9]+)>", lambda m: str(fill[m.group(1)]), rule.rule
    )


def refused(role: str, status: int, location: str) -> bool:
    """A refusal: the sign-in form for a visitor, else 403, 404 (not told it exists) or 409
    (not waiting for you)."""
    if role == ANON and status == 302 and "/login" in location:
        return True
    return status in (401, 403, 404, 409)


def served(status: int, location: str) -> bool:
    """Not refused for lack of rights (404 and 409 may still say what is not there or now)."""
    return status < 500 and status not in (401, 403) and "/login" not in location


def test_every_route_has_a_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - POLICY.keys()) == [], "add the new routes to POLICY"
    assert sorted(POLICY.keys() - endpoints) == [], "remove the routes that are gone"


@pytest.mark.parametrize("role", ROLES)
def test_each_person_is_refused_or_served_as_the_policy_says(app, world, role):
    http = app.test_client() if role == ANON else signed_in(app, role)
    wrong = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        allowed = role in POLICY[rule.endpoint]
        url = url_for_rule(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if allowed and method != "GET":
                continue
            answer = http.open(url, method=method, headers={"Accept": "application/json"})
            answer.close()
            status, location = answer.status_code, answer.headers.get("Location", "")
            right = served(status, location) if allowed else refused(role, status, location)
            if status >= 500 or not right:
                wrong.append(f"{method} {url} ({rule.endpoint}) → {status} {location}")
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)


def test_a_removed_tablet_is_refused_everywhere_but_pairing(app, world, create_device):
    """Its cookie opens nothing (401, and the page tells it to wipe itself); it may pair again."""
    device, token = create_device(seat="7")
    with app.app_context():
        revoke_device(actor(ADMIN), db.session.get(Device, device.id))
        db.session.commit()
    tablet = app.test_client()
    wrong = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in {"static", "devices.pair", "api.openapi_document", "api.docs"}:
            continue
        url = url_for_rule(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            tablet.set_cookie(DEVICE_COOKIE, token)  # the 401 page makes a browser forget it
            answer = tablet.open(url, method=method)
            answer.close()
            if answer.status_code != 401:
                wrong.append(f"{method} {url} → {answer.status_code}")
    assert wrong == []
    tablet.set_cookie(DEVICE_COOKIE, token)
    assert tablet.get("/tablet/pair").status_code == 200
