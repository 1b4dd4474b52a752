"""Preparing meetings: create, edit, double booking, publish, who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, Meeting, MeetingStatus, User
from meeting_server.services.agenda import add_item
from meeting_server.services.errors import NotAllowed, ServiceError
from meeting_server.services.meetings import create_meeting, publish_meeting
from meeting_server.services.participants import invite_users
from meeting_server.services.presentations import end_meeting, start_meeting


def _form(room, **overrides):
    data = {
        "title": "Họp giao ban tuần",
        "room_id": str(room.id),
        "starts_at": "2026-12-01T08:00",
        "ends_at": "2026-12-01T10:00",
        "chair_id": "",
    }
    data.update(overrides)
    return data


def test_secretary_creates_a_draft_meeting_in_vietnam_time(
    app, client, auth, secretary, room, chair
):
    auth.login("thuky")
    response = client.post("/meetings/new", data=_form(room, chair_id=str(chair.id)))
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.scalars(select(Meeting)).one()
        assert meeting.status == MeetingStatus.DRAFT
        assert meeting.starts_at.hour == 1  # 08:00 in Hà Nội is 01:00 UTC
        roles = {inv.user.username: inv.role for inv in meeting.invitations}
        assert roles == {"thuky": "secretary", "chutich": "chair"}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Họp giao ban tuần" in page and "08:00–10:00" in page and "01/12/2026" in page


def test_meeting_form_keeps_input_and_explains_errors(client, auth, secretary, room):
    auth.login("thuky")
    response = client.post("/meetings/new", data=_form(room, ends_at="2026-12-01T07:00"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Cuộc họp phải kết thúc sau khi bắt đầu" in page
    assert 'value="Họp giao ban tuần"' in page


def test_room_cannot_be_double_booked(app, secretary, room):
    with app.app_context():
        author, hall = db.session.get(User, secretary.id), db.session.merge(room)
        first = create_meeting(author, title="A", room=hall, starts_at=_at(8), ends_at=_at(10))
        with pytest.raises(ServiceError, match="A"):
            create_meeting(author, title="B", room=hall, starts_at=_at(9), ends_at=_at(11))
        back_to_back = create_meeting(
            author, title="C", room=hall, starts_at=_at(10), ends_at=_at(11)
        )
        assert first.id != back_to_back.id


def test_a_meeting_ended_early_gives_its_room_back(published_meeting, secretary):
    meeting = published_meeting
    actor = db.session.get(User, secretary.id)
    slot = {"starts_at": meeting.starts_at + timedelta(minutes=30)}
    slot["ends_at"] = slot["starts_at"] + timedelta(hours=1)
    with pytest.raises(ServiceError, match=meeting.title):  # its whole slot is booked
        create_meeting(actor, title="Họp bổ sung", room=meeting.room, **slot)
    db.session.rollback()
    start_meeting(actor, meeting)
    end_meeting(actor, meeting)  # ended long before its planned end
    db.session.commit()
    after = create_meeting(actor, title="Họp bổ sung", room=meeting.room, **slot)
    assert after.room_id == meeting.room_id


def _at(hour):
    from datetime import UTC, datetime

    return datetime(2026, 12, 2, hour, tzinfo=UTC)


def test_publish_needs_agenda_and_participants(app, secretary, draft_meeting, participant):
    with app.app_context():
        meeting = db.session.get(Meeting, draft_meeting.id)
        actor = db.session.get(User, secretary.id)
        meeting.chair = None
        meeting.invitations[:] = [i for i in meeting.invitations if i.role == "secretary"]
        with pytest.raises(NotAllowed, match="chương trình họp"):
            publish_meeting(actor, meeting)
        add_item(actor, meeting, title="Báo cáo")
        with pytest.raises(NotAllowed, match="mời đại biểu"):
            publish_meeting(actor, meeting)
        invite_users(actor, meeting, [db.session.get(User, participant.id)])
        publish_meeting(actor, meeting)
        assert meeting.status == MeetingStatus.PUBLISHED
        assert meeting.version == 2
        db.session.commit()
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "meeting.publish" in actions


def test_publish_through_the_page(app, client, auth, secretary, draft_meeting):
    auth.login("thuky")
    client.post(f"/meetings/{draft_meeting.id}/items", data={"title": "Khai mạc"})
    response = client.post(f"/meetings/{draft_meeting.id}/publish", follow_redirects=True)
    assert "Đã phát hành" in response.get_data(as_text=True) or response.status_code == 200
    with app.app_context():
        assert db.session.get(Meeting, draft_meeting.id).status == MeetingStatus.PUBLISHED
    again = client.post(
        f"/meetings/{draft_meeting.id}/publish", headers={"Accept": "application/json"}
    )
    assert again.status_code == 409


def test_participant_sees_only_published_meetings_they_are_invited_to(
    app, client, auth, secretary, draft_meeting, participant, outsider
):
    _invite_and_add_item(app, secretary, draft_meeting, participant)
    auth.login("daibieu1")
    assert client.get(f"/meetings/{draft_meeting.id}").status_code == 403  # still a draft
    assert "Họp giao ban" not in client.get("/my").get_data(as_text=True)
    _publish(app, secretary, draft_meeting)
    page = client.get(f"/meetings/{draft_meeting.id}").get_data(as_text=True)
    assert "Khai mạc" in page
    assert "Họp giao ban" in client.get("/my").get_data(as_text=True)
    auth.logout()
    auth.login("daibieu9")
    assert client.get(f"/meetings/{draft_meeting.id}").status_code == 403
    assert "Họp giao ban" not in client.get("/my").get_data(as_text=True)


def test_participant_cannot_prepare_meetings(client, auth, participant, draft_meeting, room):
    auth.login("daibieu1")
    assert client.get("/meetings").status_code == 403
    assert client.post("/meetings/new", data=_form(room)).status_code == 403
    assert client.post(f"/meetings/{draft_meeting.id}/publish").status_code == 403


def test_unknown_meeting_is_404(client, auth, secretary):
    auth.login("thuky")
    assert client.get("/meetings/999").status_code == 404


def test_schedule_shows_meetings_by_room_and_day(client, auth, secretary, draft_meeting):
    auth.login("thuky")
    day = (draft_meeting.starts_at + timedelta(hours=7)).date().isoformat()
    page = client.get(f"/meetings?day={day}").get_data(as_text=True)
    assert "Phòng họp số 1" in page and "Họp giao ban" in page
    assert client.get("/meetings?day=not-a-date").status_code == 400


def test_edit_meeting_bumps_version_once_published(
    app, client, auth, secretary, draft_meeting, participant, room
):
    _invite_and_add_item(app, secretary, draft_meeting, participant)
    _publish(app, secretary, draft_meeting)
    auth.login("thuky")
    response = client.post(
        f"/meetings/{draft_meeting.id}/edit",
        data=_form(room, title="Họp giao ban (dời lịch)", chair_id=""),
    )
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, draft_meeting.id)
        assert meeting.title == "Họp giao ban (dời lịch)"
        assert meeting.version == 3
        assert meeting.chair is None


def test_preview_shows_the_meeting_as_a_chosen_participant(
    app, client, auth, secretary, draft_meeting, participant
):
    _invite_and_add_item(app, secretary, draft_meeting, participant, confidential=True)
    _publish(app, secretary, draft_meeting)
    auth.login("thuky")
    page = client.get(f"/meetings/{draft_meeting.id}/preview?as={participant.id}").get_data(
        as_text=True
    )
    assert "Đỗ Văn An" in page
    assert "Khai mạc" not in page  # the confidential item is hidden from this participant
    chair_view = client.get(f"/meetings/{draft_meeting.id}/preview?as={draft_meeting.chair_id}")
    assert "Khai mạc" in chair_view.get_data(as_text=True)


def _invite_and_add_item(app, secretary, meeting, user, confidential=False):
    with app.app_context():
        actor = db.session.get(User, secretary.id)
        managed = db.session.get(Meeting, meeting.id)
        invite_users(actor, managed, [db.session.get(User, user.id)])
        add_item(actor, managed, title="Khai mạc", confidential=confidential)
        db.session.commit()


def _publish(app, secretary, meeting):
    with app.app_context():
        publish_meeting(db.session.get(User, secretary.id), db.session.get(Meeting, meeting.id))
        db.session.commit()
