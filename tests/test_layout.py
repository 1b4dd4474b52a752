"""The package's layering rules, checked on what Python really imports (``-X importtime``)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "meeting_server"
#: The sandboxed PDF children: `pdf.runner.run_child` starts each with `python -m`.
CHILDREN = sorted(
    path.stem for path in (PACKAGE / "pdf" / "children").glob("*.py") if path.stem != "__init__"
)
WEB_STACK = {"flask", "werkzeug", "jinja2", "sqlalchemy", "flask_socketio", "gevent"}


def imported_by(statement: str) -> set[str]:
    """Return the top-level packages a fresh interpreter imports to run ``statement``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    names = (line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line)
    return {name.split(".")[0] for name in names}


def test_there_are_children_to_check():
    assert len(CHILDREN) >= 7, CHILDREN


@pytest.mark.parametrize("child", CHILDREN)
def test_a_sandboxed_child_loads_no_web_stack(child):
    """A child starts under its limits with the PDF libraries only, not Flask and the database."""
    assert imported_by(f"import meeting_server.pdf.children.{child}") & WEB_STACK == set()


def test_importing_the_package_loads_no_web_stack():
    assert imported_by("import meeting_server") & WEB_STACK == set()


def test_production_code_does_not_import_the_demo():
    """Only the CLI (its `demo` command) and the demo package itself may use the demo data."""
    imports_demo = re.compile(r"^\s*(from|import) (\.+|meeting_server\.)demo\b", re.MULTILINE)
    offenders = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in {"demo", "cli"}
        and imports_demo.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_there_is_one_font_cutter():
    """Every static face (stamps, seal, minutes, demo, watermark) is cut by `signing.fonts`."""
    cutters = [
        path.relative_to(PACKAGE.parent).as_posix()
        for root in (PACKAGE, PACKAGE.parent / "signing")
        for path in root.rglob("*.py")
        if any(
            cutter in path.read_text(encoding="utf-8")
            for cutter in ("instantiateVariableFont", "scale_upem", "scaleUpem", "Subsetter(")
        )
    ]
    assert cutters == ["signing/fonts.py"]


def test_the_font_cutter_and_the_signing_errors_load_no_pdf_library():
    """A server or a child that only needs a font folder or an error class stays small."""
    heavy = {"pyhanko", "fontTools", "fpdf", "pikepdf", "pypdf"} | WEB_STACK
    assert imported_by("import signing.fonts, signing.errors") & heavy == set()


TESTS = Path(__file__).resolve().parent
#: Test folders that are not a part of the package: helpers, real-browser tests, the library's.
NOT_A_PART = {"support", "browser", "signing_lib", "artifacts", "__pycache__"}


def test_test_folders_mirror_the_package():
    """`tests/views/` tests `meeting_server/views/`, and so on: a newcomer finds both halves."""
    folders = {path.name for path in TESTS.iterdir() if path.is_dir()} - NOT_A_PART
    assert folders, "no test folders found"
    assert sorted(f for f in folders if not (PACKAGE / f).is_dir()) == []


def test_the_library_tests_import_nothing_of_the_app():
    """`tests/signing_lib/` exercises `signing/` alone, as another project would use it."""
    app_import = re.compile(r"^\s*(from|import) (meeting_server|tests\.support)\b", re.MULTILINE)
    offenders = [
        path.name
        for path in (TESTS / "signing_lib").glob("*.py")
        if app_import.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
