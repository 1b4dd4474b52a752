"""The outgoing-document register (sổ văn bản đi): the numbers the clerk gives documents.

Decree 30/2020/NĐ-CP (art. 15, Appendix III): an organisation numbers its outgoing documents
from 01 each calendar year, in one sequence per register; we keep one sequence per
organisation, year and kind of document. ``RegisterCounter`` holds each sequence's last number
(a row lock serialises the clerks); ``RegisterEntry`` is the register's line for one number.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, enum_type, enum_values, utcnow


class DocumentKind(StrEnum):
    """The kinds of document the office numbers (Decree 30, Appendix III abbreviations)."""

    MINUTES = "minutes"  # Biên bản, BB
    CONCLUSION = "conclusion"  # Thông báo (kết luận), TB
    DECISION = "decision"  # Quyết định, QĐ
    SUBMISSION = "submission"  # Tờ trình, TTr
    PLAN = "plan"  # Kế hoạch, KH
    REPORT = "report"  # Báo cáo, BC
    LETTER = "letter"  # Công văn: no abbreviation of its own


class RegisterCounter(Base):
    """The last number given in one sequence (organisation, year, kind)."""

    __tablename__ = "register_counter"

    organisation: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, 20), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint(f"kind IN ({enum_values(DocumentKind)})", name="kind"),)


class RegisterEntry(Base):
    """One line of the register: a number and notation given to one signed document."""

    __tablename__ = "register_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, 20))
    number: Mapped[int]
    notation: Mapped[str] = mapped_column(String(60))  # "05/BB-UBND", as printed after "Số:"
    signing_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("signing_request.id"), unique=True
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Set when the request was returned or withdrawn before its seal: the next seal of the
    #: kind takes this number (no gap), and clears it.
    given_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("organisation", "year", "kind", "number"),
        CheckConstraint(f"kind IN ({enum_values(DocumentKind)})", name="kind"),
    )
