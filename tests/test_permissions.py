"""The permission predicates, asked directly."""

from __future__ import annotations

from meeting_server import permissions as p
from meeting_server.extensions import db
from meeting_server.models import Meeting, Role, User
from meeting_server.services.agenda import add_item
from meeting_server.services.meetings import publish_meeting
from meeting_server.services.participants import invite_users, update_invitation


def test_who_may_see_what(app, secretary, draft_meeting, chair, participant, outsider, create_user):
    admin = create_user("quantri", Role.ADMIN)
    with app.app_context():
        s, c, m, o, a = (
            db.session.get(User, u.id) for u in (secretary, chair, participant, outsider, admin)
        )
        meeting = db.session.get(Meeting, draft_meeting.id)
        invite_users(s, meeting, [m])
        open_item = add_item(s, meeting, title="Công khai")
        secret_item = add_item(s, meeting, title="Mật", confidential=True)

        assert p.can_view_meeting(s, meeting) and p.can_view_meeting(c, meeting)
        assert not p.can_view_meeting(m, meeting)  # draft
        assert not p.can_view_meeting(a, meeting)  # administrators do not read meetings
        publish_meeting(s, meeting)
        assert p.can_view_meeting(m, meeting) and not p.can_view_meeting(o, meeting)
        assert p.can_view_item(m, open_item) and not p.can_view_item(m, secret_item)
        assert p.can_view_item(c, secret_item) and p.can_view_item(s, secret_item)
        invitation = p.invitation_of(m, meeting)
        update_invitation(s, invitation, role="member", seat="", may_view_confidential=True)
        assert p.can_view_item(m, secret_item)

        assert p.can_edit_meeting(s, meeting) and not p.can_edit_meeting(c, meeting)
        assert p.can_administer(a) and not p.can_administer(s)
        s.active = False
        assert not p.can_edit_meeting(s, meeting) and not p.can_view_meeting(s, meeting)
        assert not p.can_view_meeting(None, meeting)
        meeting.status = "ended"
        assert not p.can_edit_meeting(db.session.get(User, c.id), meeting)
