"""The public signature check: /v/<code> for our requests, /verify for any uploaded PDF."""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest

from meeting_server.extensions import db
from meeting_server.models import Role, SigningRequest, StepKind, utcnow
from meeting_server.services import shared_slots, signatures
from meeting_server.services.signing_requests import RouteEntry, submit_request
from meeting_server.services.verification import (
    KEEP_UPLOAD_S,
    UPLOAD_DIR,
    prune_uploads,
)
from meeting_server.storage import blob_store
from tests.support.clients import PASSWORD, fetch, signed_in
from tests.support.pdf_samples import edited_afterwards, simple_pdf
from tests.support.people import actor
from tests.support.signing_setup import chair_then_seal, enrol, with_internal_ca


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture
def signed_request(app, secretary, chair, create_user) -> SigningRequest:
    """A request signed by the chair, then sealed by the clerk: two valid signatures."""
    return chair_then_seal(app, create_user)


@pytest.fixture
def anonymous(client):
    """A visitor who is not signed in and reads English."""
    client.get("/lang/en")
    return client


def stored(sha256: str) -> bytes:
    return blob_store().path_for(sha256).read_bytes()


def latest_bytes(app, request: SigningRequest) -> bytes:
    with app.app_context():
        return stored(db.session.get(SigningRequest, request.id).latest.sha256)


def latest_sha256(app, request: SigningRequest) -> str:
    with app.app_context():
        return db.session.get(SigningRequest, request.id).latest.sha256


def signed_revision_of(app, data: bytes, number: int) -> bytes | None:
    with app.app_context():
        return signatures.signed_revision_of(data, number)


def verdicts(page: str) -> list[str]:
    return re.findall(r'data-verdict="([a-z_]+)"', page)


def upload(client, data: bytes, name: str = "van-ban.pdf"):
    return client.post("/verify", data={"pdf": (io.BytesIO(data), name)})


def test_the_page_of_a_fully_signed_request_shows_every_signature_valid(anonymous, signed_request):
    reply = anonymous.get(f"/v/{signed_request.code}")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "Valid: every signature is valid" in page
    assert verdicts(page) == ["valid", "valid"]
    assert "Quyết định phê duyệt kế hoạch" in page and "Signed and sealed" in page
    assert "Trần Văn Minh" in page and "Valid: the document was not changed" in page
    assert page.count("PAdES B-LTA") == 2  # long-term since the seal: DSS and a document timestamp
    assert page.count("The whole document") == 0  # (what came after the seal is that archive)
    assert f"/v/{signed_request.code}/revision/2" in page
    assert reply.headers["Cache-Control"] == "no-store"


def test_the_reasons_are_in_vietnamese_by_default(client, signed_request):
    page = client.get(f"/v/{signed_request.code}").get_data(as_text=True)
    assert "Chữ ký hợp lệ: tài liệu không bị thay đổi sau khi ký" in page
    assert "Valid: the document was not changed" not in page


def test_a_signed_in_person_sees_the_same_page(app, signed_request):
    page = signed_in(app, "thuky").get(f"/v/{signed_request.code}").get_data(as_text=True)
    assert verdicts(page) == ["valid", "valid"] and "Nguyễn Thị Thu" in page  # whoami shown


def test_the_downloads_are_the_current_pdf_and_what_each_signature_signed(
    app, anonymous, signed_request
):
    current = latest_bytes(app, signed_request)
    reply = fetch(anonymous, f"/v/{signed_request.code}/document")
    assert reply.data == current
    assert reply.headers["Content-Disposition"].startswith("attachment")
    with app.app_context():
        first_signed = stored(db.session.get(SigningRequest, signed_request.id).versions[1].sha256)
        expected = signatures.signed_revision_of(current, 1)
    reply = fetch(anonymous, f"/v/{signed_request.code}/revision/1")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert reply.headers["Content-Disposition"].startswith("attachment")
    assert reply.data == expected == first_signed  # the chair signed version 1 as it was
    sealed = fetch(anonymous, f"/v/{signed_request.code}/revision/2").data
    assert current.startswith(sealed) and sealed != current  # then the long-term data
    assert fetch(anonymous, f"/v/{signed_request.code}/revision/3").status_code == 404


def test_signed_pdfs_go_through_nginx_like_documents_and_answer_ranges_without_it(
    app, anonymous, signed_request
):
    sha256 = latest_sha256(app, signed_request)
    whole = fetch(anonymous, f"/v/{signed_request.code}/document")
    part = fetch(anonymous, f"/v/{signed_request.code}/document", headers={"Range": "bytes=0-7"})
    assert part.status_code == 206 and part.data == whole.data[:8] and part.data[:5] == b"%PDF-"
    assert whole.headers["ETag"] == f'"{sha256}"'
    app.config["DOCUMENT_ACCEL_PREFIX"] = "/_blobs/"  # behind nginx: Flask only names the file
    public = fetch(anonymous, f"/v/{signed_request.code}/document")
    chair = fetch(signed_in(app, "chutich"), f"/signing/{signed_request.id}/document.pdf")
    for reply in (public, chair):
        assert reply.status_code == 200 and reply.data == b""
        assert reply.headers["X-Accel-Redirect"].endswith(sha256)
    assert public.headers["Content-Disposition"].startswith('attachment; filename="quyet-dinh.pdf"')


def test_an_unknown_code_says_to_check_it(anonymous, signed_request):
    reply = anonymous.get("/v/ZZZZ2222")
    assert reply.status_code == 404
    assert "Check the code printed beside the QR code" in reply.get_data(as_text=True)
    assert anonymous.get("/v/ZZZZ2222/revision/1").status_code == 404
    reply = anonymous.get("/v/ZZZZ2222.json")
    assert reply.status_code == 404 and reply.json["ok"] is False


def test_a_typed_code_is_normalised_and_opens_its_page(anonymous, signed_request):
    code = signed_request.code
    typed = f"  {code[:4].lower()}-{code[4:]} "
    reply = anonymous.get("/verify", query_string={"code": typed})
    assert reply.status_code == 302 and reply.headers["Location"] == f"/v/{code}"
    reply = anonymous.get(f"/v/{code.lower()}")
    assert reply.status_code == 302 and reply.headers["Location"] == f"/v/{code}"
    pasted = f"http://127.0.0.1:5000/v/{code}"
    assert anonymous.get("/verify", query_string={"code": pasted}).headers["Location"] == (
        f"/v/{code}"
    )


def test_machines_get_the_report_as_json(app, anonymous, signed_request):
    reply = anonymous.get(f"/v/{signed_request.code}.json")
    assert reply.status_code == 200
    report = reply.json
    assert report["code"] == signed_request.code and report["status"] == "completed"
    assert report["title"] == "Quyết định phê duyệt kế hoạch" and report["version"] == 2
    assert report["sha256"] == latest_sha256(app, signed_request)
    assert report["all_valid"] is True
    assert [s["verdict"] for s in report["signatures"]] == ["valid", "valid"]
    assert [s["field_name"] for s in report["signatures"]] == ["signer1", "seal2"]


def test_uploading_the_signed_pdf_gives_the_same_verdicts(app, anonymous, signed_request):
    signed = latest_bytes(app, signed_request)
    reply = upload(anonymous, signed)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200, page
    by_code = anonymous.get(f"/v/{signed_request.code}").get_data(as_text=True)
    assert verdicts(page) == verdicts(by_code) == ["valid", "valid"]
    assert "Valid: every signature is valid" in page and "Phạm Văn Dấu" not in page  # a seal
    sha256 = latest_sha256(app, signed_request)
    revision = fetch(anonymous, f"/verify/{sha256}/revision/1")
    assert revision.status_code == 200
    assert revision.data == signed_revision_of(app, signed, 1)
    # Only the browser that uploaded the file may download from it.
    stranger = app.test_client()
    assert fetch(stranger, f"/verify/{sha256}/revision/1").status_code == 404


def test_a_page_edited_after_signing_is_changed_after_signing(app, anonymous, signed_request):
    edited = edited_afterwards(latest_bytes(app, signed_request))
    page = upload(anonymous, edited).get_data(as_text=True)
    # The signed bytes are intact; pyHanko's difference analysis finds a page's content
    # replaced after the signatures (modification level OTHER): changed after signing.
    assert verdicts(page) == ["changed_after_signing", "changed_after_signing"]
    assert "Warning: the document was changed after signing" in page
    assert "Changed after signing: the content now differs from what was signed." in page
    assert "Valid: every signature is valid" not in page


def test_a_byte_changed_inside_the_signed_range_is_changed_after_signing(
    app, anonymous, signed_request
):
    signed = bytearray(latest_bytes(app, signed_request))
    at = signed.index(b"/MediaBox [ 0 0 595 842 ]") + len(b"/MediaBox [ 0 0 59")
    signed[at : at + 1] = b"6"  # the first page is now 596 points wide
    page = upload(anonymous, bytes(signed)).get_data(as_text=True)
    assert verdicts(page) == ["changed_after_signing", "changed_after_signing"]
    assert "(digest)" in page


def test_bytes_appended_after_the_signed_end_are_reported(app, anonymous, signed_request):
    page = upload(anonymous, latest_bytes(app, signed_request) + b"\nthem sau khi ky\n").text
    assert verdicts(page) == ["valid", "valid"]  # each signed revision is still intact...
    assert "Data was added after the end of the signed document" in page  # ...the file is not
    assert "Warning: the document was changed after signing" in page


def test_a_file_too_complex_for_the_limits_is_refused_plainly(app, anonymous, signed_request):
    app.config["VERIFY_MEMORY_MB"] = 60  # read at each upload: pyHanko cannot even load
    reply = upload(anonymous, latest_bytes(app, signed_request))
    assert reply.status_code == 422
    assert "This PDF is too large or too complex to check here" in reply.text


def test_a_file_that_is_not_a_pdf_is_refused_plainly(anonymous, app):
    reply = upload(anonymous, b"Day la mot tep van ban, khong phai PDF.\n", "ghi-chu.txt")
    assert reply.status_code == 422
    assert "This file is not a PDF" in reply.get_data(as_text=True)
    reply = upload(anonymous, b"%PDF-1.7\n" + os.urandom(2000) + b"\n%%EOF\n")
    assert reply.status_code == 422
    assert "This PDF is damaged and cannot be checked" in reply.get_data(as_text=True)
    reply = anonymous.post("/verify", data={})
    assert reply.status_code == 400 and "Choose the PDF file" in reply.get_data(as_text=True)
    kept = list((Path(app.config["STORAGE_DIR"]) / UPLOAD_DIR).glob("*.pdf"))
    assert kept == []  # refused files are not kept


def test_a_pdf_without_signatures_says_so(anonymous):
    reply = upload(anonymous, simple_pdf(1))
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert "This document has no digital signature" in page
    assert "The file carries no digital signature" in page and verdicts(page) == []


def test_a_file_over_the_size_limit_gets_a_clear_message(app, anonymous):
    too_big = b"%PDF-1.7\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    # A raw body (as in test_documents): refused on its Content-Length, before it is parsed.
    reply = anonymous.post(
        "/verify", data=too_big, content_type="multipart/form-data; boundary=xyz"
    )
    assert reply.status_code == 413
    assert "larger than the limit of 5 MB" in reply.get_data(as_text=True)


def test_uploads_are_kept_an_hour_then_removed(app, anonymous, signed_request):
    signed = latest_bytes(app, signed_request)
    assert upload(anonymous, signed).status_code == 200
    sha256 = latest_sha256(app, signed_request)
    folder = Path(app.config["STORAGE_DIR"]) / UPLOAD_DIR
    hour_ago = time.time() - KEEP_UPLOAD_S - 1
    for suffix in (".pdf", ".json"):
        os.utime(folder / f"{sha256}{suffix}", (hour_ago, hour_ago))
    assert fetch(anonymous, f"/verify/{sha256}/revision/1").status_code == 404  # expired
    assert upload(anonymous, simple_pdf(1)).status_code == 200  # a new upload prunes
    assert not (folder / f"{sha256}.pdf").exists()
    assert not (folder / f"{sha256}.json").exists()


def test_the_public_form_works_with_its_csrf_token(app, signed_request):
    app.config["WTF_CSRF_ENABLED"] = True
    visitor = app.test_client()
    form = visitor.get("/verify").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    signed = latest_bytes(app, signed_request)
    refused = visitor.post("/verify", data={"pdf": (io.BytesIO(signed), "a.pdf")})
    assert refused.status_code == 400
    reply = visitor.post(
        "/verify", data={"csrf_token": token, "pdf": (io.BytesIO(signed), "a.pdf")}
    )
    assert reply.status_code == 200 and verdicts(reply.get_data(as_text=True)) == ["valid"] * 2


def test_the_pages_are_rate_limited_per_address(app, anonymous):
    app.config["VERIFY_LIMIT_PER_IP"] = "3 per minute"  # read at each request
    for _ in range(3):
        assert anonymous.get("/verify").status_code == 200
    reply = anonymous.get("/v/ABCD2345")
    assert reply.status_code == 429
    assert "Too many checks from this network" in reply.get_data(as_text=True)
    assert anonymous.get("/v/ABCD2345.json").json["ok"] is False


def test_a_withdrawn_request_is_no_longer_published_through_its_code(
    app, anonymous, secretary, chair, create_user
):
    """Its PDF stayed public through the 8-character code; now every address says withdrawn."""
    create_user("vanthu", Role.CLERK, full_name="Phạm Văn Dấu")
    with app.app_context():
        enrol(actor("chutich"), PASSWORD)
        enrol(actor("vanthu"), PASSWORD, purpose="seal")
        sent = submit_request(
            actor("thuky"),
            title="Dự thảo chưa ban hành",
            message="",
            due_at=utcnow() + timedelta(days=2),
            pdf=simple_pdf(1),
            file_name="du-thao.pdf",
            route=[RouteEntry(actor("chutich")), RouteEntry(actor("vanthu"), StepKind.SEAL)],
        ).request
        db.session.commit()
        code, request_id = sent.code, sent.id
    assert fetch(anonymous, f"/v/{code}/document").status_code == 200  # published in progress
    desk = signed_in(app, "thuky")
    assert desk.post(f"/signing/{request_id}/cancel").status_code == 302

    page = anonymous.get(f"/v/{code}")
    assert page.status_code == 410
    assert "This document was withdrawn" in page.text and "Dự thảo chưa ban hành" not in page.text
    for path in (f"/v/{code}/document", f"/v/{code}/revision/1"):
        assert anonymous.get(path).status_code == 410
    answer = anonymous.get(f"/v/{code}.json")
    assert answer.status_code == 410 and answer.json["status"] == "cancelled"
    assert "sha256" not in answer.json


def test_a_full_check_queue_answers_503_with_retry_after(app, anonymous, signed_request):
    """Anonymous checks cannot take the CPU the meetings need: a bounded number at a time."""
    app.config.update(VERIFY_CONCURRENCY=1, VERIFY_WAIT_S=0.2)
    signed = latest_bytes(app, signed_request)
    with app.app_context(), shared_slots.slot("verify", 1, wait_s=1, lease_s=60) as held:
        assert held  # another visitor's check is running
        busy = upload(anonymous, signed)
    assert busy.status_code == 503
    assert int(busy.headers["Retry-After"]) >= 30  # (or later, if the address's limit says so)
    assert "Wait a minute" in busy.get_data(as_text=True)
    assert upload(anonymous, signed).status_code == 200  # free again


def test_only_the_signed_ranges_and_the_report_are_kept(app, anonymous, signed_request):
    folder = Path(app.config["STORAGE_DIR"]) / UPLOAD_DIR
    appended = latest_bytes(app, signed_request) + b"\n% junk appended after the signatures\n"
    assert upload(anonymous, appended).status_code == 200
    sha256 = hashlib.sha256(appended).hexdigest()
    kept = (folder / f"{sha256}.pdf").read_bytes()
    assert appended.startswith(kept) and len(kept) < len(appended)  # up to the last signature
    assert fetch(anonymous, f"/verify/{sha256}/revision/2").status_code == 200

    unsigned = simple_pdf(1)
    assert upload(anonymous, unsigned).status_code == 200
    unsigned_sha = hashlib.sha256(unsigned).hexdigest()
    assert not (folder / f"{unsigned_sha}.pdf").exists()  # nothing to download: report only
    assert (folder / f"{unsigned_sha}.json").exists()


def test_kept_uploads_stay_under_the_quota_oldest_first(app, anonymous):
    folder = Path(app.config["STORAGE_DIR"]) / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    app.config["VERIFY_KEEP_MB"] = 1
    now = time.time()
    for age, name in enumerate(("c", "b", "a")):  # "a" the oldest
        path = folder / f"{name}.pdf"
        path.write_bytes(b"0" * 600_000)
        os.utime(path, (now - 60 * (age + 1), now - 60 * (age + 1)))
    with app.app_context():
        assert prune_uploads(folder) == 2
    assert sorted(path.name for path in folder.iterdir()) == ["c.pdf"]
