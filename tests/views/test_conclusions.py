"""The conclusion notice's pages: what the secretary types is what is sent, and a form that is
not ours is refused with a reason, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import ConclusionNotice, NoticeStatus, Role
from meeting_server.services.presentations import end_meeting, start_meeting
from meeting_server.services.tasks import vietnam_today
from tests.support.clients import signed_in
from tests.support.people import actor


@pytest.fixture
def meeting_id(app, published_meeting, create_user) -> int:
    """The meeting held and ended; a clerk and someone of "Sở Tài chính"."""
    create_user("vanthu", Role.CLERK, full_name="Phạm Văn Dấu")
    create_user("ketoan", full_name="Lê Thị Kế Toán", unit="Sở Tài chính")
    with app.app_context():
        meeting = db.session.merge(published_meeting)
        start_meeting(actor("chutich"), meeting)
        end_meeting(actor("chutich"), meeting)
        db.session.commit()
        return meeting.id


def form(app, **changes) -> dict[str, object]:
    """The editor's fields for one item assigning a task to "Sở Tài chính"."""
    with app.app_context():
        fields: dict[str, object] = {
            "concluded_by": str(actor("chutich").id),
            "preamble": "Mở đầu",
            "recipients": "",
            "item_text": ["Rà soát dự toán"],
            "item_unit": ["Sở Tài chính"],
            "item_assignee": [str(actor("ketoan").id)],
            "item_deadline": [(vietnam_today() + timedelta(days=10)).isoformat()],
            "item_result": ["Báo cáo"],
            "clerk": str(actor("vanthu").id),
        }
    return fields | changes


@pytest.mark.parametrize(
    "changes",
    [
        {"item_assignee": ["²"]},
        {"item_assignee": ["9" * 30]},
        {"item_deadline": ["31/12/2026"]},
        {"item_unit": ["Sở Tài chính", "Sở Y tế"]},  # the rows do not line up
    ],
)
def test_a_form_that_does_not_add_up_is_refused_with_a_reason(app, meeting_id, changes):
    desk = signed_in(app, "thuky")
    desk.post(f"/meetings/{meeting_id}/conclusions/start")
    answer = desk.post(f"/meetings/{meeting_id}/conclusions", data=form(app, **changes))
    assert answer.status_code == 400
    assert "Item 1" in answer.get_data(True) or "Reload the page" in answer.get_data(True)


def test_sending_sends_what_is_on_the_page(app, meeting_id):
    desk = signed_in(app, "thuky")
    desk.post(f"/meetings/{meeting_id}/conclusions/start")
    typed = form(app, item_text=["Nội dung vừa sửa, chưa lưu"])
    typed["due_at"] = f"{vietnam_today() + timedelta(days=2)}T10:00"
    answer = desk.post(f"/meetings/{meeting_id}/conclusions/send", data=typed)
    assert answer.status_code == 302
    with app.app_context():
        notice = db.session.scalar(select(ConclusionNotice))
        assert notice.status == NoticeStatus.FINAL
        assert [item.text for item in notice.items] == ["Nội dung vừa sửa, chưa lưu"]


def test_a_year_the_clock_cannot_hold_is_a_bad_date(app, meeting_id):
    desk = signed_in(app, "thuky")
    desk.post(f"/meetings/{meeting_id}/conclusions/start")
    typed = form(app) | {"due_at": "0001-01-01T00:00"}
    answer = desk.post(f"/meetings/{meeting_id}/conclusions/send", data=typed)
    assert answer.status_code == 400
