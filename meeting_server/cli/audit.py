"""``meeting-server audit seal | verify | anchor``.

The serving process seals and anchors by itself (``cli/housekeeping.py``); the anchors file,
``<instance>/audit-anchors.txt``, is what proves the chain was not rewritten as a whole: keep
a copy of it elsewhere.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..services import audit_chain

ANCHORS_FILE = "audit-anchors.txt"


def anchors_path() -> Path:
    return Path(current_app.instance_path) / ANCHORS_FILE


def seal_now() -> int:
    """Seal and commit; another process sealing at the same moment wins and this one waits."""
    try:
        sealed = audit_chain.seal_pending()
        db.session.commit()
    except IntegrityError:  # the same link written by another process first
        db.session.rollback()
        return 0
    return sealed


@click.group("audit")
def audit_group() -> None:
    """The audit trail's hash chain."""


@audit_group.command("seal")
@with_appcontext
def audit_seal() -> None:
    """Seal the audit events written since the last seal."""
    click.echo(f"Sealed {seal_now()} event(s).")


@audit_group.command("verify")
@click.option(
    "--anchors",
    "anchors_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An anchors file (default: <instance>/audit-anchors.txt, if present).",
)
@with_appcontext
def audit_verify(anchors_file: Path | None) -> None:
    """Check the chain; name the first event edited, deleted or slipped in. Exit 1 if any."""
    anchors = audit_chain.read_anchors(anchors_file or anchors_path())
    report = audit_chain.verify_chain(anchors)
    if not report.ok:
        click.echo(f"BROKEN: {report.problem}.", err=True)
        click.echo(f"The chain holds up to link {report.head_n}.", err=True)
        sys.exit(1)
    times = audit_chain.check_anchor_times(anchors)
    if times.failed is not None:
        click.echo(
            f"BROKEN: the timestamp of the anchor of {times.failed.day} (link {times.failed.n}) "
            "does not cover its line or is not from a trusted timestamp authority.",
            err=True,
        )
        sys.exit(1)
    waiting = (
        f"; {report.unsealed_recent} recent event(s) not sealed yet"
        if report.unsealed_recent
        else ""
    )
    stamped = (
        f"; {times.timestamped} timestamped, the latest at {times.latest.isoformat()}"
        if times.latest
        else ""
    )
    click.echo(
        f"OK: {report.sealed} event(s) in the chain, {len(anchors)} anchor(s) match{stamped}"
        f"{waiting}. Head {report.head_n}: {report.head_hash}"
    )


@audit_group.command("anchor")
@click.option(
    "--file",
    "anchors_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The anchors file to append to (default: <instance>/audit-anchors.txt).",
)
@with_appcontext
def audit_anchor(anchors_file: Path | None) -> None:
    """Seal, then append the chain's head to the anchors file (keep a copy elsewhere)."""
    seal_now()
    target = anchors_file or anchors_path()
    written = audit_chain.write_anchor(target)
    if written is None:
        click.echo("The audit trail is empty: nothing to anchor.")
        return
    stamped = " (timestamped)" if written.token else ""
    click.echo(f"Anchored link {written.n}: {written.hash}{stamped} in {target}")


COMMANDS = (audit_group,)
