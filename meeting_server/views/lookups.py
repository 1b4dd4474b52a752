"""Loading helpers for views: 404 for missing objects, 403 for unreadable documents, pickers."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from ..collation import sorted_by
from ..extensions import db
from ..models import Document, DocumentVersion, Role, User, UserRole
from ..models.ids import MAX_ID, find

T = TypeVar("T")


class IdConverter(IntegerConverter):
    """The app's ``<int:…>``: ASCII digits only, and at most ``MAX_ID`` (else the URL is a 404).

    Werkzeug's own accepts any Unicode digit and any size, which reached the database as a
    number it cannot hold.
    """

    regex = r"[0-9]{1,19}"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.max is None:
            self.max = MAX_ID


def get_or_404(model: type[T], object_id: object) -> T:
    """Return the object or answer 404 (also for an id that cannot be one, e.g. ≥ 2**63)."""
    found = find(model, object_id)
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
