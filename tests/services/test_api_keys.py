"""API keys: what opens the API and what does not, use noted sparingly, old answers pruned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import ApiKey, IdempotentAnswer, utcnow
from meeting_server.services.api_keys import (
    create_key,
    key_for,
    mark_used,
    prune_answers,
    revoke_key,
)
from meeting_server.services.errors import NotAllowed
from tests.support.people import actor
from tests.support.signing_setup import english


@pytest.fixture
def made(app, admin, secretary):
    with english(app):
        made = create_key(
            actor("admin"), name="QLVB", owner=actor("thuky"), scopes=["meetings:read"]
        )
        db.session.commit()
        yield made


def test_only_the_whole_key_finds_its_row(made):
    assert key_for(made.secret) == made.key
    prefix = made.key.prefix
    for wrong in (
        "",
        made.secret[:-1] + ("A" if made.secret[-1] != "A" else "B"),  # one character off
        made.secret.replace(prefix, "0" * 12),  # another prefix
        made.secret + " ",
        f"msk_{prefix}_short",
        made.key.secret_hash,  # the stored digest is not a key
    ):
        assert key_for(wrong) is None, wrong


def test_a_revoked_key_or_an_inactive_owner_opens_nothing(made):
    made.key.owner.active = False
    assert key_for(made.secret) is None
    made.key.owner.active = True
    revoke_key(actor("admin"), made.key)
    assert key_for(made.secret) is None
    with pytest.raises(NotAllowed):
        revoke_key(actor("admin"), made.key)


def test_use_is_written_at_most_once_a_minute(made):
    assert mark_used(made.key) is True
    assert mark_used(made.key) is False
    made.key.last_used_at = utcnow() - timedelta(minutes=2)
    assert mark_used(made.key) is True


def test_answers_older_than_the_setting_are_pruned(app, made):
    old, new = utcnow() - timedelta(hours=25), utcnow() - timedelta(hours=1)
    for name, when in (("old", old), ("new", new)):
        db.session.add(
            IdempotentAnswer(
                api_key_id=made.key.id,
                idempotency_key=name,
                fingerprint="0" * 64,
                status=201,
                body="{}",
                created_at=when,
            )
        )
    db.session.flush()
    assert prune_answers() == 1
    kept = db.session.scalars(select(IdempotentAnswer.idempotency_key)).all()
    assert kept == ["new"]
    assert db.session.scalar(select(ApiKey.id)) == made.key.id
