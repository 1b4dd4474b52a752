"""Integrations: the API keys an administrator makes for the administration's other systems."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..models import ApiKey
from ..permissions import can_administer
from ..services import api_keys as key_service
from ..services.errors import ServiceError
from . import forms
from .lookups import active_users, get_or_404

bp = Blueprint("api_keys", __name__, url_prefix="/admin/api-keys")


@bp.before_request
@login_required
def _admins_only():
    require(can_administer(signed_in_user()))


@bp.get("")
def index():
    """List the integrations' keys, with the form to make one."""
    return _page()


@bp.post("")
def create():
    """Make a key and show it, this once."""
    try:
        made = key_service.create_key(
            signed_in_user(),
            name=forms.text("name"),
            owner=forms.optional_user("owner_id"),
            scopes=request.form.getlist("scope"),
        )
    except ServiceError as error:
        db.session.rollback()
        return _page(error), 400
    db.session.commit()
    response = make_response(render_template("api_keys/created.html", made=made))
    response.headers["Cache-Control"] = "no-store"  # the whole key is on this page only
    return response


@bp.post("/<int:key_id>/revoke")
def revoke(key_id: int):
    """Revoke a key: the integration's next call is refused."""
    key = get_or_404(ApiKey, key_id)
    key_service.revoke_key(signed_in_user(), key)
    db.session.commit()
    flash(_("The key of %(name)s is revoked.", name=key.name), "ok")
    return redirect(url_for("api_keys.index"))


def _page(error: ServiceError | None = None) -> str:
    return render_template(
        "api_keys/index.html",
        keys=key_service.list_keys(),
        people=active_users(),
        scopes=key_service.SCOPES,
        error=error,
        form=request.form if request.method == "POST" else None,
    )
