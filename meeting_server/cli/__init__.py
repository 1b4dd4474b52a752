"""The ``meeting-server`` command: database, accounts, demo data, the servers."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from ..extensions import db, socketio
from ..migrate import upgrade_database
from ..models import Role
from ..services.audit import client_address
from ..services.errors import ServiceError
from .housekeeping import start_housekeeping
from .reminders import start_reminders

# Only the `demo` command uses it, for the demo accounts it creates; a real install has none.
DEMO_PASSWORD_DEFAULT = "demo12345"  # noqa: S105


@click.group("db")
def db_group() -> None:
    """Manage the database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations."""
    upgrade_database(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at {_redacted(current_app.config['DATABASE_URL'])} is up to date.")


@click.command("create-user")
@click.argument("username")
@click.option("--full-name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in Role]),
)
@click.option("--position", default="")
@click.option("--unit", default="")
@click.password_option(help="Asked twice on the terminal unless given.")
@with_appcontext
def create_user_command(
    username: str, full_name: str, roles: tuple[str, ...], position: str, unit: str, password: str
) -> None:
    """Create an account."""
    from ..services.users import create_user

    client_address.set("cli")
    try:
        user = create_user(
            None,
            username=username,
            full_name=full_name,
            password=password,
            roles=roles,
            position=position,
            unit=unit,
        )
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Created {user.username} ({', '.join(sorted(user.roles))}).")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Seed rooms, demo users and a sample meeting with Vietnamese PDFs (idempotent)."""
    from ..demo import DEMO_USERS, seed_demo
    from ..demo.integration import DEMO_API_KEY
    from ..demo.signing import demo_pin

    password = os.environ.get("MEETING_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
    client_address.set("cli")
    created = seed_demo(password)
    db.session.commit()
    click.echo("Demo data " + ("created." if created else "already present; left as it was."))
    click.echo(
        "Demo logins (password: %s):"
        % (
            "$MEETING_DEMO_PASSWORD"
            if "MEETING_DEMO_PASSWORD" in os.environ
            else DEMO_PASSWORD_DEFAULT
        )
    )
    for username, full_name, roles in DEMO_USERS:
        click.echo(f"  {username:<12} {full_name} — {', '.join(roles)}")
    click.echo("  daibieu1 … daibieu20  participants")
    click.echo(f"Demo signing PIN of chutich, phochutich, thuky and vanthu (seal): {demo_pin()}")
    click.echo(f"Demo API key (thuky, every scope; see /api/v1/docs): {DEMO_API_KEY}")


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def run_command(host: str, port: int) -> None:
    """Serve on the development server (plain HTTP: loopback only)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise click.ClickException(
            "The development server serves loopback only; use gevent "
            "behind nginx with HTTPS in production (see README)."
        )
    # Plain HTTP on loopback: a Secure cookie would never come back, so drop the flag here only.
    app.config["SESSION_COOKIE_SECURE"] = False
    click.echo(f"Serving on http://{host}:{port}/  (Ctrl+C to stop)")
    if not app.config["PUBLIC_URL"].rstrip("/").endswith(f":{port}"):
        click.echo(
            f"Note: MEETING_PUBLIC_URL is {app.config['PUBLIC_URL']}; live updates only "
            "work for browsers on that address."
        )
    # Flask refuses app.run() (which socketio.run uses) under its CLI unless this is unset.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    start_reminders(app)
    start_housekeeping(app)
    socketio.run(app, host=host, port=port, use_reloader=False, allow_unsafe_werkzeug=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve in production: one gevent process with WebSocket (run several behind nginx)."""
    # gevent must patch the standard library before anything imports it, and this process has
    # long imported Flask: become gevent's launcher (same PID), see meeting_server/cli/serve.py.
    sys.stdout.flush()
    launcher = [sys.executable, "-m", "gevent.monkey", "--module", "meeting_server.cli.serve"]
    os.execv(sys.executable, [*launcher, "--host", host, "--port", str(port)])  # noqa: S606


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url


def ask_secret(variable: str, prompt: str) -> str:
    """Return the secret in the environment ``variable``, else ask for it (not echoed)."""
    return os.environ.get(variable) or str(click.prompt(prompt, hide_input=True))


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI."""
    from .audit import COMMANDS as AUDIT_COMMANDS
    from .backup import COMMANDS as BACKUP_COMMANDS
    from .signing import COMMANDS as SIGNING_COMMANDS
    from .webhooks import COMMANDS as WEBHOOK_COMMANDS

    for command in (
        db_group,
        create_user_command,
        demo_command,
        run_command,
        serve_command,
        *SIGNING_COMMANDS,
        *AUDIT_COMMANDS,
        *BACKUP_COMMANDS,
        *WEBHOOK_COMMANDS,
    ):
        app.cli.add_command(command)


def main() -> None:
    """Entry point of ``meeting-server``."""
    from .. import create_app

    cli = FlaskGroup(create_app=create_app, add_default_commands=False, add_version_option=False)
    cli.name = "meeting-server"
    sys.exit(cli.main(prog_name="meeting-server"))
