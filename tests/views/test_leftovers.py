"""Refused uploads leave nothing, on every form that takes a file; what a killed process left
in the temporary folder is swept away."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest

from meeting_server.models import Role
from tests.support import pdf_samples
from tests.support.clients import signed_in

REFUSED = {
    "renamed text file": pdf_samples.renamed_text_file,
    "truncated": pdf_samples.truncated_pdf,
    "javascript": pdf_samples.javascript_pdf,
}


def leftovers(app) -> list[Path]:
    root = Path(app.config["STORAGE_DIR"])
    return sorted(path for path in root.rglob("*") if path.is_file())


def system_temp() -> set[str]:
    return set(os.listdir(tempfile.gettempdir()))


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_signing_upload_leaves_nothing(app, secretary, chair, create_user, case):
    clerk = create_user("vanthu", Role.CLERK)
    desk = signed_in(app, "thuky")
    before = system_temp()
    form = {
        "title": "Tờ trình",
        "due_at": "2030-01-10T10:00",
        "signer": [str(chair.id)],
        "signer_page": [""],
        "signer_box": [""],
        "seal": str(clerk.id),
        "file": (io.BytesIO(REFUSED[case]()), "to-trinh.pdf"),
    }
    answer = desk.post("/signing/new", data=form)
    assert answer.status_code == 422, answer.get_data(as_text=True)[:500]
    assert leftovers(app) == []
    assert {n for n in system_temp() - before if not n.startswith("pytest")} == set()


@pytest.mark.parametrize("case", ["renamed text file", "truncated"])  # (the other is a PDF)
def test_a_refused_public_check_leaves_nothing(app, client, case):
    before = system_temp()
    answer = client.post("/verify", data={"pdf": (io.BytesIO(REFUSED[case]()), "van-ban.pdf")})
    assert answer.status_code in (400, 422)
    assert "PDF" in answer.get_data(as_text=True)
    assert leftovers(app) == []
    assert {n for n in system_temp() - before if not n.startswith("pytest")} == set()
