"""``/api/v1/signing-requests``: send a PDF (or finalised minutes) for signing along a route,
follow it, download the signed document and the server's check of its signatures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_openapi3 import Tag
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import Select, exists, or_, select

from ..auth import require
from ..models import (
    DocumentKind,
    Meeting,
    MinutesStatus,
    Role,
    SigningRequest,
    SigningStep,
    StepKind,
    User,
)
from ..models.ids import find
from ..permissions import can_edit_minutes, can_send_for_signing, can_view_signing_request
from ..services import minutes as minutes_service
from ..services import register
from ..services import signing_requests as signing_service
from ..services.documents import clean_filename, ingest_pdf
from ..services.errors import ServiceError
from ..services.verification import verify_request
from ..storage import blob_store
from ..views.lookups import get_or_404
from ..views.responses import send_blob
from .blueprint import api_user, bp, require_scope, security
from .documents import PDF_RESPONSE
from .idempotency import Created, IdempotencyHeader, create_once
from .meetings import IdField
from .paging import Page, PageQuery, answer, page_of
from .problems import problem_responses
from .schemas import SigningRequestOut, UploadedFile, signing_request_out

SIGNING = [Tag(name="Signing", description="Signing routes: leaders in order, then the seal")]
Kind = Literal["minutes", "conclusion", "decision", "submission", "plan", "report", "letter"]


class RequestPath(BaseModel):
    request_id: IdField


class SigningQuery(PageQuery):
    status: Literal["in_progress", "completed", "returned", "cancelled"] | None = None


class NewSigningRequest(BaseModel):
    """A document to sign: an uploaded PDF (`file`), or the finalised minutes of `meeting_id`.

    The route is `signer_ids` in order (leaders), then `seal_clerk_id` (the clerk's seal, which
    numbers the document in the register as `kind`). Stamps go to the default places.
    """

    file: UploadedFile | None = None
    meeting_id: IdField | None = Field(None, description="Sign this meeting's final minutes")
    title: Annotated[str, Field(max_length=300)] = ""
    message: Annotated[str, Field(max_length=4000)] = ""
    due_at: AwareDatetime
    signer_ids: Annotated[list[IdField], Field(min_length=1, max_length=20)]
    seal_clerk_id: IdField
    kind: Kind | None = Field(None, description="What the seal numbers it as; none: unnumbered")


class SignatureOut(BaseModel):
    number: int
    field_name: str
    verdict: str = Field(description="valid, or why not (changed_after_signing, untrusted…)")
    reason: str
    signer: str
    signing_time: datetime | None
    timestamp: datetime | None
    pades_level: str
    coverage: str


class ValidationOut(BaseModel):
    sha256: str
    all_valid: bool
    changed_after_signing: bool
    error: str | None
    signatures: list[SignatureOut]


def visible_requests(user: User) -> Select[Any]:
    """Return the requests ``user`` may see, as SQL (``can_view_signing_request``'s twin)."""
    query = select(SigningRequest)
    if user.has_role(Role.ADMIN):
        return query
    mine = exists().where(
        SigningStep.request_id == SigningRequest.id, SigningStep.signer_id == user.id
    )
    sealed = exists().where(
        SigningStep.request_id == SigningRequest.id, SigningStep.kind == StepKind.SEAL
    )
    clauses = [SigningRequest.sender_id == user.id, mine]
    if user.has_role(Role.CLERK):
        clauses.append(sealed)
    return query.where(or_(*clauses))


def _out(request: SigningRequest) -> SigningRequestOut:
    entry = register.entry_of(request)
    url = signing_service.verification_url(request.code)
    return signing_request_out(request, url, entry.notation if entry else None)


@bp.get(
    "/signing-requests",
    tags=SIGNING,
    security=security("signing:read"),
    responses={200: Page[SigningRequestOut]},
)
@require_scope("signing:read")
def list_signing_requests(query: SigningQuery):
    """List the requests the account sent, signs or seals, oldest first."""
    user = api_user()
    select_ = visible_requests(user)
    if query.status is not None:
        select_ = select_.where(SigningRequest.status == query.status)
    rows, cursor = page_of(select_, (SigningRequest.id,), query, (int,))
    return answer([r for r in rows if can_view_signing_request(user, r)], cursor, _out)


@bp.get(
    "/signing-requests/<int:request_id>",
    tags=SIGNING,
    security=security("signing:read"),
    responses={200: SigningRequestOut},
)
@require_scope("signing:read")
def get_signing_request(path: RequestPath):
    """Read a request: its state and each step's."""
    signing_request = get_or_404(SigningRequest, path.request_id)
    require(can_view_signing_request(api_user(), signing_request))
    return _out(signing_request).model_dump(mode="json")


def _person(person_id: int, field: str) -> User:
    found = find(User, person_id)
    if found is None or not found.active:
        raise ServiceError(
            _("There is no such active person. GET /api/v1/people lists them."), field=field
        )
    return found


def _document(form: NewSigningRequest) -> tuple[bytes, str, object]:
    """Return the PDF to sign, its name, and the minutes it is (or None)."""
    if (form.file is None) == (form.meeting_id is None):
        raise ServiceError(
            _("Send either a PDF as `file` or the `meeting_id` of final minutes."), field="file"
        )
    if form.file is not None:
        blob, _screened = ingest_pdf(form.file.stream)  # type: ignore[arg-type]
        name = clean_filename(form.file.filename or "document.pdf")
        return blob_store().path_for(blob.sha256).read_bytes(), name, None
    meeting = get_or_404(Meeting, form.meeting_id)
    require(can_edit_minutes(api_user(), meeting))
    minutes = minutes_service.minutes_of(meeting)
    if minutes is None or minutes.status != MinutesStatus.FINAL or not minutes.pdf_sha256:
        raise ServiceError(_("This meeting's minutes are not final yet."), field="meeting_id")
    data = blob_store().path_for(minutes.pdf_sha256).read_bytes()
    return data, f"bien-ban-{meeting.id}.pdf", minutes


@bp.post(
    "/signing-requests",
    tags=SIGNING,
    security=security("signing:write"),
    responses={201: SigningRequestOut, **problem_responses(413)},
)
@require_scope("signing:write")
def create_signing_request(header: IdempotencyHeader, form: NewSigningRequest):
    """Send a document for signing; the first signer is told at once."""
    user = api_user()
    require(can_send_for_signing(user))

    def make() -> Created:
        route = [
            signing_service.RouteEntry(_person(i, "signer_ids"), StepKind.SIGNER)
            for i in form.signer_ids
        ]
        route.append(
            signing_service.RouteEntry(_person(form.seal_clerk_id, "seal_clerk_id"), StepKind.SEAL)
        )
        pdf, name, minutes = _document(form)
        outcome = signing_service.submit_request(
            user,
            title=form.title,
            message=form.message,
            due_at=form.due_at,
            pdf=pdf,
            file_name=name,
            route=route,
            minutes=minutes,  # type: ignore[arg-type]
            kind=DocumentKind(form.kind) if form.kind else None,
        )
        made = outcome.request
        return Created(_out(made), "api.get_signing_request", {"request_id": made.id})

    return create_once(header, make)


@bp.get(
    "/signing-requests/<int:request_id>/document",
    tags=SIGNING,
    security=security("signing:read"),
    responses=PDF_RESPONSE,
)
@require_scope("signing:read")
def get_signing_document(path: RequestPath):
    """Download the latest version: once the route is complete, the signed and sealed PDF."""
    signing_request = get_or_404(SigningRequest, path.request_id)
    require(can_view_signing_request(api_user(), signing_request))
    version = signing_request.versions[-1]  # (version 0, the prepared PDF, always exists)
    name = f"{signing_request.code}-v{version.number}.pdf"
    return send_blob(
        blob_store().path_for(version.sha256),
        version.sha256,
        "application/pdf",
        filename=name,
        attachment=True,
    )


@bp.get(
    "/signing-requests/<int:request_id>/validation",
    tags=SIGNING,
    security=security("signing:read"),
    responses={200: ValidationOut},
)
@require_scope("signing:read")
def get_signing_validation(path: RequestPath):
    """Check every signature of the latest version, as the public verification page does."""
    signing_request = get_or_404(SigningRequest, path.request_id)
    require(can_view_signing_request(api_user(), signing_request))
    checked = verify_request(signing_request)
    language = str(get_locale())
    signatures = [
        SignatureOut(
            number=s.number,
            field_name=s.field_name,
            verdict=s.verdict,
            reason=s.reason(language),
            signer=s.signer_name,
            signing_time=s.signing_time,
            timestamp=s.timestamp,
            pades_level=s.pades_level,
            coverage=s.coverage,
        )
        for s in checked.signatures
    ]
    return ValidationOut(
        sha256=checked.sha256,
        all_valid=checked.all_valid,
        changed_after_signing=checked.changed,
        error=checked.error,
        signatures=signatures,
    ).model_dump(mode="json")
