"""Signing requests and their route: submit, sign in order, return, cancel, remind.

A request starts from an unsigned PDF (an upload the view has screened, or finalised
minutes). Submitting puts the verification QR code on it and one empty signature field per
step (``route_pdf.prepare_route_pdf``): that is version 0. Each signature makes the next
version; the versions are immutable blobs named by SHA-256.

Two people pressing Sign on the same step: both may compute a signature (off the event loop,
before any write), but only the one whose conditional ``UPDATE … WHERE status = 'pending'``
matches stores it; the other is told the step was just signed. The unique (request, number)
of versions guards the same invariant in the database.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..collation import sorted_by
from ..extensions import db
from ..i18n import display_zone
from ..models import (
    DocumentKind,
    InboxNotice,
    KeyPurpose,
    Minutes,
    NoticeKind,
    RequestStatus,
    Role,
    SigningKey,
    SigningRequest,
    SigningStep,
    SigningVersion,
    StepKind,
    StepStatus,
    User,
    UserRole,
    utcnow,
)
from ..storage import blob_store
from . import outbox, register, route_pdf, signature_images, signatures, signing_tries, webhooks
from .audit import record_event
from .certificates import WrongSecret, check_totp, unlock_key, usable_key
from .errors import NotAllowed, ServiceError
from .signing_documents import (
    RouteEntry,
    checked_route,
    field_name,
    minutes_route,
    prepare_document,
    with_block_roles,
)

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed
CODE_LENGTH = 8


@dataclass(frozen=True)
class Outcome:
    """What changed: the request and whose inbox (their open pages are told after commit)."""

    request: SigningRequest
    notify: frozenset[int]


def _outcome(request: SigningRequest, notify: set[int] | frozenset[int]) -> Outcome:
    """Tell these people's open pages after the commit (outbox); return the outcome."""
    people = frozenset(notify)
    outbox.record(outbox.InboxChanged(people, request.id))
    return Outcome(request, people)


def changed_rows(statement: Any) -> int:
    """Run a conditional UPDATE and return how many rows it changed."""
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def verification_url(code: str) -> str:
    """Return the public address of a request's verification page (printed with its QR)."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/v/{code}"


def submit_request(
    sender: User,
    *,
    title: str,
    message: str,
    due_at: datetime,
    pdf: bytes,
    file_name: str,
    route: Sequence[RouteEntry],
    minutes: Minutes | None = None,
    kind: DocumentKind | None = None,
) -> Outcome:
    """Create a request: QR code and fields on the document, the first signer's turn.

    ``kind`` is what the clerk's seal numbers it as in the register (minutes: always minutes).
    """
    title = checked_route(title, due_at, route)
    route = with_block_roles(route, minutes) if minutes else route  # their blocks in the minutes
    code = _new_code()
    source = blob_store().put_bytes(pdf)
    kind = DocumentKind.MINUTES if minutes else kind
    prepared, places = prepare_document(pdf, verification_url(code), route, numbered=bool(kind))
    request = SigningRequest(
        title=title, message=message.strip()[:4000], sender_id=sender.id, due_at=due_at,
        minutes_id=minutes.id if minutes else None, file_name=file_name[:255] or "document.pdf",
        source_sha256=source.sha256, code=code, document_kind=kind,
    )  # fmt: skip
    db.session.add(request)
    db.session.flush()
    for position, (entry, (page, (x1, y1, x2, y2))) in enumerate(zip(route, places, strict=True)):
        request.steps.append(
            SigningStep(
                position=position, kind=entry.kind, signer_id=entry.signer.id,
                field_name=field_name(entry, position), page=page,
                box_x=x1, box_y=y1, box_w=x2 - x1, box_h=y2 - y1,
            )
        )  # fmt: skip
    blob = blob_store().put_bytes(prepared)
    request.versions.append(SigningVersion(number=0, sha256=blob.sha256, size=blob.size))
    db.session.flush()
    first = request.steps[0]
    _make_pending(first)
    record_event(
        sender, "signing.submitted", "signing_request", request.id,
        title=title, source_sha256=source.sha256, prepared_sha256=blob.sha256,
        route=[(s.kind, s.signer_id) for s in request.steps], due_at=due_at.isoformat(),
    )  # fmt: skip
    return _outcome(request, {first.signer_id} - {None})  # type: ignore[arg-type]


def unlock_signing_key(
    user: User, kind: StepKind | str, *, pin: str, code: str = ""
) -> tuple[SigningKey, signatures.PinProtectedKey]:
    """Open the user's key for a step of ``kind`` with the PIN (and the TOTP code, if on).

    A wrong PIN or code raises ``WrongSecret`` (saying how many tries are left) before anything
    is written; while too many were wrong, ``SigningPaused`` (``services/signing_tries.py``).
    """
    purpose = KeyPurpose.SEAL if kind == StepKind.SEAL else KeyPurpose.SIGNER
    key_row = usable_key(user, purpose)
    if key_row is None:
        raise NotAllowed(
            _l("You have no valid signing certificate yet. Create one under My certificate.")
        )
    signing_tries.check_not_paused(user)
    try:
        check_totp(user, code)
        return key_row, unlock_key(key_row, pin)
    except WrongSecret as wrong:
        raise signing_tries.count_wrong(user, wrong) from None


def sign_step(user: User, step: SigningStep, *, pin: str, code: str = "") -> Outcome:
    """Sign ``step``: check the PIN (and TOTP), sign, store the new version, advance."""
    key_row, key = unlock_signing_key(user, step.kind, pin=pin, code=code)
    try:
        return apply_signature(user, step, key_row, key)
    finally:
        key.lock()


def apply_signature(
    user: User, step: SigningStep, key_row: SigningKey, key: signatures.PinProtectedKey
) -> Outcome:
    """Sign ``step`` with an unlocked key, store the new version and advance the route."""
    request = step.request
    if request.status != RequestStatus.IN_PROGRESS or step.status != StepStatus.PENDING:
        raise NotAllowed(_l("This step has just been signed or returned; nothing was changed."))
    base = request.latest
    before = blob_store().path_for(base.sha256).read_bytes()
    try:
        signed = _sign_bytes(user, before, step, key)
    except signatures.SigningError as error:
        log.warning("signing request %s step %s refused: %s", request.id, step.id, error)
        raise NotAllowed(
            _l(
                "The document cannot be signed: %(why)s. Return it to the sender with a comment.",
                why=error,
            )
        ) from None
    now = utcnow()
    won = changed_rows(
        update(SigningStep)
        .where(SigningStep.id == step.id, SigningStep.status == StepStatus.PENDING)
        .values(status=StepStatus.SIGNED, acted_at=now, acted_by_id=user.id,
                certificate_sha256=key_row.fingerprint)
    )  # fmt: skip
    if won != 1:
        raise NotAllowed(_l("This step has just been signed or returned; nothing was changed."))
    db.session.refresh(step)
    blob = blob_store().put_bytes(signed)
    request.versions.append(
        SigningVersion(number=base.number + 1, sha256=blob.sha256, size=blob.size, step_id=step.id)
    )
    db.session.flush()
    record_event(
        user, "signing.signed", "signing_request", request.id,
        step=step.position, kind=step.kind, sha256_before=base.sha256, sha256_after=blob.sha256,
        certificate_sha256=key_row.fingerprint,
    )  # fmt: skip
    return _outcome(request, _advance(request, step, now) | {user.id})


def _sign_bytes(
    user: User, data: bytes, step: SigningStep, key: signatures.PinProtectedKey
) -> bytes:
    """Sign ``step``'s field of ``data`` with the signer's handwritten signature (or the
    organisation's seal) image; the seal writes the document's number and date of issue; the
    route's last step makes the document long-term."""
    seal = step.kind == StepKind.SEAL
    image = signature_images.organisation_seal() if seal else None
    return route_pdf.sign_route_pdf(
        data,
        key,
        field_name=step.field_name,
        seal=seal,
        last=step is step.request.steps[-1],
        issue=_issue(user, step),
        image=image.png if image else signature_images.leader_signature(user),
    )


def reserve_number(user: User, step: SigningStep) -> bool:
    """Give the document its register number (and today's date) before its seal is computed;
    tell whether it is numbered. Commit right after: on SQLite a write held open while the
    seal is computed off the event loop would stall every other writer."""
    if step.kind != StepKind.SEAL or step.request.document_kind is None:
        return False
    register.reserve(user, step.request)
    return True


def _issue(user: User, step: SigningStep) -> route_pdf.Issue | None:
    """Return the number and date the seal writes: the request's reserved register line (read
    only), or one reserved now when nobody did (the lock is then held while sealing)."""
    if step.kind != StepKind.SEAL or step.request.document_kind is None:
        return None
    entry = register.entry_of(step.request) or register.reserve(user, step.request)
    now = utcnow().astimezone(display_zone())  # the seal's, within the second
    signed_at = f"{now:%d/%m/%Y %H:%M:%S} {now:%z}"
    signed_at = f"{signed_at[:-2]}:{signed_at[-2:]}"  # ISO 8601's +07:00
    return route_pdf.Issue(entry.notation, register.issue_date_text(entry), signed_at)


def return_request(user: User, step: SigningStep, comment: str) -> Outcome:
    """Send the request back to its sender with a comment; the route stops there."""
    comment = comment.strip()[:2000]
    if not comment:
        raise ServiceError(_l("Say why you return the document."), field="comment")
    now = utcnow()
    won = changed_rows(
        update(SigningStep)
        .where(SigningStep.id == step.id, SigningStep.status == StepStatus.PENDING)
        .values(status=StepStatus.RETURNED, acted_at=now, acted_by_id=user.id, comment=comment)
    )
    if won != 1:
        raise NotAllowed(_l("This step has just been signed or returned; nothing was changed."))
    db.session.refresh(step)
    request = step.request
    request.status = RequestStatus.RETURNED
    request.finished_at = now
    register.release(user, request)  # its number, if its seal was tried, goes to the next
    notify(request.sender_id, request, NoticeKind.RETURNED)
    webhooks.record(webhooks.SIGNING_RETURNED, request)
    db.session.flush()
    record_event(
        user, "signing.returned", "signing_request", request.id,
        step=step.position, comment=comment, sha256=request.latest.sha256,
    )  # fmt: skip
    return _outcome(request, {request.sender_id, user.id})


def cancel_request(actor: User, request: SigningRequest) -> Outcome:
    """Withdraw an open request; whoever's turn it was no longer sees it as pending."""
    if request.status != RequestStatus.IN_PROGRESS:
        raise NotAllowed(_l("Only a request still in progress can be withdrawn."))
    current = request.current_step
    if current is not None:
        current.status = StepStatus.WAITING  # a Sign press racing this one now finds nothing
    request.status = RequestStatus.CANCELLED
    request.finished_at = utcnow()
    register.release(actor, request)
    db.session.flush()
    record_event(actor, "signing.cancelled", "signing_request", request.id)
    waiting = {current.signer_id} if current and current.signer_id else set()
    return _outcome(request, waiting)


# --- helpers ------------------------------------------------------------------------------------


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken = db.session.scalar(select(SigningRequest.id).where(SigningRequest.code == code))
        if taken is None:
            return code


def _make_pending(step: SigningStep) -> None:
    step.status = StepStatus.PENDING
    step.pending_since = utcnow()
    if step.signer_id is not None:
        notify(step.signer_id, step.request, NoticeKind.YOUR_TURN)
    db.session.flush()


def _advance(request: SigningRequest, step: SigningStep, now: datetime) -> frozenset[int]:
    """Give the next step its turn, or complete the request; return whose inbox changed."""
    later = [s for s in request.steps if s.position > step.position]
    changed = {request.sender_id}
    if later:
        _make_pending(later[0])
        if later[0].signer_id is not None:
            changed.add(later[0].signer_id)
        notify(request.sender_id, request, NoticeKind.SIGNED)
    else:
        request.status = RequestStatus.COMPLETED
        request.finished_at = now  # a seal's register number was given before it was computed
        notify(request.sender_id, request, NoticeKind.COMPLETED)
        webhooks.record(webhooks.SIGNING_COMPLETED, request)
        if request.document_kind == DocumentKind.CONCLUSION:
            from .conclusions import notice_issued  # it sends notices through this module

            notice_issued(request)
    db.session.flush()
    return frozenset(changed)


def notify(user_id: int, request: SigningRequest, kind: NoticeKind) -> None:
    db.session.add(InboxNotice(user_id=user_id, request_id=request.id, kind=kind))


def requests_for_minutes(minutes: Minutes) -> list[SigningRequest]:
    """Return the signing requests made of these minutes, newest first."""
    return list(
        db.session.scalars(
            select(SigningRequest)
            .where(SigningRequest.minutes_id == minutes.id)
            .order_by(SigningRequest.created_at.desc(), SigningRequest.id.desc())
        )
    )


def clerks() -> list[User]:
    """Return the active clerks (who may apply the seal)."""
    query = select(User).join(UserRole).where(User.active.is_(True), UserRole.role == Role.CLERK)
    return sorted_by(db.session.scalars(query), "full_name")


__all__ = [
    "Outcome",
    "RouteEntry",
    "WrongSecret",
    "apply_signature",
    "cancel_request",
    "clerks",
    "changed_rows",
    "minutes_route",
    "notify",
    "requests_for_minutes",
    "reserve_number",
    "return_request",
    "sign_step",
    "submit_request",
    "unlock_signing_key",
    "verification_url",
]
