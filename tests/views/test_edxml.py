"""The edXML pages: the sender exports a signed decision from its page (download or send), a
clerk or secretary imports a package from another office into a person's received documents or
an agenda item, and a refused package says why."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, Document, Role
from meeting_server.services.edxml import SCHEMA_FILE
from meeting_server.storage import blob_store
from tests.support.clients import fetch, signed_in
from tests.support.edxml_setup import (
    RECEIVER_CODE,
    SENDER,
    TITLE,
    Exported,
    export_from_another_office,
    numbered_decision,
)
from tests.support.signing_setup import with_internal_ca


@pytest.fixture(scope="session")
def sent(tmp_path_factory, migrated_db, ca_template) -> Exported:
    """A decision another office signed, numbered and exported to us."""
    return export_from_another_office(tmp_path_factory.mktemp("sender"), migrated_db, ca_template)


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    config = {**app_config, **SENDER, "EDXML_OUTBOX_DIR": str(tmp_path / "outbox")}
    return with_internal_ca(config, ca_template, tmp_path)


@pytest.fixture
def clerk(create_user):
    return create_user("vanthu", Role.CLERK, full_name="Phạm Văn Dấu", position="Văn thư")


def upload(http, package: bytes):
    return http.post(
        "/edxml/import",
        data={"package": (io.BytesIO(package), "goi-tin.edxml")},
        content_type="multipart/form-data",
    )


def test_the_sender_exports_a_signed_decision_from_its_page(app, secretary, chair, clerk, tmp_path):
    request_id = numbered_decision(app).id
    sender, leader = signed_in(app, "thuky"), signed_in(app, "chutich")
    assert 'data-testid="export-edxml"' in sender.get(f"/signing/{request_id}").text
    assert 'data-testid="export-edxml"' not in leader.get(f"/signing/{request_id}").text
    assert leader.get(f"/edxml/export/{request_id}").status_code == 403  # a signer, not the sender
    assert signed_in(app, "vanthu").get(f"/edxml/export/{request_id}").status_code == 200
    form = sender.get(f"/edxml/export/{request_id}").text
    assert "01/QĐ-UBND" in form and f'data-testid="receiver-{RECEIVER_CODE}"' in form

    nobody = sender.post(f"/edxml/export/{request_id}", data={"action": "download"})
    assert nobody.status_code == 400 and "Choose at least one receiving organisation" in nobody.text

    download = sender.post(
        f"/edxml/export/{request_id}", data={"action": "download", "receivers": RECEIVER_CODE}
    )
    assert download.status_code == 200 and download.mimetype == "application/xml"
    assert "01-Q%C4%90-UBND.edxml" in download.headers["Content-Disposition"]
    assert etree.XMLSchema(etree.parse(str(SCHEMA_FILE))).validate(etree.fromstring(download.data))
    download.close()

    sending = sender.post(
        f"/edxml/export/{request_id}",
        data={"action": "send", "receivers": RECEIVER_CODE, "priority": "1"},
        follow_redirects=True,
    )
    assert "The package was sent to Sở Tài chính thành phố Hòa Bình Xanh." in sending.text
    (dropped,) = (tmp_path / "outbox").iterdir()
    assert (
        dropped.suffix == ".edxml" and b"<edXML:Priority>1</edXML:Priority>" in dropped.read_bytes()
    )
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("edxml.%"))
        ).all()
    assert actions == ["edxml.exported", "edxml.exported", "edxml.sent"]


def test_a_clerk_checks_a_package_and_delivers_it_to_the_chair(
    app, secretary, chair, clerk, participant, sent
):
    http = signed_in(app, "vanthu")
    preview = upload(http, sent.package)
    assert preview.status_code == 200
    assert TITLE in preview.text and "01/QĐ-UBND" in preview.text
    assert preview.text.count('data-testid="signature"') == 2
    assert "every signature of its PDF is valid" in preview.text
    sha = hashlib.sha256(sent.package).hexdigest()
    with app.app_context():
        chair_id = chair.id
    placed = http.post(
        f"/edxml/import/{sha}", data={"target": "person", "person_id": str(chair_id)},
        follow_redirects=True,
    )  # fmt: skip
    assert "The signed document was delivered to Trần Văn Minh." in placed.text

    reader = signed_in(app, "chutich")
    inbox = reader.get("/edxml/")
    assert 'data-testid="nav-edxml"' in inbox.text and TITLE in inbox.text
    pdf_sha = hashlib.sha256(sent.pdf).hexdigest()
    document = fetch(reader, f"/edxml/received/{pdf_sha}.pdf")
    assert document.status_code == 200 and document.data == sent.pdf
    assert fetch(signed_in(app, "daibieu1"), f"/edxml/received/{pdf_sha}.pdf").status_code == 403
    assert TITLE not in signed_in(app, "thuky").get("/edxml/").text  # delivered to the chair


def test_a_secretary_adds_a_package_to_an_agenda_item(app, published_meeting, sent):
    item_id = published_meeting.agenda_items[0].id
    http = signed_in(app, "thuky")
    assert upload(http, sent.package).status_code == 200
    sha = hashlib.sha256(sent.package).hexdigest()
    placed = http.post(f"/edxml/import/{sha}", data={"target": "item", "item_id": str(item_id)})
    assert placed.status_code == 302
    assert placed.headers["Location"].endswith(f"/meetings/{published_meeting.id}")
    with app.app_context():
        document = db.session.scalars(select(Document).where(Document.agenda_item_id == item_id))
        (added,) = document.all()
        stored: Path = blob_store().path_for(added.current.sha256)
        assert added.title == TITLE and stored.read_bytes() == sent.pdf  # unchanged by screening


def test_a_refused_package_says_why_and_is_audited(app, secretary, chair):
    http = signed_in(app, "thuky")
    refused = upload(http, b"<invoice><total>5</total></invoice>")
    assert refused.status_code == 422
    assert "This XML file is not an edXML package" in refused.text
    assert upload(http, b"").status_code == 422  # an empty file is not XML either
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "edxml.refused"))
        assert ['"code": "not_edxml"' in e.details for e in events] == [True, False]
    assert signed_in(app, "chutich").get("/edxml/import").status_code == 403  # leaders read only


def test_a_package_this_browser_did_not_check_cannot_be_placed(app, secretary, sent):
    sha = hashlib.sha256(sent.package).hexdigest()
    answer = signed_in(app, "thuky").post(f"/edxml/import/{sha}", data={"target": "person"})
    assert answer.status_code == 404
