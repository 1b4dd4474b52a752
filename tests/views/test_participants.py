"""Inviting people: pick users, a whole unit, roles, seats, confidential access."""

from __future__ import annotations

from meeting_server.extensions import db
from meeting_server.models import Meeting, Role


def _invitations(app, meeting_id):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        return {inv.user.username: inv for inv in meeting.invitations}


def test_pick_users_and_invite(app, client, auth, secretary, draft_meeting, participant, outsider):
    auth.login("thuky")
    response = client.post(
        f"/meetings/{draft_meeting.id}/participants",
        data={"user_ids": [str(participant.id), str(outsider.id)]},
        follow_redirects=True,
    )
    assert "2" in response.get_data(as_text=True)
    invited = _invitations(app, draft_meeting.id)
    assert invited["daibieu1"].role == "member" and invited["daibieu9"].role == "member"


def test_two_people_of_the_same_name_are_told_apart_by_username(
    client, auth, secretary, draft_meeting, create_user
):
    create_user("nguyenvanan1", full_name="Nguyễn Văn An", unit="Sở Tài chính")
    create_user("nguyenvanan2", full_name="Nguyễn Văn An", unit="Sở Tài chính")
    auth.login("thuky")
    page = client.get(f"/meetings/{draft_meeting.id}").get_data(as_text=True)
    assert "@nguyenvanan1" in page and "@nguyenvanan2" in page  # the invite list
    assert "@thuky" in page  # the participants already invited


def test_invite_a_whole_unit_skips_people_already_invited(
    app, client, auth, secretary, draft_meeting, create_user
):
    for n in range(3):
        create_user(f"tc{n}", Role.PARTICIPANT, unit="Sở Tài chính")
    create_user("yte", Role.PARTICIPANT, unit="Sở Y tế")
    auth.login("thuky")
    client.post(f"/meetings/{draft_meeting.id}/participants/unit", data={"unit": "Sở Tài chính"})
    client.post(f"/meetings/{draft_meeting.id}/participants/unit", data={"unit": "Sở Tài chính"})
    invited = _invitations(app, draft_meeting.id)
    assert {"tc0", "tc1", "tc2"} <= set(invited) and "yte" not in invited
    unknown = client.post(
        f"/meetings/{draft_meeting.id}/participants/unit",
        data={"unit": "Không có"},
        headers={"Accept": "application/json"},
    )
    assert unknown.status_code == 400


def test_seats_are_unique_within_a_meeting(
    app, client, auth, secretary, draft_meeting, participant, outsider
):
    auth.login("thuky")
    client.post(
        f"/meetings/{draft_meeting.id}/participants",
        data={"user_ids": [str(participant.id), str(outsider.id)]},
    )
    invited = _invitations(app, draft_meeting.id)
    first = client.post(
        f"/invitations/{invited['daibieu1'].id}",
        data={"role": "member", "seat": "12", "may_view_confidential": "on"},
    )
    assert first.status_code == 302
    clash = client.post(
        f"/invitations/{invited['daibieu9'].id}",
        data={"role": "guest", "seat": "12"},
        headers={"Accept": "application/json"},
    )
    assert clash.status_code == 400
    assert "12" in clash.json["error"]
    invited = _invitations(app, draft_meeting.id)
    assert invited["daibieu1"].seat == "12" and invited["daibieu1"].may_view_confidential
    assert invited["daibieu9"].seat is None and invited["daibieu9"].role == "member"


def test_chair_cannot_be_removed_or_demoted_from_the_list(
    app, client, auth, secretary, draft_meeting
):
    auth.login("thuky")
    chair_invitation = _invitations(app, draft_meeting.id)["chutich"]
    removed = client.post(
        f"/invitations/{chair_invitation.id}/delete", headers={"Accept": "application/json"}
    )
    assert removed.status_code == 409
    demoted = client.post(
        f"/invitations/{chair_invitation.id}",
        data={"role": "member"},
        headers={"Accept": "application/json"},
    )
    assert demoted.status_code == 409
    assert "chutich" in _invitations(app, draft_meeting.id)


def test_withdraw_an_invitation(app, client, auth, secretary, draft_meeting, participant):
    auth.login("thuky")
    client.post(
        f"/meetings/{draft_meeting.id}/participants", data={"user_ids": [str(participant.id)]}
    )
    invitation = _invitations(app, draft_meeting.id)["daibieu1"]
    assert client.post(f"/invitations/{invitation.id}/delete").status_code == 302
    assert "daibieu1" not in _invitations(app, draft_meeting.id)
