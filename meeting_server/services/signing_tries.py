"""Wrong signing PINs and authenticator codes: one count per person, for every way of signing.

The count lives in Flask-Limiter's storage (``MEETING_RATELIMIT_STORAGE_URI``: memory for one
process, Redis for several), under one key per person, so a PIN refused on ``/sign`` counts
against the batch too, on every process. Past ``SIGNING_PIN_LIMIT`` (5 per 15 minutes) signing
is paused until the window passes, whatever the PIN; every refusal says how many tries are
left, or until what time signing is paused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from limits import RateLimitItem, parse

from ..extensions import limiter
from ..i18n import format_time
from ..models import User
from .certificates import WrongSecret
from .errors import ServiceError


class SigningPaused(ServiceError):
    """Too many wrong PINs or codes: nothing is checked until the pause ends."""

    status = 429


@dataclass(frozen=True)
class Tries:
    """How many wrong PINs or codes a person may still type, and the end of a pause."""

    left: int
    paused_until: datetime | None


def tries_of(user: User) -> Tries:
    """Return ``user``'s tries left in the current window."""
    stats = limiter.limiter.get_window_stats(_limit(), _key(user))
    left = max(0, stats.remaining)
    until = datetime.fromtimestamp(stats.reset_time, UTC) if left == 0 else None
    return Tries(left, until)


def check_not_paused(user: User) -> None:
    """Refuse at once (``SigningPaused``) while ``user``'s signing is paused."""
    tries = tries_of(user)
    if tries.paused_until is not None:
        raise SigningPaused(_paused_message(tries.paused_until), field="pin")


def count_wrong(user: User, wrong: WrongSecret) -> ServiceError:
    """Count one wrong PIN or code; return the refusal to raise, saying what is left."""
    limiter.limiter.hit(_limit(), _key(user))
    tries = tries_of(user)
    if tries.paused_until is not None:
        paused = _paused_message(tries.paused_until)
        return SigningPaused(f"{wrong.message} {paused}", field=wrong.field)
    left = ngettext("You may try %(num)d more time.", "You may try %(num)d more times.", tries.left)
    return WrongSecret(f"{wrong.message} {left}", field=wrong.field)


def _paused_message(until: datetime) -> str:
    return str(
        _l(
            "Too many wrong PINs or codes: signing is paused until %(time)s. Nothing was "
            "signed; then try again with the right PIN.",
            time=format_time(until),
        )
    )


def _limit() -> RateLimitItem:
    return parse(str(current_app.config["SIGNING_PIN_LIMIT"]))


def _key(user: User) -> str:
    return f"signing-secret:{user.id}"
