"""meeting-server audit seal / anchor / verify on a real database file."""

from __future__ import annotations

from sqlalchemy import text

from meeting_server.extensions import db
from meeting_server.services.audit import record_event
from tests.support.signing_setup import with_internal_ca


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


def test_anchors_are_timestamped_by_the_internal_tsa(make_app, ca_template, tmp_path):
    """With the internal CA here, each anchor carries an RFC 3161 token over its line: a line
    whose token was taken from another anchor is refused."""
    app = make_app(**with_internal_ca({}, ca_template, tmp_path))
    runner = app.test_cli_runner()
    anchors = tmp_path / "anchors.txt"
    for n in range(2):
        with app.app_context():
            record_event(None, "test.event", "meeting", n)
            db.session.commit()
        written = runner.invoke(args=["audit", "anchor", "--file", str(anchors)])
        assert "(timestamped)" in written.output, written.output
    first, second = anchors.read_text().splitlines()
    assert len(first.split()) == 4
    ok = runner.invoke(args=["audit", "verify", "--anchors", str(anchors)])
    assert ok.exit_code == 0 and "2 timestamped, the latest at" in ok.output, ok.output

    swapped = second.rsplit(" ", 1)[0] + " " + first.rsplit(" ", 1)[1]
    anchors.write_text(f"{first}\n{swapped}\n")
    refused = runner.invoke(args=["audit", "verify", "--anchors", str(anchors)])
    assert refused.exit_code == 1 and "link 2) does not cover its line" in refused.output
