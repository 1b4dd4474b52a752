"""Calendar feeds: the secret ``.ics`` address calendar apps read, and the pages that make and
revoke one (a person's own on "My calendar", a room's from the rooms list for admins).

The feed itself needs no sign-in: its token is the credential. An unknown token, a revoked
one and a deactivated person's all answer the same 404.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from ..auth import login_required, require, signed_in_user
from ..extensions import db, limiter
from ..models import CalendarFeed, Room, User
from ..permissions import can_create_person_feed, can_create_room_feed, can_manage_calendar_feed
from ..services import calendar_feeds as feed_service
from ..services.calendar_ics import public_base
from .errors import on_too_many
from .lookups import get_or_404

bp = Blueprint("feeds", __name__)

#: How long a calendar app (or a proxy of the person's own) may reuse an answer unasked.
MAX_AGE_S = 300


def _token_key() -> str:
    # The token's hash, not the token: the limiter's storage (Redis) never holds an address.
    token = str((request.view_args or {}).get("token", ""))
    return f"feed:{get_remote_address()}:{feed_service.token_hash(token)[:16]}"


@bp.get("/feeds/<token>.ics")
@limiter.limit(
    lambda: current_app.config["FEED_LIMIT_PER_IP"],
    key_func=lambda: "feed-ip:" + get_remote_address(),
)
@limiter.limit(lambda: current_app.config["FEED_LIMIT_PER_TOKEN"], key_func=_token_key)
def calendar(token: str):
    """Answer the feed's iCalendar text (304 when the app already has this version)."""
    feed = feed_service.feed_for_token(token)
    if feed is None:
        abort(404)
    found = feed_service.read_feed(feed)
    db.session.commit()  # last_used_at, when it moved on
    if request.if_none_match.contains_weak(found.etag):
        response = make_response("", 304)
    else:
        response = make_response(found.body)
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response.set_etag(found.etag)
    if found.last_modified is not None:
        response.last_modified = found.last_modified
    response.headers["Cache-Control"] = f"private, max-age={MAX_AGE_S}"
    return response


on_too_many(
    bp,
    lambda: _(
        "Too many requests for this calendar address. Calendar apps read it every 15 "
        "minutes; wait a minute, then try again."
    ),
)


# ---- my calendar -------------------------------------------------------------------------------


@bp.get("/my/calendar")
@login_required
def mine():
    """Show my calendar address: when it was made and last read, with the buttons."""
    me = signed_in_user()
    require(can_create_person_feed(me, me))
    return _mine_page(me)


@bp.post("/my/calendar")
@login_required
def create_mine():
    """Make a new address of my meetings (the old one stops working) and show it once."""
    me = signed_in_user()
    require(can_create_person_feed(me, me))
    made = feed_service.create_person_feed(me, me)
    db.session.commit()
    return _mine_page(me, made.token)


@bp.post("/my/calendar/revoke")
@login_required
def revoke_mine():
    """Turn my address off: calendars subscribed to it stop updating."""
    me = signed_in_user()
    feed = _working_or_404(feed_service.person_feed(me))
    require(can_manage_calendar_feed(me, feed))
    feed_service.revoke_feed(me, feed)
    db.session.commit()
    flash(_("Calendar address turned off. Calendars subscribed to it no longer update."), "ok")
    return redirect(url_for(".mine"))


# ---- a room's calendar (admins) ----------------------------------------------------------------


@bp.get("/admin/rooms/<int:room_id>/calendar")
@login_required
def room(room_id: int):
    """Show the room's calendar address, with the buttons."""
    place = get_or_404(Room, room_id)
    require(can_create_room_feed(signed_in_user()))
    return _room_page(place)


@bp.post("/admin/rooms/<int:room_id>/calendar")
@login_required
def create_room(room_id: int):
    """Make a new address of the room's meetings (the old one stops working); show it once."""
    place = get_or_404(Room, room_id)
    require(can_create_room_feed(signed_in_user()))
    made = feed_service.create_room_feed(signed_in_user(), place)
    db.session.commit()
    return _room_page(place, made.token)


@bp.post("/admin/rooms/<int:room_id>/calendar/revoke")
@login_required
def revoke_room(room_id: int):
    """Turn the room's address off."""
    place = get_or_404(Room, room_id)
    feed = _working_or_404(feed_service.room_feed(place))
    require(can_manage_calendar_feed(signed_in_user(), feed))
    feed_service.revoke_feed(signed_in_user(), feed)
    db.session.commit()
    flash(_("Calendar address turned off. Calendars subscribed to it no longer update."), "ok")
    return redirect(url_for(".room", room_id=place.id))


def _working_or_404(feed: CalendarFeed | None) -> CalendarFeed:
    if feed is None:
        abort(404)
    return feed


def _mine_page(me: User, token: str | None = None):
    return _page(
        "feeds/mine.html",
        feed_service.person_feed(me),
        token,
        create_url=url_for(".create_mine"),
        revoke_url=url_for(".revoke_mine"),
    )


def _room_page(place: Room, token: str | None = None):
    return _page(
        "feeds/room.html",
        feed_service.room_feed(place),
        token,
        room=place,
        create_url=url_for(".create_room", room_id=place.id),
        revoke_url=url_for(".revoke_room", room_id=place.id),
    )


def _page(template: str, feed: CalendarFeed | None, token: str | None, **context):
    address = webcal = None
    if token is not None:
        address = public_base() + url_for(".calendar", token=token)
        webcal = "webcal://" + address.split("://", 1)[1]
    page = render_template(template, feed=feed, address=address, webcal=webcal, **context)
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"  # the address is shown once, never cached
    return response
