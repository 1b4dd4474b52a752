"""Agenda items: add, edit, reorder (drag or buttons), delete."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth import login_required, require, signed_in_user
from ..extensions import db
from ..models import AgendaItem, Meeting
from ..permissions import can_edit_meeting
from ..services import agenda as agenda_service
from ..services.errors import ServiceError
from . import forms, schemas
from .lookups import active_users, get_or_404
from .schemas import read

bp = Blueprint("agenda", __name__)


def _back(meeting_id: int):
    return redirect(url_for("meetings.show", meeting_id=meeting_id, _anchor="agenda"))


def _item_fields() -> dict:
    return {
        "title": forms.text("title"),
        "presenter": forms.optional_user("presenter_id"),
        "presenter_name": forms.text("presenter_name"),
        "planned_minutes": forms.integer("planned_minutes", default=15),
        "confidential": forms.flag("confidential"),
    }


@bp.post("/meetings/<int:meeting_id>/items")
@login_required
def add(meeting_id: int):
    """Append an agenda item."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_meeting(signed_in_user(), meeting))
    agenda_service.add_item(signed_in_user(), meeting, **_item_fields())
    db.session.commit()
    flash(_("Agenda item added."), "ok")
    return _back(meeting.id)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int):
    """Change an agenda item."""
    item = get_or_404(AgendaItem, item_id)
    require(can_edit_meeting(signed_in_user(), item.meeting))
    error = None
    if request.method == "POST":
        try:
            agenda_service.update_item(signed_in_user(), item, **_item_fields())
        except ServiceError as refused:
            db.session.rollback()
            error = refused
        else:
            db.session.commit()
            flash(_("Agenda item saved."), "ok")
            return _back(item.meeting_id)
    return render_template(
        "agenda/form.html",
        item=item,
        users=active_users(),
        error=error,
        values=request.form if error else None,
    ), (400 if error else 200)


@bp.post("/items/<int:item_id>/move")
@login_required
def move(item_id: int):
    """Move an item one place up or down (the buttons)."""
    item = get_or_404(AgendaItem, item_id)
    require(can_edit_meeting(signed_in_user(), item.meeting))
    agenda_service.move_item(signed_in_user(), item, -1 if forms.text("direction") == "up" else 1)
    db.session.commit()
    return _back(item.meeting_id)


@bp.post("/meetings/<int:meeting_id>/items/order")
@login_required
def reorder(meeting_id: int):
    """Store the order a drag-and-drop produced (JSON ``{"order": [ids]}``)."""
    meeting = get_or_404(Meeting, meeting_id)
    require(can_edit_meeting(signed_in_user(), meeting))
    unreadable = _("The agenda order could not be read; reload the page.")
    order = list(read(schemas.AgendaOrder, {"order": unreadable}).order)
    agenda_service.reorder_items(signed_in_user(), meeting, order)
    db.session.commit()
    return jsonify(ok=True, error=None, order=[item.id for item in meeting.agenda_items])


@bp.post("/items/<int:item_id>/delete")
@login_required
def delete(item_id: int):
    """Delete an agenda item and its documents."""
    item = get_or_404(AgendaItem, item_id)
    meeting_id = item.meeting_id
    require(can_edit_meeting(signed_in_user(), item.meeting))
    agenda_service.delete_item(signed_in_user(), item)
    db.session.commit()
    flash(_("Agenda item deleted."), "ok")
    return _back(meeting_id)
