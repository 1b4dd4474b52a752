"""Signed documents as Decree 30/2020 has them: the minutes' stamps in their blocks (chair,
secretary), the seal at real size over the left third of the chair's, nothing over the
footer, the clerk's number and date of issue written with the seal; an uploaded document
numbered on a line at the top right of its first page."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pikepdf
import pytest

from meeting_server.extensions import db
from meeting_server.i18n import display_zone
from meeting_server.models import DocumentKind, RequestStatus, StepKind, utcnow
from meeting_server.pdf.blocks import declared
from meeting_server.services import register, route_pdf, signatures
from meeting_server.services.internal_ca import ca_dir
from meeting_server.services.minutes import finalise_minutes, save_draft
from meeting_server.services.presentations import end_meeting, start_meeting
from meeting_server.services.signing_documents import SEAL_DIAMETER_MM
from meeting_server.services.signing_requests import (
    RouteEntry,
    minutes_route,
    return_request,
    sign_step,
    submit_request,
)
from meeting_server.storage import blob_store
from tests.support.browser import ARTIFACTS
from tests.support.pdf_samples import simple_pdf
from tests.support.people import actor
from tests.support.signing_setup import (
    PASSWORD,
    PIN,
    english,
    enrol,
    enrol_route_people,
    with_internal_ca,
)

FOOTER_TOP = 20 * 72 / 25.4  # the bottom margin that holds "Trang x/y", in points


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture
def minutes(app, published_meeting, create_user):
    """Final minutes of the held meeting; the chair, the secretary and the clerk enrolled."""
    enrol_route_people(app, create_user)
    with english(app):
        enrol(actor("thuky"), PASSWORD)
        db.session.commit()
    with app.app_context():
        meeting = db.session.merge(published_meeting)
        start_meeting(actor("chutich"), meeting)
        end_meeting(actor("chutich"), meeting)
        save_draft(actor("thuky"), meeting, "Thống nhất thông qua kế hoạch năm 2027.")
        final = finalise_minutes(actor("thuky"), meeting)
        db.session.commit()
        return final.id


def send(minutes_id: int):
    from meeting_server.models import Minutes

    minutes = db.session.get_one(Minutes, minutes_id)
    pdf = blob_store().path_for(minutes.pdf_sha256).read_bytes()
    outcome = submit_request(
        actor("thuky"),
        title="Biên bản cuộc họp",
        message="",
        minutes=minutes,
        due_at=utcnow() + timedelta(days=2),
        pdf=pdf,
        file_name="bien-ban.pdf",
        route=minutes_route(minutes, actor("vanthu")),
    )
    db.session.commit()
    return outcome.request


def sign_all(request) -> bytes:
    for step in request.steps:
        username = {"signer1": "chutich", "signer2": "thuky", "seal3": "vanthu"}[step.field_name]
        sign_step(actor(username), step, pin=PIN)
        db.session.commit()
    return blob_store().path_for(request.latest.sha256).read_bytes()


def widgets(data: bytes) -> dict[str, tuple[int, tuple[float, ...]]]:
    """Return {field name: (page index, rect)} for every form field widget."""
    found = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for index, page in enumerate(pdf.pages):
            for annot in page.get("/Annots", []):
                if annot.get("/Subtype") == "/Widget" and "/T" in annot:
                    found[str(annot.T)] = (index, tuple(float(v) for v in annot.Rect))
    return found


def page_text(data: bytes, index: int) -> str:
    """Return a page's text with its form fields' and stamps' text, as poppler reads it."""
    number = str(index + 1)
    text = subprocess.run(
        ["pdftotext", "-f", number, "-l", number, "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return " ".join(text.split())


def overlap(a, b) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, width) * max(0.0, height)


def test_the_signed_minutes_are_laid_out_and_numbered_as_decree_30_says(app, minutes, tmp_path):
    with english(app):
        request = send(minutes)
        original = blob_store().path_for(request.minutes.pdf_sha256).read_bytes()
        with pikepdf.open(io.BytesIO(original)) as pdf:
            sizes = [(float(p.mediabox[2]), float(p.mediabox[3])) for p in pdf.pages]
            blocks = {b.role: b for b in declared(pdf, sizes).blocks}
        done = sign_all(request)
        assert request.status == RequestStatus.COMPLETED

        places = widgets(done)
        chair, secretary, seal = places["signer1"], places["signer2"], places["seal3"]
        assert chair[0] == blocks["chair"].page  # in their blocks, to the point
        assert chair[1] == pytest.approx(blocks["chair"].box, abs=1)
        assert secretary[0] == blocks["secretary"].page
        assert secretary[1] == pytest.approx(blocks["secretary"].box, abs=1)
        assert seal[0] == chair[0]
        diameter = SEAL_DIAMETER_MM * 72 / 25.4
        assert seal[1][2] - seal[1][0] == pytest.approx(diameter, abs=1)  # real size
        image_width = (chair[1][2] - chair[1][0]) * 0.7  # centred at the top of the stamp
        image_left = chair[1][0] + (chair[1][2] - chair[1][0] - image_width) / 2
        covered = (seal[1][2] - image_left) / image_width
        assert 0.25 < covered < 0.45  # about a third of the signature image, on the left
        assert overlap(seal[1], secretary[1]) == 0
        visible = [rect for _page, rect in places.values() if rect[2] > rect[0]]  # not the LTA's
        assert len(visible) == 5 and all(rect[1] > FOOTER_TOP for rect in visible), places

        entry = register.entry_of(request)
        assert entry.notation == "01/BB-UBND"
        issued = utcnow().astimezone(display_zone())
        first_page = page_text(done, 0)
        assert "Số: 01/BB-UBND" in first_page
        assert f"ngày {issued:%d} tháng {issued:%m} năm {issued:%Y}" in first_page
        last_page = page_text(done, chair[0])
        assert f"Thời gian ký: {issued:%d/%m/%Y}" in last_page
        assert "Trang" in last_page

        report = signatures.verify_document(done)
        assert report.all_valid, report.to_text("en")
        assert [s.field_name for s in report.signatures] == ["signer1", "signer2", "seal3"]
        path = tmp_path / "bien-ban.pdf"
        path.write_bytes(done)
        pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
        assert pdfsig.count("Signature is Valid") == 3, pdfsig
        assert report.signatures[-1].pades_level == "B-LTA"
        root = ca_dir() / "root.pem"
        cli = Path(sys.executable).with_name("pyhanko")  # pyHanko's own, AdES-style (LTA data)
        command = [cli, "sign", "adesverify", "--trust", root, "--trust-replace", "--pretty-print"]
        pyhanko = subprocess.run(
            [*map(str, command), str(path)], capture_output=True, text=True, timeout=300
        ).stdout
        assert pyhanko.count("The signature is judged VALID.") == 3, pyhanko
        _keep_renders(done, (0, chair[0]))
        (ARTIFACTS / "official-minutes.pdf").write_bytes(done)


def test_a_returned_seal_gives_its_number_to_the_next_document(app, minutes):
    with english(app):
        first = send(minutes)
        for step in first.steps[:2]:
            username = "chutich" if step.field_name == "signer1" else "thuky"
            sign_step(actor(username), step, pin=PIN)
            db.session.commit()
        seal = first.steps[2]
        assert register.next_for(first).notation == "01/BB-UBND"
        assert route_pdf.route_field_state(blob_store().path_for(first.latest.sha256).read_bytes())
        register.reserve(actor("vanthu"), first)  # the clerk pressed Seal; it failed
        db.session.commit()
        return_request(actor("vanthu"), seal, "Thiếu chữ ký của thư ký cuộc họp.")
        db.session.commit()
        assert register.entry_of(first) is None

        second = send(minutes)
        done = sign_all(second)
        assert register.entry_of(second).notation == "01/BB-UBND"  # no gap
        assert "Số: 01/BB-UBND" in page_text(done, 0)


def test_an_uploaded_decision_is_numbered_at_the_top_right_and_sealed_over_its_signer(app, minutes):
    with english(app):
        outcome = submit_request(
            actor("thuky"),
            title="Quyết định",
            message="",
            kind=DocumentKind.DECISION,
            due_at=utcnow() + timedelta(days=2),
            pdf=simple_pdf(2),
            file_name="qd.pdf",
            route=[
                RouteEntry(actor("chutich")),
                RouteEntry(actor("phochutich")),
                RouteEntry(actor("vanthu"), StepKind.SEAL),
            ],
        )
        db.session.commit()
        request = outcome.request
        for step, username in zip(request.steps, ("chutich", "phochutich", "vanthu"), strict=True):
            sign_step(actor(username), step, pin=PIN)
            db.session.commit()
        done = blob_store().path_for(request.latest.sha256).read_bytes()
        places = widgets(done)
        issued = utcnow().astimezone(display_zone())
        at = rf"{issued:%d/%m/%Y} \d\d:\d\d:\d\d \+07:00"  # to the second, Vietnam time
        assert re.search(rf"Số: 01/QĐ-UBND - Thời gian ký: {at}", page_text(done, 0))
        page, (x1, y1, x2, y2) = places["doc_issue"]
        assert page == 0 and y1 > 780  # the top right corner, above any letterhead
        vice, seal = places["signer2"], places["seal3"]
        assert seal[0] == vice[0] == 1 and overlap(seal[1], vice[1]) > 0
        assert seal[1][0] >= 0 and overlap(seal[1], places["signer1"][1]) == 0
        assert signatures.verify_document(done).all_valid


def _keep_renders(data: bytes, pages: tuple[int, ...]) -> None:
    """Save the first and the signed page as PNG for a person to look at (poppler draws the
    stamps and fields, as a reader's viewer does)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for index in pages:
        number = str(index + 1)
        out = ARTIFACTS / f"official-minutes-page{number}"
        subprocess.run(
            ["pdftoppm", "-r", "110", "-png", "-singlefile", "-f", number, "-l", number, "-", out],
            input=data,
            check=True,
        )
