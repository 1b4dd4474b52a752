"""Loading helpers for views: 404 for missing objects, 403 for unreadable documents, pickers."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, request
from sqlalchemy import select

from ..collation import sorted_by
from ..extensions import db
from ..models import Document, DocumentVersion, Role, User, UserRole

T = TypeVar("T")


def get_or_404(model: type[T], object_id: int) -> T:
    """Return the object or answer 404."""
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def active_users(role: Role | None = None) -> list[User]:
    """Return active users by unit and name, optionally only those holding ``role``."""
    query = select(User).where(User.active)
    if role is not None:
        query = query.join(UserRole).where(UserRole.role == role.value)
    return sorted_by(db.session.scalars(query), "unit", "full_name")


def version_or_404(document: Document, number: int) -> DocumentVersion:
    """Return the document's version ``number`` or answer 404."""
    version = next((v for v in document.versions if v.number == number), None)
    if version is None:
        abort(404)
    return version


def json_body() -> dict:
    """Return the request's JSON object (an empty one if the body is not a JSON object)."""
    payload = request.get_json(silent=True)
    return payload if isinstance(payload, dict) else {}
