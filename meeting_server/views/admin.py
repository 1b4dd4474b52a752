"""Administration: users, rooms and the organisation's seal image."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth import login_required, require, signed_in_user
from ..collation import sorted_by
from ..extensions import db
from ..models import Role, Room, User
from ..permissions import can_administer, can_set_organisation_seal
from ..services import certificates as certificate_service
from ..services import rooms as room_service
from ..services import signature_images
from ..services import users as user_service
from ..services.errors import ServiceError
from . import forms
from . import image_uploads as images
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


# ---- the organisation's seal image (Decree 30) ----------------------------------------------


@bp.get("/seal")
def seal():
    """Show the organisation's seal image (or the drawn seal's note), with the upload form."""
    require(can_set_organisation_seal(signed_in_user()))
    return _seal_page()


@bp.post("/seal/preview")
def preview_seal():
    """Clean a scan or photo of the red seal and show it at real size; nothing is kept yet."""
    actor = signed_in_user()
    require(can_set_organisation_seal(actor))
    try:
        diameter = signature_images.check_seal_diameter(forms.integer("diameter_mm"))
        sha256 = signature_images.prepare_seal_image(images.uploaded_image())
    except ServiceError as error:
        return _seal_page(error, "upload")
    images.remember_preview(images.SEAL_PREVIEW, sha256, diameter)
    return redirect(url_for("admin.seal"))


@bp.post("/seal")
def change_seal():
    """Save the previewed seal (at the diameter given), discard it, or remove the seal image."""
    action = forms.text("action")
    actor = signed_in_user()
    require(can_set_organisation_seal(actor))
    try:
        if action == "save":
            sha256 = images.waiting_preview(images.SEAL_PREVIEW)
            diameter = forms.integer("diameter_mm")
            signature_images.save_organisation_seal(actor, sha256, diameter)
        elif action == "remove":
            signature_images.remove_organisation_seal(actor)
    except ServiceError as error:
        db.session.rollback()
        return _seal_page(error, action)
    db.session.commit()
    images.forget_preview(images.SEAL_PREVIEW)
    if action in images.SEAL_DONE:
        flash(images.SEAL_DONE[action], "ok")
    return redirect(url_for("admin.seal"))


@bp.get("/seal/<sha256>.png")
def seal_image(sha256: str):
    """Send the organisation's seal image, or the preview waiting in this browser."""
    require(can_set_organisation_seal(signed_in_user()))
    saved = signature_images.current_seal()
    current = saved.sha256 if saved else None
    return images.send_png(sha256, current, images.preview(images.SEAL_PREVIEW))


def _seal_page(error: ServiceError | None = None, failed: str | None = None):
    saved = signature_images.current_seal()
    typed = request.form.get("diameter_mm") if error else None
    page = render_template(
        "admin/seal.html",
        saved=saved,
        preview=images.preview(images.SEAL_PREVIEW),
        diameter=typed
        or images.preview_diameter(images.SEAL_PREVIEW)
        or (saved.diameter_mm if saved else signature_images.DEFAULT_SEAL_DIAMETER_MM),
        diameters=signature_images.SEAL_DIAMETERS_MM,
        max_mb=signature_images.MAX_IMAGE_BYTES // (1024 * 1024),
        error=error,
        failed=failed,
    )
    return page, error.status if error else 200


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
