"""meeting-server audit seal / anchor / verify on a real database file."""

from __future__ import annotations

from sqlalchemy import text

from meeting_server.extensions import db
from meeting_server.services.audit import record_event


def test_verify_says_ok_then_names_the_edited_event(app, runner, tmp_path):
    with app.app_context():
        ids = [record_event(None, "test.event", "meeting", n).id for n in range(3)]
        db.session.commit()
    anchors = tmp_path / "anchors.txt"

    assert runner.invoke(args=["audit", "seal"]).exit_code == 0
    anchored = runner.invoke(args=["audit", "anchor", "--file", str(anchors)])
    assert anchored.exit_code == 0 and "Anchored link" in anchored.output
    ok = runner.invoke(args=["audit", "verify", "--anchors", str(anchors)])
    assert ok.exit_code == 0, ok.output
    assert "OK:" in ok.output and "1 anchor(s) match" in ok.output

    with app.app_context():  # someone with the database file edits one event
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(text(f"UPDATE audit_event SET action = 'x' WHERE id = {ids[1]}"))
        db.session.commit()
    broken = runner.invoke(args=["audit", "verify", "--anchors", str(anchors)])
    assert broken.exit_code == 1
    assert f"BROKEN: event {ids[1]} was edited after it was sealed." in broken.output
