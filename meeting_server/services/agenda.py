"""The ordered agenda of a meeting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import AgendaItem, Meeting, User
from .audit import record_event
from .errors import ServiceError
from .notices import record_notice


def add_item(
    actor: User,
    meeting: Meeting,
    *,
    title: str,
    presenter: User | None = None,
    presenter_name: str = "",
    planned_minutes: int = 15,
    confidential: bool = False,
) -> AgendaItem:
    """Append an item at the end of the agenda."""
    position = max((item.position for item in meeting.agenda_items), default=0) + 1
    item = AgendaItem(position=position, title="")
    _apply(item, title, presenter, presenter_name, planned_minutes, confidential)
    meeting.agenda_items.append(item)
    db.session.flush()
    record_notice(meeting, "agenda_changed", [item.id], confidential=item.confidential)
    record_event(actor, "agenda.add", "meeting", meeting.id, item=item.id, title=item.title)
    return item


def update_item(
    actor: User,
    item: AgendaItem,
    *,
    title: str,
    presenter: User | None,
    presenter_name: str,
    planned_minutes: int,
    confidential: bool,
) -> AgendaItem:
    """Change an item's title, presenter, duration or confidentiality."""
    was_confidential = item.confidential
    _apply(item, title, presenter, presenter_name, planned_minutes, confidential)
    # An item that stops being confidential must reach everyone; one that becomes so, too
    # (it disappears from their agenda).
    hidden = was_confidential and confidential
    record_notice(item.meeting, "agenda_changed", [item.id], confidential=hidden)
    record_event(
        actor, "agenda.update", "meeting", item.meeting_id, item=item.id, confidential=confidential
    )
    return item


def reorder_items(actor: User, meeting: Meeting, item_ids: list[int]) -> None:
    """Put the agenda in the order of ``item_ids`` (every item exactly once)."""
    items = {item.id: item for item in meeting.agenda_items}
    if sorted(item_ids) != sorted(items):
        raise ServiceError(_l("The agenda changed meanwhile; reload the page and try again."))
    _renumber(meeting, [items[item_id] for item_id in item_ids])
    record_notice(meeting, "agenda_changed")  # no ids: they would name confidential items
    record_event(actor, "agenda.reorder", "meeting", meeting.id, order=item_ids)


def move_item(actor: User, item: AgendaItem, offset: int) -> None:
    """Move an item up (-1) or down (+1) the agenda; at either end nothing changes."""
    order = [other.id for other in item.meeting.agenda_items]
    index = order.index(item.id)
    target = index + offset
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        reorder_items(actor, item.meeting, order)


def delete_item(actor: User, item: AgendaItem) -> None:
    """Delete an item with its documents (their files stay stored for the record)."""
    meeting = item.meeting
    hashes = [v.sha256 for doc in item.documents for v in doc.versions]
    meeting.agenda_items.remove(item)
    db.session.flush()
    _renumber(meeting, list(meeting.agenda_items))
    record_notice(meeting, "agenda_changed", [item.id], confidential=item.confidential)
    record_event(
        actor,
        "agenda.delete",
        "meeting",
        meeting.id,
        item=item.id,
        title=item.title,
        document_versions=hashes,
    )


def _renumber(meeting: Meeting, ordered: list[AgendaItem]) -> None:
    # Two passes so the unique (meeting, position) constraint never sees a duplicate.
    for index, item in enumerate(ordered):
        item.position = -(index + 1)
    db.session.flush()
    for index, item in enumerate(ordered):
        item.position = index + 1
    meeting.agenda_items.sort(key=lambda item: item.position)


def _apply(
    item: AgendaItem,
    title: str,
    presenter: User | None,
    presenter_name: str,
    planned_minutes: int,
    confidential: bool,
) -> None:
    title = title.strip()
    if not title:
        raise ServiceError(_l("Give the agenda item a title."), field="title")
    if not 0 <= planned_minutes <= 1440:
        raise ServiceError(
            _l("Planned minutes must be between 0 and 1440."), field="planned_minutes"
        )
    item.title = title
    item.presenter = presenter
    item.presenter_name = "" if presenter else presenter_name.strip()
    item.planned_minutes = planned_minutes
    item.confidential = confidential
