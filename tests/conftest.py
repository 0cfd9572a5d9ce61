"""Fixtures: an app on a fresh database (SQLite by default; PostgreSQL when
PANEL_TEST_DATABASE_URL is set), clients that sign in for real, and a small world
of people and vacancies for permission tests."""
from __future__ import annotations

import functools
import os
import re
import shutil
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, event, text

from panel import create_app
from panel.cli import upgrade_database
from panel.db import db
from panel.models import (
    AssessedAt,
    Criterion,
    CriterionCategory,
    PanelMember,
    PanelRole,
    Role,
    User,
    Vacancy,
    VacancyStatus,
)
from werkzeug.security import generate_password_hash

PASSWORD = "correct horse battery staple"
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


def make_app(config: dict) -> Flask:
    """create_app for tests: the test client class that posts forms, compiled templates shared."""
    app = share_template_code(create_app(config))
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


@functools.lru_cache(maxsize=None)
def cheap_password_hash(password: str) -> str:
    """One (cheap, salted) hash per password, reused for every test user with that password."""
    return generate_password_hash(password, method=TEST_HASH)


def make_user(session, role: Role | str, name: str = "Test User", email: str | None = None,
              password: str = PASSWORD, active: bool = True) -> User:
    role = Role(role)
    n = session.query(User).count() + 1
    user = User(email=email or f"user{n}@example.org", name=name, role=role, active=active,
                password_hash=cheap_password_hash(password) if password else None,
                session_version=1, failed_logins=0)
    session.add(user)
    session.commit()
    return user


def make_vacancy(session, reference: str = "REF-1", title: str = "Psychological Wellbeing Practitioner",
                 status: VacancyStatus = VacancyStatus.DRAFT, criteria: int = 3, panel=()) -> Vacancy:
    vacancy = Vacancy(title=title, reference=reference, band="Band 5", site="Boston", status=status)
    for i in range(1, criteria + 1):
        vacancy.criteria.append(Criterion(
            position=i, text=f"Criterion {i}", category=CriterionCategory.EXPERIENCE, essential=i % 2 == 1,
            assessed_at=[AssessedAt.APPLICATION, AssessedAt.INTERVIEW, AssessedAt.BOTH][(i - 1) % 3]))
    for user, role in panel:
        vacancy.panel_members.append(PanelMember(user=user, panel_role=PanelRole(role)))
    session.add(vacancy)
    session.commit()
    return vacancy


def login(client: Client, user_or_email, password: str = PASSWORD):
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    client.signed_in = False
    response = client.post_form("/login", {"email": email, "password": password})
    client.signed_in = response.status_code == 302
    return response


@pytest.fixture()
def world(app, session):
    """HR, a chair and a panelist on vacancy A's panel, a panelist on vacancy B's panel only."""
    hr = make_user(session, "hr", "Priya Shah", "hr@example.org")
    chair = make_user(session, "chair", "Chris Morgan", "chair@example.org")
    panelist = make_user(session, "panelist", "John O'Neill", "panelist@example.org")
    other = make_user(session, "panelist", "Zoë Ashworth", "other@example.org")
    spare = make_user(session, "panelist", "Siobhán Kelly", "spare@example.org")  # not on any panel
    a = make_vacancy(session, "A-1", panel=[(chair, "chair"), (panelist, "patient")])
    b = make_vacancy(session, "B-1", title="High Intensity Therapist", panel=[(other, "patient")])
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


@contextmanager
def count_queries(app):
    """Count SQL statements sent to the database inside the block."""
    engine = app.extensions["panel.engine"]
    statements: list[str] = []

    def _before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _before)


def outbox_messages(app) -> list:
    """The emails written to the outbox folder, oldest first, as email.message objects."""
    import email
    from email import policy
    from pathlib import Path

    folder = Path(app.config["OUTBOX_FOLDER"])
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)]


@pytest.fixture()
def plan_world(world, session):
    """world plus interview-plan data: on vacancy A an interview day (12 January 2027, 9:30am
    to 4:30pm, UK time), one plan question asked by the patient panelist, two shortlisted
    candidates (the first with a slot) and one not shortlisted; an approved bank question;
    proposals by the panelist for A and by `other` for B; a shortlisted candidate on B."""
    import datetime as dt

    from panel.models import (BankQuestion, Candidate, InterviewDay, InterviewSlot, PlanQuestion,
                              PlanQuestionCriterion, QuestionStatus, ShortlistDecision, ShortlistOutcome)

    utc = dt.timezone.utc
    a, b = world["a"], world["b"]

    def candidate(vacancy, number, first, last, outcome):
        c = Candidate(vacancy_id=vacancy.id, number=number, first_name=first, last_name=last,
                      email=f"{first.lower()}.{last.lower()}@candidates.example")
        if outcome:
            c.decision = ShortlistDecision(outcome=outcome, reason="Meets the essential criteria")
        session.add(c)
        return c

    a1 = candidate(a, 1, "Alex", "Smith", ShortlistOutcome.SHORTLIST)
    a2 = candidate(a, 2, "Bea", "Jones", ShortlistOutcome.SHORTLIST)
    a3 = candidate(a, 3, "Cal", "Reed", ShortlistOutcome.REJECT)
    b1 = candidate(b, 1, "Dee", "Kaur", ShortlistOutcome.SHORTLIST)
    approved = BankQuestion(text="Tell us about a time you supported someone in distress.", category=CriterionCategory.EXPERIENCE,
                            tags="values,scenario", guidance="Listens\nKeeps them safe", follow_ups="What did you learn?",
                            status=QuestionStatus.APPROVED, proposed_by_id=world["chair"].id)
    proposed_a = BankQuestion(text="What does recovery mean to you?", category=CriterionCategory.VALUES,
                              status=QuestionStatus.PROPOSED, proposed_by_id=world["panelist"].id,
                              proposed_for_vacancy_id=a.id)
    proposed_b = BankQuestion(text="How would you explain CBT to someone nervous?", category=CriterionCategory.SKILLS,
                              status=QuestionStatus.PROPOSED, proposed_by_id=world["other"].id,
                              proposed_for_vacancy_id=b.id)
    session.add_all([approved, proposed_a, proposed_b])
    session.flush()
    panelist_member = next(m for m in a.panel_members if m.user_id == world["panelist"].id)
    question = PlanQuestion(vacancy_id=a.id, position=1, text="Why do you want this job?", minutes=10,
                            asker_id=panelist_member.id, guidance="Knows the service", bank_question_id=approved.id)
    question.criteria_links = [PlanQuestionCriterion(criterion_id=a.criteria[1].id)]
    session.add(question)
    session.add(InterviewDay(vacancy_id=a.id, starts_at=dt.datetime(2027, 1, 12, 9, 30, tzinfo=utc),
                             ends_at=dt.datetime(2027, 1, 12, 16, 30, tzinfo=utc), slot_minutes=45, gap_minutes=15,
                             breaks="12:30-13:15", default_location="Meeting Room 2"))
    slot = InterviewSlot(vacancy_id=a.id, candidate_id=a1.id, starts_at=dt.datetime(2027, 1, 12, 9, 30, tzinfo=utc),
                         ends_at=dt.datetime(2027, 1, 12, 10, 15, tzinfo=utc), location="Meeting Room 2")
    b_slot = InterviewSlot(vacancy_id=b.id, candidate_id=b1.id, starts_at=dt.datetime(2027, 1, 13, 9, 30, tzinfo=utc),
                           ends_at=dt.datetime(2027, 1, 13, 10, 15, tzinfo=utc))
    session.add_all([slot, b_slot])
    session.commit()
    return {**world, "a1": a1, "a2": a2, "a3": a3, "b1": b1, "bank_approved": approved, "bank_proposed_a": proposed_a,
            "bank_proposed_b": proposed_b, "plan_question": question, "slot": slot, "b_slot": b_slot,
            "panelist_member": panelist_member}
