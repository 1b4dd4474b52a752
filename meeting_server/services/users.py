"""Accounts: create, change, deactivate, authenticate."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..collation import vietnamese_key
from ..extensions import db
from ..models import Role, SessionEnd, User, UserRole, utcnow
from ..passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from .audit import record_event
from .errors import NotAllowed, ServiceError
from .sessions import end_sessions_of

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def create_user(
    actor: User | None,
    *,
    username: str,
    full_name: str,
    password: str,
    roles: Iterable[Role | str],
    position: str = "",
    unit: str = "",
) -> User:
    """Create an active account; the username is stored in lower case."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise ServiceError(
            _l("Username: 2–64 characters, letters without accents, digits, '.', '_' or '-'."),
            field="username",
        )
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ServiceError(_l("The username %(u)s is already taken.", u=username), field="username")
    _check_password(password)
    user = User(
        username=username,
        full_name=_required(full_name, "full_name"),
        position=position.strip(),
        unit=unit.strip(),
        password_hash=hash_password(password),
    )
    user.role_rows = [UserRole(role=Role(role).value) for role in _required_roles(roles)]
    db.session.add(user)
    db.session.flush()
    record_event(actor, "user.create", "user", user.id, username=username, roles=sorted(user.roles))
    return user


def update_user(
    actor: User,
    user: User,
    *,
    full_name: str,
    position: str,
    unit: str,
    roles: Iterable[Role | str],
    active: bool,
) -> User:
    """Change a user's details, roles and active flag."""
    new_roles = _required_roles(roles)
    if user.id == actor.id and (not active or Role.ADMIN not in new_roles):
        raise NotAllowed(
            _l("You cannot remove your own administrator rights or deactivate yourself.")
        )
    ends_sessions = _session_end(user, new_roles, active)
    user.full_name = _required(full_name, "full_name")
    user.position = position.strip()
    user.unit = unit.strip()
    user.active = active
    user.role_rows = [UserRole(role=role.value) for role in sorted(new_roles)]
    db.session.flush()
    record_event(actor, "user.update", "user", user.id, roles=sorted(new_roles), active=active)
    if ends_sessions is not None:
        end_sessions_of(actor, user, ends_sessions)
    return user


def _session_end(user: User, new_roles: set[Role], active: bool) -> SessionEnd | None:
    """Why a change to ``user`` signs them out everywhere, if it does."""
    if user.active and not active:
        return SessionEnd.DEACTIVATED
    if set(user.roles) != new_roles:
        return SessionEnd.ROLES_CHANGED
    return None


def set_password(actor: User | None, user: User, password: str) -> None:
    """Replace a user's password."""
    _check_password(password)
    user.password_hash = hash_password(password)
    db.session.flush()
    record_event(actor, "user.set_password", "user", user.id)
    end_sessions_of(actor, user, SessionEnd.PASSWORD_CHANGED)


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials and record the attempt, else ``None``."""
    username = username.strip().lower()
    user = db.session.scalar(select(User).where(User.username == username))
    stored_hash = user.password_hash if user else None
    db.session().end_read()  # no connection held while the hash waits its turn
    ok = verify_password(stored_hash, password)
    if not ok or user is None or not user.active:
        record_event(
            user, "auth.login_failed", "user", user.id if user else None, username=username
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    record_event(user, "auth.login", "user", user.id)
    return user


def units() -> list[str]:
    """Return the distinct non-empty units of active users, sorted."""
    rows = db.session.scalars(
        select(User.unit).where(User.active, func.length(User.unit) > 0).distinct()
    )
    return sorted(rows, key=vietnamese_key)


def _check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ServiceError(
            _l("The password needs at least %(n)d characters.", n=MIN_LENGTH), field="password"
        )


def _required(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise ServiceError(_l("This field is required."), field=field)
    return value


def _required_roles(roles: Iterable[Role | str]) -> set[Role]:
    try:
        chosen = {Role(role) for role in roles}
    except ValueError:
        raise ServiceError(_l("Unknown role."), field="roles") from None
    if not chosen:
        raise ServiceError(_l("Choose at least one role."), field="roles")
    return chosen
