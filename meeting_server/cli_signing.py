"""``meeting-server ca | sign | verify``: the signing library from the command line."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import current_app
from flask.cli import with_appcontext

from signing.ca import CAConfig, InternalCA, generate_private_key
from signing.errors import SigningError
from signing.keys import KeySource, PinProtectedKey
from signing.sign import PadesLevel, SignatureRequest, sign_pdf
from signing.stamps import LeaderStamp, SealStamp
from signing.tokens import Pkcs11KeySource, Pkcs12KeySource
from signing.trust import TrustSettings
from signing.validate import validate_pdf

LEVELS = click.Choice([level.value for level in PadesLevel])


def _ca_dir() -> Path:
    return Path(current_app.config["CA_DIR"])


def _passphrase() -> bytes:
    value = os.environ.get("MEETING_CA_PASSPHRASE") or click.prompt(
        "CA passphrase", hide_input=True
    )
    return str(value).encode()


def _load_ca() -> InternalCA:
    try:
        return InternalCA.load(_ca_dir(), _passphrase())
    except SigningError as error:
        raise click.ClickException(str(error)) from None


def _pin(prompt: str = "PIN") -> str:
    return os.environ.get("MEETING_SIGN_PIN") or str(click.prompt(prompt, hide_input=True))


@click.group("ca")
def ca_group() -> None:
    """Run the internal certificate authority."""


@ca_group.command("init")
@click.option("--organisation", required=True, help="e.g. 'Ủy ban nhân dân Thành phố …'")
@click.option("--key-type", type=click.Choice(["rsa2048", "rsa3072", "ec-p256"]), default="rsa3072")
@with_appcontext
def ca_init(organisation: str, key_type: str) -> None:
    """Create the root and issuing CA (passphrase from MEETING_CA_PASSPHRASE or asked)."""
    config = CAConfig(
        organisation=organisation,
        crl_base_url=current_app.config["PUBLIC_URL"].rstrip("/") + "/ca",
        key_type=key_type,  # type: ignore[arg-type]  # click.Choice narrows it
    )
    try:
        ca = InternalCA.create(_ca_dir(), config, _passphrase())
    except SigningError as error:
        raise click.ClickException(str(error)) from None
    _publish_crls(ca)
    click.echo(f"CA created in {_ca_dir()}: {ca.root_certificate.subject.rfc4514_string()}")


@ca_group.command("issue")
@click.option("--name", "full_name", help="Full name of a signer (omit with --seal).")
@click.option("--title", default="")
@click.option("--seal", is_flag=True, help="Issue the organisation's seal certificate.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True)
@with_appcontext
def ca_issue(full_name: str | None, title: str, seal: bool, out_dir: Path) -> None:
    """Generate a key, issue its certificate, store the key PIN-protected in OUT."""
    ca = _load_ca()
    if not seal and not full_name:
        raise click.ClickException("Give --name for a signer, or --seal for the seal.")
    private_key = generate_private_key(ca.config.key_type)
    if seal:
        cert = ca.issue_seal(
            public_key=private_key.public_key(), organisation=ca.config.organisation
        )
    else:
        cert = ca.issue_signer(
            public_key=private_key.public_key(),
            full_name=full_name or "",
            title=title,
            organisation=ca.config.organisation,
        )
    try:
        key = PinProtectedKey.seal(
            private_key, _pin("New PIN (6+ characters)"), certificate=cert, chain=ca.chain
        )
    except SigningError as error:
        raise click.ClickException(str(error)) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "cert.pem").write_bytes(_pem(cert, *ca.chain))
    (out_dir / "key.json").write_bytes(key.envelope)
    os.chmod(out_dir / "key.json", 0o600)
    click.echo(
        f"Issued serial {cert.serial_number:x} to {cert.subject.rfc4514_string()} → {out_dir}"
    )


@ca_group.command("revoke")
@click.argument("serial")
@with_appcontext
def ca_revoke(serial: str) -> None:
    """Revoke a certificate by its serial number (hex) and publish the new CRL."""
    ca = _load_ca()
    try:
        ca.revoke(int(serial, 16))
    except (ValueError, SigningError) as error:
        raise click.ClickException(f"Cannot revoke {serial}: {error}") from None
    _publish_crls(ca)
    click.echo(f"Revoked {serial}; CRL published in {_ca_dir()}")


@ca_group.command("crl")
@with_appcontext
def ca_crl() -> None:
    """Publish fresh CRLs (issuing.crl, root.crl) into the CA folder for the server."""
    _publish_crls(_load_ca())
    click.echo(f"CRLs published in {_ca_dir()}")


def _publish_crls(ca: InternalCA) -> None:
    for name, data in (("issuing.crl", ca.crl()), ("root.crl", ca.root_crl())):
        temporary = _ca_dir() / f".{name}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, _ca_dir() / name)


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(cert.public_bytes(Encoding.PEM) for cert in certs)


def _read_certs(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def _key_source(
    key: Path | None, p12: Path | None, pkcs11: str | None, token: str | None, key_label: str | None
) -> KeySource:
    if key is not None:
        certs = _read_certs(key.parent / "cert.pem")
        source = PinProtectedKey.from_envelope(
            key.read_bytes(), certificate=certs[0], chain=certs[1:]
        )
        source.unlock(_pin())
        return source
    if p12 is not None:
        return Pkcs12KeySource.from_bytes(p12.read_bytes(), _pin("PKCS#12 passphrase").encode())
    if pkcs11 and token and key_label:
        return Pkcs11KeySource(
            library=pkcs11, token_label=token, user_pin=_pin("Token PIN"), key_label=key_label
        )
    raise click.ClickException(
        "Choose a key: --key DIR/key.json, --p12 FILE, or "
        "--pkcs11 LIB --token LABEL --key-label LABEL."
    )


@click.command("sign")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--key", type=click.Path(exists=True, path_type=Path), help="key.json from `ca issue`"
)
@click.option("--p12", type=click.Path(exists=True, path_type=Path))
@click.option("--pkcs11", help="PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so")
@click.option("--token")
@click.option("--key-label")
@click.option("--field", default="Signature1", show_default=True)
@click.option("--level", type=LEVELS, default="B-B", show_default=True)
@click.option("--tsa", help="RFC 3161 timestamp authority URL (B-T and above)")
@click.option("--certify", is_flag=True, help="Certification signature (DocMDP P=2)")
@click.option("--visible", type=click.Choice(["leader", "seal"]), help="Add a visible stamp")
@click.option("--box", help="x1,y1,x2,y2 in points for the stamp", default="330,40,560,130")
@click.option("--page", type=int, default=-1, show_default=True)
@with_appcontext
def sign_command(
    pdf: Path,
    out: Path,
    key: Path | None,
    p12: Path | None,
    pkcs11: str | None,
    token: str | None,
    key_label: str | None,
    field: str,
    level: str,
    tsa: str | None,
    certify: bool,
    visible: str | None,
    box: str,
    page: int,
) -> None:
    """Sign PDF into OUT (PIN from MEETING_SIGN_PIN or asked)."""
    try:
        source = _key_source(key, p12, pkcs11, token, key_label)
        stamp = _stamp(visible, source.certificate)
        request = SignatureRequest(
            field,
            PadesLevel(level),
            certify=certify,
            stamp=stamp,
            box=_box(box) if stamp else None,
            page=page,
        )
        signed = _sign(pdf.read_bytes(), source, request, tsa)
    except SigningError as error:
        raise click.ClickException(str(error)) from None
    out.write_bytes(signed)
    click.echo(f"Signed ({level}) → {out}")


def _sign(data: bytes, source: KeySource, request: SignatureRequest, tsa: str | None) -> bytes:
    trust = _trust() if request.level in {PadesLevel.B_LT, PadesLevel.B_LTA} else None
    if isinstance(source, Pkcs11KeySource):
        with source:
            return sign_pdf(data, source, request, timestamp_url=tsa, trust=trust)
    return sign_pdf(data, source, request, timestamp_url=tsa, trust=trust)


def _stamp(kind: str | None, cert: x509.Certificate) -> LeaderStamp | SealStamp | None:
    def attribute(oid: x509.ObjectIdentifier) -> str:
        values = cert.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    now = datetime.now(UTC)
    organisation = attribute(x509.NameOID.ORGANIZATION_NAME)
    if kind == "seal":
        return SealStamp(agency=organisation, signed_at=now)
    if kind == "leader":
        return LeaderStamp(
            full_name=attribute(x509.NameOID.COMMON_NAME),
            title=attribute(x509.NameOID.TITLE),
            organisation=organisation,
            signed_at=now,
        )
    return None


def _box(raw: str) -> tuple[float, float, float, float]:
    try:
        x1, y1, x2, y2 = (float(part) for part in raw.split(","))
    except ValueError:
        raise click.ClickException("--box takes four numbers: x1,y1,x2,y2") from None
    return x1, y1, x2, y2


def _trust(extra_roots: tuple[Path, ...] = ()) -> TrustSettings:
    roots: list[x509.Certificate] = []
    others: list[x509.Certificate] = []
    crls: list[bytes] = []
    ca_dir = _ca_dir()
    if (ca_dir / "root.pem").exists():
        roots += _read_certs(ca_dir / "root.pem")
        others += _read_certs(ca_dir / "issuing.pem")
        crls += [
            p.read_bytes() for p in (ca_dir / "issuing.crl", ca_dir / "root.crl") if p.exists()
        ]
    for path in extra_roots:
        roots += _read_certs(path)
    if not roots:
        raise click.ClickException(
            "No trust root: run `meeting-server ca init` or pass --trust ROOT.pem"
        )
    return TrustSettings.of(roots, others, crls)


@click.command("verify")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--trust",
    "roots",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Extra trusted root certificates (PEM); the internal CA's root is always trusted.",
)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON")
@with_appcontext
def verify_command(pdf: Path, roots: tuple[Path, ...], lang: str, as_json: bool) -> None:
    """Validate every signature; exit 0 only when every signature is valid."""
    report = validate_pdf(pdf.read_bytes(), _trust(roots))
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.to_text(lang), nl=False)
    sys.exit(0 if report.all_valid else 1)


COMMANDS = (ca_group, sign_command, verify_command)
