"""Room tablets: the administrator adds, pairs and removes them; a tablet pairs with a code."""

from __future__ import annotations

import functools
import time

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from markupsafe import Markup

from ..auth import (
    WIPE_SITE_DATA,
    current_device,
    end_current_session,
    login_required,
    require,
    set_device_cookie,
    signed_in_user,
)
from ..extensions import db, limiter
from ..models import Device, SessionEnd
from ..permissions import can_administer
from ..services import devices as device_service
from ..services import rooms as room_service
from ..services.errors import ServiceError
from . import forms
from .errors import on_too_many
from .lookups import get_or_404

bp = Blueprint("devices", __name__)


def _admins_only(view):
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        require(can_administer(signed_in_user()))
        return view(*args, **kwargs)

    return wrapped


@bp.get("/admin/devices")
@_admins_only
def index():
    """List the tablets by room, with the form to add one."""
    return _index_page()


@bp.post("/admin/devices")
@_admins_only
def create():
    """Add a tablet at a seat, then open its page to issue a pairing code."""
    try:
        device = device_service.create_device(
            signed_in_user(), forms.room(), forms.text("seat"), forms.text("name")
        )
    except ServiceError as error:
        db.session.rollback()
        return _index_page(error), error.status
    db.session.commit()
    flash(_("Tablet added. Now issue a pairing code and enter it on the tablet."), "ok")
    return redirect(url_for("devices.detail", device_id=device.id))


@bp.get("/admin/devices/<int:device_id>")
@_admins_only
def detail(device_id: int):
    """Show a tablet with the buttons to issue a pairing code or to remove it."""
    return _detail_page(get_or_404(Device, device_id))


@bp.post("/admin/devices/<int:device_id>/code")
@_admins_only
def issue_code(device_id: int):
    """Issue a one-time pairing code and show it once, in digits and as a QR code."""
    device = get_or_404(Device, device_id)
    code = device_service.issue_pairing_code(signed_in_user(), device)
    db.session.commit()
    return _detail_page(device, code)


@bp.post("/admin/devices/<int:device_id>/revoke")
@_admins_only
def revoke(device_id: int):
    """Remove a tablet: disconnected now, it wipes its documents and notes at its next contact."""
    device = get_or_404(Device, device_id)
    device_service.revoke_device(signed_in_user(), device)
    db.session.commit()
    flash(_("Tablet removed. It was disconnected and deletes its documents and notes."), "ok")
    return redirect(url_for("devices.index"))


def _failed(response) -> bool:
    # Only wrong codes count toward the limit; a successful pairing redirects.
    return response.status_code != 302


@bp.route("/tablet/pair", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["PAIRING_LIMIT_PER_IP"],
    key_func=lambda: "pairing-ip:" + get_remote_address(),
    methods=["POST"],
    deduct_when=_failed,
)
def pair():
    """Pair this tablet with the administrator's one-time code (no sign-in needed)."""
    if request.method == "GET":
        return _pair_form(device_service.normalise_code(request.args.get("code", ""))[:8])
    try:
        device, token = device_service.pair_device(request.form.get("code", ""))
    except ServiceError as error:
        db.session.rollback()
        return _pair_form(request.form.get("code", ""), str(error.message)), 400
    # The tablet reads as its seat now, not as whoever was signed in on it.
    end_current_session(SessionEnd.DEVICE_PAIRED)
    db.session.commit()
    response = redirect(url_for("tablet.home"))
    set_device_cookie(response, token)
    response.headers["Clear-Site-Data"] = WIPE_SITE_DATA  # nothing left from an earlier seat
    return response


def _too_many_codes() -> str:
    """Say how long to wait before typing a pairing code again."""
    limit = limiter.current_limit
    seconds = limit.reset_at - time.time() if limit is not None else 600
    minutes = max(1, round(seconds / 60))
    return ngettext(
        "Too many wrong pairing codes from this network. Wait %(num)d minute, then type the "
        "code again or ask the administrator for a new one.",
        "Too many wrong pairing codes from this network. Wait %(num)d minutes, then type the "
        "code again or ask the administrator for a new one.",
        minutes,
    )


on_too_many(bp, _too_many_codes, lambda message: _pair_form(request.form.get("code", ""), message))


def _pair_form(code: str, error: str | None = None):
    return render_template("devices/pair.html", code=code, error=error, device=current_device())


def _index_page(error: ServiceError | None = None):
    return render_template(
        "devices/index.html",
        devices=device_service.list_devices(),
        rooms=room_service.list_rooms(active_only=True),
        status=device_service.device_status,
        error=error,
        values=request.form if error else None,
    )


def _detail_page(device: Device, code: str | None = None):
    pair_url = qr = None
    if code is not None:
        public = current_app.config["PUBLIC_URL"].rstrip("/")
        pair_url = public + url_for("devices.pair", code=code)
        svg = segno.make(pair_url, error="m").svg_inline(
            scale=6, border=4, dark="#000", light="#fff", svgclass="qr", omitsize=True
        )
        qr = Markup(svg)  # noqa: S704 — segno's own SVG of our URL, no user text in it
    page = render_template(
        "devices/detail.html",
        device=device,
        status=device_service.device_status(device),
        code=code,
        pair_url=pair_url,
        pair_address=current_app.config["PUBLIC_URL"].rstrip("/") + url_for("devices.pair"),
        qr=qr,
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"  # a code is shown once, never from a cache
    return response
