"""The organisation's seal image: its red seal, scanned, at real size (Decree 30/2020)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

#: The diameters a seal image may be given, in millimetres (Vietnamese round seals: 30-50).
SEAL_DIAMETERS_MM = range(30, 51)


class OrganisationSeal(Base):
    """The seal image of one organisation (``ORGANISATION_CODE``), set by an administrator.

    ``sha256`` names a square transparent PNG whose side is the seal's diameter
    (``signing.ink.clean_seal``); without a row the drawn seal (``signing.seal_image``) is used.
    """

    __tablename__ = "organisation_seal"

    organisation: Mapped[str] = mapped_column(String(20), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    diameter_mm: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint(
            f"diameter_mm BETWEEN {SEAL_DIAMETERS_MM.start} AND {SEAL_DIAMETERS_MM.stop - 1}",
            name="diameter_mm",
        ),
    )
