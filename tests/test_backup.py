"""Backup and restore round trip (SQLite here; PostgreSQL when the suite runs on it)."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from panel.models import User, Vacancy
from tests.builders_plugin import MINIMAL_PDF, store_pdf, stored_bytes, stored_keys
from tests.conftest import make_user, make_vacancy


def _snapshot(session):
    session.expire_all()
    return (sorted((u.email, u.name) for u in session.scalars(select(User))),
            sorted((v.reference, v.title, len(v.criteria)) for v in session.scalars(select(Vacancy))))


def test_backup_change_restore_compare(app, session, tmp_path):
    make_user(session, "hr", "Siân O'Connor", "sian@example.org")
    make_vacancy(session, "KEEP-1", title="Therapist – Louth")
    uploads = Path(app.config["UPLOAD_FOLDER"])
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / ("a" * 32 + ".pdf")).write_bytes(b"%PDF-1.4 test\n%%EOF")
    before = _snapshot(session)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    backups = list((tmp_path / "backups").glob("panel-backup-*.tar.gz"))
    assert len(backups) == 1
    # change things: delete a vacancy, add a user, lose the file
    session.delete(session.scalar(select(Vacancy).where(Vacancy.reference == "KEEP-1")))
    make_user(session, "panelist", "Added Later", "later@example.org")
    (uploads / ("a" * 32 + ".pdf")).unlink()
    assert _snapshot(session) != before
    session.close()
    # refused without --force because the database is not empty
    refused = runner.invoke(args=["restore", str(backups[0])])
    assert refused.exit_code != 0 and "not empty" in refused.output
    result = runner.invoke(args=["restore", str(backups[0]), "--force"])
    assert result.exit_code == 0, result.output
    assert _snapshot(session) == before
    # a PDF an older panel left in the folder comes back into the store
    assert stored_bytes(app, "uploads/" + "a" * 32 + ".pdf").startswith(b"%PDF")


def test_a_backup_holds_the_files_in_the_store(app, session, tmp_path):
    """Files uploaded into the (database) store are in the backup and come back with a restore."""
    name = store_pdf(app, MINIMAL_PDF)
    keys = stored_keys(app)
    assert keys == [f"uploads/{name}", f"uploads/panel-copies/{name}"]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    from panel.db import db
    from panel.storage import get_store

    with app.app_context():  # lose them
        for key in keys:
            get_store(db()).delete(key)
        db().commit()
    assert stored_keys(app) == []
    backup = next((tmp_path / "backups").glob("panel-backup-*.tar.gz"))
    result = runner.invoke(args=["restore", str(backup), "--force"])
    assert result.exit_code == 0, result.output
    assert stored_keys(app) == keys and stored_bytes(app, f"uploads/{name}") == MINIMAL_PDF


def test_backup_folder_not_writable(app, tmp_path):
    if os.geteuid() == 0:
        target = "/proc/panel-backups"  # not creatable even by root
    else:
        target = tmp_path / "ro"
        target.mkdir()
        target.chmod(0o500)
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0 and ("not writable" in result.output or "Cannot create" in result.output)


def test_restore_missing_file(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "nope.tar.gz")])
    assert result.exit_code != 0 and "no backup file" in result.output
