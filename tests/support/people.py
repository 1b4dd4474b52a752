"""Finding people in tests that run inside an app context: accounts and their invitations."""

from __future__ import annotations

from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import Invitation, Meeting, User


def actor(username: str = "thuky") -> User:
    """Return the account named ``username``."""
    return db.session.scalars(select(User).where(User.username == username)).one()


def invitation(meeting: Meeting, username: str) -> Invitation:
    """Return ``username``'s invitation to ``meeting``."""
    return next(i for i in meeting.invitations if i.user.username == username)
