"""Fixtures: an app on a fresh database (SQLite by default; PostgreSQL when
PANEL_TEST_DATABASE_URL is set), clients that sign in for real, and a small world
of people and vacancies for permission tests."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, text

from panel import create_app
from panel.builders import Builder
from panel.cli import upgrade_database
from panel.db import counted_queries, db
from panel.models import CriterionCategory, ShortlistOutcome

pytest.register_assert_rewrite("tests.builders_plugin")  # imported here, before pytest loads it as a plugin
from tests.snapshots import snapshotted  # noqa: E402
from tests.builders_plugin import PASSWORD, make_user, make_vacancy  # noqa: E402,F401  (the tests import them from here)

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
PG_URL = os.environ.get("PANEL_TEST_DATABASE_URL")
TEST_HASH = "scrypt:1024:8:1"  # production strength is asserted in test_auth

pytest_plugins = ["tests.builders_plugin"]  # the `build` fixture: data through the services


def _worker_database(url: str) -> str:
    """With pytest-xdist, each worker gets its own PostgreSQL database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    from sqlalchemy.engine import make_url

    base = make_url(url)
    return base.set(database=f"{base.database}_{worker}").render_as_string(hide_password=False)


class SharedTemplateCode(BytecodeCache):
    """Jinja's compiled template code, shared by every app a test process builds.

    Each test builds its own app, and each app its own Jinja environment, which used to
    parse and compile every template again (most of a small test's time). The code is
    keyed by template name and file and checked against a checksum of the source, so an
    edited template is compiled afresh; the templates themselves (bound to their app's
    globals) are never shared."""

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self._code.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


TEMPLATE_CODE = SharedTemplateCode()


def share_template_code(app: Flask) -> Flask:
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    return app


def _share_url_builders() -> None:
    """Every app registers the same ~100 routes, and werkzeug compiles two URL-building
    functions for each (Python code generated and compiled: about 40 ms of CPU an app, most of
    the cost of create_app). The functions depend only on the rule's text, its parsed parts
    and its defaults, and read the converters from the rule they are bound to, so a test
    process builds each once. Tests only: the app itself is built once per process anyway.
    If werkzeug's private _compile_builder changes shape, this quietly does nothing."""
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "shared", False):
        return
    built: dict = {}

    def shared(self, append_unknown: bool = True):
        try:
            key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())), append_unknown)
        except Exception:  # pragma: no cover - werkzeug changed
            return compile_builder(self, append_unknown)
        function = built.get(key)
        if function is None:
            function = built[key] = compile_builder(self, append_unknown)
        return function

    shared.shared = True
    Rule._compile_builder = shared


_share_url_builders()


def _cheap_password_hashing() -> None:
    """Test people's passwords are hashed with TEST_HASH: cheap, but still some milliseconds of
    scrypt for every person built (through the account service) and every sign-in. A test
    process hashes each test password once and checks each (hash, password) pair once; the
    production-strength method (asserted in test_auth) is never cached."""
    from panel import passwords

    generate, check = passwords.generate_password_hash, passwords.check_password_hash
    if getattr(generate, "cached", False):
        return
    hashes: dict = {}
    checks: dict = {}

    def cheap_generate(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
        if method != TEST_HASH:
            return generate(password, method=method, salt_length=salt_length)
        if password not in hashes:
            hashes[password] = generate(password, method=method, salt_length=salt_length)
        return hashes[password]

    def cheap_check(pwhash: str, password: str) -> bool:
        if not pwhash.startswith(TEST_HASH + "$"):
            return check(pwhash, password)
        if (pwhash, password) not in checks:
            checks[pwhash, password] = check(pwhash, password)
        return checks[pwhash, password]

    cheap_generate.cached = True
    passwords.generate_password_hash, passwords.check_password_hash = cheap_generate, cheap_check


_cheap_password_hashing()


# The panel composition rules (panel/profiles/composition.py) are switched off for tests that
# do not set them: those tests build panels without training records. tests/test_profiles*.py
# and the involvement browser journey switch them on.
RULES_OFF = {"COMPOSITION_MIN_PATIENTS": 0, "COMPOSITION_TRAINED_MEMBER": False, "COMPOSITION_TRAINED_CHAIR": False}


_DIALECTS: dict = {}  # one dialect object per database kind in this test process


def share_compiled_sql(app: Flask) -> Flask:
    """Let every test's engine reuse the SQL its predecessors compiled. SQLAlchemy caches a
    statement's compiled form per engine, keyed by the dialect object, so each test's new engine
    compiled every statement again (about a seventh of a test's time). Engines of one kind
    share their dialect here, and with it one compiled cache; each test still has its own
    database, pool and connections."""
    engine = app.extensions["panel.engine"]
    name = engine.dialect.name
    if name not in _DIALECTS:
        _DIALECTS[name] = (engine.dialect, engine._compiled_cache)
    else:
        engine.dialect, engine._compiled_cache = _DIALECTS[name]
    return app


def make_app(config: dict) -> Flask:
    """create_app for tests: the test client class that posts forms, compiled templates and
    compiled SQL shared."""
    app = share_compiled_sql(share_template_code(create_app({**RULES_OFF, **config})))
    app.test_client_class = Client
    return app


def _migrate(config: dict) -> None:
    """Run every migration from empty on config's database."""
    app = create_app(config)
    with app.app_context():
        upgrade_database()
    app.extensions["panel.engine"].dispose()


class MigratedDatabases:
    """One database migrated from empty per test process, copied for each test: a file copy on
    SQLite; on PostgreSQL the test's database is recreated from a migrated template database
    (CREATE DATABASE ... TEMPLATE). Much cheaper than running the migrations for every test;
    the migrations themselves still run from empty once per process (and test_app checks the
    result against the models)."""

    def __init__(self, folder) -> None:
        self.folder = folder
        self.sqlite_template = None
        self.pg_admin = None
        self.pg_template = None

    def sqlite(self, path) -> str:
        if self.sqlite_template is None:
            template = self.folder / "migrated.db"
            _migrate({"TESTING": True, "INSTANCE_PATH": str(self.folder / "instance"),
                      "DATABASE_URL": f"sqlite:///{template}"})
            engine = create_engine(f"sqlite:///{template}")
            with engine.connect() as conn:  # everything into the main file, then copy that alone
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            self.sqlite_template = template
        shutil.copyfile(self.sqlite_template, path)
        return f"sqlite:///{path}"

    def postgres(self, url: str) -> str:
        from sqlalchemy.engine import make_url

        target = make_url(url)
        if self.pg_admin is None:
            self.pg_admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
            self.pg_template = f"{target.database}_template"
            self._recreate(self.pg_template)
            _migrate({"TESTING": True, "INSTANCE_PATH": str(self.folder / "instance"),
                      "DATABASE_URL": target.set(database=self.pg_template).render_as_string(hide_password=False)})
        # WITH (FORCE): a connection an earlier test left open must not block the drop
        self._recreate(target.database, template=self.pg_template)
        return url

    def _recreate(self, name: str, template: str | None = None) -> None:
        with self.pg_admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))

    def close(self) -> None:
        if self.pg_admin is not None:
            with self.pg_admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.pg_template}" WITH (FORCE)'))
            self.pg_admin.dispose()


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory):
    databases = MigratedDatabases(tmp_path_factory.mktemp("migrated"))
    yield databases
    databases.close()


class Client(FlaskClient):
    """A test client that can find a CSRF token and post forms with it."""

    def csrf_token(self) -> str:
        page = self.get("/account" if self.signed_in else "/login").get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, "no CSRF token on the page"
        return match.group(1) or match.group(2)

    signed_in = False

    def open(self, *args, **kwargs):
        # read the whole answer and close it, as a server does: work registered to run after the
        # response (panel.mail.after_response, e.g. the password reset email) runs then
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture()
def app(tmp_path, migrated_databases):
    """The app on a freshly migrated database of its own."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": (migrated_databases.postgres(_worker_database(PG_URL)) if PG_URL
                         else migrated_databases.sqlite(tmp_path / "test.db")),
        "PASSWORD_HASH_METHOD": TEST_HASH,
        "COOKIE_SECURE": False,
        "SERVER_NAME": "localhost",  # emailed links and TRUSTED_HOSTS; the test client's own host
        "PREFERRED_URL_SCHEME": "http",  # the test client's scheme too (https would need a Referer)
    }
    app = make_app(config)
    yield app
    app.extensions["panel.engine"].dispose()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def session(app):
    """A database session for arranging and checking data (commit to make it visible;
    call session.expire_all() before reading what a request changed).

    It deliberately holds no app context: a pushed app context would be shared by
    the test client's requests (and with it flask.g and the signed-in user)."""
    s = app.extensions["panel.sessionmaker"]()
    yield s
    s.close()


def login(client: Client, user_or_email, password: str = PASSWORD):
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    client.signed_in = False
    response = client.post_form("/login", {"email": email, "password": password})
    client.signed_in = response.status_code == 302
    return response


@pytest.fixture()
@snapshotted
def world(app, session):
    """HR, a chair and a panelist on vacancy A's panel, a panelist on vacancy B's panel only
    (built through the services by HR; made once per module and process: tests/snapshots.py)."""
    hr = make_user(session, "hr", "Priya Shah", "hr@example.org")
    build = Builder(session, hr, app=app, password=PASSWORD)
    chair = build.user("chair", name="Chris Morgan", email="chair@example.org")
    panelist = build.user("panelist", name="John O'Neill", email="panelist@example.org")
    other = build.user("panelist", name="Zoë Ashworth", email="other@example.org")
    spare = build.user("panelist", name="Siobhán Kelly", email="spare@example.org")  # not on any panel
    a = build.vacancy(reference="A-1", panel=[(chair, "chair"), (panelist, "patient")])
    b = build.vacancy(reference="B-1", title="High Intensity Therapist", panel=[(other, "patient")])
    build.commit()
    return {"hr": hr, "chair": chair, "panelist": panelist, "other": other, "spare": spare, "a": a, "b": b}


@pytest.fixture()
def as_user(app):
    """as_user(user) -> a new client signed in as that user (None: anonymous)."""

    def _make(user):
        c = app.test_client()
        if user is not None:
            response = login(c, user)
            assert response.status_code == 302, response.get_data(as_text=True)
        return c

    return _make


count_queries = counted_queries  # panel.db: the SQL statements sent inside the block


def deliver(app):
    """Run the notifications worker once, as `flask notifications run --once` does: every email
    is written to the outbox table with its event and sent by the worker, never in a request."""
    from panel.notifications import worker

    with app.app_context():
        return worker.run_once()


def outbox_messages(app, deliver_first: bool = True) -> list:
    """The emails sent so far, oldest first, as email.message objects: the notifications worker is
    run once first (``deliver_first``), then the outbox folder (no SMTP server in tests) is read."""
    import email
    from email import policy
    from pathlib import Path

    if deliver_first:
        deliver(app)
    folder = Path(app.config["OUTBOX_FOLDER"])
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)]


def mail_to(app, address: str) -> list:
    """The emails sent so far to one address (after running the worker once), oldest first."""
    return [m for m in outbox_messages(app) if m["To"] == address]


@pytest.fixture()
@snapshotted
def plan_world(app, world, session):
    """world plus interview-plan data: on vacancy A an interview day (12 January 2027, 9:30am
    to 4:30pm, UK time), one plan question asked by the patient panelist, two shortlisted
    candidates (the first with a slot) and one not shortlisted; an approved bank question;
    proposals by the panelist for A and by `other` for B; a shortlisted candidate on B.
    Built through the services by HR (the chair approves and plans)."""
    a, b, chair = world["a"], world["b"], world["chair"]
    build = Builder(session, world["hr"], app=app, password=PASSWORD)

    def candidate(vacancy, first, last, outcome):
        c = build.candidate(vacancy, first_name=first, last_name=last, phone="", supporting_information="",
                            email=f"{first.lower()}.{last.lower()}@candidates.example")
        build.decided(c, outcome, "Meets the essential criteria")
        return c

    a1 = candidate(a, "Alex", "Smith", ShortlistOutcome.SHORTLIST)
    a2 = candidate(a, "Bea", "Jones", ShortlistOutcome.SHORTLIST)
    a3 = candidate(a, "Cal", "Reed", ShortlistOutcome.REJECT)
    b1 = candidate(b, "Dee", "Kaur", ShortlistOutcome.SHORTLIST)
    approved = build.bank_question("Tell us about a time you supported someone in distress.",
                                   category=CriterionCategory.EXPERIENCE, tags="values,scenario",
                                   guidance="Listens\nKeeps them safe", follow_ups="What did you learn?",
                                   proposed_by=chair, reviewer=chair)
    proposed_a = build.bank_question("What does recovery mean to you?", category=CriterionCategory.VALUES,
                                     proposed_by=world["panelist"], vacancy=a, approve=None)
    proposed_b = build.bank_question("How would you explain CBT to someone nervous?",
                                     category=CriterionCategory.SKILLS, proposed_by=world["other"], vacancy=b,
                                     approve=None)
    panelist_member = next(m for m in a.panel_members if m.user_id == world["panelist"].id)
    question = build.plan_question(a, "Why do you want this job?", criteria=[a.criteria[1]], asker=panelist_member,
                                   minutes=10, guidance="Knows the service", follow_ups="", bank_question=approved)
    build.interview_day(a, dt.date(2027, 1, 12))  # 9:30am to 4:30pm, 45-minute slots, a break at 12:30
    slot = build.slot(a, a1, dt.date(2027, 1, 12), dt.time(9, 30), 45, location="Meeting Room 2")
    b_slot = build.slot(b, b1, dt.date(2027, 1, 13), dt.time(9, 30), 45)
    build.commit()
    return {**world, "a1": a1, "a2": a2, "a3": a3, "b1": b1, "bank_approved": approved, "bank_proposed_a": proposed_a,
            "bank_proposed_b": proposed_b, "plan_question": question, "slot": slot, "b_slot": b_slot,
            "panelist_member": panelist_member}
