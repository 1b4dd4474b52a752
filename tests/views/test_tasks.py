"""The task pages over HTTP: a unit sees and works on its own tasks, the assigner decides,
leaders and the office see every task; refusals keep what was typed and say why."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import ConclusionItem, ConclusionNotice, Role, Task, TaskStatus, utcnow
from meeting_server.services.tasks import open_task, vietnam_today
from tests.support.clients import signed_in
from tests.support.pdf_samples import simple_pdf
from tests.support.people import actor


@pytest.fixture
def task_id(app, published_meeting, create_user) -> int:
    """A task for "Sở Tài chính" assigned by the chair; people of that unit and of another."""
    create_user("ketoan", full_name="Lê Thị Kế Toán", unit="Sở Tài chính")
    create_user("yte", full_name="Người Sở Y tế", unit="Sở Y tế")
    create_user("vanphong", Role.SECRETARY, full_name="Văn Phòng", unit="Văn phòng")
    with app.app_context():
        notice = ConclusionNotice(
            meeting_id=published_meeting.id,
            concluded_by_id=actor("chutich").id,
            created_by_id=actor("thuky").id,
        )
        item = ConclusionItem(
            position=0,
            text="Rà soát dự toán ngân sách quý IV",
            owner_unit="Sở Tài chính",
            deadline=vietnam_today() + timedelta(days=5),
        )
        notice.items.append(item)
        db.session.add(notice)
        db.session.flush()
        task = open_task(item, actor("chutich"), published_meeting.id, utcnow())
        db.session.commit()
        return task.id


def status_of(app, task_id: int) -> TaskStatus:
    with app.app_context():
        return db.session.scalar(select(Task.status).where(Task.id == task_id))


@pytest.mark.parametrize(
    ("who", "sees"),
    [("ketoan", True), ("chutich", True), ("vanphong", True), ("yte", False)],
)
def test_a_unit_sees_its_own_tasks_leaders_and_the_office_see_all(app, task_id, who, sees):
    http = signed_in(app, who)
    assert http.get(f"/tasks/{task_id}").status_code == (200 if sees else 403)
    listing = http.get("/tasks/?view=all" if who != "ketoan" else "/tasks/").get_data(True)
    assert ("Rà soát dự toán" in listing) is sees


def test_another_unit_cannot_act_on_the_task(app, task_id):
    http = signed_in(app, "yte")
    assert http.post(f"/tasks/{task_id}/accept").status_code == 403
    assert status_of(app, task_id) == TaskStatus.ASSIGNED


def test_only_the_assigner_confirms(app, task_id):
    unit = signed_in(app, "ketoan")
    unit.post(f"/tasks/{task_id}/accept")
    pdf = (io.BytesIO(simple_pdf(1)), "ket-qua.pdf")
    assert unit.post(f"/tasks/{task_id}/done", data={"files": pdf}).status_code == 302
    assert unit.post(f"/tasks/{task_id}/confirm").status_code == 403
    assert signed_in(app, "vanphong").post(f"/tasks/{task_id}/confirm").status_code == 403
    assert signed_in(app, "chutich").post(f"/tasks/{task_id}/confirm").status_code == 302
    assert status_of(app, task_id) == TaskStatus.DONE


def test_the_unit_works_the_task_through_the_pages(app, task_id):
    unit = signed_in(app, "ketoan")
    assert "New task" in unit.get("/tasks/").get_data(True)
    assert unit.post(f"/tasks/{task_id}/accept").status_code == 302
    sent = simple_pdf(1)  # (kept: the PDF's /ID changes with the second it was made)
    note = (io.BytesIO(sent), "so-lieu.pdf")
    answer = unit.post(
        f"/tasks/{task_id}/progress",
        data={"percent": "50", "text": "Đã có số liệu", "files": note},
    )
    assert answer.status_code == 302
    page = unit.get(f"/tasks/{task_id}").get_data(True)
    assert "so-lieu.pdf" in page and "50 %" in page
    with app.app_context():
        attachment = db.session.get(Task, task_id).events[-1].attachments[0]
        url = f"/tasks/{task_id}/files/{attachment.id}"
    download = unit.get(url)
    download.get_data()
    download.close()
    assert download.data == sent
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_a_refused_upload_says_why_and_keeps_the_state(app, task_id):
    unit = signed_in(app, "ketoan")
    unit.post(f"/tasks/{task_id}/accept")
    fake = (io.BytesIO(b"<script>alert(1)</script>"), "ket-qua.pdf")
    answer = unit.post(f"/tasks/{task_id}/done", data={"files": fake, "text": "Xong"})
    assert answer.status_code == 422
    assert "is not really a .pdf file" in answer.get_data(True)
    assert status_of(app, task_id) == TaskStatus.IN_PROGRESS


def test_an_extension_is_asked_then_decided_by_the_assigner(app, task_id):
    unit, boss = signed_in(app, "ketoan"), signed_in(app, "chutich")
    later = (vietnam_today() + timedelta(days=20)).isoformat()
    empty = unit.post(f"/tasks/{task_id}/extension", data={"until": later, "reason": ""})
    assert empty.status_code == 400 and "required" in empty.get_data(True)
    unit.post(f"/tasks/{task_id}/extension", data={"until": later, "reason": "Chờ số liệu"})
    assert (
        unit.post(f"/tasks/{task_id}/extension/decide", data={"decision": "approve"}).status_code
        == 403
    )
    assert (
        boss.post(f"/tasks/{task_id}/extension/decide", data={"decision": "approve"}).status_code
        == 302
    )
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.deadline.isoformat() == later and task.original_deadline < task.deadline


@pytest.fixture
def app_config(app_config):
    app_config["TASK_MAIL_HOOK"] = "tests.support.mailbox:deliver"
    return app_config


def test_the_office_mail_hook_hears_of_each_change_after_the_commit(app, task_id):
    from tests.support import mailbox
    from tests.support.browser import poll

    def to(username):
        return [m for m in mailbox.SENT if m.username == username and f"/{task_id}" in m.url]

    assert poll(lambda: to("ketoan"), 5)  # the unit heard of the new task
    assert to("ketoan")[0].subject == "Nhiệm vụ mới được giao"
    signed_in(app, "ketoan").post(f"/tasks/{task_id}/accept")
    assert poll(lambda: to("chutich"), 5)  # the assigner hears it was accepted
    mail = to("chutich")[0]
    assert mail.subject == "Nhiệm vụ có cập nhật" and "Sở Tài chính" in mail.text


def test_the_assigner_s_open_pages_hear_of_a_change_live(app, task_id):
    from meeting_server.extensions import socketio

    boss = socketio.test_client(app, flask_test_client=signed_in(app, "chutich"))
    other = socketio.test_client(app, flask_test_client=signed_in(app, "yte"))
    boss.get_received(), other.get_received()
    signed_in(app, "ketoan").post(f"/tasks/{task_id}/accept")
    heard = [m["args"][0] for m in boss.get_received() if m["name"] == "tasks_changed"]
    assert heard == [{"task_id": task_id}]
    assert not [m for m in other.get_received() if m["name"] == "tasks_changed"]
    boss.disconnect(), other.disconnect()


def test_the_leader_who_assigned_a_task_never_works_on_it(app, task_id):
    with app.app_context():
        actor("chutich").unit = "Sở Tài chính"  # the assigner belongs to the unit
        db.session.commit()
    assert signed_in(app, "chutich").post(f"/tasks/{task_id}/accept").status_code == 403
    assert status_of(app, task_id) == TaskStatus.ASSIGNED


def test_a_file_name_is_shown_as_text_never_as_markup(app, task_id):
    unit = signed_in(app, "ketoan")
    unit.post(f"/tasks/{task_id}/accept")
    bad = (io.BytesIO(b"MZ"), '<b id="zz">x</b>.exe')
    page = unit.post(f"/tasks/{task_id}/done", data={"files": bad}).get_data(True)
    assert 'id="zz"' not in page and "attach a PDF" in page


def test_an_unknown_decision_is_a_bad_request(app, task_id):
    boss = signed_in(app, "chutich")
    assert (
        boss.post(f"/tasks/{task_id}/extension/decide", data={"decision": "x"}).status_code == 400
    )
