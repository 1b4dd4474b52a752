"""Calling ``/api/v1`` in tests: an API key made through the service, and a client that
sends it (the Flask test client, or ``requests`` against a live server)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from meeting_server.extensions import db
from meeting_server.models import User
from meeting_server.services.api_keys import SCOPES, create_key

ALL_SCOPES = tuple(SCOPES)


def issue_key(
    app: Flask, owner: User, scopes: tuple[str, ...] = ALL_SCOPES, name: str = "Hệ thống QLVB"
) -> str:
    """Make a key acting as ``owner`` (made by ``owner`` too) and return the whole key."""
    with app.app_context():
        person = db.session.get(User, owner.id)
        made = create_key(person, name=name, owner=person, scopes=list(scopes))  # type: ignore[arg-type]
        db.session.commit()
        return made.secret


class ApiClient:
    """The test client with ``Authorization: Bearer <key>`` (and English) on every call."""

    def __init__(self, client: FlaskClient, key: str) -> None:
        self.client = client
        self.key = key

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        # English unless told: the messages tests match are the msgids
        return {"Authorization": f"Bearer {self.key}", "Accept-Language": "en", **(extra or {})}

    def get(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.get(path, headers=self._headers(headers), **kw)

    def post(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.post(path, headers=self._headers(headers), **kw)

    def patch(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.patch(path, headers=self._headers(headers), **kw)
