"""Fixtures: an app on a fresh database (SQLite by default; PostgreSQL when
PANEL_TEST_DATABASE_URL is set), clients that sign in for real, and a small world
of people and vacancies for permission tests."""
from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
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


def _worker_database(url: str) -> str:
    """With pytest-xdist, each worker gets its own PostgreSQL database (created on first use)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        # A connection an earlier test left in a transaction would block DROP SCHEMA forever.
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


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
def app(tmp_path):
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": _worker_database(PG_URL) if PG_URL else f"sqlite:///{tmp_path / 'test.db'}",
        "PASSWORD_HASH_METHOD": TEST_HASH,
        "COOKIE_SECURE": False,
        "SERVER_NAME": "localhost",  # emailed links and TRUSTED_HOSTS; the test client's own host
        "PREFERRED_URL_SCHEME": "http",  # the test client's scheme too (https would need a Referer)
    }
    if PG_URL:
        _reset_postgres(config["DATABASE_URL"])
    app = create_app(config)
    app.test_client_class = Client
    with app.app_context():
        upgrade_database()
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


def make_user(session, role: Role | str, name: str = "Test User", email: str | None = None,
              password: str = PASSWORD, active: bool = True) -> User:
    role = Role(role)
    n = session.query(User).count() + 1
    user = User(email=email or f"user{n}@example.org", name=name, role=role, active=active,
                password_hash=generate_password_hash(password, method=TEST_HASH) if password else None,
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
