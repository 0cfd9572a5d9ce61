"""Test data for the records tests: vacancy A closed with three candidates, each with
everything the app can hold about a candidate, and vacancy B still open with one."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from panel.models import (Candidate, CandidateEvidence, CandidateFeedback, CandidateInvitation, InterviewOutcome,
                          InterviewScore, InterviewSlot, ModeratedScore, Outcome, PlanQuestion, ShortlistDecision,
                          ShortlistOutcome, ShortlistScore, VacancyStatus)

UTC = dt.timezone.utc
CLOSED_AT = dt.datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _candidate(session, app, vacancy, number, first, last, *, shortlist, outcome=None, chair=None, panelist=None,
               question=None, file_hex=None):
    """A candidate with everything written about them; every text names them (``first``)."""
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


def build(app, session, world, closed_at=CLOSED_AT):
    """Vacancy A closed at ``closed_at``: Alex (appointed), Bea (not appointable), Cal (not
    shortlisted). Vacancy B interviewing: Dee. Returns the world with a1, a2, a3, b1."""
    a, b = world["a"], world["b"]
    a.status = VacancyStatus.CLOSED
    a.closed_at = closed_at
    b.status = VacancyStatus.INTERVIEWING
    qa = PlanQuestion(vacancy_id=a.id, position=1, text="Why do you want this job?")
    qb = PlanQuestion(vacancy_id=b.id, position=1, text="Tell us about teamwork.")
    session.add_all([qa, qb])
    session.flush()
    chair, panelist = world["chair"], world["panelist"]
    a1 = _candidate(session, app, a, 1, "Alex", "Smith", shortlist=ShortlistOutcome.SHORTLIST,
                    outcome=Outcome.PREFERRED, chair=chair, panelist=panelist, question=qa, file_hex="a")
    a2 = _candidate(session, app, a, 2, "Bea", "Jones", shortlist=ShortlistOutcome.SHORTLIST,
                    outcome=Outcome.NOT_APPOINTABLE, chair=chair, panelist=panelist, question=qa, file_hex="b")
    a3 = _candidate(session, app, a, 3, "Cal", "Reed", shortlist=ShortlistOutcome.REJECT, chair=chair,
                    panelist=panelist, file_hex="c")
    b1 = _candidate(session, app, b, 1, "Dee", "Kaur", shortlist=ShortlistOutcome.SHORTLIST,
                    outcome=Outcome.RESERVE, chair=world["chair"], panelist=world["other"], question=qb, file_hex="d")
    session.commit()
    return {**world, "a1": a1, "a2": a2, "a3": a3, "b1": b1, "qa": qa, "qb": qb}
