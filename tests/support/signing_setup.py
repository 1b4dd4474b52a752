"""An online internal CA for app tests that sign, and people's keys."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import force_locale

from meeting_server.extensions import db
from meeting_server.models import Role, SigningKey, SigningRequest, StepKind, User, utcnow
from meeting_server.services.certificates import enrol_key
from signing import CAConfig, InternalCA
from signing.ocsp import ensure_responder
from signing.tsa import ensure_tsa
from tests.support.clients import PASSWORD
from tests.support.people import actor

CA_PASSPHRASE = b"test-ca-passphrase"
PIN = "246810"
ORGANISATION = "Ủy ban nhân dân Thành phố Hòa Bình Xanh"


def create_ca_template(folder: Path, crl_base_url: str) -> Path:
    """Create an internal CA (RSA 2048: quick) with its CRLs published, its timestamping
    authority and OCSP responder, as `ca init` does."""
    config = CAConfig(organisation=ORGANISATION, crl_base_url=crl_base_url, key_type="rsa2048")
    ca = InternalCA.create(folder, config, CA_PASSPHRASE)
    ensure_tsa(ca, CA_PASSPHRASE)
    ensure_responder(ca, CA_PASSPHRASE)
    (folder / "issuing.crl").write_bytes(ca.crl())
    (folder / "root.crl").write_bytes(ca.root_crl())
    return folder


def with_internal_ca(config: dict[str, Any], template: Path, tmp_path: Path) -> dict[str, Any]:
    """Give the app configuration its own copy of the CA and the passphrase file."""
    shutil.copytree(template, tmp_path / "ca")
    (tmp_path / "ca-passphrase").write_bytes(CA_PASSPHRASE)
    config.update(CA_DIR=str(tmp_path / "ca"), CA_PASSPHRASE_FILE=str(tmp_path / "ca-passphrase"))
    return config


def enrol(user: User, password: str, purpose: str = "signer", pin: str = PIN) -> SigningKey:
    """Enrol ``user`` for ``purpose`` with ``pin`` (inside an app context)."""
    return enrol_key(user, password=password, pin=pin, pin_again=pin, purpose=purpose)


def enrol_route_people(app: Flask, create_user: Any) -> None:
    """Add the vice-chair (phochutich) and the clerk (vanthu) beside thuky and chutich, and
    enrol chutich's, phochutich's and the clerk's seal keys: the route chair → vice → seal."""
    create_user("phochutich", Role.LEADER, full_name="Lê Thị Hồng", position="Phó Chủ tịch")
    create_user("vanthu", Role.CLERK, full_name="Phạm Văn Dấu")
    with english(app):
        enrol(actor("chutich"), PASSWORD)
        enrol(actor("phochutich"), PASSWORD)
        enrol(actor("vanthu"), PASSWORD, purpose="seal")
        db.session.commit()


def chair_then_seal(app: Flask, create_user: Any) -> SigningRequest:
    """Return a two-page decision signed by the chair, then sealed by the clerk (vanthu)."""
    from datetime import timedelta

    from meeting_server.services.signing_requests import RouteEntry, sign_step, submit_request
    from tests.support.pdf_samples import simple_pdf

    create_user("vanthu", Role.CLERK, full_name="Phạm Văn Dấu")
    with app.app_context():
        enrol(actor("chutich"), PASSWORD)
        enrol(actor("vanthu"), PASSWORD, purpose="seal")
        outcome = submit_request(
            actor("thuky"),
            title="Quyết định phê duyệt kế hoạch",
            message="Kính trình ký.",
            due_at=utcnow() + timedelta(days=2),
            pdf=simple_pdf(2),
            file_name="quyet-dinh.pdf",
            route=[RouteEntry(actor("chutich")), RouteEntry(actor("vanthu"), StepKind.SEAL)],
        )
        db.session.commit()
        for username, step in zip(("chutich", "vanthu"), outcome.request.steps, strict=True):
            sign_step(actor(username), step, pin=PIN)
            db.session.commit()
        return outcome.request


@contextmanager
def english(app: Flask) -> Iterator[None]:
    """An app context whose service messages are in English (the msgids tests match)."""
    with app.app_context(), force_locale("en"):
        yield
