"""``meeting-server backup FILE`` and ``meeting-server restore FILE`` (``services/backup.py``).

The passphrase comes from ``MEETING_BACKUP_PASSPHRASE`` or is asked for; keep it apart from
the backups (without it a backup cannot be read, by anyone).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..services.backup import BackupError, BackupSummary, restore_backup, write_backup
from . import ask_secret

ENV_VARIABLE = "MEETING_BACKUP_PASSPHRASE"


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """Write an encrypted backup of the database, stored files and CA to TARGET."""
    summary = _with_passphrase("Backup", write_backup, target)
    click.echo(
        f"Backup written to {target}: {summary.rows} rows (schema {summary.revision}), "
        f"{summary.blobs} stored files, {summary.files} CA and instance files."
    )


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(source: Path) -> None:
    """Restore the backup SOURCE into this empty instance."""
    summary = _with_passphrase("Restore", restore_backup, source)
    click.echo(
        f"Restored {summary.rows} rows, {summary.blobs} stored files and {summary.files} CA "
        "and instance files. Start the server as usual."
    )


def _with_passphrase(
    what: str, action: Callable[[Path, str], BackupSummary], path: Path
) -> BackupSummary:
    """Run ``action`` with the backup passphrase; a refusal is said and exits 1."""
    try:
        return action(path, ask_secret(ENV_VARIABLE, "Backup passphrase"))
    except BackupError as error:
        click.echo(f"{what} refused: {error}", err=True)
        sys.exit(1)


COMMANDS = (backup_command, restore_command)
