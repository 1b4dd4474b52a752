"""Write a CycloneDX SBOM of exactly what uv.lock and package-lock.json install (`make sbom`).

The Python part comes from cyclonedx-py (CycloneDX's own generator) reading the lock exported by
uv with every file's SHA-256; the browser part from npm's own `npm sbom` reading package-lock.json
only. This script merges the two into one document, marks the Python packages needed only for
development and tests with scope "excluded" (they are not part of a deployment), names the
project's direct dependencies, and validates the result against the CycloneDX 1.6 schema.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
SPEC_VERSION = "1.6"


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, build the SBOM and write it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", "-o", type=Path, default=ROOT / "dist" / "sbom.cdx.json")
    args = parser.parse_args(argv)
    try:
        bom = build_sbom()
    except (subprocess.CalledProcessError, ValueError) as error:
        detail = getattr(error, "stderr", "") or ""
        print(f"sbom: {error}\n{detail}".rstrip(), file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.output.with_suffix(".tmp")
    temporary.write_text(json.dumps(bom, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(args.output)
    counts = _count_by_ecosystem(bom)
    print(f"sbom: {args.output} ({counts['pypi']} Python and {counts['npm']} npm packages)")
    return 0


def build_sbom() -> dict[str, Any]:
    """Return the merged, validated CycloneDX document as a dict."""
    with tempfile.TemporaryDirectory(prefix="sbom-") as folder:
        work = Path(folder)
        everything = _uv_export(work / "all.txt", "--all-extras")
        runtime_names = _pinned_names(_uv_export(work / "runtime.txt"))
        bom = _python_bom(everything, work / "python.cdx.json")
    _name_python_components(bom, runtime_names)
    _add_npm_components(bom, _npm_bom())
    _name_direct_dependencies(bom)
    environment = f"{platform.python_implementation()} {platform.python_version()}"
    environment += f", {sys.platform} {platform.machine()}"
    bom["metadata"].setdefault("properties", []).append(
        {"name": "meeting-server:python-environment", "value": environment}
    )
    _validate(bom)
    return bom


def _uv_export(target: Path, *options: str) -> Path:
    """Export what the lock installs here (exact versions, every file's hash) as requirements.

    uv.lock covers every platform and Python version; entries whose environment marker does
    not hold for this interpreter (colorama on Windows, backports for older Pythons) are not
    installed here and are left out, so the SBOM lists exactly this installation.
    """
    uv = os.environ.get("UV") or str(Path(sys.executable).with_name("uv"))
    command = [uv, "export", "--quiet", "--locked", "--no-emit-project", *options]
    command += ["--format", "requirements.txt", "--no-header", "--no-annotate"]
    exported = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    target.write_text(_for_this_environment(exported.stdout), encoding="utf-8")
    return target


def _for_this_environment(requirements: str) -> str:
    """Drop the requirement blocks whose ``; marker`` is false for this interpreter."""
    kept: list[str] = []
    keep = True
    for line in requirements.splitlines():
        if line and not line[0].isspace():
            requirement = line.removesuffix("\\").strip()
            keep = ";" not in requirement or Marker(requirement.split(";", 1)[1]).evaluate()
        if keep:
            kept.append(line)
    return "\n".join(kept) + "\n"


def _python_bom(requirements: Path, target: Path) -> dict[str, Any]:
    """Run cyclonedx-py over the exported lock and return its document."""
    generator = Path(sys.executable).with_name("cyclonedx-py")
    command = [str(generator), "requirements", "--pyproject", str(ROOT / "pyproject.toml")]
    command += ["--of", "JSON", "--sv", SPEC_VERSION, "--output-reproducible"]
    command += ["--output-file", str(target), str(requirements)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return dict(json.loads(target.read_text(encoding="utf-8")))


def _name_python_components(bom: dict[str, Any], runtime_names: set[str]) -> None:
    """Use the package URL as bom-ref (not a line number) and set each component's scope."""
    renamed = {}
    for component in bom["components"]:
        renamed[component["bom-ref"]] = component["purl"]
        component["bom-ref"] = component["purl"]
        component.pop("description", None)  # "requirements line N: …", an export artefact
        runtime = canonicalize_name(component["name"]) in runtime_names
        component["scope"] = "required" if runtime else "excluded"
    for dependency in bom.get("dependencies", []):
        dependency["ref"] = renamed.get(dependency["ref"], dependency["ref"])
        dependency["dependsOn"] = [renamed.get(r, r) for r in dependency.get("dependsOn", [])]


def _pinned_names(requirements: Path) -> set[str]:
    """Return the normalised names pinned in an exported requirements file."""
    names = set()
    for line in requirements.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and "==" in line:
            names.add(canonicalize_name(line.split("==", 1)[0]))
    return names


def _npm_bom() -> dict[str, Any]:
    """Run `npm sbom` over package-lock.json alone (no node_modules needed)."""
    version = subprocess.run(["npm", "--version"], check=True, capture_output=True, text=True)
    if tuple(int(part) for part in version.stdout.strip().split(".")[:2]) < (9, 5):
        raise ValueError(f"`npm sbom` needs npm 9.5 or newer; this is npm {version.stdout.strip()}")
    # The same selection as `make install`'s `npm ci --omit=optional`.
    command = ["npm", "sbom", "--sbom-format", "cyclonedx", "--package-lock-only"]
    command += ["--omit", "dev", "--omit", "optional"]
    result = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return dict(json.loads(result.stdout))


def _add_npm_components(bom: dict[str, Any], npm: dict[str, Any]) -> None:
    """Append npm's components and their dependency graph, with bom-refs kept apart."""
    refs = {c["bom-ref"] for c in npm.get("components", [])}
    for component in npm.get("components", []):
        component["bom-ref"] = "npm:" + component["bom-ref"]
        component.setdefault("scope", "required")
        bom["components"].append(component)
    for dependency in npm.get("dependencies", []):
        if dependency["ref"] not in refs:
            continue  # npm's own root (the assets package.json) is not a component here
        bom.setdefault("dependencies", []).append(
            {
                "ref": "npm:" + dependency["ref"],
                "dependsOn": ["npm:" + ref for ref in dependency.get("dependsOn", [])],
            }
        )


def _name_direct_dependencies(bom: dict[str, Any]) -> None:
    """Say which components the project itself asks for (pyproject.toml and package.json)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    wanted = {("pypi", canonicalize_name(Requirement(spec).name)) for spec in specs}
    wanted |= {("npm", name) for name in package.get("dependencies", {})}
    refs = {_ecosystem_and_name(c): c["bom-ref"] for c in bom["components"]}
    missing = wanted - refs.keys()
    if missing:
        raise ValueError(f"direct dependencies missing from the locks: {sorted(missing)}")
    root = bom["metadata"]["component"]["bom-ref"]
    others = [d for d in bom.get("dependencies", []) if d["ref"] != root]
    direct = sorted(refs[key] for key in wanted)
    bom["dependencies"] = [{"ref": root, "dependsOn": direct}, *others]


def _ecosystem_and_name(component: dict[str, Any]) -> tuple[str, str]:
    if component["bom-ref"].startswith("npm:"):
        return "npm", component["name"]
    return "pypi", canonicalize_name(component["name"])


def _validate(bom: dict[str, Any]) -> None:
    """Check the document against the CycloneDX JSON schema; raise ValueError if it fails."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.from_version(SPEC_VERSION)).validate_str(
        json.dumps(bom)
    )
    if error is not None:
        raise ValueError(f"the SBOM does not match the CycloneDX schema: {error}")


def _count_by_ecosystem(bom: dict[str, Any]) -> dict[str, int]:
    counts = {"pypi": 0, "npm": 0}
    for component in bom["components"]:
        kind = str(component.get("purl", "")).removeprefix("pkg:").split("/", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    return counts


if __name__ == "__main__":
    sys.exit(main())
