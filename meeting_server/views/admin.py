"""Administration: users and rooms."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth import login_required, require, signed_in_user
from ..collation import sorted_by
from ..extensions import db
from ..models import Role, Room, User
from ..permissions import can_administer
from ..services import certificates as certificate_service
from ..services import rooms as room_service
from ..services import users as user_service
from ..services.errors import ServiceError
from . import forms
from .lookups import get_or_404

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    require(can_administer(signed_in_user()))


@bp.get("/users")
def users():
    """List every account."""
    query = select(User).options(selectinload(User.role_rows))
    people = sorted_by(db.session.scalars(query), "unit", "full_name")
    return render_template("admin/users.html", users=people)


@bp.route("/users/new", methods=["GET", "POST"])
def create_user():
    """Create an account."""
    if request.method == "POST":
        try:
            user_service.create_user(
                signed_in_user(),
                username=forms.text("username"),
                password=request.form.get("password", ""),
                **_user_fields(),
            )
        except ServiceError as error:
            db.session.rollback()
            return _user_form(None, error), 400
        db.session.commit()
        flash(_("Account created."), "ok")
        return redirect(url_for("admin.users"))
    return _user_form(None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change an account; a new password is set only when one is typed."""
    user = get_or_404(User, user_id)
    if request.method == "POST":
        try:
            user_service.update_user(
                signed_in_user(), user, active=forms.flag("active"), **_user_fields()
            )
            if request.form.get("password"):
                user_service.set_password(signed_in_user(), user, request.form["password"])
            if forms.flag("remove_authenticator"):
                certificate_service.remove_totp(signed_in_user(), user)
        except ServiceError as error:
            db.session.rollback()
            return _user_form(user, error), 400
        db.session.commit()
        flash(_("Account saved."), "ok")
        return redirect(url_for("admin.users"))
    return _user_form(user)


@bp.get("/rooms")
def rooms():
    """List the rooms."""
    return render_template("admin/rooms.html", rooms=room_service.list_rooms())


@bp.route("/rooms/new", methods=["GET", "POST"])
@bp.route("/rooms/<int:room_id>", methods=["GET", "POST"])
def edit_room(room_id: int | None = None):
    """Create or change a room."""
    room = get_or_404(Room, room_id) if room_id is not None else None
    if request.method == "POST":
        try:
            _save_room(room)
        except ServiceError as error:
            db.session.rollback()
            return render_template(
                "admin/room_form.html", room=room, error=error, values=request.form
            ), 400
        db.session.commit()
        flash(_("Room saved."), "ok")
        return redirect(url_for("admin.rooms"))
    return render_template("admin/room_form.html", room=room, error=None, values=None)


def _save_room(room: Room | None) -> None:
    name, location = forms.text("name"), forms.text("location")
    seats = forms.integer("seat_count")
    if room is None:
        room_service.create_room(signed_in_user(), name=name, location=location, seat_count=seats)
    else:
        room_service.update_room(
            signed_in_user(),
            room,
            name=name,
            location=location,
            seat_count=seats,
            active=forms.flag("active"),
        )


def _user_fields() -> dict:
    return {
        "full_name": forms.text("full_name"),
        "position": forms.text("position"),
        "unit": forms.text("unit"),
        "roles": request.form.getlist("roles"),
    }


def _user_form(user: User | None, error: ServiceError | None = None):
    return render_template(
        "admin/user_form.html",
        user=user,
        roles=list(Role),
        has_authenticator=user is not None and certificate_service.totp_required(user),
        error=error,
        values=request.form if error else None,
    )
