"""Loading helpers for views: 404 for missing objects, user lists for pickers."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from sqlalchemy import select

from ..extensions import db
from ..models import Role, User, UserRole

T = TypeVar("T")


def get_or_404(model: type[T], object_id: int) -> T:
    """Return the object or answer 404."""
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def active_users(role: Role | None = None) -> list[User]:
    """Return active users by unit and name, optionally only those holding ``role``."""
    query = select(User).where(User.active).order_by(User.unit, User.full_name)
    if role is not None:
        query = query.join(UserRole).where(UserRole.role == role.value)
    return list(db.session.scalars(query))
