"""People's signing keys (PIN-encrypted, with their certificates) and their second factor."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_type, enum_values, utcnow
from .users import User


class KeyPurpose(StrEnum):
    """A person's own signature, or the organisation's seal held by a clerk."""

    SIGNER = "signer"
    SEAL = "seal"


class KeyOrigin(StrEnum):
    """Generated here and certified by the internal CA, or imported from a PKCS#12 file."""

    INTERNAL = "internal"
    IMPORTED = "imported"


class SigningKey(Base):
    """A private key sealed under its holder's PIN, with the certificate chain that goes with it.

    The envelope is :class:`signing.PinProtectedKey`'s (scrypt + AES-GCM); the server never stores
    the PIN. At most one usable key per person and purpose (a partial unique index).
    """

    __tablename__ = "signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[KeyPurpose] = mapped_column(enum_type(KeyPurpose, 10))
    origin: Mapped[KeyOrigin] = mapped_column(enum_type(KeyOrigin, 10))
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    #: The certificate first, then its chain, PEM.
    certificate_pem: Mapped[str] = mapped_column(Text)
    #: SHA-256 of the certificate (hex): what the audit log and the reports name.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    serial_hex: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(500))
    issuer: Mapped[str] = mapped_column(String(500))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revocation_reason: Mapped[str] = mapped_column(String(500), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        CheckConstraint(f"purpose IN ({enum_values(KeyPurpose)})", name="purpose"),
        CheckConstraint(f"origin IN ({enum_values(KeyOrigin)})", name="origin"),
        Index(
            "uq_signing_key_usable",
            "user_id",
            "purpose",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    def usable_at(self, moment: datetime) -> bool:
        """Tell whether the key may sign at ``moment`` (not revoked, certificate in force)."""
        return self.revoked_at is None and self.not_before <= moment < self.not_after


class SigningFactor(Base):
    """A person's TOTP second factor for signing (RFC 6238), once confirmed with a first code."""

    __tablename__ = "signing_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last accepted time step: a code is accepted once (no replay).
    last_step: Mapped[int | None]
