"""The package's layering rules, checked on what Python really imports (``-X importtime``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "meeting_server"
#: The sandboxed PDF children: `workers.run_child` starts each with `python -m`.
CHILDREN = sorted(path.stem for path in PACKAGE.glob("_*_worker.py"))
WEB_STACK = {"flask", "werkzeug", "jinja2", "sqlalchemy", "flask_socketio", "gevent"}


def imported_by(statement: str) -> set[str]:
    """Return the top-level packages a fresh interpreter imports to run ``statement``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    names = (line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line)
    return {name.split(".")[0] for name in names}


def test_there_are_children_to_check():
    assert len(CHILDREN) >= 6, CHILDREN


@pytest.mark.parametrize("child", CHILDREN)
def test_a_sandboxed_child_loads_no_web_stack(child):
    """A child starts under its limits with the PDF libraries only, not Flask and the database."""
    assert imported_by(f"import meeting_server.{child}") & WEB_STACK == set()


def test_importing_the_package_loads_no_web_stack():
    assert imported_by("import meeting_server") & WEB_STACK == set()


def test_production_code_does_not_import_the_demo():
    """Only the CLI's `demo` command and the demo modules themselves may use the demo data."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(("demo", "cli")):
            continue
        text = path.read_text(encoding="utf-8")
        if "demo_documents" in text or "demo_texts" in text or "demo_signing" in text:
            offenders.append(relative)
    assert offenders == []
