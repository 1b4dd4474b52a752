"""``/api/v1``: a meeting's agenda items, and their documents (metadata, upload, download)."""

from __future__ import annotations

from typing import Annotated, Any, BinaryIO, cast

from flask import request
from flask_babel import gettext as _
from flask_openapi3 import Tag
from pydantic import BaseModel, ConfigDict, Field

from ..auth import require
from ..extensions import db
from ..models import AgendaItem, Document, Meeting, User
from ..models.ids import find
from ..pdf.watermark import WatermarkFailed, watermarked_copy
from ..permissions import (
    can_download_document,
    can_edit_meeting,
    can_view_document,
    can_view_item,
    can_view_meeting,
)
from ..services import agenda as agenda_service
from ..services import documents as document_service
from ..services.audit import record_event
from ..services.errors import ServiceError
from ..storage import blob_store
from ..views.lookups import get_or_404, version_or_404
from ..views.responses import Caching, send_blob
from .blueprint import api_user, bp, require_scope, security
from .idempotency import Created, IdempotencyHeader, create_once
from .meetings import IdField, MeetingPath
from .problems import problem, problem_responses
from .schemas import AgendaItemOut, DocumentOut, UploadedFile, document_out, item_out

AGENDA = [Tag(name="Agenda", description="A meeting's agenda items")]
DOCUMENTS = [Tag(name="Documents", description="The PDFs of agenda items, each version kept")]
PDF_RESPONSE: dict[Any, Any] = {
    200: {
        "description": "The PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class ItemPath(BaseModel):
    item_id: IdField


class DocumentPath(BaseModel):
    document_id: IdField


class NewItem(BaseModel):
    """An agenda item, added at the end of the agenda."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=500)]
    presenter_id: IdField | None = None
    presenter_name: Annotated[str, Field(max_length=200)] = ""
    planned_minutes: Annotated[int, Field(ge=1, le=600)] = 15
    confidential: bool = False


class Upload(BaseModel):
    """A PDF for an agenda item (screened like every upload: active content is refused)."""

    file: UploadedFile
    title: Annotated[str, Field(max_length=500)] = ""


class ContentQuery(BaseModel):
    version: IdField | None = Field(None, description="A version number; none: the latest")


class ItemList(BaseModel):
    data: list[AgendaItemOut]


class DocumentList(BaseModel):
    data: list[DocumentOut]


@bp.get(
    "/meetings/<int:meeting_id>/agenda-items",
    tags=AGENDA,
    security=security("meetings:read"),
    responses={200: ItemList},
)
@require_scope("meetings:read")
def list_agenda_items(path: MeetingPath):
    """List the agenda items the account may see, in order (confidential ones only if cleared)."""
    meeting = get_or_404(Meeting, path.meeting_id)
    user = api_user()
    require(can_view_meeting(user, meeting))
    items = [item_out(i) for i in meeting.agenda_items if can_view_item(user, i)]
    return {"data": [i.model_dump(mode="json") for i in items]}


def _presenter(presenter_id: int | None) -> User | None:
    if presenter_id is None:
        return None
    found = find(User, presenter_id)
    if found is None or not found.active:
        raise ServiceError(
            _("There is no such active person. GET /api/v1/people lists them."),
            field="presenter_id",
        )
    return found


@bp.post(
    "/meetings/<int:meeting_id>/agenda-items",
    tags=AGENDA,
    security=security("meetings:write"),
    responses={201: AgendaItemOut},
)
@require_scope("meetings:write")
def create_agenda_item(path: MeetingPath, header: IdempotencyHeader, body: NewItem):
    """Add an item at the end of the agenda."""
    meeting = get_or_404(Meeting, path.meeting_id)
    user = api_user()
    require(can_edit_meeting(user, meeting))

    def make() -> Created:
        item = agenda_service.add_item(
            user,
            meeting,
            title=body.title,
            presenter=_presenter(body.presenter_id),
            presenter_name=body.presenter_name,
            planned_minutes=body.planned_minutes,
            confidential=body.confidential,
        )
        return Created(item_out(item), "api.list_agenda_items", {"meeting_id": meeting.id})

    return create_once(header, make)


@bp.get(
    "/meetings/<int:meeting_id>/documents",
    tags=DOCUMENTS,
    security=security("documents:read"),
    responses={200: DocumentList},
)
@require_scope("documents:read")
def list_documents(path: MeetingPath):
    """List the documents of the items the account may see (withdrawn ones too, marked)."""
    meeting = get_or_404(Meeting, path.meeting_id)
    user = api_user()
    require(can_view_meeting(user, meeting))
    found = [d for i in meeting.agenda_items for d in i.documents if can_view_document(user, d)]
    return {"data": [document_out(d).model_dump(mode="json") for d in found]}


@bp.post(
    "/agenda-items/<int:item_id>/documents",
    tags=DOCUMENTS,
    security=security("documents:write"),
    responses={201: DocumentOut, **problem_responses(413)},
)
@require_scope("documents:write")
def upload_document(path: ItemPath, header: IdempotencyHeader, form: Upload):
    """Add a PDF to an agenda item; the tablets of a published meeting show it at once."""
    item = get_or_404(AgendaItem, path.item_id)
    user = api_user()
    require(can_edit_meeting(user, item.meeting))

    def make() -> Created:
        document = document_service.add_document(
            user,
            item,
            stream=cast(BinaryIO, form.file.stream),
            filename=form.file.filename or "",
            title=form.title,
        )
        return Created(document_out(document), "api.get_document", {"document_id": document.id})

    return create_once(header, make)


@bp.get(
    "/documents/<int:document_id>",
    tags=DOCUMENTS,
    security=security("documents:read"),
    responses={200: DocumentOut},
)
@require_scope("documents:read")
def get_document(path: DocumentPath):
    """Read a document's metadata and its versions."""
    document = get_or_404(Document, path.document_id)
    require(can_view_document(api_user(), document))
    return document_out(document).model_dump(mode="json")


@bp.get(
    "/documents/<int:document_id>/content",
    tags=DOCUMENTS,
    security=security("documents:read"),
    responses=PDF_RESPONSE,
)
@require_scope("documents:read")
def get_document_content(path: DocumentPath, query: ContentQuery):
    """Download a version's PDF (a confidential item's: watermarked with the account's name)."""
    document = get_or_404(Document, path.document_id)
    user = api_user()
    require(can_view_document(user, document))
    if not can_download_document(user, document):
        return problem(
            "forbidden",
            _(
                "This confidential document may be read on screen only: "
                "the meeting does not allow downloading it."
            ),
        )
    version = version_or_404(document, query.version or document.versions[-1].number)
    name = version.original_filename
    if not document.agenda_item.confidential:
        path_ = blob_store().path_for(version.sha256)
        return send_blob(
            path_,
            version.sha256,
            "application/pdf",
            filename=name,
            attachment=True,
            caching=Caching.IMMUTABLE,
        )
    if request.range is None:
        details = {"version": version.number, "download": True}
        record_event(user, "document.read_confidential", "document", document.id, **details)
        db.session.commit()
    try:
        copy = watermarked_copy(version.sha256, user, continuing=request.range is not None)
    except WatermarkFailed as failed:
        return problem("unavailable", str(failed.message))
    return send_blob(copy.path, copy.sha256, "application/pdf", filename=name, attachment=True)
