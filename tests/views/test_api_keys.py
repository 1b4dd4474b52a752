"""An administrator makes a key for an integration, sees it once, and revokes it."""

from __future__ import annotations

import re

from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import ApiKey, AuditEvent, Role
from tests.support.clients import signed_in


def _make(http, **fields):
    form = {"name": "Hệ thống quản lý văn bản", "owner_id": "", "scope": ["meetings:read"]}
    form.update(fields)
    return http.post("/admin/api-keys", data=form)


def test_a_key_is_shown_once_stored_as_a_digest_and_works_at_once(app, admin, create_user, client):
    system = create_user("qlvb", Role.SECRETARY, full_name="Hệ thống QLVB")
    http = signed_in(app, "admin")
    page = _make(http, owner_id=str(system.id), scope=["meetings:read", "tasks:read"])
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    whole = re.search(r'value="(msk_[0-9a-f]{12}_[A-Za-z0-9_-]{43})"', page.text).group(1)
    with app.app_context():
        key = db.session.scalar(select(ApiKey))
        assert key.scope_set == {"meetings:read", "tasks:read"}
        assert key.owner_id == system.id and whole not in (key.secret_hash, key.prefix)
        assert whole.split("_")[2] not in key.secret_hash
    listed = http.get("/admin/api-keys").text
    assert f"msk_{key.prefix}_…" in listed and whole not in listed
    headers = {"Authorization": f"Bearer {whole}"}
    assert client.get("/api/v1/meetings", headers=headers).status_code == 200
    assert client.get("/api/v1/signing-requests", headers=headers).status_code == 403


def test_a_revoked_key_is_refused_on_its_next_call(app, admin, secretary, client):
    http = signed_in(app, "admin")
    page = _make(http, owner_id=str(secretary.id))
    whole = re.search(r'value="(msk_[^"]+)"', page.text).group(1)
    headers = {"Authorization": f"Bearer {whole}"}
    assert client.get("/api/v1/meetings", headers=headers).status_code == 200
    with app.app_context():
        key_id = db.session.scalar(select(ApiKey.id))
    assert http.post(f"/admin/api-keys/{key_id}/revoke").status_code == 302
    refused = client.get("/api/v1/meetings", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["code"] == "unauthorized"
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert {"api_key.create", "api_key.revoke"} <= set(actions)


def test_a_key_of_a_deactivated_account_opens_nothing(app, admin, secretary, client):
    http = signed_in(app, "admin")
    whole = re.search(r'value="(msk_[^"]+)"', _make(http, owner_id=str(secretary.id)).text)
    headers = {"Authorization": f"Bearer {whole.group(1)}"}
    with app.app_context():
        db.session.get(type(secretary), secretary.id).active = False
        db.session.commit()
    assert client.get("/api/v1/meetings", headers=headers).status_code == 401


def test_a_key_needs_a_name_an_account_and_a_listed_permission(app, admin, secretary):
    http = signed_in(app, "admin")
    for fields, field_text in (
        ({"name": "", "owner_id": str(secretary.id)}, "Name the integration"),
        ({"owner_id": ""}, "Choose the active account"),
        ({"owner_id": "99999"}, "Choose a person from the list"),
        ({"owner_id": str(secretary.id), "scope": ["root:all"]}, "listed permissions"),
        ({"owner_id": str(secretary.id), "scope": []}, "listed permissions"),
    ):
        page = _make(http, **fields)
        assert page.status_code == 400, fields
        assert field_text in page.text
    with app.app_context():
        assert db.session.scalars(select(ApiKey)).all() == []


def test_only_administrators_manage_keys(app, admin, secretary):
    http = signed_in(app, "thuky")
    assert http.get("/admin/api-keys").status_code == 403
    assert _make(http, owner_id=str(secretary.id)).status_code == 403
