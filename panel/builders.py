"""Data builders for the demo, `make bench`, `make load` and the tests.

Every builder calls the real service function with an actor, so the audit log, the
numbering, the stage rules and the other invariants hold exactly as they do when someone
uses the pages. Defaults are sensible; any field can be overridden by keyword.

    build = Builder(session, app=app)              # app: only outside an app context
    hr = build.user("hr", name="Priya Shah")
    v = build.vacancy(reference="PWP-1", panel=[(chair, "chair"), (john, "patient")])
    c = build.candidate(v, first_name="Alex")
    build.advance(v)                               # draft -> shortlisting, as HR would
    build.shortlist_scores(c, john, [2, 1, 2])      # declare, save and submit

Builders flush, never commit: the caller commits (tests call ``build.commit()``).
The one shortcut is :meth:`Builder.jump_to`, which puts a vacancy at a stage without
the readiness checks (for a test or benchmark that needs, say, an interviewing vacancy
without a finished shortlist); it is written to the audit log as such.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from contextlib import contextmanager
from decimal import Decimal
from typing import Iterator, Sequence
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from panel import audit
from panel.auth import services as auth_services
from panel.booking import services as booking_services
from panel.candidates import services as candidate_services
from panel.db import db
from panel.involvement import queries as involvement_queries
from panel.involvement import services as involvement_services
from panel.involvement.activities import activity_of
from panel.models import (
    AT_SHORTLISTING,
    AssessedAt,
    AuditEvent,
    BankQuestion,
    Candidate,
    ConflictDeclaration,
    CriterionCategory,
    InterviewOutcome,
    InterviewSignOff,
    InterviewSlot,
    Outcome,
    PanelRole,
    PlanQuestion,
    Role,
    ShortlistDecision,
    ShortlistOutcome,
    ShortlistScore,
    ShortlistSubmission,
    User,
    Vacancy,
    VacancyStatus,
)
from panel.payments import services as payments
from panel.plans import timetable
from panel.plans import services as plan_services
from panel.questions import services as question_services
from panel.scoring import queries as scoring_queries
from panel.scoring import services as scoring_services
from panel.shortlisting import allocation as shortlisting_allocation
from panel.shortlisting import queries as shortlisting_queries
from panel.shortlisting import scoring as shortlisting_scoring
from panel.shortlisting import services as shortlisting_services
from panel.vacancies import services as vacancy_services

FIRST_NAMES = ["Amira", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Harry", "Isla", "Jack"]
LAST_NAMES = ["Ahmed", "Baker", "Clarke", "Dhillon", "Evans", "Fraser", "Gill", "Hughes", "Iqbal", "Jones"]
ASSESSED = [AssessedAt.APPLICATION, AssessedAt.INTERVIEW, AssessedAt.BOTH]


class Builder:
    """Builds data through the services, as ``actor`` (HR by default, created on first use)."""

    def __init__(self, session: Session, actor: User | None = None, *, app: Flask | None = None,
                 password: str | None = None):
        self.session = session
        # the password of the people built without one of their own; None: they cannot sign in
        # (no password is ever written in the code: tests pass theirs, the demo generates its own)
        self.password = password
        # outside an app context the builder pushes one of this app (or of the app the session
        # was made by, which test sessions carry in session.info["app"])
        self.app = app if app is not None else session.info.get("app")
        self._actor = actor
        self._serial = itertools.count(1)

    # --- plumbing ------------------------------------------------------------------

    @contextmanager
    def context(self) -> Iterator[None]:
        """An app context whose request session (``panel.db.db()``) is this builder's session,
        so services and queries that read through db() see the data being built."""
        pushed = None
        if not has_app_context():
            if self.app is None:  # enough for services that need neither the config nor db()
                yield
                return
            pushed = self.app.app_context()
            pushed.push()
        had, before = "db_session" in g, g.get("db_session")
        g.db_session = self.session
        try:
            yield
        finally:
            if had:
                g.db_session = before
            else:
                g.pop("db_session", None)  # not ours to close: the teardown would close it
            if pushed is not None:
                pushed.pop()

    def commit(self) -> None:
        self.session.commit()

    def _n(self) -> int:
        return next(self._serial)

    @property
    def actor(self) -> User:
        """The actor given, else an HR account made on first use."""
        if self._actor is None:
            self._actor = self.user("hr", name="Builder HR")
        return self._actor

    def _chair_of(self, vacancy: Vacancy, actor: User | None) -> User | None:
        """Who does a chair's job when no actor is given: the vacancy's chair, else the builder's actor."""
        if actor is not None:
            return actor
        chair = next((m.user for m in vacancy.panel_members if m.panel_role == PanelRole.CHAIR), None)
        return chair or self._actor

    # --- people --------------------------------------------------------------------

    def user(self, role: Role | str = "panelist", *, name: str | None = None, email: str | None = None,
             password: str | None = None, active: bool = True, actor: User | None = None) -> User:
        role = Role(role)
        n = self._n()
        with self.context():
            while email is None:
                candidate = f"{role.value}{n}@example.org"
                if auth_services.find_user_by_email(self.session, candidate) is None:
                    email = candidate
                n += 1
            user = auth_services.create_user(self.session, actor, email=email, name=name or f"{role.label} {n}",
                                             role=role, password=password if password is not None else self.password)
            if not active:
                auth_services.set_active(self.session, actor or user, user, False)
        return user

    # --- vacancies -----------------------------------------------------------------

    def vacancy(self, *, reference: str | None = None, title: str = "Psychological Wellbeing Practitioner",
                criteria: int | Sequence[tuple] = 3, panel: Sequence[tuple[User, str]] = (),
                status: VacancyStatus | None = None, actor: User | None = None, **fields) -> Vacancy:
        """A vacancy with criteria and a panel. ``criteria`` is a number (criterion i is essential
        when i is odd, assessed at application, interview, both in turn) or a list of
        (text, category, essential, assessed at). ``status`` jumps to that stage (see jump_to)."""
        actor = actor or self.actor
        data = {"title": title, "reference": reference or f"REF-{self._n()}", "band": "Band 5", "site": "Boston",
                **fields}
        if isinstance(criteria, int):
            criteria = [(f"Criterion {i}", CriterionCategory.EXPERIENCE, i % 2 == 1, ASSESSED[(i - 1) % 3])
                        for i in range(1, criteria + 1)]
        with self.context():
            vacancy = vacancy_services.create_vacancy(self.session, actor, data)
            for text, category, essential, assessed in criteria:
                vacancy_services.add_criterion(self.session, actor, vacancy, {
                    "text": text, "category": CriterionCategory(category), "essential": essential,
                    "assessed_at": AssessedAt(assessed)})
            for user, role in panel:
                vacancy_services.add_panel_member(self.session, actor, vacancy, user, PanelRole(role))
        if status is not None and status != vacancy.status:
            self.jump_to(vacancy, status, actor=actor)
        return vacancy

    def panel_member(self, vacancy: Vacancy, user: User, role: PanelRole | str = "patient", *,
                     actor: User | None = None):
        with self.context():
            return vacancy_services.add_panel_member(self.session, actor or self.actor, vacancy, user, PanelRole(role))

    def advance(self, vacancy: Vacancy, *, actor: User | None = None) -> VacancyStatus:
        """One stage on, with the readiness checks HR's button has."""
        with self.context():
            return vacancy_services.advance_status(self.session, actor or self.actor, vacancy, vacancy.status)

    def jump_to(self, vacancy: Vacancy, status: VacancyStatus, *, actor: User | None = None) -> None:
        """Put the vacancy at ``status`` without the readiness checks (a shortcut for tests, demo
        and benchmarks), audit-logged like a stage change."""
        old = vacancy.status
        vacancy.status = status
        if vacancy.stage.finished and vacancy.closed_at is None:
            vacancy.closed_at = dt.datetime.now(dt.timezone.utc)
        self.session.flush()
        audit.record(self.session, actor or self._actor, "status", vacancy, vacancy_id=vacancy.id,
                     summary=f"Vacancy {vacancy.reference} put at {status.label.lower()} (built data)",
                     changes={"status": {"before": old.value, "after": status.value}})

    # --- candidates and shortlisting -----------------------------------------------------

    def candidate(self, vacancy: Vacancy, *, evidence: dict[int, str] | None = None, withdrawn: bool = False,
                  actor: User | None = None, **fields) -> Candidate:
        """A candidate (numbered in turn). ``evidence``: criterion id -> text."""
        n = self._n()
        first = fields.pop("first_name", FIRST_NAMES[(n - 1) % len(FIRST_NAMES)])
        data = {"first_name": first, "last_name": fields.pop("last_name", f"{LAST_NAMES[(n - 1) % len(LAST_NAMES)]}{n}"),
                "email": fields.pop("email", f"{first.lower()}{n}@candidates.example.org"),
                "phone": "07700 900000", "supporting_information": f"Supporting information of applicant {n}.", **fields}
        actor = actor or self._actor  # None: written to the audit log as the system
        with self.context():
            c = candidate_services.create_candidate(self.session, actor, vacancy, data, evidence)
            if withdrawn:
                candidate_services.set_withdrawn(self.session, actor, c, True)
        return c

    def declare(self, candidate: Candidate, user: User, knows: bool = False) -> ConflictDeclaration:
        """The panel member's answer to "Do you know this person?" (True: they step aside)."""
        existing = self.session.scalar(select(ConflictDeclaration).where(
            ConflictDeclaration.candidate_id == candidate.id, ConflictDeclaration.user_id == user.id,
            ConflictDeclaration.round == AT_SHORTLISTING))
        with self.context():
            return shortlisting_services.declare_conflict(self.session, user, candidate.vacancy, candidate, knows,
                                                          existing, False, self._my_scores(candidate, user))

    def _my_scores(self, candidate: Candidate, user: User) -> dict[int, ShortlistScore]:
        rows = self.session.scalars(select(ShortlistScore).where(ShortlistScore.candidate_id == candidate.id,
                                                                 ShortlistScore.user_id == user.id))
        return {r.criterion_id: r for r in rows}

    def shortlist_scores(self, candidate: Candidate, user: User, scores: Sequence[int | None], *,
                         comments: dict[int, str] | None = None, submit: bool = True) -> None:
        """Declare no conflict, score the criteria assessed at application in order, submit."""
        vacancy = candidate.vacancy
        criteria = [c for c in vacancy.criteria if c.at_application]
        if not self.session.scalar(select(ConflictDeclaration.id).where(
                ConflictDeclaration.candidate_id == candidate.id, ConflictDeclaration.user_id == user.id,
                ConflictDeclaration.round == AT_SHORTLISTING)):
            self.declare(candidate, user, False)
        existing = self._my_scores(candidate, user)
        entries = {c.id: {"score": s, "comment": (comments or {}).get(c.position, "")} for c, s in zip(criteria, scores)}
        with self.context():
            shortlisting_services.save_scores(self.session, user, vacancy, candidate, criteria, entries, existing)
            if submit:
                shortlisting_services.submit_scores(self.session, user, vacancy, candidate, criteria, existing)

    def bulk_shortlist_scores(self, vacancy: Vacancy, scores: dict[tuple[int, int], Sequence[int]]) -> None:
        """Many panel members' shortlisting scores at once: for each (candidate id, user id), the
        member's answer "I do not know this person", a score per criterion assessed at application
        (in order) and the submission, in a few bulk INSERTs (hundreds of candidates in well under a
        second; ``shortlist_scores`` through the services costs ~7 ms a member and candidate).

        The shortcut keeps the services' rules: shortlisting is open, the member is on the panel,
        the candidate is this vacancy's and has not withdrawn, nobody has answered or scored yet,
        every score is on the scale and every criterion is scored (a submission is always
        complete). Each submission is written to the audit log with its scores, like
        ``submit_scores``, marked as built data."""
        criteria = [c for c in vacancy.criteria if c.at_application]
        members = {m.user_id for m in vacancy.panel_members}
        candidates = {c.id: c for c in self._candidates(vacancy)}
        if not vacancy.stage.shortlisting_open:
            raise ValueError(f"{vacancy.reference} is not in shortlisting")
        already = self.session.scalar(select(ConflictDeclaration.id).where(
            ConflictDeclaration.candidate_id.in_(list({cid for cid, _u in scores}))).limit(1))
        if already is not None:
            raise ValueError("bulk_shortlist_scores is for candidates nobody has answered for yet")
        declarations, rows, submissions, events = [], [], [], []
        for (candidate_id, user_id), values in scores.items():
            candidate = candidates.get(candidate_id)
            if candidate is None or candidate.is_withdrawn or user_id not in members:
                raise ValueError(f"cannot score candidate {candidate_id} as user {user_id}")
            if len(values) != len(criteria) or not all(shortlisting_scoring.valid_score(v) for v in values):
                raise ValueError(f"every criterion needs a score from 0 to 2: {values}")
            declarations.append({"candidate_id": candidate_id, "user_id": user_id, "knows_candidate": False})
            rows += [{"candidate_id": candidate_id, "criterion_id": c.id, "user_id": user_id, "score": v,
                      "comment": ""} for c, v in zip(criteria, values)]
            submissions.append({"candidate_id": candidate_id, "user_id": user_id})
            events.append({"actor_id": user_id, "action": "submit", "entity_type": "candidate",
                           "entity_id": candidate_id, "vacancy_id": vacancy.id, "candidate_id": candidate_id,
                           "summary": f"Shortlisting scores for {candidate.label} submitted (built data)",
                           "changes": {f"criterion {c.position} score": {"before": None, "after": v}
                                       for c, v in zip(criteria, values)}})
        self.session.flush()
        for model, values in ((ConflictDeclaration, declarations), (ShortlistScore, rows),
                              (ShortlistSubmission, submissions), (AuditEvent, events)):
            if values:
                self.session.execute(insert(model), values)

    def import_applications(self, vacancy: Vacancy, count: int, *, tag: str, statement_chars: int = 3000,
                            actor: User | None = None) -> list[Candidate]:
        """``count`` generated applications imported from one CSV file, as HR imports hundreds:
        varied names, a realistic statement of about ``statement_chars`` characters and evidence
        for every criterion assessed at application. Returns the vacancy's candidates."""
        numbers = [c.position for c in vacancy.criteria if c.at_application]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["first_name", "last_name", "email", "phone", "supporting_information", "disability_confident",
                         *[f"evidence_{i}" for i in numbers]])
        for n in range(1, count + 1):
            first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n * 7) % len(LAST_NAMES)]
            writer.writerow([first, f"{last}{n}", f"applicant{n}-{tag}@example.com", f"07700 9{n:05d}",
                             statement(n, statement_chars), "yes" if n % 17 == 0 else "no",
                             *[f"{STATEMENT_SENTENCES[(n + i) % len(STATEMENT_SENTENCES)]}" for i in range(len(numbers))]])
        with self.context():
            result = candidate_services.import_csv(self.session, actor or self.actor, vacancy, out.getvalue().encode())
        assert result.ok, [str(p) for p in result.problems]
        return self._candidates(vacancy)

    def share_reading(self, vacancy: Vacancy, readers: int, *, actor: User | None = None) -> int | None:
        """Share the vacancy's applications out so each is read by ``readers`` panel members
        (panel/shortlisting/allocation.py), as HR does on the allocation page."""
        with self.context():
            return shortlisting_allocation.share_out(self.session, actor or self.actor, vacancy, readers)

    def decide(self, candidate: Candidate, outcome: ShortlistOutcome | str = ShortlistOutcome.SHORTLIST,
               reason: str = "Meets the essential criteria", *, actor: User | None = None):
        """The chair's shortlisting decision (every panel member must have submitted)."""
        vacancy = candidate.vacancy
        actor = self._chair_of(vacancy, actor)
        with self.context():
            data = shortlisting_queries.load(vacancy, candidate_id=candidate.id)
            result = shortlisting_services.moderate(data, candidate)
            version = candidate.decision.version if candidate.decision is not None else None
            decision = shortlisting_services.record_decision(self.session, actor, vacancy, candidate, result,
                                                             ShortlistOutcome(outcome), reason, version)
        self.session.expire(candidate, ["decision"])
        return decision

    def decided(self, candidate: Candidate, outcome: ShortlistOutcome | str, reason: str = "", *,
                by: User | None = None) -> ShortlistDecision:
        """A shortlisting decision recorded without the scores behind it: a shortcut for data that
        starts at interviews (the services refuse it: every panel member must submit first).
        Audit-logged like a decision."""
        decision = ShortlistDecision(candidate_id=candidate.id, outcome=ShortlistOutcome(outcome), reason=reason,
                                     decided_by_id=by.id if by is not None else None)
        self.session.add(decision)
        self.session.flush()
        self.session.expire(candidate, ["decision"])
        audit.record(self.session, by, "decision", decision, vacancy_id=candidate.vacancy_id, candidate_id=candidate.id,
                     summary=f"Shortlisting decision for {candidate.label}: {decision.outcome.label} (built data)")
        return decision

    def shortlist(self, vacancy: Vacancy, scores: dict[int, Sequence[int]] | None = None,
                  outcomes: dict[int, ShortlistOutcome] | None = None) -> None:
        """Every panel member scores every candidate (``scores``: candidate number -> scores,
        default all 2s), then the chair decides (default shortlist)."""
        for c in self._candidates(vacancy):
            if c.is_withdrawn:
                continue
            for m in vacancy.panel_members:
                n = len([cr for cr in vacancy.criteria if cr.at_application])
                self.shortlist_scores(c, m.user, (scores or {}).get(c.number, [2] * n))
            self.decide(c, (outcomes or {}).get(c.number, ShortlistOutcome.SHORTLIST),
                        "Meets the essential criteria" if (outcomes or {}).get(c.number, "shortlist") == "shortlist"
                        else "Does not show the essential criteria")

    def _candidates(self, vacancy: Vacancy) -> list[Candidate]:
        return list(self.session.scalars(select(Candidate).where(Candidate.vacancy_id == vacancy.id)
                                         .order_by(Candidate.number)))

    # --- question bank and interview plan and timetable -----------------------------------------

    def bank_question(self, text: str, *, category: CriterionCategory | str = CriterionCategory.EXPERIENCE,
                      proposed_by: User | None = None, vacancy: Vacancy | None = None, approve: bool | None = True,
                      reviewer: User | None = None, **fields) -> BankQuestion:
        """A question proposed for the bank by ``proposed_by`` (default the actor), for ``vacancy``
        if given, then approved (True) or rejected (False) by ``reviewer`` (default the actor),
        or left waiting for review (None)."""
        data = {"text": text, "category": CriterionCategory(category), "tags": "", "guidance": "", "follow_ups": "",
                "content_note": "", **fields}
        with self.context():
            question = question_services.propose_question(self.session, proposed_by or self.actor, data, vacancy)
            if approve is not None:
                question_services.review_question(self.session, reviewer or self.actor, question, approve)
        return question


    def plan_question(self, vacancy: Vacancy, text: str | None = None, *, criteria: Sequence | None = None,
                      asker=None, minutes: int = 5, actor: User | None = None, bank_question=None,
                      **fields) -> PlanQuestion:
        """A question in the interview plan, linked to ``criteria`` (default: the first criterion
        assessed at interview); ``asker`` is a PanelMember."""
        if criteria is None:
            criteria = plan_services.interview_criteria(vacancy)[:1]
        data = {"text": text or f"Tell us about question topic {self._n()}.", "minutes": minutes,
                "guidance": "Gives a real example\nSays what they learnt",
                "follow_ups": "What would you do differently?", "content_note": "",
                "criterion_ids": [getattr(c, "id", c) for c in criteria],
                "asker_id": getattr(asker, "id", asker), **fields}
        with self.context():
            return plan_services.add_plan_question(self.session, self._chair_of(vacancy, actor), vacancy, data,
                                                   bank_question)

    def interview_day(self, vacancy: Vacancy, date: dt.date, *, start: dt.time = dt.time(9, 30),
                      end: dt.time = dt.time(16, 30), slot_minutes: int = 45, gap_minutes: int = 15,
                      breaks: str = "12:30-13:15", location: str = "Meeting Room 2", actor: User | None = None):
        settings = timetable.DaySettings(date=date, starts=start, ends=end, slot_minutes=slot_minutes,
                                         gap_minutes=gap_minutes, breaks=tuple(timetable.parse_breaks(breaks)))
        with self.context():
            return plan_services.save_day(self.session, self._chair_of(vacancy, actor), vacancy, settings, location)

    def slot(self, vacancy: Vacancy, candidate: Candidate | None, date: dt.date, starts: dt.time,
             minutes: int = 45, *, location: str = "", actor: User | None = None) -> InterviewSlot:
        """One timetable slot (UK time), refused like the page refuses overlaps."""
        ends = (dt.datetime.combine(date, starts) + dt.timedelta(minutes=minutes)).time()
        others = list(self.session.scalars(select(InterviewSlot).where(InterviewSlot.vacancy_id == vacancy.id)))
        shortlisted = [c for c in self._candidates(vacancy) if c.decision is not None
                       and c.decision.outcome == ShortlistOutcome.SHORTLIST and not c.is_withdrawn]
        with self.context():
            return plan_services.save_slot(self.session, self._chair_of(vacancy, actor), vacancy, None, date=date, starts=starts,
                                           ends=ends, candidate=candidate, location=location, others=others,
                                           shortlisted=shortlisted, label=lambda c: c.label if c else "")

    def booking_link(self, candidate: Candidate) -> str:
        """The candidate's booking link (its path), as a newly sent invitation carries it."""
        with self.context():
            return urlsplit(booking_services.new_link(self.session, candidate)).path

    # --- interview scores, outcomes and sign-off ----------------------------------------------

    def reveal_answers(self, vacancy: Vacancy, users: Sequence[User] | None = None, *,
                       known: dict[int, set[int]] | None = None) -> None:
        """Each panel member's answer to "Do you know any of these people?" once names are
        revealed (issue 17): ``known`` maps a user id to the candidate ids they know (they step
        aside from those interviews); by default everyone on the panel knows nobody."""
        people = users if users is not None else [m.user for m in vacancy.panel_members]
        with self.context():
            for user in people:
                rows = involvement_queries.reveal_rows(self.session, vacancy, user.id)
                involvement_services.answer_reveal(self.session, user, vacancy, rows, (known or {}).get(user.id, set()))

    def interview_scores(self, candidate: Candidate, user: User, questions: Sequence[PlanQuestion],
                         scores: Sequence[int | None], notes: Sequence[str] | None = None, *,
                         submit: bool = True, entered_by: User | None = None) -> None:
        """A panel member's scores (and notes) for a candidate, saved one answer at a time and
        submitted; ``entered_by`` enters them from the member's paper sheet."""
        vacancy, paper = candidate.vacancy, entered_by is not None
        actor = entered_by or user
        with self.context():
            for i, (q, s) in enumerate(zip(questions, scores)):
                scoring_services.save_score(self.session, actor, vacancy, candidate, q, user, s,
                                            notes[i] if notes else "", None, paper=paper)
            if submit:
                scoring_services.submit_scores(self.session, actor, vacancy, candidate, user, paper=paper)

    def outcome(self, candidate: Candidate, outcome: Outcome | str, rationale: str = "Answered every question well",
                *, actor: User | None = None) -> InterviewOutcome:
        vacancy = candidate.vacancy
        actor = self._chair_of(vacancy, actor)
        row = self.session.scalar(select(InterviewOutcome).where(InterviewOutcome.candidate_id == candidate.id))
        with self.context():
            return scoring_services.record_outcome(self.session, actor, vacancy, candidate, Outcome(outcome),
                                                   rationale, row.version if row is not None else 0)

    def sign_off(self, vacancy: Vacancy, note: str | None = None, *, actor: User | None = None) -> InterviewSignOff:
        """The chair's sign-off of the interview results (every score in, every outcome given).
        ``note`` explains a decision that differs from the patient panelists' ranking; by
        default one is written only when the service asks for it."""
        actor = self._chair_of(vacancy, actor)
        with self.context():
            data = scoring_queries.everything(vacancy)
            page = scoring_services.build_results(vacancy, data, {c.id for c in data.candidates})
            if note is None:
                note = "The panel weighed every answer together." if page.disagreements else ""
            return scoring_services.sign_off(self.session, actor, vacancy, page, note)

    # --- involvement payments and expenses ----------------------------------------------------

    def payment_rates(self, on: dt.date, *, hour_pence: int = 2000, interview_day_pence: int = 7500,
                      mileage_pence: int = 45, actor: User | None = None) -> None:
        """Rates from ``on``: shortlisting and questions per hour, an interview day per half day,
        and expenses rules (mileage, limits, a tax note), as HR sets them on the rates page."""
        actor = actor or self.actor
        with self.context():
            for kind in ("shortlisting", "questions"):
                payments.add_rate(self.session, actor, kind=kind, unit="hour", pence=hour_pence, cost_centre="",
                                  effective_from=on, on=on)
            payments.add_rate(self.session, actor, kind="interview_day", unit="half_day", pence=interview_day_pence,
                              cost_centre="", effective_from=on, on=on)
            payments.add_rules(self.session, actor, mileage_pence_per_mile=mileage_pence, max_miles=300,
                               fares_limit_pence=10000, parking_limit_pence=2500, care_limit_pence=10000,
                               cost_centre="INV-001", advice_url="https://www.nhs.uk/", effective_from=on, on=on,
                               tax_note="Payments for your time are taxable income and may affect some benefits. "
                                        "Expenses paid back are not income. You can choose not to be paid.")

    def payment_choice(self, user: User, choice: str = "paid", *, on: dt.date, reference: str | None = None):
        with self.context():
            return payments.set_choice(self.session, user, user, choice=choice, payroll_reference=reference,
                                       effective_from=on, on=on)

    def claim(self, user: User, key: str, hours: str | None = None, *, actor: User | None = None,
              on_paper: bool = False, **expenses):
        """A claim for one of the person's activities (hours: the estimate unless given);
        ``expenses``: mileage_from, mileage_to, tenth_miles, fares_pence, parking_pence, care_pence, files."""
        with self.context():
            activity = activity_of(self.session, user.id, key)
            quarters = int(Decimal(hours) * 4) if hours else int(activity.hours * 4)
            return payments.make_claim(self.session, actor or user, user, key,
                                       payments.ClaimData(quarter_hours=quarters, **expenses), on_paper=on_paper)


def builder_for_cli(actor: User | None = None) -> Builder:
    """A builder on the current app's request session (CLI commands, scripts)."""

    return Builder(db(), actor, app=current_app._get_current_object())


# --- a vacancy at scale (make bench, the growth tests) -------------------------------------

STATEMENT_SENTENCES = [
    "I have worked for three years as a support worker in a crisis house, helping people with anxiety, "
    "low mood and self-harm to make safety plans and return home.",
    "I hold a BSc in Psychology and I am ready to complete the postgraduate certificate in low-intensity "
    "psychological interventions.",
    "In my current role I run a weekly coping skills group with a colleague, and I keep the group's notes "
    "and outcome measures up to date.",
    "I know how it feels to wait for help, because I waited for it myself, and I want every person I see "
    "to feel heard from their first call.",
    "I adapt how I explain things for people whose first language is not English, and I book interpreters "
    "when someone would rather use their own language.",
    "When a young man told me he had thoughts of ending his life, I stayed with him, followed our risk "
    "procedure and spoke to the duty clinician straight away.",
    "I use supervision to reflect on my work, and I ask for help early when a situation is beyond what I "
    "have been trained to do.",
    "I keep accurate records on the same day, and I have used SystmOne and IAPTus to book appointments "
    "and record outcome measures.",
    "Outside work I volunteer with a peer support group, where I have learnt how much small, practical "
    "steps matter to people who are struggling.",
    "I manage a busy caseload by planning my week, keeping a list of what must happen first and telling "
    "my manager early when something has to wait.",
]


def statement(n: int, chars: int = 3000) -> str:
    """A realistic supporting statement of about ``chars`` characters, different for each ``n``."""
    parts, size, i = [], 0, n
    while size < chars:
        sentence = STATEMENT_SENTENCES[i % len(STATEMENT_SENTENCES)]
        parts.append(sentence)
        size += len(sentence) + 1
        i += 3 if i % 2 else 7
    paragraphs = [" ".join(parts[k:k + 4]) for k in range(0, len(parts), 4)]
    return "\n\n".join(paragraphs)[:chars]


def scale_score(candidate_number: int, member_index: int, criterion_index: int) -> int:
    """The generated shortlisting score (0-2) of one member on one criterion: varied, deterministic,
    with some disagreements (a 0 and a 2) and some essential criteria not met."""
    return (candidate_number * 7 + member_index * 3 + criterion_index * 5 + candidate_number // 3) % 3


def scale_shortlisting(session: Session, *, reference: str = "SCALE-400", candidates: int = 400,
                       criteria: int = 8, members: int = 4, statement_chars: int = 3000, scored: bool = True,
                       password: str | None = None, app: Flask | None = None):
    """A vacancy in shortlisting with ``candidates`` candidates (imported from a generated CSV
    file, like HR imports hundreds of applications, each with a ~3 KB statement and evidence
    for every criterion), ``criteria`` criteria assessed at application and a panel of
    ``members`` (a chair, then staff and patient panelists in turn). With ``scored``, every
    member declares, scores and submits every candidate through the shortlisting services.

    Used by `make bench` (its scale section) and the growth tests. Returns
    (vacancy, chair, panel users, candidates), flushed, not committed."""
    tag = reference.lower().replace(" ", "-")
    hr = Builder(session, app=app).user("hr", name="Priya Shah", email=f"hr-{tag}@example.org", password=password)
    build = Builder(session, hr, app=app, password=password)
    roles = [PanelRole.CHAIR] + [PanelRole.STAFF, PanelRole.PATIENT] * members
    users = [build.user("chair" if roles[i] != PanelRole.PATIENT else "panelist", name=f"Panel member {i + 1}",
                        email=f"member{i + 1}-{tag}@example.org") for i in range(members)]
    categories = list(CriterionCategory)
    specification = [(f"Criterion {i}: evidence of {['training', 'experience', 'skills', 'knowledge', 'values'][i % 5]}"
                      " relevant to working with people with common mental health problems",
                      categories[i % len(categories)], i <= criteria // 2 + 1, AssessedAt.APPLICATION)
                     for i in range(1, criteria + 1)]
    vacancy = build.vacancy(reference=reference, criteria=specification, panel=list(zip(users, roles)))
    build.advance(vacancy)  # draft -> shortlisting, with HR's readiness checks
    people = build.import_applications(vacancy, candidates, tag=tag, statement_chars=statement_chars)
    if scored:
        build.bulk_shortlist_scores(vacancy, {(c.id, u.id): [scale_score(c.number, mi, ci) for ci in range(criteria)]
                                              for c in people for mi, u in enumerate(users)})
    session.flush()
    return vacancy, users[0], users, people
