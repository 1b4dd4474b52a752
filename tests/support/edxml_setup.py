"""edXML tests: the two offices' settings, a signed and numbered decision, and a package that
another office (an app of its own, with its own database, storage and CA copy) exported."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from meeting_server import create_app
from meeting_server.extensions import db
from meeting_server.models import DocumentKind, Role, SigningRequest, StepKind, utcnow
from meeting_server.services.edxml_export import export_package
from meeting_server.services.signing_requests import RouteEntry, sign_step, submit_request
from meeting_server.services.users import create_user as create_user_service
from meeting_server.storage import blob_store
from tests.support.clients import PASSWORD
from tests.support.pdf_samples import simple_pdf
from tests.support.people import actor
from tests.support.signing_setup import PIN, english, enrol, with_internal_ca

SENDER_CODE = "000.00.00.H29"
RECEIVER_CODE = "000.00.00.H30"
DIRECTORY = [
    {"id": RECEIVER_CODE, "name": "Sở Tài chính thành phố Hòa Bình Xanh"},
    {"id": "000.00.00.H31", "name": "Sở Nội vụ thành phố Hòa Bình Xanh"},
]
TITLE = "Quyết định phê duyệt kế hoạch chuyển đổi số năm 2027"

#: The sending office (our own organisation in the export tests).
SENDER = {
    "EDXML_ORGAN_ID": SENDER_CODE,
    "EDXML_ORGAN_NAME": "Ủy ban nhân dân quận Hòa Bình",
    "EDXML_ORGAN_IN_CHARGE": "Ủy ban nhân dân thành phố Hòa Bình Xanh",
    "ORGANISATION_PLACE": "Hòa Bình",
    "EDXML_DIRECTORY": DIRECTORY,
}


def receiver_settings(trusted_root: Path) -> dict[str, Any]:
    """The receiving office: its own code, and the sender's CA root among its trusted roots."""
    return {
        "EDXML_ORGAN_ID": RECEIVER_CODE,
        "EDXML_ORGAN_NAME": DIRECTORY[0]["name"],
        "ORGANISATION_PLACE": "Hòa Bình Xanh",
        "TRUSTED_ROOTS": str(trusted_root),
    }


def numbered_decision(app: Flask) -> SigningRequest:
    """Return a two-page decision signed by chutich, then sealed (numbered) by vanthu; thuky,
    chutich and vanthu must exist."""
    with english(app):
        enrol(actor("chutich"), PASSWORD)
        enrol(actor("vanthu"), PASSWORD, purpose="seal")
        outcome = submit_request(
            actor("thuky"),
            title=TITLE,
            message="Kính trình ký.",
            due_at=utcnow() + timedelta(days=2),
            pdf=simple_pdf(2),
            file_name="quyet-dinh.pdf",
            route=[RouteEntry(actor("chutich")), RouteEntry(actor("vanthu"), StepKind.SEAL)],
            kind=DocumentKind.DECISION,
        )
        db.session.commit()
        for username, step in zip(("chutich", "vanthu"), outcome.request.steps, strict=True):
            sign_step(actor(username), step, pin=PIN)
            db.session.commit()
        return outcome.request


def add_people(app: Flask) -> None:
    """Create the secretary thuky, the chair chutich and the clerk vanthu."""
    people = [
        ("thuky", Role.SECRETARY, "Nguyễn Thị Thu", ""),
        ("chutich", Role.LEADER, "Trần Văn Minh", "Chủ tịch"),
        ("vanthu", Role.CLERK, "Phạm Văn Dấu", "Văn thư"),
    ]
    with app.app_context():
        for username, role, name, position in people:
            create_user_service(
                None, username=username, full_name=name, password=PASSWORD, roles=(role,),
                position=position,
            )  # fmt: skip
        db.session.commit()


@dataclass(frozen=True)
class Exported:
    """What the other office sent: the package, the signed PDF in it, its number."""

    package: bytes
    pdf: bytes
    notation: str


def export_from_another_office(folder: Path, migrated_db: Path, ca_template: Path) -> Exported:
    """Run another office (its own database, storage and copy of the test CA): sign and number
    a decision there, and export it to ``RECEIVER_CODE``."""
    shutil.copy(migrated_db, folder / "sender.sqlite3")
    config = {
        "TESTING": True,
        "SECRET_KEY": "another-office",
        "DATABASE_URL": f"sqlite:///{folder / 'sender.sqlite3'}",
        "STORAGE_DIR": str(folder / "storage"),
        "RATELIMIT_STORAGE_URI": "memory://",
        **SENDER,
    }
    sender = create_app(with_internal_ca(config, ca_template, folder))
    add_people(sender)
    request = numbered_decision(sender)
    with english(sender):
        request = db.session.get_one(SigningRequest, request.id)
        made = export_package(actor("thuky"), request, receiver_ids=[RECEIVER_CODE])
        db.session.commit()
        pdf = blob_store().path_for(request.latest.sha256).read_bytes()
        db.engine.dispose()
    return Exported(made.package, pdf, made.header.notation)
