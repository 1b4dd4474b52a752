"""Votes (biểu quyết) on agenda items: who took part, and the tally.

A secret vote stores no link between a voter and a choice: ``VoteParticipation.choice`` stays
empty and only the per-option counts in ``VoteTally`` move. An open (named) vote also keeps
each voter's choice. One participation per invitation is a unique constraint, so two ballots
sent at once by the same voter count once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, utcnow
from .meetings import AgendaItem, Invitation, Meeting
from .users import User


class VoteStatus(StrEnum):
    """A vote is open for ballots, then closed with its results stored."""

    OPEN = "open"
    CLOSED = "closed"


class VoteRule(StrEnum):
    """When a question is carried (thông qua), chosen as the vote opens.

    The first option is the approval (Đồng ý); the counts it is compared with are in
    ``services/vote_rules.py`` and in docs/decisions.md.
    """

    MAJORITY_CAST = "majority_cast"  # more than half of the ballots cast (abstentions count)
    MAJORITY_PRESENT = "majority_present"  # more than half of the voting members present
    MAJORITY_MEMBERS = "majority_members"  # more than half of all members with a vote
    TWO_THIRDS_MEMBERS = "two_thirds_members"  # at least two thirds of all members with a vote


class Vote(Base):
    """One question put to the vote, its options, and (once closed) its results."""

    __tablename__ = "vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    #: The options' labels in order; a ballot names an option by its index.
    options: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[bool] = mapped_column(default=False)
    status: Mapped[VoteStatus] = mapped_column(enum_type(VoteStatus, 20), default=VoteStatus.OPEN)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the question is carried; none for a vote between named options (no verdict).
    rule: Mapped[VoteRule | None] = mapped_column(enum_type(VoteRule, 30))
    #: Who could vote when it closed, who was present, the quorum (see services/votes.py).
    snapshot: Mapped[dict | None] = mapped_column(JSON)

    meeting: Mapped[Meeting] = relationship()
    agenda_item: Mapped[AgendaItem] = relationship()
    opened_by: Mapped[User] = relationship()
    tallies: Mapped[list[VoteTally]] = relationship(
        order_by="VoteTally.option", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("length(question) > 0", name="question"),
    )


class VoteParticipation(Base):
    """That an invitee voted (and, in an open vote only, what they chose)."""

    __tablename__ = "vote_participation"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"))
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"))
    #: The option chosen; always NULL in a secret vote.
    choice: Mapped[int | None]
    #: The account that cast it: the invitee, or their deputy.
    cast_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    invitation: Mapped[Invitation] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("vote_id", "invitation_id", name="uq_vote_participation_voter"),
    )


class VoteTally(Base):
    """The number of ballots for one option of one vote."""

    __tablename__ = "vote_tally"

    vote_id: Mapped[int] = mapped_column(
        ForeignKey("vote.id", ondelete="CASCADE"), primary_key=True
    )
    option: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint("count >= 0", name="count"),)
