"""The audit trail's hash chain: sealed events verify; an edited, deleted or slipped-in event
is named, even by someone who can write to the database; a rewritten chain fails its anchor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from meeting_server.cli.audit import seal_now
from meeting_server.extensions import db
from meeting_server.models import utcnow
from meeting_server.services.audit import record_event
from meeting_server.services.audit_chain import (
    read_anchors,
    seal_pending,
    verify_chain,
    write_anchor,
)

GUARDS = (
    "audit_event_no_update",
    "audit_event_no_delete",
    "audit_seal_no_update",
    "audit_seal_no_delete",
)


@pytest.fixture
def trail(app):
    """Five sealed events (ids 1–5 of this trail) inside an app context."""
    with app.app_context():
        ids = [record_event(None, "test.event", "meeting", n, n=n).id for n in range(5)]
        db.session.commit()
        assert seal_now() >= 5
        yield ids


def as_attacker(*statements: str) -> None:
    """Write straight to the database, as someone with its file or password could."""
    for guard in GUARDS:
        db.session.execute(text(f"DROP TRIGGER IF EXISTS {guard}"))
    for statement in statements:
        db.session.execute(text(statement))
    db.session.commit()


def test_a_sealed_trail_verifies(trail):
    report = verify_chain()
    assert report.ok, report.problem
    assert report.sealed >= 5 and len(report.head_hash) == 64


def test_an_edited_event_is_named(trail):
    as_attacker(f"UPDATE audit_event SET details = '{{}}' WHERE id = {trail[2]}")
    report = verify_chain()
    assert report.problem == f"event {trail[2]} was edited after it was sealed"
    assert report.event_id == trail[2]


def test_a_deleted_event_is_named(trail):
    as_attacker(f"DELETE FROM audit_event WHERE id = {trail[1]}")
    assert verify_chain().problem == f"event {trail[1]} was deleted"


def test_an_event_slipped_in_afterwards_is_named(trail):
    an_hour_ago = (utcnow() - timedelta(hours=1)).replace(tzinfo=None).isoformat(" ")
    as_attacker(
        "INSERT INTO audit_event (at, action, object_type, object_id, ip, details) "
        f"VALUES ('{an_hour_ago}', 'auth.login', 'user', 1, '', '{{}}')"
    )
    report = verify_chain()
    assert report.problem is not None and "is not in the chain" in report.problem


def test_a_recent_event_waits_for_the_sealer_without_a_finding(trail):
    record_event(None, "test.later", "meeting", 9)
    db.session.commit()
    report = verify_chain()
    assert report.ok and report.unsealed_recent == 1
    seal_pending()
    db.session.commit()
    assert verify_chain().unsealed_recent == 0


def test_rewriting_the_whole_chain_fails_the_anchor(trail, tmp_path):
    anchors = tmp_path / "anchors.txt"
    written = write_anchor(anchors)
    assert written is not None
    as_attacker(
        f"UPDATE audit_event SET details = '{{}}' WHERE id = {trail[0]}",
        "DELETE FROM audit_seal",
    )
    seal_now()  # the attacker re-seals everything after the edit
    assert verify_chain().ok  # without the anchor the new chain is self-consistent
    report = verify_chain(read_anchors(anchors))
    assert report.problem == f"the chain was rewritten: link {written.n} differs from its anchor"
