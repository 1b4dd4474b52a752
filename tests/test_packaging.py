"""What an office installs: the locked packages, the wheel on its own, and the SBOM of both."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from base64 import b64decode
from pathlib import Path

import pytest
import requests

from tests.support.browser import free_port, stop, wait_until_up

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
UV = str(Path(sys.executable).with_name("uv"))
# What a fresh clone has not, besides what `make install` generates (vendor/, *.mo).
NOT_IN_A_CHECKOUT = (".git", ".venv*", "node_modules", "build", "dist", "instance", "*.egg-info")
NOT_IN_A_CHECKOUT += ("__pycache__", ".*_cache", "artifacts", ".coverage*")
# `make test-latest` runs the suite in a virtualenv of the newest releases, not of the lock.
from_the_lock = pytest.mark.skipif(
    os.environ.get("MEETING_TEST_UNLOCKED") == "1",
    reason="this virtualenv was built from the newest releases, not from uv.lock",
)


def locked_packages() -> dict[tuple[str, str], dict]:
    """Return uv.lock's registry packages by (name, version); the project itself left out.

    The lock covers every Python version pyproject.toml allows, so a package may appear twice.
    """
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {(p["name"], p["version"]): p for p in lock["package"] if p["name"] != "meeting-server"}


def locked(name: str) -> dict:
    """Return the one locked entry of ``name``."""
    (package,) = [p for (n, _), p in locked_packages().items() if n == name]
    return package


def file_hashes(package: dict) -> set[str]:
    """Return the SHA-256 digests uv.lock records for a package's wheels and sdist."""
    files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
    return {f["hash"].removeprefix("sha256:") for f in files}


def uv(*args: str, cwd: Path = ROOT) -> str:
    """Run the locked uv with ``args``; fail the test with its output if it fails."""
    result = subprocess.run(
        [UV, *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"uv {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_every_locked_package_has_an_exact_version_and_file_hashes():
    packages = locked_packages()
    assert len(packages) > 80
    for (name, _), package in packages.items():
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", package["version"]), name
        assert file_hashes(package), f"{name} has no file hashes in uv.lock"
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in file_hashes(package)), name


@from_the_lock
def test_the_lock_matches_pyproject_and_the_installed_virtualenv():
    uv("lock", "--check", "--offline")  # fails if pyproject.toml changed without `make lock`
    installed = uv("pip", "list", "--python", sys.executable, "--format", "json")
    packages = locked_packages()
    for entry in json.loads(installed):
        name = entry["name"].lower().replace("_", "-")
        if name == "meeting-server":
            continue
        assert (name, entry["version"]) in packages, f"{name} {entry['version']} is not locked"


def test_the_bootstrap_uv_is_the_locked_uv_with_the_same_hashes():
    text = (ROOT / "tools" / "uv-requirements.txt").read_text(encoding="utf-8")
    pinned = re.search(r"^uv==(\S+)", text, re.MULTILINE).group(1)
    assert pinned == locked("uv")["version"], "run `make lock` to re-pin tools/uv-requirements.txt"
    assert set(re.findall(r"sha256:([0-9a-f]{64})", text)) == file_hashes(locked("uv"))


@pytest.fixture(scope="module")
def sbom(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("sbom") / "sbom.cdx.json"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sbom.py"), "--output", str(target)],
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    return json.loads(target.read_text(encoding="utf-8"))


@from_the_lock
def test_the_sbom_lists_every_installed_python_package_with_its_locked_version_and_hashes(sbom):
    assert sbom["bomFormat"] == "CycloneDX" and sbom["specVersion"] == "1.6"
    listed = {c["purl"]: c for c in sbom["components"] if c["purl"].startswith("pkg:pypi/")}
    installed = json.loads(uv("pip", "list", "--python", sys.executable, "--format", "json"))
    packages = locked_packages()
    for entry in installed:
        name = entry["name"].lower().replace("_", "-")
        if name == "meeting-server":
            continue
        component = listed.pop(f"pkg:pypi/{name}@{entry['version']}", None)
        assert component is not None, f"{name} {entry['version']} is missing from the SBOM"
        hashes = {
            h["content"] for ref in component["externalReferences"] for h in ref.get("hashes", [])
        }
        assert hashes == file_hashes(packages[name, entry["version"]]), name
    assert not listed, f"the SBOM lists packages that are not installed: {sorted(listed)}"


def test_the_sbom_lists_every_npm_package_that_npm_ci_installs_with_its_integrity(sbom):
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    wanted = {
        path.removeprefix("node_modules/"): entry
        for path, entry in lock["packages"].items()
        if path and not entry.get("optional") and not entry.get("dev")
    }
    listed = {c["name"]: c for c in sbom["components"] if c["purl"].startswith("pkg:npm/")}
    assert set(listed) == set(wanted)
    for name, entry in wanted.items():
        algorithm, digest = entry["integrity"].split("-", 1)
        assert algorithm == "sha512"
        assert listed[name]["version"] == entry["version"]
        assert listed[name]["hashes"] == [{"alg": "SHA-512", "content": b64decode(digest).hex()}]


def test_the_sbom_separates_what_a_deployment_runs_from_the_test_tools(sbom):
    scope = {c["name"]: c["scope"] for c in sbom["components"]}
    assert scope["pyhanko"] == scope["flask"] == scope["pdfjs-dist"] == "required"
    assert scope["pytest"] == scope["playwright"] == scope["ruff"] == "excluded"
    root = sbom["metadata"]["component"]
    assert root["name"] == "meeting-server"
    direct = next(d for d in sbom["dependencies"] if d["ref"] == root["bom-ref"])["dependsOn"]
    assert "pkg:pypi/pyhanko@" + locked("pyhanko")["version"] in direct


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build our wheel and install it with the locked runtime packages into a new virtualenv."""
    work = tmp_path_factory.mktemp("wheel")
    # Build from a copy, as a fresh checkout after `make install` would: setuptools' build/ in
    # the work tree keeps files deleted from the source, and the other worker reads the tree.
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_IN_A_CHECKOUT))
    build = ["build", "--wheel", "--no-build-isolation", "--python", sys.executable]
    uv(*build, "--out-dir", str(work / "dist"), str(source))
    export = ["export", "--quiet", "--locked", "--no-emit-project", "--format", "requirements.txt"]
    uv(*export, "--output-file", str(work / "runtime.txt"))
    venv = work / "venv"
    uv("venv", "--quiet", "--python", sys.executable, str(venv))
    python = str(venv / "bin" / "python")
    uv(
        "pip",
        "install",
        "--quiet",
        "--python",
        python,
        "--require-hashes",
        "--requirement",
        str(work / "runtime.txt"),
    )
    (wheel,) = (work / "dist").glob("meeting_server-*.whl")
    uv("pip", "install", "--quiet", "--python", python, "--no-deps", str(wheel))
    return venv


def test_the_wheel_carries_pages_scripts_vendored_libraries_catalogues_and_migrations(wheel_venv):
    (wheel,) = (wheel_venv.parent / "dist").glob("meeting_server-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "meeting_server/templates/auth/login.html",
        "meeting_server/static/js/tablet/meeting.js",
        "meeting_server/static/vendor/pdfjs/pdf.min.mjs",
        "meeting_server/static/vendor/pdfjs/pdf.worker.min.mjs",
        "meeting_server/static/vendor/socket.io.esm.min.js",
        "meeting_server/static/vendor/fonts/tinos/Tinos_400Regular.ttf",
        "meeting_server/static/vendor/fonts/tinos/Tinos_700Bold_Italic.ttf",
        "meeting_server/static/vendor/fonts/tinos/OFL.txt",
        "meeting_server/translations/vi/LC_MESSAGES/messages.mo",
        "meeting_server/migrations/env.py",
        "signing/__init__.py",
    ):
        assert needed in names, f"{needed} is not in the wheel"
    assert any(n.startswith("meeting_server/migrations/versions/") for n in names)


def _in_the_wheel(wheel_venv: Path, cwd: Path, env: dict[str, str], code: str) -> str:
    """Run ``code`` with the wheel's own Python (outside the checkout); return what it prints."""
    return subprocess.run(
        [str(wheel_venv / "bin" / "python"), "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_installed_wheel_alone_migrates_and_serves_the_login_page_with_its_assets(
    wheel_venv, tmp_path
):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEETING_", "PYTHON"))}
    env |= {"MEETING_INSTANCE_PATH": str(tmp_path / "instance"), "LC_ALL": "C.UTF-8"}
    program = str(wheel_venv / "bin" / "meeting-server")
    where = _in_the_wheel(
        wheel_venv, tmp_path, env, "import meeting_server as m; print(m.__file__)"
    )
    assert where.startswith(str(wheel_venv)), f"imported from {where}, not the installed wheel"
    serif = _in_the_wheel(
        wheel_venv, tmp_path, env, "import signing.fonts as f; print(f.serif_source())"
    )
    assert serif.startswith(str(wheel_venv)), f"the serif comes from {serif}, not the wheel"
    subprocess.run([program, "db", "upgrade"], cwd=tmp_path, env=env, check=True, timeout=120)
    port = free_port()
    env["MEETING_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([program, "serve", "--port", str(port)], cwd=tmp_path, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/login", server, seconds=60)
        page = requests.get(base + "/login", timeout=10)
        assert page.status_code == 200 and 'name="password"' in page.text
        assets = re.findall(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"?]+)', page.text)
        assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
        for asset in [
            *assets,
            "/static/vendor/pdfjs/pdf.min.mjs",
            "/static/vendor/socket.io.esm.min.js",
        ]:
            reply = requests.get(base + asset, timeout=10)
            assert reply.status_code == 200 and reply.content, asset
    finally:
        stop(server, seconds=20)
    assert (tmp_path / "instance" / "meeting.sqlite3").exists()


def test_only_pyhankos_dsa_deprecation_is_silenced_and_only_where_pyhanko_raises_it():
    strict = [sys.executable, "-W", "error", "-c"]
    imported = subprocess.run([*strict, "import signing"], capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    ours = "import signing\nfrom cryptography.hazmat.primitives.asymmetric import dsa as d\n"
    ours += "d.DSAPrivateKey"
    elsewhere = subprocess.run([*strict, ours], capture_output=True, text=True)
    assert elsewhere.returncode != 0
    assert "CryptographyDeprecationWarning: DSA is deprecated" in elsewhere.stderr
