"""The outgoing-document register: 01, 02… per organisation, year (Vietnam time) and kind;
a rolled-back seal gives its number back; twenty clerks at once get twenty different numbers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, DocumentKind
from meeting_server.services import register
from tests.support.register import number_at_once

MINUTES, DECISION, LETTER = DocumentKind.MINUTES, DocumentKind.DECISION, DocumentKind.LETTER


def test_each_kind_has_its_own_sequence_and_notation(app):
    with app.app_context():
        assert register.preview(MINUTES).notation == "01/BB-UBND"
        first = register.allocate(None, MINUTES, None)
        second = register.allocate(None, MINUTES, None)
        decision = register.allocate(None, DECISION, None)
        letter = register.allocate(None, LETTER, None)
        db.session.commit()
        assert [first.notation, second.notation] == ["01/BB-UBND", "02/BB-UBND"]
        assert (decision.notation, letter.notation) == ("01/QĐ-UBND", "01/UBND")
        assert register.preview(MINUTES).number == 3
        audit = select(AuditEvent.action).where(AuditEvent.action == "register.numbered")
        assert len(db.session.scalars(audit).all()) == 4


def test_numbers_restart_on_new_year_in_vietnam_time(app):
    with app.app_context():
        late_2026 = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 23:30 in Hà Nội
        early_2027 = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1 January
        register.allocate(None, MINUTES, None, now=late_2026)
        register.allocate(None, MINUTES, None, now=late_2026)
        new_year = register.allocate(None, MINUTES, None, now=early_2027)
        db.session.commit()
        assert (new_year.year, new_year.number) == (2027, 1)
        assert register.preview(MINUTES, now=early_2027).issued_on.isoformat() == "2027-01-01"


def test_a_seal_that_fails_gives_its_number_back(app):
    with app.app_context():
        register.allocate(None, MINUTES, None)
        db.session.commit()
        register.allocate(None, MINUTES, None)
        db.session.rollback()  # the seal failed: nothing of it is kept
        again = register.allocate(None, MINUTES, None)
        db.session.commit()
        assert again.number == 2  # no gap


def test_twenty_clerks_at_once_get_one_to_twenty(make_app):
    app = make_app(ORGANISATION_CODE="VP")
    assert number_at_once(app, 20) == list(range(1, 21))
