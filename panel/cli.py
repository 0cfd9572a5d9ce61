"""flask --app panel ... commands: db-upgrade, create-user, set-password, demo-data."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app

from panel import audit
from panel.auth.services import AccountError, find_user_by_email
from panel.auth.services import create_user as _create
from panel.auth.services import set_password as _set
from panel.db import session_scope
from panel.demo import load_demo
from panel.models import Role
from panel.notifications.cli import register as register_notifications_command
from panel.packs.cli import register as register_pack_command
from panel.payments import records as finance
from panel.profiles import records as involvement_records
from panel.records import retention
from panel.records.backup import BackupError, make_backup, restore_backup
from panel.uploads import move_folder_into_store

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config():
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = current_app.extensions["panel.engine"]
    return cfg


def upgrade_database(revision: str = "heads") -> None:
    command.upgrade(alembic_config(), revision)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _move_uploads() -> None:
    with session_scope() as session:
        counts = move_folder_into_store(session)
    if any(counts.values()):
        click.echo(f"Uploaded files moved into the store: {counts['moved']} moved, {counts['already']} were there "
                   f"already, {counts['conflicts']} left in the folder (a different file of the same name is stored).")


def init_app(app: Flask) -> None:
    @app.cli.command("db-upgrade")
    @click.argument("revision", default="heads")
    def db_upgrade(revision):
        """Apply the database migrations."""
        upgrade_database(revision)
        click.echo("Database is up to date.")
        _move_uploads()

    @app.cli.command("move-uploads")
    def move_uploads():
        """Move PDFs left in UPLOAD_FOLDER by an older panel into the store (STORAGE_URL);
        safe to run again. `db-upgrade` runs it too."""
        _move_uploads()

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--name", required=True, help="Full name")
    @click.option("--role", type=click.Choice(["hr", "chair", "panelist"]), required=True)
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
    def create_user(email, name, role, password_stdin):
        """Create an account (for bootstrapping a deployment)."""
        password = _read_password(password_stdin)
        try:
            with session_scope() as session:
                user = _create(session, None, email=email, name=name, role=Role(role), password=password)
                click.echo(f"Created {user.email} ({role}).")
        except AccountError as exc:
            raise click.ClickException(str(exc))

    @app.cli.command("set-password")
    @click.argument("email")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
    def set_password(email, password_stdin):
        """Set a password and unlock the account."""
        password = _read_password(password_stdin)
        try:
            with session_scope() as session:
                user = find_user_by_email(session, email)
                if user is None:
                    raise click.ClickException(f"No account has the email address {email}")
                _set(session, user, password)
                click.echo(f"Password set for {user.email}; the account is unlocked.")
        except AccountError as exc:
            raise click.ClickException(str(exc))

    @app.cli.command("backup")
    @click.argument("folder")
    def backup(folder):
        """Write a consistent backup (database and uploaded files) into FOLDER."""
        try:
            path = make_backup(folder)
        except BackupError as exc:
            raise click.ClickException(str(exc))
        with session_scope() as session:
            audit.record(session, None, "backup", entity_type="database", summary=f"Backup written to {path.name}")
        click.echo(f"Backup written to {path}")

    @app.cli.command("restore")
    @click.argument("file")
    @click.option("--force", is_flag=True, help="Replace a database that already has data")
    def restore(file, force):
        """Restore a backup made by `backup` into an empty database."""
        try:
            result = restore_backup(file, force=force)
        except BackupError as exc:
            raise click.ClickException(str(exc))
        rows = sum(result["row_counts"].values())
        click.echo(f"Restored the backup of {result['created_at']}: {rows} rows and {result['files']} uploaded files.")

    @app.cli.command("purge")
    @click.option("--dry-run", is_flag=True, help="List what is due for deletion and change nothing")
    def purge(dry_run):
        """Delete personal data that has passed its retention period (run it daily)."""
        with session_scope() as session:
            result = retention.purge(session, dry_run=dry_run)
            involvement = involvement_records.purge(session, dry_run=dry_run)
            claims = finance.purge(session, dry_run=dry_run)  # financial retention: its own period
        if not dry_run and result.batches:
            retention.delete_files(result)
        if not dry_run:
            finance.delete_files(claims)
        for line in result.lines() + involvement.lines():
            click.echo(line)
        click.echo(claims.line())
        if not dry_run and result.batches:
            click.echo(f"{result.files_removed} application files removed from the store.")


    register_pack_command(app)
    register_notifications_command(app)

    @app.cli.command("demo-data")
    @click.option("--if-empty", is_flag=True, help="Do nothing if there are already accounts")
    def demo_data(if_empty):
        """Load demo vacancies, people and panels, and print the demo sign-in details."""
        load_demo(if_empty=if_empty)
