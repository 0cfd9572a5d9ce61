"""Shared set-up for the candidate and shortlisting tests (no tests here).

`sl` is a vacancy in shortlisting with a person specification (criteria 1, 2 and 4
scored at application, 3 at interview only), a panel of a chair and two patient
panelists, HR, a panelist on another vacancy only, and three candidates whose names,
emails and phones must never reach the panel while shortlisting."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from panel.models import (
    AssessedAt,
    Candidate,
    CandidateEvidence,
    ConflictDeclaration,
    Criterion,
    CriterionCategory,
    PanelMember,
    PanelRole,
    ShortlistScore,
    ShortlistSubmission,
    Vacancy,
    VacancyStatus,
)
from tests.conftest import make_user

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
    # text, essential, assessed at
    ("Experience of working with people with anxiety or depression", True, AssessedAt.APPLICATION),
    ("Experience of delivering groups", False, AssessedAt.BOTH),
    ("Able to assess risk", True, AssessedAt.INTERVIEW),
    ("Able to keep accurate, timely records", True, AssessedAt.APPLICATION),
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
    c = Candidate(vacancy_id=vacancy.id, number=number, first_name=first, last_name=last, email=email, phone=phone,
                  disability_confident=dc,
                  supporting_information=info or f"Supporting information number {number}: I have run groups for "
                                                 "people with low mood and I keep careful notes.")
    for criterion_id, text in (evidence or {}).items():
        c.evidence.append(CandidateEvidence(criterion_id=criterion_id, text=text))
    session.add(c)
    session.commit()
    return c


def make_shortlisting_vacancy(session, reference, panel, status=VacancyStatus.SHORTLISTING):
    v = Vacancy(title="Psychological Wellbeing Practitioner", reference=reference, band="Band 5", site="Boston",
                status=status)
    for i, (text, essential, assessed) in enumerate(SPEC, start=1):
        v.criteria.append(Criterion(position=i, text=text, category=CriterionCategory.EXPERIENCE,
                                    essential=essential, assessed_at=assessed))
    for user, role in panel:
        v.panel_members.append(PanelMember(user=user, panel_role=PanelRole(role)))
    session.add(v)
    session.commit()
    return v


def scored(vacancy):
    """The criteria scored at shortlisting (1, 2 and 4)."""
    return [c for c in vacancy.criteria if c.at_application]


def put_scores(session, candidate, user, scores, submit=True, comments=None):
    """Write one person's scores straight to the database: scores is a list in criterion order."""
    session.add(ConflictDeclaration(candidate_id=candidate.id, user_id=user.id, knows_candidate=False))
    for criterion, score in zip(scored(candidate.vacancy), scores):
        session.add(ShortlistScore(candidate_id=candidate.id, criterion_id=criterion.id, user_id=user.id,
                                   score=score, comment=(comments or {}).get(criterion.position, "")))
    if submit:
        session.add(ShortlistSubmission(candidate_id=candidate.id, user_id=user.id))
    session.commit()


def step_aside(session, candidate, user):
    session.add(ConflictDeclaration(candidate_id=candidate.id, user_id=user.id, knows_candidate=True))
    session.commit()


def store_pdf(app, data=MINIMAL_PDF) -> str:
    from panel.uploads import save_pdf

    with app.app_context():
        return save_pdf(data)


@pytest.fixture()
def sl(app, session):
    hr = make_user(session, "hr", "Priya Shah", "hr@example.org")
    chair = make_user(session, "chair", "Chris Morgan", "chair@example.org")
    panelist = make_user(session, "panelist", "John O'Neill", "panelist@example.org")
    panelist2 = make_user(session, "panelist", "Zoë Ashworth", "zoe@example.org")
    other = make_user(session, "panelist", "Siobhán Kelly", "other@example.org")
    v = make_shortlisting_vacancy(session, "SL-1", [(chair, "chair"), (panelist, "patient"), (panelist2, "patient")])
    elsewhere = make_shortlisting_vacancy(session, "SL-2", [(other, "patient"), (chair, "chair")])
    crit = scored(v)
    candidates = [
        add_candidate(session, v, n, first, last, email, phone, dc,
                      evidence={crit[0].id: f"Evidence of anxiety work from candidate {n}."})
        for n, (first, last, email, phone, dc) in enumerate(PEOPLE, start=1)
    ]
    stranger = add_candidate(session, elsewhere, 1, "Róisín", "Ní Dhomhnaill", "roisin@example.net", "07700 900199")
    return SimpleNamespace(hr=hr, chair=chair, panelist=panelist, panelist2=panelist2, other=other, v=v,
                           elsewhere=elsewhere, candidates=candidates, stranger=stranger, criteria=crit)


# --- request helpers -------------------------------------------------------------

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
