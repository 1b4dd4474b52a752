"""Demo signing: the internal CA (online, passphrase in a private file) and the demo keys.

Demo mode only: the leaders, the secretary and the clerk get keys under ``DEMO_PIN``
(``MEETING_DEMO_PIN``), so that a document can be signed at once; any of them can make a new
key with their own PIN under *Chứng thư số của tôi*. The leaders and the secretary also get a
handwritten signature image (``signatures.py``); the seal stays the drawn one. A real install
creates its CA with ``meeting-server ca init`` and people enrol themselves.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Document, DocumentKind, StepKind, User, utcnow
from ..services import internal_ca
from ..services.certificates import enrol_key
from ..services.signing_requests import RouteEntry, submit_request
from ..storage import blob_store
from .signatures import seed_signatures

DEMO_PIN_DEFAULT = "123456"
DEMO_ORGANISATION = "Ủy ban nhân dân Thành phố (bản trình diễn)"
#: (username, purpose): who holds a demo key.
DEMO_KEYS = [
    ("chutich", "signer"),
    ("phochutich", "signer"),
    ("thuky", "signer"),
    ("vanthu", "seal"),
]


def demo_pin() -> str:
    """Return the demo signing PIN (``MEETING_DEMO_PIN`` or the default)."""
    return os.environ.get("MEETING_DEMO_PIN", DEMO_PIN_DEFAULT)


def seed_signing(people: dict[str, User], password: str) -> None:
    """Create the online CA if there is none, then the demo keys."""
    passphrase_file = Path(current_app.config["CA_PASSPHRASE_FILE"])
    if not (internal_ca.ca_dir() / "root.pem").exists():
        passphrase = secrets.token_urlsafe(32)
        passphrase_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(passphrase_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(passphrase)
        internal_ca.create_ca(DEMO_ORGANISATION, "rsa3072", passphrase.encode())
    pin = demo_pin()
    for username, purpose in DEMO_KEYS:
        enrol_key(people[username], password=password, pin=pin, pin_again=pin, purpose=purpose)
    seed_signatures(people)
    _sample_request(people)


def _sample_request(people: dict[str, User]) -> None:
    """Send the sample meeting's draft decision to the chair, the vice-chair and the seal."""
    decision = db_document("Dự thảo Quyết định ban hành Quy chế làm việc")
    submit_request(
        people["thuky"],
        title="Quyết định ban hành Quy chế làm việc của UBND thành phố",
        message="Kính trình lãnh đạo xem xét, ký ban hành.",
        due_at=utcnow() + timedelta(days=3),
        pdf=blob_store().path_for(decision.current.sha256).read_bytes(),
        file_name="quyet-dinh-quy-che-lam-viec.pdf",
        route=[
            RouteEntry(people["chutich"]),
            RouteEntry(people["phochutich"]),
            RouteEntry(people["vanthu"], StepKind.SEAL),
        ],
        kind=DocumentKind.DECISION,
    )


def db_document(title: str) -> Document:
    """Return the sample meeting's document called ``title``."""
    return db.session.scalars(select(Document).where(Document.title == title)).one()
