"""People's signing certificates: enrol with a PIN, import a PKCS#12, revoke; the TOTP factor.

Enrolment generates the key on the server, has the internal CA certify it and keeps it only
sealed under the person's PIN (``signatures.new_key``). The CA's passphrase for this comes from
``CA_PASSPHRASE_FILE`` (docs/decisions.md: "the issuing key is online"). A new key replaces the
person's previous one of the same purpose, which is revoked (a forgotten PIN is fixed this way).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyotp
from cryptography import x509
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import KeyOrigin, KeyPurpose, SigningFactor, SigningKey, User, utcnow
from ..passwords import verify_password
from ..permissions import can_hold_signing_key
from . import internal_ca, signatures
from .audit import record_event
from .errors import NotAllowed, ServiceError

TOTP_ISSUER = "Phòng họp không giấy"
#: Names for the attributes RFC 4514 writes as numbers (the title of a Vietnamese signer).
NAME_LABELS = {x509.NameOID.TITLE: "title"}


class WrongSecret(ServiceError):
    """A wrong PIN, TOTP code or password: refused, nothing changed (and counted by the limiter)."""

    status = 403


def usable_key(user: User, purpose: str, now: datetime | None = None) -> SigningKey | None:
    """Return the user's key for ``purpose`` that may sign now, if any."""
    key = _unrevoked_key(user, purpose)
    return key if key is not None and key.usable_at(now or utcnow()) else None


def holder_label(key: SigningKey) -> str:
    """Return "Name — Title, Organisation" from the key's certificate, for people to read."""
    subject = x509.load_pem_x509_certificate(key.certificate_pem.encode()).subject

    def first(oid: x509.ObjectIdentifier) -> str:
        values = subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    title = ", ".join(
        p for p in (first(x509.NameOID.TITLE), first(x509.NameOID.ORGANIZATION_NAME)) if p
    )
    name = first(x509.NameOID.COMMON_NAME)
    return f"{name} — {title}" if title and title != name else name


def _unrevoked_key(user: User, purpose: str) -> SigningKey | None:
    """Return the user's one unrevoked key for ``purpose`` (a partial unique index), if any."""
    return db.session.scalars(
        select(SigningKey).where(
            SigningKey.user_id == user.id,
            SigningKey.purpose == purpose,
            SigningKey.revoked_at.is_(None),
        )
    ).one_or_none()


def keys_of(user: User) -> list[SigningKey]:
    """Return every key the user has held, newest first."""
    return list(
        db.session.scalars(
            select(SigningKey)
            .where(SigningKey.user_id == user.id)
            .order_by(SigningKey.created_at.desc(), SigningKey.id.desc())
        )
    )


def enrol_key(user: User, *, password: str, pin: str, pin_again: str, purpose: str) -> SigningKey:
    """Generate a key under a new PIN and have the internal CA certify it."""
    _check_request(user, password, pin, pin_again, purpose)
    ca = online_ca()
    try:
        material = signatures.new_key(
            ca,
            pin,
            full_name=user.full_name if purpose == KeyPurpose.SIGNER else None,
            title=user.position,
        )
    except signatures.SigningError as error:
        raise ServiceError(_l("The certificate could not be issued: %(why)s", why=error)) from None
    return _store(user, purpose, KeyOrigin.INTERNAL, material)


def import_key(
    user: User,
    *,
    password: str,
    data: bytes,
    passphrase: str,
    pin: str,
    pin_again: str,
    purpose: str,
) -> SigningKey:
    """Keep the key of a PKCS#12 file from a trusted external CA, sealed under a new PIN."""
    _check_request(user, password, pin, pin_again, purpose)
    try:
        material = signatures.pkcs12_key(data, passphrase, pin)
    except signatures.WrongPin:
        raise WrongSecret(
            _l("The passphrase of the .p12 file is wrong. Type the one your CA gave you."),
            field="passphrase",
        ) from None
    except signatures.SigningError:
        raise ServiceError(
            _l("This file is not a PKCS#12 (.p12/.pfx) file with a key and its certificate."),
            field="file",
        ) from None
    _check_usable(material)
    return _store(user, purpose, KeyOrigin.IMPORTED, material)


def _check_usable(material: signatures.KeyMaterial) -> None:
    """Refuse an imported certificate that is not valid now or not trusted to sign."""
    certificate = material.certificate
    if not certificate.not_valid_before_utc <= utcnow() < certificate.not_valid_after_utc:
        raise ServiceError(_l("This certificate is expired or not valid yet."), field="file")
    try:
        signatures.check_trusted(certificate, material.chain)
    except signatures.SigningError:
        raise ServiceError(
            _l(
                "This certificate was not issued by a certification authority this server trusts, "
                "or it may not sign documents. Ask the administrator to add your CA's root."
            ),
            field="file",
        ) from None


def revoke_key(actor: User, key: SigningKey, reason: str) -> None:
    """Revoke a key: the internal CA lists its certificate in the next CRL; it never signs again."""
    if key.revoked_at is not None:
        raise NotAllowed(_l("This certificate is already revoked."))
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ServiceError(_l("Say why the certificate is revoked."), field="reason")
    _revoke(actor, key, reason)


def online_ca() -> signatures.InternalCA:
    """Open the internal CA with its passphrase file, or say what the administrator must do."""
    path = Path(current_app.config["CA_PASSPHRASE_FILE"])
    if not (internal_ca.ca_dir() / "root.pem").is_file() or not path.is_file():
        raise NotAllowed(
            _l(
                "Certificates cannot be issued here yet: the administrator must create the "
                "internal certification authority (meeting-server ca init) and its passphrase "
                "file."
            )
        )
    try:
        return internal_ca.load_ca(path.read_bytes().strip())
    except signatures.SigningError as error:
        raise NotAllowed(
            _l("The internal certification authority cannot be opened: %(why)s", why=error)
        ) from None


def unlock_key(key: SigningKey, pin: str) -> signatures.PinProtectedKey:
    """Open ``key`` with its PIN; a wrong PIN raises ``WrongSecret`` and changes nothing."""
    try:
        return signatures.stored_key(key.envelope, key.certificate_pem, pin)
    except signatures.WrongPin:
        raise WrongSecret(_l("Wrong PIN. Nothing was signed; try again."), field="pin") from None


# --- the TOTP second factor ---------------------------------------------------------------------


def start_totp(user: User) -> tuple[str, str]:
    """Begin (or restart) setting up TOTP: return the secret and its otpauth:// address."""
    factor = db.session.get(SigningFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise NotAllowed(_l("The authenticator app is already set up; turn it off first."))
    secret = pyotp.random_base32()
    if factor is None:
        factor = SigningFactor(user_id=user.id, secret=secret)
        db.session.add(factor)
    factor.secret = secret
    db.session.flush()
    address = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)
    return secret, address


def confirm_totp(user: User, code: str) -> None:
    """Turn TOTP on once the first code from the app is right."""
    factor = db.session.get(SigningFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        raise NotAllowed(_l("Start setting up the authenticator app first."))
    _check_code(factor, code)
    factor.confirmed_at = utcnow()
    record_event(user, "signing.totp_enabled", "user", user.id)


def disable_totp(user: User, password: str) -> None:
    """Turn TOTP off (the account password confirms it)."""
    if not verify_password(user.password_hash, password):
        raise WrongSecret(_l("Your account password is not right."), field="password")
    factor = db.session.get(SigningFactor, user.id)
    if factor is not None:
        db.session.delete(factor)
        record_event(user, "signing.totp_disabled", "user", user.id)
    db.session.flush()


def remove_totp(actor: User, user: User) -> bool:
    """Remove ``user``'s authenticator app for them (a lost phone); tell whether one was there."""
    factor = db.session.get(SigningFactor, user.id)
    if factor is None:
        return False
    db.session.delete(factor)
    db.session.flush()
    record_event(actor, "signing.totp_removed", "user", user.id)
    return True


def totp_required(user: User) -> bool:
    """Tell whether signing in and signing ask this user for an authenticator code."""
    factor = db.session.get(SigningFactor, user.id)
    return factor is not None and factor.confirmed_at is not None


def check_totp(user: User, code: str) -> None:
    """Accept a code once (no replay) when the user has TOTP on; raise ``WrongSecret`` otherwise."""
    factor = db.session.get(SigningFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        _check_code(factor, code)


def _check_code(factor: SigningFactor, code: str) -> None:
    totp = pyotp.TOTP(factor.secret)
    now = datetime.now(UTC)
    code = "".join(code.split())
    for drift in (0, -1, 1):  # the previous and next 30 s window too: phone clocks drift
        step = totp.timecode(now) + drift
        if code and pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            if factor.last_step is not None and step <= factor.last_step:
                break  # already used: a code works once
            factor.last_step = step
            db.session.flush()
            return
    raise WrongSecret(
        _l("The authenticator code is wrong or already used. Wait for a new code and try again."),
        field="code",
    )


# --- helpers ------------------------------------------------------------------------------------


def _check_request(user: User, password: str, pin: str, pin_again: str, purpose: str) -> None:
    if purpose not in set(KeyPurpose) or not can_hold_signing_key(user, purpose):
        raise NotAllowed(_l("Your role does not sign documents with this kind of certificate."))
    if not verify_password(user.password_hash, password):
        raise WrongSecret(_l("Your account password is not right."), field="password")
    if len(pin) < 6:
        raise ServiceError(_l("Choose a PIN of at least 6 characters."), field="pin")
    if pin != pin_again:
        raise ServiceError(_l("The two PINs differ. Type the same PIN twice."), field="pin_again")
    if pin == password:
        raise ServiceError(_l("Choose a PIN different from your password."), field="pin")


def _store(
    user: User, purpose: str, origin: KeyOrigin, material: signatures.KeyMaterial
) -> SigningKey:
    previous = _unrevoked_key(user, purpose)
    if previous is not None:
        _revoke(user, previous, "superseded")
    cert = material.certificate
    key = SigningKey(
        user_id=user.id,
        purpose=purpose,
        origin=origin,
        envelope=material.envelope,
        certificate_pem=material.certificate_pem,
        fingerprint=material.fingerprint,
        serial_hex=f"{cert.serial_number:x}",
        subject=cert.subject.rfc4514_string(NAME_LABELS)[:500],
        issuer=cert.issuer.rfc4514_string(NAME_LABELS)[:500],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )
    db.session.add(key)
    db.session.flush()
    record_event(
        user,
        "certificate.enrolled",
        "signing_key",
        key.id,
        purpose=purpose,
        origin=origin.value,
        fingerprint=key.fingerprint,
        serial=key.serial_hex,
    )
    return key


def _revoke(actor: User, key: SigningKey, reason: str) -> None:
    if key.origin == KeyOrigin.INTERNAL and _issued_here(key):
        ca = online_ca()
        internal_ca.revoke_certificate(ca, key.serial_hex)
    key.revoked_at = utcnow()
    key.revoked_by_id = actor.id
    key.revocation_reason = reason
    db.session.flush()
    record_event(
        actor,
        "certificate.revoked",
        "signing_key",
        key.id,
        holder_id=key.user_id,
        fingerprint=key.fingerprint,
        serial=key.serial_hex,
        reason=reason,
    )


def _issued_here(key: SigningKey) -> bool:
    """Tell whether the internal CA issued this key's certificate (its issuer is our issuing CA)."""
    issuing = internal_ca.ca_dir() / "issuing.pem"
    if not issuing.is_file():
        return False
    ours = x509.load_pem_x509_certificate(issuing.read_bytes())
    return key.issuer == ours.subject.rfc4514_string(NAME_LABELS)[:500]
