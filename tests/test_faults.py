"""Faults, each caused for real (issue 7, item 4):

- the database goes away (a TCP proxy in front of a real PostgreSQL server is cut; a SQLite
  file whose folder is missing) -> a friendly 503 page and /healthz 503; when it comes back
  the same app object answers 200 again, with no restart;
- the SMTP server is down (a closed port) -> the invitation is kept as failed or pending, the
  sender is told, and trying again once a (tiny, in-test) SMTP server listens sends it;
- the PDF renderer crashes mid-render (its process is killed) -> an error page, the web
  process carries on, and the next render works (a render past its time limit is covered by
  tests/test_packs.py);
- the store refuses an upload (the database is full, the object store cannot be reached) -> a
  clear message, no file (not even the cleaned copy) and no database row.
"""
from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from panel import create_app
from panel.cli import upgrade_database
from panel.models import AuditEvent, Candidate, CandidateInvitation, Notification, User
from tests.conftest import PASSWORD, TEST_HASH, Client, deliver, login, make_user, outbox_messages
from tests.builders_plugin import MINIMAL_PDF, sl, stored_keys, url  # noqa: F401
from panel.packs import jobs
from tests.builders_plugin import fetch_pack


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- helpers: a TCP proxy that can be cut, a PostgreSQL server, an SMTP sink ---------------

class Proxy:
    """Forwards 127.0.0.1:port to target. stop() closes the port and every connection through
    it (as a database restart or a network cut would); start() opens it again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self._stop = threading.Event()
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = None

    def start(self):
        self._stop.clear()
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.1)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (socket.timeout, OSError):
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._socks += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            src.settimeout(None)
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self._stop.set()
        self._thread.join()
        self._listener.close()
        with self._lock:
            socks, self._socks = self._socks, []
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def _pg_bindir() -> Path | None:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """(host, port, database URL builder) of a real PostgreSQL server: the CI one when
    PANEL_TEST_DATABASE_URL is set, else a throwaway cluster; skipped if neither exists."""
    url = os.environ.get("PANEL_TEST_DATABASE_URL")
    if url:
        from sqlalchemy.engine import make_url

        u = make_url(url)
        yield u.host, u.port or 5432, u
        return
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed")
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="panel-faults-pg."))  # not under pytest's 0700 folder: postgres must reach it
    as_pg: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = root / "data"
    subprocess.run([*as_pg, bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-locale",
                    "-E", "UTF8"], check=True, capture_output=True)
    subprocess.run([*as_pg, bindir / "pg_ctl", "-D", data, "-l", root / "log", "-w", "-t", "60", "-o",
                    f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True)
    try:
        from sqlalchemy.engine import make_url

        yield "127.0.0.1", port, make_url(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    finally:
        subprocess.run([*as_pg, bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


class SmtpSink:
    """Just enough SMTP (RFC 5321) to accept messages: they land in .messages as bytes."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list[bytes] = []
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(4)
        self._sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (socket.timeout, OSError):
                continue
            with conn, conn.makefile("rb") as rfile:
                conn.settimeout(5)
                conn.sendall(b"220 sink ESMTP\r\n")
                while line := rfile.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        conn.sendall(b"250 sink\r\n")
                    elif verb == b"DATA":
                        conn.sendall(b"354 go ahead\r\n")
                        body = b""
                        while (chunk := rfile.readline()) not in (b".\r\n", b""):
                            body += chunk
                        self.messages.append(body)
                        conn.sendall(b"250 queued\r\n")
                    elif verb == b"QUIT":
                        conn.sendall(b"221 bye\r\n")
                        break
                    else:
                        conn.sendall(b"250 ok\r\n")

    def close(self):
        self._stop.set()
        self._thread.join()
        self._sock.close()


# --- the database goes away ----------------------------------------------------------------

def _check_down(client, signed_in_page: str):
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] == "unavailable"
    page = client.get(signed_in_page)
    assert page.status_code == 503
    text = page.get_data(as_text=True)
    assert "Traceback" not in text and "OperationalError" not in text and "psycopg" not in text
    return text


def test_postgresql_goes_away_and_comes_back(tmp_path, postgres):
    host, port, base = postgres
    from sqlalchemy import create_engine, text

    name = f"panel_faults_{os.getpid()}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    proxy = Proxy((host, port))
    proxy.start()
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "COOKIE_SECURE": False,
                      "PASSWORD_HASH_METHOD": TEST_HASH,
                      "DATABASE_URL": base.set(host="127.0.0.1", port=proxy.port, database=name)
                      .render_as_string(hide_password=False)})
    app.test_client_class = Client
    try:
        with app.app_context():
            upgrade_database()
            s = app.extensions["panel.sessionmaker"]()
            make_user(s, "hr", email="hr@example.org")  # through the account service: in the app's context
            s.close()
        client = app.test_client()
        assert login(client, "hr@example.org").status_code == 302
        assert client.get("/vacancies").status_code == 200

        proxy.stop()  # the database server goes away
        text_down = _check_down(client, "/vacancies")
        assert "try again" in text_down.lower()
        assert client.get("/vacancies").status_code == 503  # still down, still friendly

        proxy.start()  # ... and comes back: the same app object recovers by itself
        assert client.get("/healthz").status_code == 200
        assert client.get("/vacancies").status_code == 200
        # the form is answered again (400: nothing typed) rather than a 503: the database is back
        assert client.post_form("/vacancies/new", {}).status_code == 400
    finally:
        try:
            proxy.stop()
        except Exception:
            pass
        app.extensions["panel.engine"].dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_sqlite_folder_missing_then_back(tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    db_url = f"sqlite:///{folder / 'panel.db'}"
    setup = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i0"), "DATABASE_URL": db_url,
                        "PASSWORD_HASH_METHOD": TEST_HASH})
    with setup.app_context():
        upgrade_database()
        s = setup.extensions["panel.sessionmaker"]()
        make_user(s, "hr", email="hr@example.org")  # through the account service: in the app's context
        s.close()
    setup.extensions["panel.engine"].dispose()

    folder.rename(tmp_path / "db-away")  # the volume with the database is not mounted
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i1"), "DATABASE_URL": db_url,
                      "COOKIE_SECURE": False, "PASSWORD_HASH_METHOD": TEST_HASH})
    app.test_client_class = Client
    client = app.test_client()
    try:
        health = client.get("/healthz")
        assert health.status_code == 503
        page = client.post_form("/login", {"email": "hr@example.org", "password": PASSWORD})
        assert page.status_code == 503
        assert "Traceback" not in page.get_data(as_text=True)

        (tmp_path / "db-away").rename(folder)  # it is back
        assert client.get("/healthz").status_code == 200
        assert login(client, "hr@example.org").status_code == 302
        assert client.get("/vacancies").status_code == 200
    finally:
        app.extensions["panel.engine"].dispose()


# --- the SMTP server is down -----------------------------------------------------------------

@pytest.fixture()
def smtp_port(app):
    port = free_port()  # nothing listens here until a test starts a sink
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_TIMEOUT=3)
    return port


def _retry_now(session):
    """The back-off after a failed try is over (as if the worker looked again a while later)."""
    session.execute(update(Notification).values(next_attempt_at=None))
    session.commit()


def test_candidate_invitation_with_smtp_down_is_kept_and_sent_on_retry(app, as_user, plan_world, session, smtp_port):
    a, a1 = plan_world["a"], plan_world["a1"]
    hr = as_user(plan_world["hr"])
    response = hr.post_form(f"/vacancies/{a.id}/invitations/send-all", {}, follow_redirects=True)
    assert response.status_code == 200  # the request never talks to the mail server
    assert "1 invitation is queued" in response.get_data(as_text=True)
    result = deliver(app)  # the worker tries: the server is down, so it will try again
    [invitation] = session.scalars(select(CandidateInvitation)).all()
    assert invitation.notification_id in result.retrying and result.sent == []
    session.expire_all()
    assert invitation.waiting and invitation.notification.last_error and invitation.delivered_at is None
    assert "Queued" in hr.get(f"/vacancies/{a.id}/invitations").get_data(as_text=True)
    assert outbox_messages(app, deliver_first=False) == []  # not quietly written somewhere else

    sink = SmtpSink(smtp_port)
    _retry_now(session)
    try:
        deliver(app)
    finally:
        sink.close()
    session.expire_all()
    [invitation] = session.scalars(select(CandidateInvitation)).all()  # the same record, now sent
    assert invitation.was_sent and invitation.notification.last_error == ""
    assert [m for m in sink.messages if a1.email.encode() in m] and b"/book/" in sink.messages[-1]


def test_account_invitation_with_smtp_down_keeps_the_account_and_is_sent_later(app, as_user, world, session,
                                                                               smtp_port):
    hr = as_user(world["hr"])
    response = hr.post_form("/people/invite", {"name": "Aoife O'Brien", "email": "aoife@example.org",
                                               "role": "panelist"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The invitation to aoife@example.org will be sent within a minute" in page
    user = session.scalar(select(User).where(User.email == "aoife@example.org"))
    assert user is not None and user.password_hash is None  # kept, invitation pending
    assert deliver(app).sent == []  # the mail server is down: tried again later
    assert "The last invitation email: Not sent yet: the last try failed" in \
        hr.get(f"/people/{user.id}").get_data(as_text=True)

    sink = SmtpSink(smtp_port)
    _retry_now(session)
    try:
        deliver(app)
    finally:
        sink.close()
    [message] = [m for m in sink.messages if b"aoife@example.org" in m]
    assert b"/set-password/" in message
    page = hr.get(f"/people/{user.id}").get_data(as_text=True)
    assert "The last invitation email: Sent on" in page  # HR sees that it went


def test_forgot_password_with_smtp_down_does_not_break_or_reveal_anything(app, client, session, smtp_port):
    make_user(session, "panelist", email="known@example.org")
    known = client.post_form("/forgot-password", {"email": "known@example.org"})
    unknown = client.post_form("/forgot-password", {"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 200


# --- the PDF renderer crashes ----------------------------------------------------------------

def test_pdf_renderer_crash_gives_an_error_page_and_the_next_render_works(app, as_user, monkeypatch, session):
    from panel.packs import render
    from panel.packs.bench import generate

    vacancy, hr, _members, _candidates = generate(session, reference="CR-1", candidates=2, members=2, questions=2,
                                                  password=PASSWORD, app=app)
    client = as_user(hr)
    real_run = render.Worker.run
    killed = []

    def crash_then_run(self, job, timeout):
        os.kill(self.pid, signal.SIGKILL)  # the render process dies (a segfault, the OOM killer ...)
        killed.append(self.pid)
        return real_run(self, job, timeout)

    monkeypatch.setattr(render.Worker, "run", crash_then_run)
    response = client.get(f"/vacancies/{vacancy.id}/packs/panel.pdf")
    assert response.status_code == 303  # a render job; the pack worker makes it
    jobs.run_pending(app)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "could not be made" in page and "Traceback" not in page
    assert killed and killed[0] not in render.POOL.idle_pids()
    assert not list((Path(app.instance_path) / "pack-cache").glob("*.pdf"))
    assert not list((Path(app.instance_path) / "pack-cache").glob(".*.tmp"))
    monkeypatch.undo()
    response = fetch_pack(client, f"/vacancies/{vacancy.id}/packs/panel.pdf")
    assert response.status_code == 200 and response.data[:5] == b"%PDF-"


# --- the store refuses the file (the database is full, the object store fails) ------------------

def _upload(client, sl, data=MINIMAL_PDF):
    c = sl.candidates[0]
    return client.post_form(url(sl.v, "candidates", c.id, "application"),
                            {"file": (io.BytesIO(data), "application.pdf")}, content_type="multipart/form-data")


def _nothing_stored(app, session, sl, events_before):
    assert stored_keys(app) == []  # neither the original nor the cleaned copy
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or [p for p in folder.rglob("*") if p.is_file()] == []
    session.expire_all()
    assert session.get(Candidate, sl.candidates[0].id).application_file is None
    assert len(session.scalars(select(AuditEvent)).all()) == events_before


@pytest.mark.parametrize("fails", ["first", "second"])
def test_the_database_is_full_while_storing_an_upload(app, as_user, sl, session, fails):
    """The database refuses the INSERT of the cleaned copy (first) or of the original (second),
    as SQLite does when its disk is full: a clear message, nothing kept."""
    from sqlalchemy import event

    engine = app.extensions["panel.engine"]
    driver_error = engine.dialect.loaded_dbapi.OperationalError  # sqlite3's or psycopg's
    inserts = []

    def full(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO STORED_FILES"):
            inserts.append(statement)
            if len(inserts) == (1 if fails == "first" else 2):
                raise driver_error("database or disk is full")

    hr = as_user(sl.hr)
    events = len(session.scalars(select(AuditEvent)).all())
    event.listen(engine, "before_cursor_execute", full)
    try:
        response = _upload(hr, sl)
    finally:
        event.remove(engine, "before_cursor_execute", full)
    assert response.status_code == 200
    assert "The file could not be saved. Try again, or tell your recruitment team." in response.get_data(as_text=True)
    _nothing_stored(app, session, sl, events)


def test_an_unreachable_object_store_while_storing_an_upload(app, as_user, sl, session, monkeypatch):
    """S3 cannot be reached (a closed port): the same message, nothing kept."""
    import panel.storage

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    store = panel.storage.S3Store(f"s3://files/panel?endpoint_url=http://127.0.0.1:{port}&region=eu-west-2")
    store._client = None
    app.extensions["panel.store"] = store
    hr = as_user(sl.hr)
    events = len(session.scalars(select(AuditEvent)).all())
    response = _upload(hr, sl)
    assert response.status_code == 200
    assert "The file could not be saved" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Candidate, sl.candidates[0].id).application_file is None
    assert len(session.scalars(select(AuditEvent)).all()) == events
