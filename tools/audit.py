"""Audit the locked packages for known vulnerabilities (`make audit`), or say plainly why not.

pip-audit checks the exported lock against PyPI's advisory data (and OSV if PyPI's cannot be
reached); npm audit checks package-lock.json. A machine that reaches neither database must not
read as "no vulnerabilities": pip-audit reports every package as "not found on PyPI" and exits 0
there, so this script counts what was really audited and fails when it was not everything.
Exit codes: 0 everything audited, nothing known; 1 known vulnerabilities (in what could be
audited); 2 nothing known, but some or all of it could not be audited.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("pypi", "osv")
UNREACHABLE = (
    "No vulnerability database could be reached from this machine (PyPI's advisory API, OSV, "
    "npm's advisories): nothing was audited. Run `make audit` on a machine that reaches them, "
    "or give dist/sbom.cdx.json (`make sbom`) to your own scanner."
)


def main(argv: list[str]) -> int:
    """Audit the Python lock, then the npm lockfile; print the findings."""
    if len(argv) != 1:
        print("usage: audit.py REQUIREMENTS (the lock exported with hashes)", file=sys.stderr)
        return 2
    results = {"Python": _audit_python(Path(argv[0])), "npm": _audit_npm()}
    found = [line for lines in results.values() for line in lines or []]
    for line in found:
        print(line)
    missed = [side for side, lines in results.items() if lines is None]
    if len(missed) == len(results):
        print(UNREACHABLE, file=sys.stderr)
        return 2
    if missed:
        print(f"audit: the {missed[0]} packages could not be audited (see above)", file=sys.stderr)
    if found:
        print(f"audit: {len(found)} known vulnerabilities (see above)")
        return 1
    if missed:
        return 2
    print("audit: every locked Python and npm package audited; no known vulnerabilities")
    return 0


def _audit_python(requirements: Path) -> list[str] | None:
    """Return one line per known vulnerability, or None if no service answered for everything."""
    for service in SERVICES:
        report = _pip_audit(requirements, service)
        if report is None:
            continue
        skipped = [d for d in report["dependencies"] if d.get("skip_reason")]
        if skipped:
            print(f"pip-audit ({service}): {len(skipped)} packages not audited", file=sys.stderr)
            continue
        return [
            f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions'])})"
            for d in report["dependencies"]
            for v in d.get("vulns", [])
        ]
    return None


def _pip_audit(requirements: Path, service: str) -> dict[str, Any] | None:
    """Run pip-audit on the pinned, hashed requirements without installing anything."""
    command = [str(Path(sys.executable).with_name("pip-audit")), "--disable-pip"]
    command += ["--require-hashes", "--requirement", str(requirements), "--format", "json"]
    command += ["--vulnerability-service", service, "--progress-spinner", "off"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    try:
        return dict(json.loads(result.stdout))
    except json.JSONDecodeError:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit ({service}) failed: {reason[:300]}", file=sys.stderr)
        return None


def _audit_npm() -> list[str] | None:
    """Return one line per npm advisory, or None if npm's advisory endpoint did not answer."""
    command = ["npm", "audit", "--package-lock-only", "--omit=optional", "--json"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        report = {"error": {"summary": result.stderr.strip()[-300:]}}
    if "error" in report or "vulnerabilities" not in report:
        error = report.get("error") or {}
        reason = report.get("message") or error.get("summary") or error.get("code") or "no report"
        print(f"npm audit failed: {str(reason)[:300]}", file=sys.stderr)
        return None
    return [
        f"{name} (npm): {via.get('title', via) if isinstance(via, dict) else f'through {via}'}"
        for name, entry in report.get("vulnerabilities", {}).items()
        for via in entry.get("via", [])
    ]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
