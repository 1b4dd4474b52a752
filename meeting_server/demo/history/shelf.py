"""The past meetings' documents: each PDF screened once, then handed out again as it is.

The first agenda item to carry a paper uploads it through ``services.documents.add_document``
(screened in the limited child, stored by SHA-256). Every later item that carries the same
paper gets a document whose version names the same stored, screened file, with its page
count: what a second upload of the same bytes would have made, without screening it again.
The sample meeting's PDFs are handed out the same way.
"""

from __future__ import annotations

import io

from sqlalchemy import select

from ...extensions import db
from ...models import AgendaItem, Document, DocumentVersion, User
from ...services.documents import add_document

#: The sample meeting's PDFs that past meetings carry too, by the name the catalogue uses.
SAMPLE_FILES = {
    "investment": "to-trinh-ke-hoach-dau-tu-cong-2027.pdf",
    "report10": "bao-cao-kinh-te-xa-hoi-10-thang-2026.pdf",
    "appendix": "phu-luc-danh-muc-du-an-2027.pdf",
}
#: The file names the history's own papers are uploaded under.
FILENAMES = {
    "week": "bao-cao-cong-tac-tuan.pdf",
    "month": "bao-cao-kinh-te-xa-hoi-thang.pdf",
    "topic": "bao-cao-chuyen-de.pdf",
}


class Shelf:
    """Hands out the papers: the PDFs made for the history, then the sample meeting's."""

    def __init__(self, papers: dict[str, bytes]) -> None:
        self._papers = papers
        self._screened: dict[str, DocumentVersion] = {}
        for name, filename in SAMPLE_FILES.items():
            version = db.session.scalars(
                select(DocumentVersion).where(DocumentVersion.original_filename == filename)
            ).first()
            if version is not None:
                self._screened[name] = version

    def attach(self, actor: User, item: AgendaItem, paper: str) -> Document | None:
        """Give ``item`` a document titled like it, made of ``paper`` (if the shelf has it)."""
        screened = self._screened.get(paper)
        if screened is not None:
            return _copy(actor, item, screened)
        if paper not in self._papers:
            return None
        document = add_document(
            actor,
            item,
            stream=io.BytesIO(self._papers[paper]),
            filename=FILENAMES.get(paper, f"{paper}.pdf"),
            title=item.title,
        )
        self._screened[paper] = document.current
        return document


def _copy(actor: User, item: AgendaItem, screened: DocumentVersion) -> Document:
    """Return a new document of ``item`` whose first version is the screened file."""
    document = Document(title=item.title, agenda_item=item)
    document.versions.append(
        DocumentVersion(
            number=1,
            sha256=screened.sha256,
            size=screened.size,
            page_count=screened.page_count,
            original_filename=screened.original_filename,
            screening_note=screened.screening_note,
            uploaded_by_id=actor.id,
        )
    )
    db.session.add(document)
    db.session.flush()
    return document
