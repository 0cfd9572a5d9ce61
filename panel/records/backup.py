"""Consistent backups while the app runs, and restore into an empty database.

A backup is one .tar.gz file holding manifest.json, the database (SQLite's online
backup API, or pg_dump's custom format for PostgreSQL) and the uploaded files. With the
default store (panel/storage.py) the files are rows of the database (stored_files) and come
with it; with an S3 store every stored file is copied in under store/<key>. PDFs an older panel
left in UPLOAD_FOLDER go in under uploads/<name>. A restore puts both back into the store.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from panel.db import get_engine, session_scope
from panel.storage import DatabaseStore, PDF, get_store
from panel.uploads import ORIGINALS, _is_safe_name


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is for the operator."""


def _sqlite_path() -> Path:
    return Path(make_url(current_app.config["DATABASE_URL"]).database)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise BackupError(f"{name} is not installed; install the PostgreSQL client tools")


def _pg_env_and_url() -> tuple[dict, str]:
    url = make_url(current_app.config["DATABASE_URL"])
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return env, plain


def _row_counts() -> dict[str, int]:
    engine = get_engine()
    counts = {}
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            # bandit B608: the table names come from the database's own schema (inspect), never from input
            counts[table] = conn.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()  # nosec B608
    return counts


def make_backup(folder: str | Path) -> Path:
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Cannot create the backup folder {folder}: {exc.strerror}") from exc
    if not os.access(folder, os.W_OK):
        raise BackupError(f"The backup folder {folder} is not writable")
    engine = get_engine()
    dialect = engine.dialect.name
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"panel-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if dialect == "sqlite":
            db_file = tmp / "database.sqlite3"
            src = sqlite3.connect(_sqlite_path())
            dst = sqlite3.connect(db_file)
            try:
                src.backup(dst)  # consistent even while the app writes
            finally:
                dst.close()
                src.close()
        elif dialect == "postgresql":
            db_file = tmp / "database.pgdump"
            env, url = _pg_env_and_url()
            result = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                                     "--file", str(db_file), url], env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        else:
            raise BackupError(f"Backups of {dialect} databases are not supported")
        manifest = {
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
            "dialect": dialect,
            "database_file": db_file.name,
            "row_counts": _row_counts(),
        }
        partial = folder / f".{target.name}.partial"
        try:
            with tarfile.open(partial, "w:gz") as tar:
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                tar.add(db_file, arcname=db_file.name)
                uploads = Path(current_app.config["UPLOAD_FOLDER"])
                if uploads.exists():
                    for f in sorted(uploads.iterdir()):
                        if f.is_file() and not f.name.startswith("."):
                            tar.add(f, arcname=f"uploads/{f.name}")
                _add_store(tar)
            os.chmod(partial, 0o600)
            os.replace(partial, target)
        except OSError as exc:
            Path(partial).unlink(missing_ok=True)
            raise BackupError(f"Could not write the backup: {exc.strerror}") from exc
    return target


def _add_store(tar: tarfile.TarFile) -> int:
    """Copy every file of an object store into the backup (a database store is in the dump)."""
    with session_scope() as session:
        store = get_store(session)
        if isinstance(store, DatabaseStore):
            return 0
        keys = store.keys()
        for key in keys:
            found = store.open(key)
            if found is None:  # deleted since the listing
                continue
            info = tarfile.TarInfo(f"store/{key}")
            info.size = len(found.data)
            tar.addfile(info, io.BytesIO(found.data))
        return len(keys)


def database_is_empty() -> bool:
    engine = get_engine()
    with engine.connect() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
        for table in tables:
            # bandit B608: the table names come from the database's own schema (inspect), never from input
            if conn.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first() is not None:  # nosec B608
                return False
    return True


def restore_backup(file: str | Path, force: bool = False) -> dict:
    file = Path(file)
    if not file.exists():
        raise BackupError(f"There is no backup file {file}")
    if not force and not database_is_empty():
        raise BackupError("The database is not empty. Restoring would replace everything in it; "
                          "use --force if that is what you want.")
    engine = get_engine()
    dialect = engine.dialect.name
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(file, "r:gz") as tar:
        tmp = Path(tmp)
        members = {m.name: m for m in tar.getmembers()}
        if "manifest.json" not in members:
            raise BackupError("This file is not a panel backup (no manifest)")
        manifest = json.load(tar.extractfile(members["manifest.json"]))
        if manifest["dialect"] != dialect:
            raise BackupError(f"This backup is of a {manifest['dialect']} database; the app uses {dialect}")
        db_name = manifest["database_file"]
        tar.extract(members[db_name], tmp, filter="data")
        engine.dispose()
        if dialect == "sqlite":
            src = sqlite3.connect(tmp / db_name)
            dst = sqlite3.connect(_sqlite_path())
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        else:
            env, url = _pg_env_and_url()
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
            result = subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--dbname", url,
                                     str(tmp / db_name)], env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        restored_files = _restore_files(tar, members)
    return {"row_counts": manifest["row_counts"], "files": restored_files, "created_at": manifest["created_at"]}


def _restore_files(tar: tarfile.TarFile, members: dict) -> int:
    """Put the backup's files into the store: uploads/<name> (an older panel's folder) as the
    originals (the panel's cleaned copies are made again on first download), store/<key> as they
    were. Names that could point anywhere else are skipped."""
    restored = 0
    with session_scope() as session:
        store = get_store(session)
        for name, member in members.items():
            if not member.isfile():
                continue
            if name.startswith("uploads/"):
                base = name[len("uploads/"):]
                if not _is_safe_name(base):
                    continue
                key = ORIGINALS + base
            elif name.startswith("store/"):
                key = name[len("store/"):]
                if not key or key.startswith("/") or ".." in key.split("/"):
                    continue
            else:
                continue
            with tar.extractfile(member) as src_f:
                store.put(key, src_f.read(), PDF if key.endswith(".pdf") else "application/octet-stream")
            restored += 1
    return restored
