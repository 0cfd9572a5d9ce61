"""Configuration, migrations, health, error pages, headers and demo data."""
from __future__ import annotations

import logging
import os
import stat

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from panel import create_app
from panel.models import Base, User, Vacancy
from tests.conftest import login, make_user


def test_config_layers(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text("SMTP_PORT = 2525\nMAIL_FROM = 'from-instance@example.org'\n")
    monkeypatch.setenv("PANEL_MAIL_FROM", "from-env@example.org")
    monkeypatch.setenv("PANEL_SITES", "Boston, Skegness ,")
    monkeypatch.setenv("PANEL_SMTP_STARTTLS", "false")
    monkeypatch.setenv("PANEL_SERVER_NAME", "Panel.Example.org:8443")
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["SERVER_NAME"] == "panel.example.org:8443"
    assert app.config["TRUSTED_HOSTS"] == ["panel.example.org"]  # the port is not part of the check
    assert app.config["SMTP_PORT"] == 2525  # instance/config.py beats the default
    assert app.config["MAIL_FROM"] == "from-env@example.org"  # environment beats instance/config.py
    assert app.config["SITES"] == ["Boston", "Skegness"]
    assert app.config["SMTP_STARTTLS"] is False
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'panel.db'}"


def test_secret_key_generated_once_and_private(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SERVER_NAME": "panel.example.org"})
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and len(app.config["SECRET_KEY"]) >= 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    again = create_app({"INSTANCE_PATH": str(tmp_path), "SERVER_NAME": "panel.example.org"})
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_models_and_migrations_agree(app):
    engine = app.extensions["panel.engine"]
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_sqlite_pragmas(app):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite only")
    engine = app.extensions["panel.engine"]
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_datetimes_stored_in_utc(app, session):
    import datetime as dt
    from zoneinfo import ZoneInfo

    user = make_user(session, "hr")
    user.last_login_at = dt.datetime(2026, 7, 1, 14, 30, tzinfo=ZoneInfo("Europe/London"))
    session.commit()
    engine = app.extensions["panel.engine"]
    with engine.connect() as conn:
        raw = conn.exec_driver_sql(f"SELECT last_login_at FROM users WHERE id = {user.id}").scalar()
    assert str(raw).startswith("2026-07-01 13:30")
    session.expire_all()
    assert session.get(User, user.id).last_login_at.tzinfo is not None
    from panel.templating import london
    assert london(session.get(User, user.id).last_login_at) == "1 July 2026 at 2:30pm"


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_is_down(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/x.db",
                      "SERVER_NAME": "panel.example.org"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] != "ok"


def test_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_friendly_500_with_log_line(app, client, caplog):
    @app.route("/boom-test")
    def boom():
        raise RuntimeError("secret internal detail")

    with caplog.at_level(logging.ERROR):
        response = client.get("/boom-test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "secret internal detail" not in page and "Traceback" not in page
    assert any("unexpected error" in r.message for r in caplog.records)


def test_security_headers(as_user, world):
    hr = as_user(world["hr"])
    response = hr.get("/vacancies")
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert part in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    nonce = csp.split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)


def test_hostile_text_is_escaped(as_user, world, session):
    a = world["a"]
    a.title = "<script>alert(1)</script>{{7*7}}"
    session.commit()
    page = as_user(world["panelist"]).get(f"/vacancies/{a.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{7*7}}" in page


def test_demo_data_loads_once_and_prints_logins(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "priya.shah@example.org" in result.output
    logins = (app.instance_path + "/demo-logins.txt")
    assert stat.S_IMODE(os.stat(logins).st_mode) == 0o600
    again = runner.invoke(args=["demo-data", "--if-empty"])
    assert "already has accounts" in again.output and "priya.shah@example.org" in again.output
    # each demo password works and every role sees something at once
    lines = [l.split() for l in open(logins).read().splitlines() if "@example.org" in l]
    for parts in lines:
        email, password = parts[-2], parts[-1]
        client = app.test_client()
        assert login(client, email, password).status_code == 302, email
        home = client.get("/").get_data(as_text=True)
        assert "Psychological Wellbeing Practitioner" in home or "High Intensity" in home, email


def test_one_structured_log_line_per_request(as_user, world, caplog):
    import json

    hr = as_user(world["hr"])
    with caplog.at_level(logging.INFO, logger="panel.request"):
        response = hr.get(f"/vacancies/{world['a'].id}", headers={"X-Request-ID": "trace-12345678"})
    lines = [json.loads(r.message) for r in caplog.records if r.name == "panel.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "trace-12345678" == response.headers["X-Request-ID"]
    assert line["user_id"] == world["hr"].id and line["route"] == "/vacancies/<int:vacancy_id>"
    assert line["status"] == 200 and line["duration_ms"] >= 0


def test_readme_documents_every_setting_and_starts_with_the_two_commands():
    from pathlib import Path

    from panel.config import DEFAULTS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    missing = [k for k in DEFAULTS if f"`PANEL_{k}`" not in readme]
    assert not missing, f"settings missing from the README table: {missing}"
    assert readme.index("make run") < readme.index("## Configuration")
    assert readme.index("make test") < readme.index("## Configuration")


def test_one_line_of_migrations():
    from alembic.script import ScriptDirectory

    from panel.cli import MIGRATIONS
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert len(ScriptDirectory.from_config(cfg).get_heads()) == 1
