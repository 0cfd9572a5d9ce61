"""Test data, as a pytest plugin (registered by ``pytest_plugins`` in tests/conftest.py).

Fixtures: ``build`` (a panel.builders.Builder on the test's session) and ``sl`` (a vacancy in
shortlisting). Helpers: shortlisting (``make_shortlisting_vacancy``, ``add_candidate``,
``put_scores``, ``step_aside`` and the request helpers ``declare``/``save``/``submit``/
``score_all``), interview scoring (``interview_world``, ``add_plan``, ``add_candidates``,
``score_and_submit``), packs (``ready_for_interviews``, ``add_pack_candidates``,
``score_everyone``, PDF readers) and records (``closed_world``).

Everything goes through the services (panel.builders), so audit rows and the services' rules
hold, except where a test needs a state the services cannot produce; those few writes are
marked "direct:" with the reason.
"""
from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from panel.builders import Builder
from panel.models import (
    AssessedAt,
    Candidate,
    CandidateFeedback,
    CandidateInvitation,
    CriterionCategory,
    InterviewOutcome,
    InterviewScore,
    InterviewSlot,
    ModeratedScore,
    Outcome,
    PlanQuestion,
    Role,
    ShortlistDecision,
    ShortlistOutcome,
    ShortlistScore,
    User,
    Vacancy,
    VacancyStatus,
)
from tests.snapshots import snapshotted
PASSWORD = "correct horse battery staple"  # every test person's password (hashed cheaply: TEST_HASH)

_current = {"app": None}


@pytest.fixture(autouse=True)
def _builder_app(request):
    """Lets the helpers below (which take only the session) reach the test's app, if it has one."""
    _current["app"] = request.getfixturevalue("app") if "app" in request.fixturenames else None
    yield
    _current["app"] = None


def builder(session, password: str | None = PASSWORD) -> Builder:
    """A builder on ``session``, for the app the session belongs to (the test's app, or a live
    server's: see tests/browser/conftest.py, which marks its sessions with ``session.info["app"]``)."""
    return Builder(session, app=session.info.get("app") or _current["app"], password=password)


def make_user(session, role: Role | str, name: str = "Test User", email: str | None = None,
              password: str | None = PASSWORD, active: bool = True) -> User:
    """A person, created through the account service (audit-logged) and committed;
    ``password=None``: no password yet (they cannot sign in)."""
    user = builder(session, password).user(role, name=name, email=email, active=active)
    session.commit()
    return user


def make_vacancy(session, reference: str = "REF-1", title: str = "Psychological Wellbeing Practitioner",
                 status: VacancyStatus = VacancyStatus.DRAFT, criteria: int = 3, panel=()) -> Vacancy:
    """A vacancy with ``criteria`` criteria and this panel, created by the first HR account (the
    builder makes one if there is none), put at ``status``, committed."""
    hr = session.scalar(select(User).where(User.role == Role.HR).order_by(User.id).limit(1))
    vacancy = builder(session).vacancy(reference=reference, title=title, criteria=criteria, panel=panel,
                                       status=status, actor=hr)
    session.commit()
    return vacancy


@pytest.fixture()
def build(app, session) -> Builder:
    return Builder(session, app=app, password=PASSWORD)


# --- shortlisting -------------------------------------------------------------------------

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")

PEOPLE = [
    # first, last, email, phone, disability confident
    ("Aoife", "O'Connor", "aoife.oconnor@example.net", "07700 900101", False),
    ("José", "Martínez-García", "jose.martinez@example.net", "07700 900102", True),
    ("مريم", "الحسن", "maryam.alhassan@example.net", "+44 7700 900103", False),
]

SPEC = [
    # text, category, essential, assessed at
    ("Experience of working with people with anxiety or depression", CriterionCategory.EXPERIENCE, True,
     AssessedAt.APPLICATION),
    ("Experience of delivering groups", CriterionCategory.EXPERIENCE, False, AssessedAt.BOTH),
    ("Able to assess risk", CriterionCategory.EXPERIENCE, True, AssessedAt.INTERVIEW),
    ("Able to keep accurate, timely records", CriterionCategory.EXPERIENCE, True, AssessedAt.APPLICATION),
]


def identity_strings(candidates) -> list[str]:
    """Everything that identifies a candidate: names (and their HTML-escaped forms), emails, phones."""
    out = []
    for c in candidates:
        for value in (c.first_name, c.last_name, c.email, c.phone):
            if value:
                out.append(value)
                out.append(value.replace("'", "&#39;"))
    return out


def add_candidate(session, vacancy, number, first, last, email, phone="", dc=False, info=None, evidence=None):
    """A candidate added by HR (numbers come in turn: ``number`` must be the next one)."""
    c = builder(session).candidate(
        vacancy, first_name=first, last_name=last, email=email, phone=phone, disability_confident=dc,
        supporting_information=info or f"Supporting information number {number}: I have run groups for "
                                       "people with low mood and I keep careful notes.", evidence=evidence)
    _numbered(c, number)
    session.commit()
    return c


def _direct_candidate(session, vacancy, number, first, last, email, phone="", dc=False, evidence=None):
    from panel.models import CandidateEvidence

    c = Candidate(vacancy_id=vacancy.id, number=number, first_name=first, last_name=last, email=email, phone=phone,
                  disability_confident=dc,
                  supporting_information=f"Supporting information number {number}: I have run groups for "
                                         "people with low mood and I keep careful notes.")
    for criterion_id, text in (evidence or {}).items():
        c.evidence.append(CandidateEvidence(criterion_id=criterion_id, text=text))
    session.add(c)
    session.flush()
    return c


def make_shortlisting_vacancy(session, reference, panel, status=VacancyStatus.SHORTLISTING):
    hr = session.query(User).filter_by(role=Role.HR).first()
    v = builder(session).vacancy(reference=reference, criteria=SPEC, panel=panel, actor=hr or panel[0][0],
                                 status=status)
    session.commit()
    return v


def scored(vacancy):
    """The criteria scored at shortlisting (1, 2 and 4)."""
    return [c for c in vacancy.criteria if c.at_application]


def put_scores(session, candidate, user, scores, submit=True, comments=None):
    """One person's scores in criterion order: declared no conflict, saved and (by default) submitted."""
    builder(session).shortlist_scores(candidate, user, scores, comments=comments, submit=submit)
    session.commit()


def step_aside(session, candidate, user):
    builder(session).declare(candidate, user, knows=True)
    session.commit()


def store_pdf(app, data=MINIMAL_PDF) -> str:
    """Store a PDF (original and cleaned copy) as an upload would, committed; its name."""
    from panel.db import db
    from panel.uploads import save_pdf

    with app.app_context():
        name = save_pdf(data)
        db().commit()
        return name


def stored_keys(app, prefix: str = "") -> list[str]:
    """The keys of the files in the app's store (panel/storage.py), e.g. uploads/<name>."""
    from panel.db import db
    from panel.storage import get_store

    with app.app_context():
        return get_store(db()).keys(prefix)


def stored_bytes(app, key: str) -> bytes | None:
    from panel.db import db
    from panel.storage import get_store

    with app.app_context():
        return get_store(db()).get(key)


@pytest.fixture()
@snapshotted
def sl(app, session):
    """A vacancy in shortlisting with a person specification (criteria 1, 2 and 4 scored at
    application, 3 at interview only), a panel of a chair and two patient panelists, HR, a
    panelist on another vacancy only, and three candidates whose names, emails and phones must
    never reach the panel while shortlisting."""
    hr = make_user(session, "hr", "Priya Shah", "hr@example.org")
    chair = make_user(session, "chair", "Chris Morgan", "chair@example.org")
    panelist = make_user(session, "panelist", "John O'Neill", "panelist@example.org")
    panelist2 = make_user(session, "panelist", "Zoë Ashworth", "zoe@example.org")
    other = make_user(session, "panelist", "Siobhán Kelly", "other@example.org")
    b = Builder(session, hr, app=app, password=PASSWORD)
    v = b.vacancy(reference="SL-1", criteria=SPEC, panel=[(chair, "chair"), (panelist, "patient"),
                                                          (panelist2, "patient")])
    elsewhere = b.vacancy(reference="SL-2", criteria=SPEC, panel=[(other, "patient"), (chair, "chair")])
    crit = scored(v)
    # direct: the candidates (the candidate tests read "the first candidate audit entry" as the
    # one their own request wrote, so the fixture's candidates leave none)
    candidates = [
        _direct_candidate(session, v, n, first, last, email, phone, dc,
                          evidence={crit[0].id: f"Evidence of anxiety work from candidate {n}."})
        for n, (first, last, email, phone, dc) in enumerate(PEOPLE, start=1)
    ]
    stranger = _direct_candidate(session, elsewhere, 1, "Róisín", "Ní Dhomhnaill", "roisin@example.net", "07700 900199")
    for vacancy in (v, elsewhere):
        b.advance(vacancy)  # draft -> shortlisting, as HR does it
    session.commit()
    return SimpleNamespace(hr=hr, chair=chair, panelist=panelist, panelist2=panelist2, other=other, v=v,
                           elsewhere=elsewhere, candidates=candidates, stranger=stranger, criteria=crit)


def url(v, *parts) -> str:
    return "/".join([f"/vacancies/{v.id}", *[str(p) for p in parts]])


def declare(client, v, c, answer="no"):
    return client.post_form(url(v, "shortlisting/candidates", c.id, "conflict"), {"knows": answer})


def save(client, v, c, scores: dict, action="save", comments: dict | None = None, **kwargs):
    """scores: criterion id -> "0"/"1"/"2"/""; comments: criterion id -> text."""
    data = {f"score_{cid}": value for cid, value in scores.items()}
    data.update({f"comment_{cid}": text for cid, text in (comments or {}).items()})
    data["action"] = action
    return client.post_form(url(v, "shortlisting/candidates", c.id, "scores"), data, **kwargs)


def submit(client, v, c):
    return client.post_form(url(v, "shortlisting/candidates", c.id, "submit"), {})


def score_all(client, v, c, values, comments=None):
    """Declare no conflict, score every criterion and submit, through the pages."""
    assert declare(client, v, c).status_code == 302
    crit = scored(v)
    r = save(client, v, c, {cr.id: str(s) for cr, s in zip(crit, values)}, comments=comments)
    assert r.status_code == 302, r.get_data(as_text=True)
    r = submit(client, v, c)
    assert r.status_code == 302, r.get_data(as_text=True)


# --- interview scoring ----------------------------------------------------------------------

FIRST = ["Amelia", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Harry", "Isla", "Jack"]


def add_plan(session, vacancy: Vacancy, questions: int | list[str] = 3, askers: bool = False) -> list[PlanQuestion]:
    """Plan questions (``questions`` many, or these texts), each assessing one interview
    criterion in turn; ``askers``: the panel members ask them in turn."""
    b = builder(session)
    texts = questions if isinstance(questions, list) else [f"Tell us about question topic {i}."
                                                          for i in range(1, questions + 1)]
    criteria = [c for c in vacancy.criteria if c.at_interview]
    members = list(vacancy.panel_members)
    out = [b.plan_question(vacancy, text, criteria=[criteria[i % len(criteria)]],
                           asker=members[i % len(members)] if askers else None)
           for i, text in enumerate(texts)]
    session.commit()
    return out


def _shortlisted(session, vacancy, c, outcome, reason=""):
    # direct: a shortlisting decision without shortlisting scores, which the services refuse
    # (every panel member must submit first); the interview tests need only the decision
    if outcome is not None:
        session.add(ShortlistDecision(candidate_id=c.id, outcome=outcome, reason=reason))
        session.flush()
        session.expire(c, ["decision"])


def _numbered(c, number):
    # direct: a gap in the numbering (a test adding "candidate 20"), which HR's services never leave
    if c.number != number:
        c.number = number


def add_candidates(session, vacancy: Vacancy, n: int, outcome: ShortlistOutcome = ShortlistOutcome.SHORTLIST,
                   start: int = 1) -> list[Candidate]:
    b = builder(session)
    out = []
    for i in range(start, start + n):
        first = FIRST[(i - 1) % len(FIRST)]
        c = b.candidate(vacancy, first_name=first, last_name=f"Surname{i}", email=f"{first.lower()}{i}@candidates.example.org",
                        phone="07700 900000", supporting_information="")
        _numbered(c, i)
        _shortlisted(session, vacancy, c, outcome)
        out.append(c)
    session.commit()
    return out


def interview_world(session, candidates: int = 3, questions: int = 3, reference: str = "IV-1") -> dict:
    """HR, a chair, two patient panelists and a staff member on one panel; someone on no panel."""
    n = session.query(Vacancy).count()
    hr = make_user(session, "hr", "Priya Shah", f"hr{n}@example.org")
    chair = make_user(session, "chair", "Chris Morgan", f"chair{n}@example.org")
    p1 = make_user(session, "panelist", "John O'Neill", f"john{n}@example.org")
    p2 = make_user(session, "panelist", "Zoë Ashworth", f"zoe{n}@example.org")
    staff = make_user(session, "chair", "Sam Staff", f"staff{n}@example.org")
    outsider = make_user(session, "panelist", "Olu Outsider", f"outsider{n}@example.org")
    vacancy = Builder(session, hr, app=_current["app"], password=PASSWORD).vacancy(
        reference=reference, criteria=3, panel=[(chair, "chair"), (p1, "patient"), (p2, "patient"), (staff, "staff")])
    qs = add_plan(session, vacancy, questions)
    cands = add_candidates(session, vacancy, candidates)
    b = Builder(session, hr, app=_current["app"], password=PASSWORD)
    b.jump_to(vacancy, VacancyStatus.INTERVIEWING)
    b.reveal_answers(vacancy)  # everyone has said they know none of the candidates (issue 17)
    session.commit()
    return {"hr": hr, "chair": chair, "p1": p1, "p2": p2, "staff": staff, "outsider": outsider,
            "vacancy": vacancy, "questions": qs, "candidates": cands}


def score_and_submit(session, candidate: Candidate, user, questions, scores, notes=None, submit=True) -> None:
    """A panel member's scores, saved and submitted through the scoring services."""
    builder(session).interview_scores(candidate, user, questions, scores, notes, submit=submit)
    session.commit()


# --- packs ----------------------------------------------------------------------------------

NAMES = [("Amira", "Ahmed"), ("Ben", "Baker"), ("Chloe", "Clarke"), ("Dev", "Dhillon"), ("Ella", "Evans")]


def add_pack_candidates(session, vacancy: Vacancy, n: int, outcome=ShortlistOutcome.SHORTLIST, slots: bool = True,
                        start: int = 1) -> list[Candidate]:
    """Candidates named from NAMES, shortlisted and given an interview slot an hour apart."""
    b = builder(session)
    out = []
    for i in range(start, start + n):
        first, last = NAMES[(i - 1) % len(NAMES)]
        c = b.candidate(vacancy, first_name=first, last_name=f"{last}{i}", email=f"{first.lower()}{i}@candidates.example.org",
                        phone=f"07700 900{i:03d}",
                        supporting_information=f"Supporting information of candidate {i}.\n\nSecond paragraph.")
        _numbered(c, i)
        _shortlisted(session, vacancy, c, outcome)
        out.append(c)
    if slots:
        for k, c in enumerate(out):
            b.slot(vacancy, c, dt.date(2026, 3, 3), dt.time(9 + k, 30), 45, location="Room 2")  # GMT: UK = UTC
    session.commit()
    return out


def score_everyone(session, vacancy: Vacancy, candidates, questions, users, sign_off_by=None) -> dict:
    """Submitted scores for everyone (a known pattern), an outcome each, optionally a sign-off.
    Returns {(candidate id, question id, user id): score}."""
    b = builder(session)
    later = vacancy.status if vacancy.status == VacancyStatus.CLOSED else None
    if later:  # scored, decided and signed off at interviews, then moved on
        b.jump_to(vacancy, VacancyStatus.INTERVIEWING)
    scores = {}
    for ci, c in enumerate(candidates):
        for ui, u in enumerate(users):
            values = [(ci + 2 * ui + qi) % 5 for qi in range(len(questions))]
            scores.update({(c.id, q.id, u.id): v for q, v in zip(questions, values)})
            b.interview_scores(c, u, questions, values)
        b.outcome(c, [Outcome.PREFERRED, Outcome.RESERVE, Outcome.NOT_APPOINTABLE][min(ci, 2)],
                  f"Rationale for candidate {ci + 1}.")
    if sign_off_by is not None:
        b.sign_off(vacancy, actor=sign_off_by)
    if later:
        b.jump_to(vacancy, later)
    session.commit()
    return scores


def ready_for_interviews(session, vacancy: Vacancy, questions: int = 2, candidates: int = 2,
                         status=VacancyStatus.INTERVIEWING) -> tuple[list[PlanQuestion], list[Candidate]]:
    builder(session).jump_to(vacancy, status)
    session.commit()
    qs = add_plan(session, vacancy, [f"Tell us about topic {i}." for i in range(1, questions + 1)], askers=True)
    cs = add_pack_candidates(session, vacancy, candidates)
    return qs, cs


def fetch_pack(client, url: str):
    """A pack request as a person makes it: the PDF at once when it has been made, otherwise
    303 to the job's progress page; then the pack worker (run here, in this process, as
    `flask packs-worker --once` would) makes it and the same link gives the PDF. Returns the
    final response (a 409/404 page comes back as it is)."""
    from panel.packs import jobs

    response = client.get(url)
    if response.status_code == 303 and "/packs/jobs/" in response.headers["Location"]:
        app = client.application
        with app.app_context():
            jobs.run_pending(app)
        response = client.get(url)
    return response


def get_pack_pdf(client, url: str) -> bytes:
    """The PDF bytes of a pack (see fetch_pack)."""
    response = fetch_pack(client, url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_data()


def pdf(data: bytes) -> PdfReader:
    assert data[:5] == b"%PDF-", data[:200]
    return PdfReader(io.BytesIO(data))


def page_texts(reader: PdfReader) -> list[str]:
    """Each page's text, with no-break and em spaces read as plain spaces."""
    return [(p.extract_text() or "").replace("\xa0", " ").replace("\u2003", " ") for p in reader.pages]


def font_sizes(page) -> list[tuple[str, float]]:
    """(text, size in points) of every piece of text drawn on a page."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if text and text.strip():
            a = tm[0] * cm[0] + tm[1] * cm[2]
            b = tm[0] * cm[1] + tm[1] * cm[3]
            found.append((text.strip(), abs(font_size) * math.hypot(a, b)))

    page.extract_text(visitor_text=visit)
    return found


def in_order(text: str, parts: list[str]) -> bool:
    position = -1
    for part in parts:
        position = text.find(part, position + 1)
        if position < 0:
            return False
    return True


# --- records ----------------------------------------------------------------------------------

UTC = dt.timezone.utc
CLOSED_AT = dt.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _records_candidate(session, app, vacancy, number, first, last, *, shortlist, outcome=None, chair=None,
                       panelist=None, question=None, file_hex=None):
    """A candidate with everything written about them; every text names them (``first``).

    direct: the records tests need every kind of row the app can hold about a candidate on a
    vacancy closed at a fixed date, including states the services refuse (one criterion scored
    of several, a plan question with no criteria, an agreed score beside a paper entry), so
    these rows are written as they would lie in an old database."""
    c = Candidate(vacancy_id=vacancy.id, number=number, first_name=first, last_name=last,
                  email=f"{first.lower()}@candidates.example", phone=f"0770090000{number}",
                  supporting_information=f"{first} supporting information", disability_confident=number == 2,
                  application_filename=f"{first} CV.pdf")
    if file_hex:
        folder = Path(app.config["UPLOAD_FOLDER"])
        folder.mkdir(parents=True, exist_ok=True)
        c.application_file = f"{file_hex * 32}.pdf"
        (folder / c.application_file).write_bytes(PDF)
    c.decision = ShortlistDecision(outcome=shortlist, reason=f"{first} shortlisting reason", decided_by_id=chair.id)
    session.add(c)
    session.flush()
    from panel.models import CandidateEvidence

    crit = vacancy.criteria[0]
    session.add(CandidateEvidence(candidate_id=c.id, criterion_id=crit.id, text=f"{first} evidence text"))
    session.add(ShortlistScore(candidate_id=c.id, criterion_id=crit.id, user_id=panelist.id, score=2,
                               comment=f"{first} shortlisting comment by panelist"))
    session.add(ShortlistScore(candidate_id=c.id, criterion_id=crit.id, user_id=chair.id, score=1,
                               comment=f"{first} shortlisting comment by chair"))
    if outcome is not None:
        session.add(InterviewScore(candidate_id=c.id, plan_question_id=question.id, user_id=panelist.id, score=3,
                                   notes=f"{first} interview notes by panelist"))
        session.add(InterviewScore(candidate_id=c.id, plan_question_id=question.id, user_id=chair.id, score=2,
                                   notes=f"{first} interview notes by chair", entered_by_id=chair.id))
        session.add(ModeratedScore(candidate_id=c.id, plan_question_id=question.id, score=3,
                                   reason=f"{first} agreed score reason", moderated_by_id=chair.id))
        session.add(InterviewOutcome(candidate_id=c.id, outcome=outcome, rationale=f"{first} outcome rationale",
                                     decided_by_id=chair.id))
        session.add(CandidateFeedback(candidate_id=c.id, text=f"{first} feedback text", updated_by_id=chair.id))
        session.add(CandidateInvitation(candidate_id=c.id, subject=f"Interview invitation for {first}",
                                        body=f"Dear {first}, please come to interview.", status="sent"))
        session.add(InterviewSlot(vacancy_id=vacancy.id, candidate_id=c.id,
                                  starts_at=dt.datetime(2025, 12, 1, 9 + number, 0, tzinfo=UTC),
                                  ends_at=dt.datetime(2025, 12, 1, 9 + number, 45, tzinfo=UTC), location="Room 2"))
    return c


def closed_world(app, session, world, closed_at=CLOSED_AT):
    """Vacancy A closed at ``closed_at``: Alex (appointed), Bea (not appointable), Cal (not
    shortlisted). Vacancy B interviewing: Dee. Returns the world with a1, a2, a3, b1."""
    a, b = world["a"], world["b"]
    a.status = VacancyStatus.CLOSED  # direct: a fixed closing date (see _records_candidate)
    a.closed_at = closed_at
    b.status = VacancyStatus.INTERVIEWING
    qa = PlanQuestion(vacancy_id=a.id, position=1, text="Why do you want this job?")
    qb = PlanQuestion(vacancy_id=b.id, position=1, text="Tell us about teamwork.")
    session.add_all([qa, qb])
    session.flush()
    chair, panelist = world["chair"], world["panelist"]
    a1 = _records_candidate(session, app, a, 1, "Alex", "Smith", shortlist=ShortlistOutcome.SHORTLIST,
                            outcome=Outcome.PREFERRED, chair=chair, panelist=panelist, question=qa, file_hex="a")
    a2 = _records_candidate(session, app, a, 2, "Bea", "Jones", shortlist=ShortlistOutcome.SHORTLIST,
                            outcome=Outcome.NOT_APPOINTABLE, chair=chair, panelist=panelist, question=qa, file_hex="b")
    a3 = _records_candidate(session, app, a, 3, "Cal", "Reed", shortlist=ShortlistOutcome.REJECT, chair=chair,
                            panelist=panelist, file_hex="c")
    b1 = _records_candidate(session, app, b, 1, "Dee", "Kaur", shortlist=ShortlistOutcome.SHORTLIST,
                            outcome=Outcome.RESERVE, chair=world["chair"], panelist=world["other"], question=qb,
                            file_hex="d")
    session.commit()
    return {**world, "a1": a1, "a2": a2, "a3": a3, "b1": b1, "qa": qa, "qb": qb}
