"""My signing certificate (enrol, import a .p12, TOTP, signature image); the admin's revocation."""

from __future__ import annotations

from datetime import datetime

import pyotp
import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from werkzeug.wrappers import Response

from ..auth import login_required, require, second_factor_required, signed_in_user
from ..collation import sorted_by
from ..extensions import db, limiter
from ..models import KeyPurpose, SigningFactor, SigningKey, User, utcnow
from ..permissions import can_hold_signing_key, can_revoke_certificates, can_set_signature_image
from ..services import certificates as certificate_service
from ..services import signature_images
from ..services.errors import NotAllowed, ServiceError
from . import forms
from . import image_uploads as images
from .errors import on_too_many
from .lookups import get_or_404

bp = Blueprint("certificates", __name__, url_prefix="/certificates")

#: Refused attempts (wrong password, PIN, .p12 passphrase or code) one person may make.
#: A PKCS#12 file holds one key and a few certificates: a few kilobytes.
MAX_P12_BYTES = 256 * 1024

LABELS = {
    "purpose": {"signer": _l("My own signature"), "seal": _l("Organisation seal")},
    "origin": {"internal": _l("Issued by this server"), "imported": _l("Imported (.p12)")},
    "status": {
        "valid": _l("Valid"),
        "revoked": _l("Revoked"),
        "expired": _l("Expired"),
        "not_yet": _l("Not valid yet"),
    },
    "reason": {"superseded": _l("Replaced by a new certificate")},
}


class _TooManyAttempts(ServiceError):
    status = 429


def _attempt_key() -> str:
    return f"certificate-user:{signed_in_user().id}"


def _refused(response: Response) -> bool:
    # Only refused attempts count toward the limit; a success redirects.
    return response.status_code != 302


_attempts = limiter.shared_limit(
    lambda: current_app.config["CERTIFICATE_LIMIT_PER_USER"],
    scope="certificates",
    key_func=_attempt_key,
    methods=["POST"],
    deduct_when=_refused,
)


# ---- my certificate ----------------------------------------------------------------------------


@bp.get("/")
@login_required
def mine():
    """Show my certificates and their history, with the forms to create or import one."""
    return _mine_page()


@bp.post("/enrol")
@login_required
@_attempts
def enrol():
    """Create my key under a new PIN and have the internal CA certify it."""
    password, pin, pin_again = _secret("password"), _secret("pin"), _secret("pin_again")
    purpose = forms.text("purpose")
    user = signed_in_user()
    require(_may_hold_a_key(user))
    try:
        certificate_service.enrol_key(
            user, password=password, pin=pin, pin_again=pin_again, purpose=purpose
        )
    except ServiceError as error:
        return _refused_page("enrol", error)
    db.session.commit()
    flash(_("Your certificate is ready. Sign with the PIN you chose; nobody can recover it."), "ok")
    return redirect(url_for("certificates.mine"))


@bp.post("/import")
@login_required
@_attempts
def import_p12():
    """Keep the key of my .p12/.pfx file (from a trusted CA), sealed under a new PIN."""
    password, pin, pin_again = _secret("password"), _secret("pin"), _secret("pin_again")
    purpose, passphrase = forms.text("purpose"), _secret("passphrase")
    user = signed_in_user()
    require(_may_hold_a_key(user))
    try:
        certificate_service.import_key(
            user,
            password=password,
            data=_p12_upload(),
            passphrase=passphrase,
            pin=pin,
            pin_again=pin_again,
            purpose=purpose,
        )
    except ServiceError as error:
        return _refused_page("import", error)
    db.session.commit()
    flash(
        _("Your certificate is imported. Sign with the PIN you chose; nobody can recover it."), "ok"
    )
    return redirect(url_for("certificates.mine"))


# ---- my handwritten signature image (Decree 30) ------------------------------------------------


@bp.post("/signature-image/preview")
@login_required
def preview_signature_image():
    """Clean a photo or scan of my handwritten signature and show it; nothing is kept yet."""
    user = signed_in_user()
    require(can_set_signature_image(user, user))
    try:
        sha256 = signature_images.prepare_signature_image(images.uploaded_image())
    except ServiceError as error:
        return _refused_page("signature", error)
    images.remember_preview(images.SIGNATURE_PREVIEW, sha256)
    return redirect(url_for("certificates.mine", _anchor="signature"))


@bp.post("/signature-image")
@login_required
def change_signature_image():
    """Save the previewed picture as my signature image, discard it, or remove my image."""
    action = forms.text("action")
    user = signed_in_user()
    require(can_set_signature_image(user, user))
    try:
        if action == "save":
            sha256 = images.waiting_preview(images.SIGNATURE_PREVIEW)
            signature_images.save_signature_image(user, sha256)
        elif action == "remove":
            signature_images.remove_signature_image(user)
    except ServiceError as error:
        return _refused_page("signature", error)
    db.session.commit()
    images.forget_preview(images.SIGNATURE_PREVIEW)
    if action in images.SIGNATURE_DONE:
        flash(images.SIGNATURE_DONE[action], "ok")
    return redirect(url_for("certificates.mine", _anchor="signature"))


@bp.get("/signature-image/<sha256>.png")
@login_required
def signature_image(sha256: str):
    """Send my saved signature image, or the preview waiting in this browser."""
    return images.send_signature_png(sha256, signed_in_user())


# ---- the authenticator app (TOTP) --------------------------------------------------------------


@bp.post("/totp/start")
@login_required
@_attempts
def start_totp():
    """Begin setting up the authenticator app: a new secret, shown once as a QR code."""
    user = signed_in_user()
    try:
        certificate_service.start_totp(user)
    except ServiceError as error:
        return _refused_page("totp", error)
    db.session.commit()
    flash(_("Scan the QR code with your authenticator app, then type the code it shows."), "info")
    return redirect(url_for("certificates.mine", _anchor="totp"))


@bp.post("/totp/confirm")
@login_required
@_attempts
def confirm_totp():
    """Turn the authenticator app on with its first code."""
    code = forms.text("code")
    user = signed_in_user()
    try:
        certificate_service.confirm_totp(user, code)
    except ServiceError as error:
        return _refused_page("totp", error)
    db.session.commit()
    flash(_("The authenticator app is on: signing now asks for its code too."), "ok")
    return redirect(url_for("certificates.mine", _anchor="totp"))


@bp.post("/totp/disable")
@login_required
@_attempts
def disable_totp():
    """Turn the authenticator app off (my account password confirms it)."""
    password = _secret("password")
    user = signed_in_user()
    try:
        if second_factor_required(user):
            raise NotAllowed(
                _l(
                    "Your office requires the authenticator app for your role, so it stays on. "
                    "With a new phone, ask the administrator to remove it, then set it up again."
                )
            )
        certificate_service.disable_totp(user, password)
    except ServiceError as error:
        return _refused_page("totp_off", error)
    db.session.commit()
    flash(
        _("The authenticator app is off: signing in and signing no longer ask for its code."), "ok"
    )
    return redirect(url_for("certificates.mine", _anchor="totp"))


on_too_many(
    bp,
    lambda: _(
        "Too many refused attempts. Wait an hour, then try again; if you forgot your account "
        "password, ask the administrator to reset it."
    ),
    lambda message: _mine_page(_TooManyAttempts(message)),
)


# ---- every certificate (administrators) --------------------------------------------------------


@bp.get("/all")
@login_required
def index():
    """List every signing key with its holder, for the administrator to revoke."""
    require(can_revoke_certificates(signed_in_user()))
    return _all_page()


@bp.post("/<int:key_id>/revoke")
@login_required
def revoke(key_id: int):
    """Revoke one certificate: it never signs again and the next CRL lists it."""
    reason = forms.text("reason")
    key = get_or_404(SigningKey, key_id)
    actor = signed_in_user()
    require(can_revoke_certificates(actor))
    try:
        certificate_service.revoke_key(actor, key, reason)
    except ServiceError as error:
        db.session.rollback()
        # A missing reason is shown at the key's form; anything else above the list.
        return _all_page(error, key_id if error.field == "reason" else None)
    db.session.commit()
    flash(_("The certificate of %(name)s is revoked.", name=key.user.full_name), "ok")
    return redirect(url_for("certificates.index"))


# ---- helpers -----------------------------------------------------------------------------------


def _secret(name: str) -> str:
    """Return a password, PIN or passphrase field exactly as typed."""
    return request.form.get(name, "")


def _may_hold_a_key(user: User) -> bool:
    return any(can_hold_signing_key(user, purpose) for purpose in KeyPurpose)


def _p12_upload() -> bytes:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ServiceError(
            _l("Choose the .p12 or .pfx file your certification authority gave you."), field="file"
        )
    data = upload.read(MAX_P12_BYTES + 1)
    if len(data) > MAX_P12_BYTES:
        raise ServiceError(_l("This file is too large for a .p12/.pfx file."), field="file")
    return data


def _refused_page(form: str, error: ServiceError) -> Response:
    db.session.rollback()  # the service only flushed: nothing of the attempt is kept
    return _mine_page(error, form)


def _mine_page(error: ServiceError | None = None, failed: str | None = None) -> Response:
    user = signed_in_user()
    now = utcnow()
    keys = certificate_service.keys_of(user)
    purposes = [p.value for p in KeyPurpose if can_hold_signing_key(user, p)]
    held = {k.purpose for k in keys if k.revoked_at is None}
    missing = [p for p in purposes if p not in held]
    page = render_template(
        "certificates/mine.html",
        current=[(k, _status(k, now)) for k in keys if k.revoked_at is None],
        history=[(k, _status(k, now)) for k in keys if k.revoked_at is not None],
        held=held,
        missing=missing,
        purposes=purposes,
        chosen=request.form.get("purpose") or (missing or purposes or [""])[0],
        ca_problem=_ca_problem() if purposes else None,
        totp=_totp_state(user),
        totp_required_by_office=second_factor_required(user),
        signature=images.signature_state(user) if can_set_signature_image(user, user) else None,
        error=error,
        failed=failed,
        labels=LABELS,
    )
    return _no_store(page, error.status if error else 200)


def _all_page(error: ServiceError | None = None, failed_key: int | None = None) -> Response:
    now = utcnow()
    newest_first = db.session.scalars(
        select(SigningKey)
        .join(SigningKey.user)
        .options(contains_eager(SigningKey.user))
        .order_by(SigningKey.created_at.desc(), SigningKey.id.desc())
    )
    keys = sorted_by(newest_first, "user.unit", "user.full_name")  # (a stable sort)
    page = render_template(
        "certificates/all.html",
        rows=[(k, _status(k, now)) for k in keys],
        error=error,
        failed_key=failed_key,
        labels=LABELS,
    )
    return _no_store(page, error.status if error else 200)


def _status(key: SigningKey, now: datetime) -> str:
    if key.revoked_at is not None:
        return "revoked"
    if now >= key.not_after:
        return "expired"
    return "valid" if now >= key.not_before else "not_yet"


def _ca_problem() -> str | None:
    """Say why certificates cannot be issued here, or ``None`` when the CA is ready."""
    try:
        certificate_service.online_ca()
    except NotAllowed as problem:
        return str(problem.message)
    return None


def _totp_state(user: User) -> dict[str, object]:
    factor = db.session.get(SigningFactor, user.id)
    if factor is None:
        return {"state": "off"}
    if factor.confirmed_at is not None:
        return {"state": "on", "since": factor.confirmed_at}
    # Set up but not confirmed yet: the same secret again (the person may still be scanning).
    address = pyotp.TOTP(factor.secret).provisioning_uri(
        name=user.username, issuer_name=certificate_service.TOTP_ISSUER
    )
    grouped = " ".join(factor.secret[i : i + 4] for i in range(0, len(factor.secret), 4))
    return {"state": "pending", "secret": grouped, "address": address, "qr": _qr(address)}


def _qr(text: str) -> Markup:
    svg = segno.make(text, error="m").svg_inline(
        scale=6, border=4, dark="#000", light="#fff", svgclass="qr", omitsize=True
    )
    return Markup(svg)  # noqa: S704 — segno's own SVG of our otpauth address, no user markup


def _no_store(page: str, status: int) -> Response:
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # secrets, PIN forms and the TOTP secret
    return response
