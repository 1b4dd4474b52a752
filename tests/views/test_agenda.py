"""The ordered agenda: add, edit, reorder by drag (JSON) and buttons, delete."""

from __future__ import annotations

from meeting_server.extensions import db
from meeting_server.models import Meeting


def _titles(app, meeting_id):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        return [(item.position, item.title) for item in meeting.agenda_items]


def _add(client, meeting_id, *titles):
    for title in titles:
        assert (
            client.post(f"/meetings/{meeting_id}/items", data={"title": title}).status_code == 302
        )


def test_items_are_numbered_in_order(app, client, auth, secretary, draft_meeting):
    auth.login("thuky")
    _add(client, draft_meeting.id, "Khai mạc", "Báo cáo", "Kết luận")
    assert _titles(app, draft_meeting.id) == [(1, "Khai mạc"), (2, "Báo cáo"), (3, "Kết luận")]


def test_drag_order_is_saved(app, client, auth, secretary, draft_meeting):
    auth.login("thuky")
    _add(client, draft_meeting.id, "A", "B", "C")
    with app.app_context():
        ids = [i.id for i in db.session.get(Meeting, draft_meeting.id).agenda_items]
    response = client.post(f"/meetings/{draft_meeting.id}/items/order", json={"order": ids[::-1]})
    assert response.json == {"ok": True, "error": None, "order": ids[::-1]}
    assert _titles(app, draft_meeting.id) == [(1, "C"), (2, "B"), (3, "A")]


def test_stale_drag_order_is_refused_and_nothing_changes(
    app, client, auth, secretary, draft_meeting
):
    auth.login("thuky")
    _add(client, draft_meeting.id, "A", "B")
    with app.app_context():
        ids = [i.id for i in db.session.get(Meeting, draft_meeting.id).agenda_items]
    response = client.post(f"/meetings/{draft_meeting.id}/items/order", json={"order": ids[:1]})
    assert response.status_code == 400
    assert "tải lại trang" in response.json["error"]
    bad = client.post(f"/meetings/{draft_meeting.id}/items/order", json={"order": "x"})
    assert bad.status_code == 400
    assert _titles(app, draft_meeting.id) == [(1, "A"), (2, "B")]


def test_move_buttons(app, client, auth, secretary, draft_meeting):
    auth.login("thuky")
    _add(client, draft_meeting.id, "A", "B", "C")
    with app.app_context():
        ids = [i.id for i in db.session.get(Meeting, draft_meeting.id).agenda_items]
    client.post(f"/items/{ids[2]}/move", data={"direction": "up"})
    assert _titles(app, draft_meeting.id) == [(1, "A"), (2, "C"), (3, "B")]
    client.post(f"/items/{ids[0]}/move", data={"direction": "up"})  # already first
    assert _titles(app, draft_meeting.id) == [(1, "A"), (2, "C"), (3, "B")]


def test_edit_and_delete_renumber(app, client, auth, secretary, draft_meeting, chair):
    auth.login("thuky")
    _add(client, draft_meeting.id, "A", "B", "C")
    with app.app_context():
        ids = [i.id for i in db.session.get(Meeting, draft_meeting.id).agenda_items]
    edited = client.post(
        f"/items/{ids[1]}/edit",
        data={
            "title": "B (sửa)",
            "presenter_id": str(chair.id),
            "planned_minutes": "40",
            "confidential": "on",
        },
    )
    assert edited.status_code == 302
    client.post(f"/items/{ids[0]}/delete")
    assert _titles(app, draft_meeting.id) == [(1, "B (sửa)"), (2, "C")]
    with app.app_context():
        item = db.session.get(Meeting, draft_meeting.id).agenda_items[0]
        assert (item.presenter_label, item.planned_minutes, item.confidential) == (
            "Trần Văn Minh",
            40,
            True,
        )


def test_item_form_explains_bad_minutes(client, auth, secretary, draft_meeting):
    auth.login("thuky")
    _add(client, draft_meeting.id, "A")
    page = client.get(f"/meetings/{draft_meeting.id}").get_data(as_text=True)
    assert "A" in page
    from re import search

    item_id = search(r'data-item-id="(\d+)"', page).group(1)
    response = client.post(
        f"/items/{item_id}/edit", data={"title": "A", "planned_minutes": "nhiều"}
    )
    assert response.status_code == 400
    assert "số nguyên" in response.get_data(as_text=True)


def test_empty_title_is_refused_with_a_message(client, auth, secretary, draft_meeting):
    auth.login("thuky")
    response = client.post(
        f"/meetings/{draft_meeting.id}/items", data={"title": "  "}, follow_redirects=True
    )
    assert "tiêu đề" in response.get_data(as_text=True).lower()
