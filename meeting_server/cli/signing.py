"""``meeting-server ca | sign | verify | signing``: parse, ask for secrets, call the services."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services import internal_ca, signatures
from ..services.errors import ServiceError
from ..services.signatures import SigningError
from . import ask_secret

LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]


def _passphrase() -> bytes:
    return ask_secret("MEETING_CA_PASSPHRASE", "CA passphrase").encode()


def _load_ca() -> signatures.InternalCA:
    try:
        return internal_ca.load_ca(_passphrase())
    except SigningError as error:
        raise click.ClickException(str(error)) from None


@click.group("ca")
def ca_group() -> None:
    """Run the internal certificate authority."""


@ca_group.command("init")
@click.option("--organisation", required=True, help="e.g. 'Ủy ban nhân dân Thành phố …'")
@click.option("--key-type", type=click.Choice(["rsa2048", "rsa3072", "ec-p256"]), default="rsa3072")
@with_appcontext
def ca_init(organisation: str, key_type: str) -> None:
    """Create the root and issuing CA (passphrase from MEETING_CA_PASSPHRASE or asked)."""
    try:
        ca = internal_ca.create_ca(organisation, key_type, _passphrase())
    except SigningError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"CA created in {internal_ca.ca_dir()}: {ca.root_certificate.subject.rfc4514_string()}"
    )


@ca_group.command("issue")
@click.option("--name", "full_name", help="Full name of a signer (omit with --seal).")
@click.option("--title", default="")
@click.option("--seal", is_flag=True, help="Issue the organisation's seal certificate.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True)
@with_appcontext
def ca_issue(full_name: str | None, title: str, seal: bool, out_dir: Path) -> None:
    """Generate a key, issue its certificate, store the key PIN-protected in OUT."""
    if seal == bool(full_name):
        raise click.ClickException("Give --name for a signer, or --seal for the seal.")
    ca = _load_ca()
    pin = ask_secret("MEETING_SIGN_PIN", "New PIN (6+ characters)")
    try:
        cert = signatures.issue_key(ca, out_dir, pin, full_name=full_name, title=title)
    except SigningError as error:
        raise click.ClickException(str(error)) from None
    subject = cert.subject.rfc4514_string()
    click.echo(f"Issued serial {cert.serial_number:x} to {subject} → {out_dir}")


@ca_group.command("revoke")
@click.argument("serial")
@with_appcontext
def ca_revoke(serial: str) -> None:
    """Revoke a certificate by its serial number (hex) and publish the new CRL."""
    try:
        internal_ca.revoke_certificate(_load_ca(), serial)
    except SigningError as error:
        raise click.ClickException(f"Cannot revoke {serial}: {error}") from None
    click.echo(f"Revoked {serial}; CRL published in {internal_ca.ca_dir()}")


@ca_group.command("crl")
@with_appcontext
def ca_crl() -> None:
    """Publish fresh CRLs (issuing.crl, root.crl) into the CA folder for the server."""
    internal_ca.publish_crls(_load_ca())
    click.echo(f"CRLs published in {internal_ca.ca_dir()}")


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
@click.option("--level", type=click.Choice(LEVELS), default="B-B", show_default=True)
@click.option("--tsa", help="RFC 3161 timestamp authority URL (B-T and above; default TSA_URL)")
@click.option("--certify", is_flag=True, help="Certification signature (DocMDP P=2)")
@click.option("--visible", type=click.Choice(["leader", "seal"]), help="Add a visible stamp")
@click.option("--box", help="x1,y1,x2,y2 in points for the stamp", default="395,30,565,110")
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
    token_spec = (pkcs11, token, key_label) if pkcs11 and token and key_label else None
    request = signatures.SignatureRequest(
        field, signatures.PadesLevel(level), certify=certify, box=_box(box), page=page
    )
    try:
        source = signatures.open_key(
            key_file=key,
            p12=p12,
            pkcs11=token_spec,
            secret=ask_secret("MEETING_SIGN_PIN", "PIN or passphrase"),
        )
        signed = signatures.sign_document(
            pdf.read_bytes(), source, request, visible=visible, tsa=tsa
        )
    except SigningError as error:
        raise click.ClickException(str(error)) from None
    out.write_bytes(signed)
    click.echo(f"Signed ({level}) → {out}")


def _box(raw: str) -> tuple[float, float, float, float]:
    try:
        x1, y1, x2, y2 = (float(part) for part in raw.split(","))
    except ValueError:
        raise click.ClickException("--box takes four numbers: x1,y1,x2,y2") from None
    return x1, y1, x2, y2


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
    try:
        report = signatures.verify_document(pdf.read_bytes(), roots)
    except SigningError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.to_text(lang), nl=False)
    sys.exit(0 if report.all_valid else 1)


@click.group("signing")
def signing_group() -> None:
    """Signing requests: reminders of overdue steps, renewal of archive timestamps."""


@signing_group.command("remind")
@with_appcontext
def signing_remind() -> None:
    """Put a reminder in the inbox of every overdue signer (at most once a day each)."""
    from ..services.audit import client_address
    from .reminders import remind_once

    client_address.set("cli")
    click.echo(f"Reminders sent: {remind_once()}")


@click.group("tasks")
def tasks_group() -> None:
    """Tasks from conclusion notices: reminders before and after their deadlines."""


@tasks_group.command("remind")
@with_appcontext
def tasks_remind() -> None:
    """Remind the units of tasks due tomorrow or overdue (at most once a day each)."""
    from ..services.audit import client_address
    from .reminders import remind_tasks_once

    client_address.set("cli")
    click.echo(f"Tasks reminded: {remind_tasks_once()}")


@signing_group.command("archive-refresh")
@click.option(
    "--within-days",
    type=click.IntRange(min=1),
    default=365,
    show_default=True,
    help="Renew documents whose archive timestamp's TSA certificate ends within this many days.",
)
@click.option("--dry-run", is_flag=True, help="List the documents due; change nothing.")
@with_appcontext
def signing_archive_refresh(within_days: int, dry_run: bool) -> None:
    """Re-timestamp fully signed documents before their archive timestamp stops protecting them
    (and make long-term those completed before long-term signatures existed)."""
    from ..extensions import db
    from ..services import signing_archive
    from ..services.audit import client_address

    client_address.set("cli")
    due = signing_archive.due_for_renewal(timedelta(days=within_days))
    for renewal in due:
        ends = renewal.ends.date().isoformat() if renewal.ends else "not long-term yet"
        if dry_run:
            click.echo(f"due: request {renewal.request_id} ({ends}) {renewal.title}")
            continue
        try:
            version = signing_archive.renew(renewal.request_id)
        except (ServiceError, SigningError) as error:
            db.session.rollback()
            reason = getattr(error, "message", error)
            raise click.ClickException(f"request {renewal.request_id}: {reason}") from error
        db.session.commit()
        click.echo(f"renewed: request {renewal.request_id} → version {version.number}")
    click.echo(f"{len(due)} document(s) {'due' if dry_run else 'renewed'}.")


COMMANDS = (ca_group, sign_command, verify_command, signing_group, tasks_group)
