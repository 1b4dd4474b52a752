"""Administration of users and rooms."""

from __future__ import annotations

from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import Role, Room, User


def test_only_admins_reach_the_admin_pages(client, auth, secretary):
    auth.login("thuky")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/rooms").status_code == 403
    auth.logout()
    assert client.get("/admin/users").status_code == 302


def test_admin_creates_edits_and_disables_a_user(app, client, auth, create_user):
    create_user("quantri", Role.ADMIN)
    auth.login("quantri")
    created = client.post(
        "/admin/users/new",
        data={
            "username": "PhoChuTich",
            "full_name": "Lê Thị Hoa",
            "position": "Phó Chủ tịch",
            "unit": "Lãnh đạo",
            "roles": ["leader"],
            "password": "mat-khau-dai",
        },
    )
    assert created.status_code == 302
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "phochutich")).one()
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "Lê Thị Hoa" in listing
    edited = client.post(
        f"/admin/users/{user.id}",
        data={
            "full_name": "Lê Thị Hoa",
            "position": "Phó Chủ tịch",
            "unit": "Lãnh đạo",
            "roles": ["leader", "clerk"],
            "password": "",
        },
    )
    assert edited.status_code == 302
    with app.app_context():
        user = db.session.get(User, user.id)
        assert user.roles == {Role.LEADER, Role.CLERK} and not user.active


def test_user_form_keeps_input_and_explains_errors(client, auth, create_user):
    create_user("quantri", Role.ADMIN)
    auth.login("quantri")
    response = client.post(
        "/admin/users/new",
        data={
            "username": "moi",
            "full_name": "Người Mới",
            "roles": ["participant"],
            "password": "ngan",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Người Mới"' in page and "8" in page
    duplicate = client.post(
        "/admin/users/new",
        data={
            "username": "quantri",
            "full_name": "X",
            "roles": ["participant"],
            "password": "mat-khau-dai",
        },
    )
    assert duplicate.status_code == 400


def test_admin_cannot_lock_themselves_out(app, client, auth, create_user):
    admin = create_user("quantri", Role.ADMIN)
    auth.login("quantri")
    response = client.post(
        f"/admin/users/{admin.id}",
        data={"full_name": "Q", "roles": ["participant"], "active": "on"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, admin.id).has_role(Role.ADMIN)


def test_admin_manages_rooms(app, client, auth, create_user):
    create_user("quantri", Role.ADMIN)
    auth.login("quantri")
    assert (
        client.post(
            "/admin/rooms/new",
            data={"name": "Phòng họp số 6", "location": "Tầng 5", "seat_count": "25"},
        ).status_code
        == 302
    )
    refused = client.post("/admin/rooms/new", data={"name": "Phòng họp số 6", "seat_count": "0"})
    assert refused.status_code == 400
    with app.app_context():
        room = db.session.scalars(select(Room)).one()
    client.post(
        f"/admin/rooms/{room.id}",
        data={"name": "Phòng họp số 6", "location": "Tầng 5", "seat_count": "30"},
    )
    with app.app_context():
        room = db.session.get(Room, room.id)
        assert room.seat_count == 30 and room.active is False
    assert "Phòng họp số 6" in client.get("/admin/rooms").get_data(as_text=True)
