"""Hostile text (issue 7, ASVS V3): an XSS corpus typed into every text field of the real
forms, then every page that shows it is parsed and checked inert; the CSV exports
neutralise spreadsheet formulas; emails carry it as plain text; the PDF packs print it
literally (tests/test_security_xss_packs.py, which reuses the `hostile` fixture).

The forms are read from the pages themselves (tests.test_security_xss.fill_form), so a
new text field on one of these forms gets the corpus without changing this file.

Every free-text field (each StringField/TextAreaField in panel/**/forms.py, and the text
read outside WTForms), and where it gets the corpus:

  vacancies  VacancyForm title, team, hours, salary, interview_venue, description: new and
             edit (`hostile`). reference: kept well-formed (lists find vacancies by it); a
             hostile one is refused with an inert message (its validator allows letters,
             numbers, spaces and . / - _ only). CriterionForm text: new (edit is the same form).
  candidates CandidateForm first_name, last_name, supporting_information, evidence_<id>:
             new (edit is the same form); every column of a CSV import; the file name of an
             uploaded application PDF (shown to HR as "uploaded as ..."). email and phone
             have format validators.
  shortlisting  each panel member's comment_<criterion> (all three PWP members); the
             chair's DecisionForm reason. There is no other note field in shortlisting
             (templates/shortlisting, panel/shortlisting/forms.py).
  questions  ProposeForm (BankQuestionForm) text, guidance, follow_ups, content_note;
             BankQuestionForm again through HR's edit; ReviewForm note. tags are letters,
             numbers, spaces and dashes only. SearchForm q: query-string test.
  plans      PlanQuestionForm text, guidance, follow_ups, content_note; ScaleForm label_<n>,
             descriptor_<n> (on PWP: SPWP's scale is locked once scores exist);
             InvitationTemplateForm subject, body; InvitationForm subject, body (one
             candidate's invitation, sent to the outbox); SlotForm location and DayForm
             default_location (a javascript: URL). DayForm/SlotForm starts, ends, breaks are
             times, validated.
  scoring    interview notes through the scoring page's form and as JSON (the autosave
             endpoint); ModerateForm reason (the agreed score); OutcomeForm rationale;
             FeedbackForm text. SignOffForm patient_view_note and ReopenForm reason: in
             test_security_xss_packs (they need a signed-off vacancy).
  people     PersonForm name (HR renames a panel member on two panels) and InviteForm name
             (invited to SPWP's panel): shown in people and panel lists, moderation grids,
             the audit log, packs and the invitation and password-reset emails.
  auth       LoginForm/ForgotPasswordForm email: posted with the corpus, the page shown back
             is inert. Passwords are never shown.
  Selects, radios, checkboxes and hidden version numbers are checked against their choices
  or parsed as numbers (PanelMemberForm, CopyCriteriaForm, FilterForm, StatusForm, ...).

Also: a line break typed into a one-line field never reaches an email header, and NUL or a
lone surrogate (which PostgreSQL or the encoder refuse) is taken out as the request is read.
"""
from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import select

from panel.models import (
    BankQuestion,
    Candidate,
    CandidateFeedback,
    CandidateInvitation,
    Criterion,
    IdentityHit,
    InterviewOutcome,
    InterviewScore,
    InterviewSignOff,
    InterviewSlot,
    InterviewSubmission,
    ModeratedScore,
    Outcome,
    PlanQuestion,
    ScaleLevel,
    ShortlistDecision,
    ShortlistOutcome,
    ShortlistScore,
    User,
    Vacancy,
)
from tests.builders_plugin import page_texts, pdf
from tests.test_security_world import rich  # noqa: F401
from tests.builders_plugin import MINIMAL_PDF as PDF_BYTES

CORPUS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=alert('xss-2')>",
    "<svg/onload=alert('xss-3')>",
    "javascript:alert('xss-4')",
    '<a href="javascript:alert(5)">xss-5</a>',
    '" onmouseover="alert(6)" data-x="',
    "' autofocus onfocus='alert(7)' x='",
    "</style><script>alert('xss-8')</script>",
    "</textarea><img src=x onerror=alert('xss-9')>",
    "</title><script>alert('xss-10')</script>",
    "{{ 1234*5 }}",
    "{% raw %}xss-12{% endraw %}",
    "${1234*6}",
    "\u202ereversed\u202c\u200f",
    "=HYPERLINK(\"http://evil.example\",\"xss-15\")",
]
POLYGLOT = " ".join(CORPUS)
SHORT = "<b>x\"'</b>"  # for fields with a small length limit
# people's names (120 characters at most): a panel member renamed by HR, and someone invited
NAME = "Jo <img src=x onerror=alert('xss-2')> </style><script>alert('xss-8')</script> {{ 1234*5 }}"
NAME_2 = "Al </title><script>alert('xss-10')</script> \" onmouseover=\"alert(6)\" ${1234*6}"
REFERENCE = "<b>HIT\"'</b>&amp;"  # a vacancy reference (40 characters at most)
FILE_NAME = "<img src=x onerror=alert('xss-2')>.pdf"
LONG = "A" * 100_000 + "<script>alert('long')</script>"
EVALUATED = ["6170", "7404"]  # 1234*5 and 1234*6, had a template engine run the input

# names of fields that must keep a well-formed value for the form to be accepted
FORMAT_FIELD = re.compile(r"email|date|starts|ends|minutes|phone|breaks|^score|_score|number|day$|month|year|"
                          r"^q$|page|version|csrf|^action$|^knows$|^reference$")


class _Forms(HTMLParser):
    """The forms of a page: their fields, with the values the page filled in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action"), "fields": [],
                          "enctype": a.get("enctype", "")}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._form["fields"].append({"tag": "input", **a})
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"tag": "textarea", "value": "", **a}
            self._form["fields"].append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = {"tag": "select", "options": [], **a}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def fill_form(html: str, text: str, defaults: dict | None = None, pick: str | None = None) -> tuple[str | None, dict, list[str]]:
    """(action, data, names of the fields given `text`) for the page's POST form with the most text fields."""
    parser = _Forms()
    parser.feed(html)
    forms = [f for f in parser.forms if f["method"] == "post" and any(x.get("name") == "csrf_token" for x in f["fields"])]
    if pick:
        forms = [f for f in forms if any(x.get("name") == pick for x in f["fields"])]

    def texty(x):
        return (x["tag"] == "textarea" or (x["tag"] == "input" and x.get("type", "text") in ("text", "search", "url"))) \
            and not FORMAT_FIELD.search(x["name"])

    form = max(forms, key=lambda f: sum(texty(x) for x in f["fields"]))
    data: dict = {}
    filled = []
    for x in form["fields"]:
        name, kind = x["name"], x.get("type", "text")
        if x["tag"] == "select":
            chosen = [v for v, sel in x["options"] if sel] or [v for v, _ in x["options"] if v]
            data[name] = chosen[0] if chosen else ""
        elif kind in ("radio", "checkbox"):
            if "checked" in x or (kind == "radio" and name not in data):
                if kind == "checkbox":
                    data.setdefault(name, [])
                    data[name].append(x.get("value", "y"))
                else:
                    data[name] = x.get("value", "")
        elif kind in ("submit", "button", "file"):
            continue
        elif texty(x):
            data[name] = text
            filled.append(name)
        else:
            data[name] = x.get("value", "") if x["tag"] == "input" else x.get("value", "")
    data.update(defaults or {})
    return form["action"], data, filled


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def assert_inert(html: str, where: str, nonce: str | None = None):
    """No markup from the corpus: it is all text, never tags, handlers, URLs or template output."""
    for item in CORPUS + [SHORT]:
        if any(c in item for c in "<>\"'"):
            assert item not in html, f"{where}: unescaped {item!r}"
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{where}: event handler <{tag} {name}={value!r}>"
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert not value.strip().lower().startswith(("javascript:", "data:text")), f"{where}: <{tag} {name}={value!r}>"
        if tag == "script":
            assert "src" in attrs or (nonce and attrs.get("nonce") == nonce), f"{where}: inline script {attrs}"
        assert not (tag == "svg" and "onload" in attrs)
    for number in EVALUATED:
        assert number not in html, f"{where}: a template ran the input ({number})"


def sign_off(session, rich, chair, note: str):
    """The chair signs off SPWP's interview results through the real form, explaining `note`.

    Arranged straight in the database first (those forms are covered elsewhere): every
    shortlisted candidate without an outcome gets "reserve", and the patient panelist submits
    top scores for the second one, so the patient panelists' ranking (second above the first,
    who is "preferred") differs from the decision and the form asks for the explanation."""
    shortlisted = session.scalars(select(Candidate).join(Candidate.decision).where(
        Candidate.vacancy_id == rich.spwp.id, Candidate.withdrawn_at.is_(None),
        ShortlistDecision.outcome == ShortlistOutcome.SHORTLIST).order_by(Candidate.number)).all()
    for c in shortlisted:
        if session.scalar(select(InterviewOutcome.id).where(InterviewOutcome.candidate_id == c.id)) is None:
            session.add(InterviewOutcome(candidate_id=c.id, outcome=Outcome.RESERVE, rationale="Close second",
                                         decided_by_id=rich.chair.id))
    second = next(c for c in shortlisted if c.id != rich.first.id)
    patient = rich.panelist.id
    questions = session.scalars(select(PlanQuestion).where(PlanQuestion.vacancy_id == rich.spwp.id)).all()
    for q in questions:
        row = session.scalar(select(InterviewScore).where(InterviewScore.candidate_id == second.id,
                                                          InterviewScore.plan_question_id == q.id,
                                                          InterviewScore.user_id == patient))
        if row is None:
            session.add(InterviewScore(candidate_id=second.id, plan_question_id=q.id, user_id=patient, score=4))
        else:
            row.score = 4
    if session.scalar(select(InterviewSubmission.id).where(InterviewSubmission.candidate_id == second.id,
                                                           InterviewSubmission.user_id == patient)) is None:
        session.add(InterviewSubmission(candidate_id=second.id, user_id=patient))
    session.commit()
    submit(chair, f"/vacancies/{rich.spwp.id}/results/sign-off", note)
    session.expire_all()
    row = session.scalar(select(InterviewSignOff).where(InterviewSignOff.vacancy_id == rich.spwp.id))
    assert row is not None and row.signed_off_at is not None and row.patient_view_note == note.strip()


def _nonce(response) -> str | None:
    m = re.search(r"'nonce-([^']+)'", response.headers.get("Content-Security-Policy", ""))
    return m.group(1) if m else None


def get_inert(client, url: str):
    response = client.get(url)
    assert response.status_code < 500, f"GET {url}: {response.status_code}"
    if response.mimetype == "text/html":
        assert_inert(response.get_data(as_text=True), f"GET {url}", _nonce(response))
    return response


def submit(client, url: str, text: str, defaults=None, pick=None, expect_saved=True):
    """Fill the form on `url` with `text`, post it and check both the answer and the redirect target are inert."""
    page = client.get(url)
    assert page.status_code == 200, f"GET {url}: {page.status_code}"
    action, data, filled = fill_form(page.get_data(as_text=True), text, defaults, pick)
    assert filled, f"no text field on {url}"
    response = client.post(action or url, data=data)
    assert response.status_code < 500, f"POST {url}: {response.status_code}"
    if response.status_code in (200, 400) and text is not LONG:  # the form again (400: the house rule)
        # fields with a smaller length limit get as much of the text as they take
        assert_inert(response.get_data(as_text=True), f"POST {url} (too long)", _nonce(response))
        limits = re.findall(r'<a href="#([\w-]+)">[^<]*?(\d+) characters or fewer', response.get_data(as_text=True))
        if limits:
            for name, limit in limits:
                if name in data:
                    data[name] = data[name][: int(limit)]
            response = client.post(action or url, data=data)
    if response.status_code in (200, 400):
        assert_inert(response.get_data(as_text=True), f"POST {url} (form again)", _nonce(response))
        if expect_saved and text is not LONG:
            body = response.get_data(as_text=True)
            summary = body.split("There is a problem", 1)[-1][:1500] if "There is a problem" in body else body[:200]
            errors = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary))
            raise AssertionError(f"POST {url} was not saved: {errors}")
    else:
        assert response.status_code in (302, 303), f"POST {url}: {response.status_code}"
        get_inert(client, response.headers["Location"])
    return response, filled


@pytest.fixture()
def hostile(app, as_user, rich, session):
    """The corpus typed into every text field of the real forms by HR, the chair and the panel
    members (see the module docstring for the list), people's names included."""
    hr, chair, panelist = as_user(rich.hr), as_user(rich.chair), as_user(rich.panelist)
    pwp, spwp = rich.pwp, rich.spwp
    first = rich.first
    # a very long string is refused with a message, never a 500 (and the page showing it back is inert)
    for url in ("/vacancies/new", f"/vacancies/{rich.hit.id}/criteria/new", f"/vacancies/{pwp.id}/candidates/new"):
        submit(hr, url, LONG, defaults={"reference": "LONG-1", "email": "long@example.org"}, expect_saved=False)

    submit(hr, "/vacancies/new", POLYGLOT, defaults={"reference": "XSS-1"})
    submit(hr, f"/vacancies/{rich.hit.id}/edit", POLYGLOT)
    # a reference is refused unless it looks like one (it names files and prints on every page)
    submit(hr, f"/vacancies/{rich.hit.id}/edit", POLYGLOT, defaults={"reference": REFERENCE}, expect_saved=False)
    submit(hr, f"/vacancies/{rich.hit.id}/criteria/new", POLYGLOT[:480])
    submit(hr, f"/vacancies/{pwp.id}/candidates/new", SHORT * 5, defaults={"email": "x@candidates.example"})
    # a CSV import with the corpus in every column
    header = "first_name,last_name,email,phone,supporting_information\n"
    out = io.StringIO()
    w = csv.writer(out)
    for i, item in enumerate(CORPUS, start=1):
        w.writerow([item[:100], SHORT, f"csv{i}@candidates.example", "07700 900000", POLYGLOT])
    r = hr.post_form(f"/vacancies/{pwp.id}/candidates/import",
                     {"file": (io.BytesIO((header + out.getvalue()).encode()), "people.csv")},
                     content_type="multipart/form-data")
    assert r.status_code in (200, 302), r.status_code
    if r.status_code == 302:
        get_inert(hr, r.headers["Location"])
    else:
        assert_inert(r.get_data(as_text=True), "CSV import answer", _nonce(r))
        raise AssertionError("the CSV import was refused: " + re.sub(r"<[^>]+>", " ", r.get_data(as_text=True))[:800])

    # shortlisting: a panelist's comments on each criterion
    candidate = session.scalars(select(Candidate).where(Candidate.vacancy_id == pwp.id, Candidate.withdrawn_at.is_(None))
                                .order_by(Candidate.number.desc())).first()
    # added while shortlisting is open, with web addresses in it: held back from the panel until HR
    # has reviewed what the identity check found (here: marked as fine, through the page)
    hits = session.execute(select(IdentityHit.candidate_id, IdentityHit.id).join(Candidate).where(
        Candidate.vacancy_id == pwp.id, IdentityHit.fine.is_(False))).all()
    assert any(cid == candidate.id for cid, _ in hits) and candidate.identity_open > 0
    for cid, hit_id in hits:
        r = hr.post_form(f"/vacancies/{pwp.id}/candidates/{cid}/identity-check/{hit_id}/fine")
        assert r.status_code == 302, r.status_code
    session.expire_all()
    base = f"/vacancies/{pwp.id}/shortlisting/candidates/{candidate.id}"
    crit = [c for c in pwp.criteria if c.at_application]
    zoe = as_user(session.scalar(select(User).where(User.email == "zoe.ashworth@example.org")))
    # the whole panel scores (the chair too), so the moderation pages, the export and the decision show it
    for client in (panelist, chair, zoe):
        assert client.post_form(base + "/conflict", {"knows": "no"}).status_code == 302
        data = {f"score_{c.id}": "1" for c in crit}
        data.update({f"comment_{c.id}": POLYGLOT[:990] for c in crit})
        data["action"] = "save"
        r = client.post_form(base + "/scores", data)
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        get_inert(client, base)
        assert client.post_form(base + "/submit", {}).status_code == 302

    # the question bank and the interview plan
    submit(panelist, "/questions/propose", POLYGLOT, defaults={"tags": "values, scenario"})  # tags are letters only
    submit(chair, f"/vacancies/{spwp.id}/plan/questions/new", POLYGLOT[:990],
           defaults={"minutes": "5", "criteria": [str(next(c.id for c in spwp.criteria if c.at_interview))]})
    # interview notes (the chair's own sheet for a candidate they have not submitted), outcome, feedback
    others = session.scalars(select(Candidate).join(Candidate.decision).where(Candidate.vacancy_id == spwp.id)
                             .order_by(Candidate.number)).all()
    second = next(c for c in others if c.id != first.id and c.decision.outcome.value == "shortlist")
    # names are revealed: the chair first says whom they know (the page prints the names inert)
    get_inert(chair, f"/vacancies/{spwp.id}/interviews/do-you-know")
    assert chair.post_form(f"/vacancies/{spwp.id}/interviews/do-you-know").status_code == 303
    submit(chair, f"/vacancies/{spwp.id}/interviews/{second.id}/score", POLYGLOT, pick=None)
    submit(chair, f"/vacancies/{spwp.id}/results/{first.id}/outcome", POLYGLOT)
    submit(chair, f"/vacancies/{spwp.id}/feedback/{first.id}", POLYGLOT)
    submit(hr, f"/vacancies/{spwp.id}/invitations/template", POLYGLOT[:280] + " {first_name}")
    # a room or video link: a javascript: URL must never become a link
    slot = session.scalar(select(InterviewSlot).where(InterviewSlot.vacancy_id == spwp.id).order_by(InterviewSlot.id))
    submit(chair, f"/vacancies/{spwp.id}/timetable/slots/{slot.id}/edit", "javascript:alert('xss-4')")
    submit(chair, f"/vacancies/{spwp.id}/timetable/day", "javascript:alert('xss-4')")

    # the scoring scale's names and descriptors
    submit(chair, f"/vacancies/{pwp.id}/plan/scale", POLYGLOT[:300])  # SPWP's is locked: scores exist
    # a proposed question reviewed with a note, and a bank question's wording improved by HR
    proposed = session.scalar(select(BankQuestion).where(BankQuestion.text.startswith(CORPUS[0])))
    submit(hr, f"/questions/{proposed.id}/review", POLYGLOT[:500], defaults={"decision": "approve"})
    bank = session.scalar(select(BankQuestion).where(BankQuestion.id != proposed.id).order_by(BankQuestion.id))
    submit(hr, f"/questions/{bank.id}/edit", POLYGLOT[:990], defaults={"tags": "values"})
    # the chair's shortlisting decision and its reason, on a candidate every panel member has scored
    for c in session.scalars(select(Candidate).where(Candidate.vacancy_id == pwp.id, Candidate.withdrawn_at.is_(None))
                             .order_by(Candidate.number)):
        url = f"/vacancies/{pwp.id}/shortlisting/moderation/{c.id}"
        if 'name="reason"' in chair.get(url).get_data(as_text=True):
            submit(chair, url, POLYGLOT[:1000], defaults={"outcome": "reject"})
            decided = c
            break
    else:
        raise AssertionError("no shortlisting decision could be recorded")
    # the chair's agreed (moderated) interview score and its reason
    question = session.scalar(select(PlanQuestion).where(PlanQuestion.vacancy_id == spwp.id)
                              .order_by(PlanQuestion.position))
    submit(chair, f"/vacancies/{spwp.id}/results/{first.id}/moderate/{question.id}", POLYGLOT)
    # interview notes saved as they are typed (the scoring page's script posts JSON)
    r = chair.post(f"/vacancies/{spwp.id}/interviews/{second.id}/score/{question.id}",
                   json={"score": "", "notes": POLYGLOT[::-1], "version": ""},
                   headers={"X-CSRFToken": chair.csrf_token()})
    assert r.status_code == 200 and r.is_json, (r.status_code, r.get_data(as_text=True)[:300])
    # one candidate's invitation, edited before it is sent (it goes to the outbox)
    submit(hr, f"/vacancies/{spwp.id}/invitations/{first.id}", POLYGLOT[:300])
    # an uploaded application PDF whose file name is hostile (shown to HR as "uploaded as ...")
    r = hr.post_form(f"/vacancies/{pwp.id}/candidates/{candidate.id}/application",
                     {"file": (io.BytesIO(PDF_BYTES), FILE_NAME)}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    # people: a panel member renamed by HR, and someone invited to a panel with a hostile name
    submit(hr, f"/people/{rich.panelist.id}", NAME)
    submit(hr, f"/people/invite?vacancy={spwp.id}", NAME_2, defaults={"email": "invited@example.org"})
    invited = session.scalar(select(User).where(User.email == "invited@example.org"))
    for active in ("0", "1"):  # the message after (de)activating names them
        r = hr.post_form(f"/people/{invited.id}/active", {"active": active})
        assert r.status_code == 302
        get_inert(hr, r.headers["Location"])
    # pages only reachable through lists or links, for test_every_page_shows_it_inert
    extra = [f"/vacancies/{pwp.id}/shortlisting/moderation/{decided.id}", f"/questions/{proposed.id}",
             f"/questions/{proposed.id}/edit", f"/questions/{bank.id}", f"/people/{invited.id}",
             f"/vacancies/{spwp.id}/results/{first.id}/moderate/{question.id}",
             f"/vacancies/{spwp.id}/invitations/{first.id}", f"/vacancies/{pwp.id}/plan/scale",
             f"/vacancies/{pwp.id}/candidates/{candidate.id}"]
    return {"hr": hr, "chair": chair, "panelist": panelist, "second": second, "candidate": candidate,
            "question": question, "extra": extra}


def test_hostile_text_is_stored_as_typed(hostile, rich, session):
    session.expire_all()
    assert session.scalar(select(Vacancy).where(Vacancy.reference == "XSS-1")).title == POLYGLOT[:200]
    assert session.scalar(select(Criterion).where(Criterion.text == POLYGLOT[:480])) is not None
    assert session.scalar(select(ShortlistScore).where(ShortlistScore.comment == POLYGLOT[:990])) is not None
    assert session.scalar(select(BankQuestion).where(BankQuestion.text.startswith(CORPUS[0]))) is not None
    assert session.scalar(select(PlanQuestion).where(PlanQuestion.text == POLYGLOT[:990])) is not None
    assert session.scalar(select(InterviewScore).where(InterviewScore.notes == POLYGLOT)) is not None
    assert session.scalar(select(InterviewOutcome).where(InterviewOutcome.rationale == POLYGLOT)) is not None
    assert session.scalar(select(CandidateFeedback).where(CandidateFeedback.text == POLYGLOT)) is not None
    assert session.scalar(select(Candidate).where(Candidate.first_name == CORPUS[0])) is not None
    assert session.scalar(select(ScaleLevel).where(ScaleLevel.vacancy_id == rich.pwp.id,
                                                   ScaleLevel.label == POLYGLOT[:60])) is not None
    assert session.scalar(select(ScaleLevel).where(ScaleLevel.descriptor == POLYGLOT[:300])) is not None
    assert session.scalar(select(BankQuestion).where(BankQuestion.review_note == POLYGLOT[:500])) is not None
    assert session.scalar(select(BankQuestion).where(BankQuestion.text == POLYGLOT[:990])) is not None
    assert session.scalar(select(ShortlistDecision).where(ShortlistDecision.reason == POLYGLOT[:1000])) is not None
    assert session.scalar(select(ModeratedScore).where(ModeratedScore.reason == POLYGLOT)) is not None
    assert session.scalar(select(InterviewScore).where(InterviewScore.notes == POLYGLOT[::-1])) is not None
    invitation = session.scalar(select(CandidateInvitation).where(CandidateInvitation.body == POLYGLOT[:300]))
    assert invitation is not None and invitation.counts_as_invited and invitation.subject == POLYGLOT[:300]
    assert session.scalar(select(Candidate).where(Candidate.application_filename == FILE_NAME)) is not None
    assert session.get(User, rich.panelist.id).name == NAME
    invited = session.scalar(select(User).where(User.email == "invited@example.org"))
    assert invited.name == NAME_2 and any(m.vacancy_id == rich.spwp.id for m in invited.panel_memberships)


def test_every_page_shows_it_inert(app, hostile, rich, session):
    from tests.test_security_world import app_rules, fill, rule_params, values_for_rule

    seen = 0
    for who in ("hr", "chair", "panelist"):
        client = hostile[who]
        for rule in app_rules(app, "GET"):
            if rule.rule.endswith((".pdf", ".csv", ".js", "/download")) or rule.endpoint == "main.healthz":
                continue
            vacancies = list(rich.values) if "vacancy_id" in rule_params(rule) else [None]
            for vacancy_id in vacancies:
                url = fill(rule, values_for_rule(rich, rule, vacancy_id or rich.spwp.id))
                if url:
                    get_inert(client, url)
                    seen += 1
        # pages only reachable through lists: the hostile vacancy and the hostile candidates
        vacancy = session.scalar(select(Vacancy).where(Vacancy.reference == "XSS-1"))
        for url in (f"/vacancies/{vacancy.id}", f"/vacancies/{vacancy.id}/criteria", "/questions?q=%3Cscript%3E",
                    f"/vacancies/{rich.spwp.id}/interviews/{hostile['second'].id}/score", *hostile["extra"]):
            get_inert(client, url)
    for c in session.scalars(select(Candidate).where(Candidate.vacancy_id == rich.pwp.id)):
        get_inert(hostile["hr"], f"/vacancies/{rich.pwp.id}/candidates/{c.id}")
        get_inert(hostile["hr"], f"/vacancies/{rich.pwp.id}/candidates/{c.id}/edit")
    assert seen > 150
    # the sweep saw the hostile text itself, escaped (so the checks above were not vacuous)
    shown = [
        ("hr", "/people", [NAME, NAME_2]),
        ("hr", f"/vacancies/{rich.spwp.id}/panel", [NAME, NAME_2]),
        ("hr", "/audit", [NAME]),
        ("hr", f"/vacancies/{rich.pwp.id}/candidates/{hostile['candidate'].id}", [FILE_NAME]),
        ("chair", hostile["extra"][0], [POLYGLOT[:200], NAME]),  # the shortlisting decision's reason
        ("chair", f"/vacancies/{rich.spwp.id}/results/{rich.first.id}", [POLYGLOT[:200], NAME]),
    ]
    for who, url, texts in shown:
        page = hostile[who].get(url).get_data(as_text=True)
        for text in texts:
            assert str(escape(text)) in page, f"{url} does not show {text[:40]!r}"


def test_search_and_query_strings_are_reflected_inert(app, as_user, rich):
    hr = as_user(rich.hr)
    for item in CORPUS:
        for url in ("/questions", "/vacancies", "/audit", "/login"):
            get_inert(hr, url + "?" + "&".join(f"{k}={item}" for k in ("q", "status", "vacancy", "next", "page")))
    # the sign-in and forgotten-password forms show a refused email address back
    anonymous = app.test_client()
    for item in (POLYGLOT[:250], SHORT + "@example.org"):
        for url, data in (("/login", {"email": item, "password": item}), ("/forgot-password", {"email": item})):
            r = anonymous.post_form(url, data)
            assert r.status_code in (200, 302, 400, 429), (url, r.status_code)
            assert_inert(r.get_data(as_text=True), f"POST {url}", _nonce(r))


FORMULA = re.compile(r"^[=+\-@\t\r]")


def _check_csv(text: str, where: str):
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 1, where
    for row in rows:
        for cell in row:
            assert not FORMULA.match(cell), f"{where}: a cell a spreadsheet would run: {cell[:60]!r}"
    return rows


FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]


def test_csv_exports_neutralise_formulas(hostile, rich, session):
    # one test for the corpus and every formula (not one each): the hostile world takes seconds to build
    chair, hr = hostile["chair"], hostile["hr"]
    rows = _check_csv(hr.get(f"/vacancies/{rich.spwp.id}/interviews/export.csv").get_data(as_text=True), "interviews")
    assert any("'=HYPERLINK" in cell or POLYGLOT in cell for row in rows for cell in row)
    assert any(cell.startswith("'") for row in rows for cell in row) or any(POLYGLOT in c for r in rows for c in r)
    rows = _check_csv(chair.get(f"/vacancies/{rich.pwp.id}/shortlisting/export.csv").get_data(as_text=True),
                      "shortlisting")
    assert any(POLYGLOT[:990] in cell for row in rows for cell in row)
    # the audit log's export: the hostile names, and the candidate whose first name is a formula
    rows = _check_csv(hr.get("/audit/export.csv").get_data(as_text=True), "audit")
    assert any(NAME in cell for row in rows for cell in row)

    # a formula at the start of any text
    score = session.scalar(select(InterviewScore).where(InterviewScore.notes == POLYGLOT))
    outcome = session.scalar(select(InterviewOutcome).where(InterviewOutcome.rationale == POLYGLOT))
    comment = session.scalar(select(ShortlistScore).where(ShortlistScore.comment == POLYGLOT[:990]))
    for text in FORMULAS:
        score.notes = outcome.rationale = comment.comment = text
        session.commit()
        rows = _check_csv(hr.get(f"/vacancies/{rich.spwp.id}/interviews/export.csv").get_data(as_text=True),
                          f"iv {text!r}")
        assert sum(cell == "'" + text for row in rows for cell in row) >= 2, text
        rows = _check_csv(chair.get(f"/vacancies/{rich.pwp.id}/shortlisting/export.csv").get_data(as_text=True),
                          f"sl {text!r}")
        assert any(cell == "'" + text for row in rows for cell in row), text


def _plain_parts(message) -> list[str]:
    """The text of an email's text/plain parts; every text/html part (there are none today)
    must show the hostile text inert."""
    texts = []
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            texts.append(part.get_content())
        elif part.get_content_type() == "text/html":
            assert_inert(part.get_content(), f"email {message['Subject']!r} (HTML part)")
    return texts


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_emails_carry_it_as_plain_text(app, hostile, rich, session):
    from tests.conftest import outbox_messages

    # a password reset for the renamed panel member: the email greets them by name
    anonymous = app.test_client()
    assert anonymous.post_form("/forgot-password", {"email": rich.panelist.email}).status_code in (200, 302)
    messages = outbox_messages(app)
    by_to = {}
    for m in messages:
        by_to.setdefault(m["To"], []).append(m)
        assert m["Bcc"] is None and m["Cc"] is None
        assert "\n" not in m["Subject"] and "\r" not in m["Subject"]
    invited = by_to["invited@example.org"]
    assert any(f"Hello {NAME_2}," in text for m in invited for text in _plain_parts(m))
    # the link in it opens the set-password page, which names them (inert)
    link = re.search(r"https?://\S+/set-password/\S+", "\n".join(_plain_parts(invited[-1]))).group(0)
    page = get_inert(app.test_client(), urlsplit(link).path)
    assert page.status_code == 200 and "Welcome to panel" in page.get_data(as_text=True)
    reset = by_to[rich.panelist.email]
    assert any(f"Hello {NAME}," in text for m in reset for text in _plain_parts(m))
    candidate = session.get(Candidate, rich.first.id)
    sent = [m for m in by_to[candidate.email] if _squash(m["Subject"]) == _squash(POLYGLOT[:300])]
    assert sent, [m["Subject"] for m in by_to[candidate.email]]
    assert any(_squash(POLYGLOT[:300]) in _squash(text) for text in _plain_parts(sent[0]))
    for m in messages:
        for text in _plain_parts(m):
            for number in EVALUATED:
                assert number not in text, f"a template ran the input in {m['Subject']!r}"


def test_line_breaks_in_a_subject_never_add_an_email_header(app, as_user, rich, session):
    """A one-line field posted with line breaks (a browser never sends them; a script can):
    the invitation's subject and a vacancy title in the feedback email's subject."""
    from tests.conftest import outbox_messages

    hr, chair = as_user(rich.hr), as_user(rich.chair)
    earlier = len(outbox_messages(app))  # the demo's own invitations (with booking links) are there already
    injected = "Interview\r\nBcc: evil@example.org\nX-Evil: 1"
    r = hr.post_form(f"/vacancies/{rich.spwp.id}/invitations/{rich.first.id}", {"subject": injected, "body": "Come"})
    assert r.status_code in (200, 302), r.status_code
    rich.spwp.title = "Senior PWP\r\nBcc: evil@example.org"
    session.commit()
    sign_off(session, rich, chair, "Signed off.")
    r = hr.post_form(f"/vacancies/{rich.spwp.id}/feedback/{rich.first.id}/send", {})
    assert r.status_code == 302, r.status_code
    to = session.get(Candidate, rich.first.id).email
    messages = [m for m in outbox_messages(app)[earlier:] if m["To"] == to]  # (sign-off also thanks the panel)
    assert len(messages) == 2, [m["Subject"] for m in messages]
    for m in messages:
        assert m["Bcc"] is None and m["X-Evil"] is None
        assert "evil@example.org" in m["Subject"] and "\n" not in m["Subject"]


STORABLE = [
    ("a NUL", "Nul\x00Title", "NulTitle"),
    ("a lone surrogate (JSON only)", "Half\ud800pair", "Half\ufffdpair"),
]


def test_nul_and_broken_unicode_are_stored_without_a_500(app, as_user, rich, session):
    """PostgreSQL text cannot hold NUL, and a lone surrogate (JSON "\\ud800") cannot be
    encoded at all: both used to be a 500. They are taken out as the request is read."""
    hr, chair = as_user(rich.hr), as_user(rich.chair)
    submit(hr, "/vacancies/new", "Nul\x00Title", defaults={"reference": "NUL-1"})
    submit(hr, f"/people/{rich.p3.id}", "Nul\x00Title")
    for url in ("/questions?q=%00x", "/vacancies?site=%00&status=%00", "/audit?q=%00"):
        assert hr.get(url).status_code < 500, url
    r = hr.post_form(f"/vacancies/{rich.pwp.id}/candidates/{rich.values[rich.pwp.id]['candidate_id']}/application",
                     {"file": (io.BytesIO(PDF_BYTES), "Nul\x00.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 302
    question = session.scalar(select(PlanQuestion).where(PlanQuestion.vacancy_id == rich.spwp.id)
                              .order_by(PlanQuestion.position))
    second = session.scalar(select(Candidate).join(Candidate.decision).where(
        Candidate.vacancy_id == rich.spwp.id, Candidate.id != rich.first.id,
        ShortlistDecision.outcome == ShortlistOutcome.SHORTLIST).order_by(Candidate.number))
    url = f"/vacancies/{rich.spwp.id}/interviews/{second.id}/score/{question.id}"
    for _what, typed, stored in STORABLE:
        body = '{"score": "", "notes": %s, "version": ""}' % json.dumps(typed)
        r = chair.post(url, data=body, content_type="application/json", headers={"X-CSRFToken": chair.csrf_token()})
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
        session.expire_all()
        notes = session.scalar(select(InterviewScore.notes).where(InterviewScore.candidate_id == second.id,
                                                                  InterviewScore.plan_question_id == question.id))
        assert notes == stored
    session.expire_all()
    assert session.scalar(select(Vacancy.title).where(Vacancy.reference == "NUL-1")) == "NulTitle"
    assert session.get(User, rich.p3.id).name == "NulTitle"
    assert session.scalar(select(Candidate.application_filename).where(
        Candidate.id == rich.values[rich.pwp.id]["candidate_id"])) == "Nul.pdf"


@pytest.mark.parametrize("html", [
    "<p><script>alert('xss-1')</script></p>",
    "<p><img src=x onerror=alert('xss-2')></p>",
    '<a href=" JavaScript:alert(1)">x</a>',
    '<input value="" onmouseover="alert(6)" data-x="">',
    "<p>6170</p>",
    "<script>inline()</script>",
])
def test_the_inertness_check_catches_live_markup(html):
    with pytest.raises(AssertionError):
        assert_inert(f"<html><body>{html}</body></html>", "sample", nonce="abc")
    assert_inert('<html><body><script nonce="abc">ok()</script><script type="module" src="/static/js/app.js"></script>'
                 "&lt;script&gt;alert(&#39;xss-1&#39;)&lt;/script&gt;</body></html>", "clean", nonce="abc")
