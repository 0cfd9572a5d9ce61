"""Hostile text (issue 7, ASVS V3): an XSS corpus typed into every text field of the real
forms, then every page that shows it is parsed and checked inert; the CSV exports
neutralise spreadsheet formulas; the PDF packs print it literally.

The forms are read from the pages themselves (tests.test_security_xss.fill_form), so a
new text field on one of these forms gets the corpus without changing this file.
"""
from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from panel.models import BankQuestion, Candidate, CandidateFeedback, Criterion, InterviewOutcome, InterviewScore, \
    InterviewSlot, PlanQuestion, ShortlistScore, Vacancy
from tests.packs_data import page_texts, pdf
from tests.test_security_world import rich  # noqa: F401

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
    if response.status_code == 200 and text is not LONG:
        # fields with a smaller length limit get as much of the text as they take
        assert_inert(response.get_data(as_text=True), f"POST {url} (too long)", _nonce(response))
        limits = re.findall(r'<a href="#([\w-]+)">[^<]*?(\d+) characters or fewer', response.get_data(as_text=True))
        if limits:
            for name, limit in limits:
                if name in data:
                    data[name] = data[name][: int(limit)]
            response = client.post(action or url, data=data)
    if response.status_code == 200:
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
    """The corpus typed into every text field of the real forms by HR, the chair and a panelist."""
    hr, chair, panelist = as_user(rich.hr), as_user(rich.chair), as_user(rich.panelist)
    pwp, spwp = rich.pwp, rich.spwp
    first = rich.first
    # a very long string is refused with a message, never a 500 (and the page showing it back is inert)
    for url in ("/vacancies/new", f"/vacancies/{rich.hit.id}/criteria/new", f"/vacancies/{pwp.id}/candidates/new"):
        submit(hr, url, LONG, defaults={"reference": "LONG-1", "email": "long@example.org"}, expect_saved=False)

    submit(hr, "/vacancies/new", POLYGLOT, defaults={"reference": "XSS-1"})
    submit(hr, f"/vacancies/{rich.hit.id}/edit", POLYGLOT)
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
    base = f"/vacancies/{pwp.id}/shortlisting/candidates/{candidate.id}"
    crit = [c for c in pwp.criteria if c.at_application]
    for client in (panelist, chair):  # the chair scores too, so the moderation pages and export show it
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
    submit(chair, f"/vacancies/{spwp.id}/interviews/{second.id}/score", POLYGLOT, pick=None)
    submit(chair, f"/vacancies/{spwp.id}/results/{first.id}/outcome", POLYGLOT)
    submit(chair, f"/vacancies/{spwp.id}/feedback/{first.id}", POLYGLOT)
    submit(hr, f"/vacancies/{spwp.id}/invitations/template", POLYGLOT[:280] + " {first_name}")
    # a room or video link: a javascript: URL must never become a link
    slot = session.scalar(select(InterviewSlot).where(InterviewSlot.vacancy_id == spwp.id).order_by(InterviewSlot.id))
    submit(chair, f"/vacancies/{spwp.id}/timetable/slots/{slot.id}/edit", "javascript:alert('xss-4')")
    submit(chair, f"/vacancies/{spwp.id}/timetable/day", "javascript:alert('xss-4')")
    return {"hr": hr, "chair": chair, "panelist": panelist, "second": second}


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
                    f"/vacancies/{rich.spwp.id}/interviews/{hostile['second'].id}/score"):
            get_inert(client, url)
    for c in session.scalars(select(Candidate).where(Candidate.vacancy_id == rich.pwp.id)):
        get_inert(hostile["hr"], f"/vacancies/{rich.pwp.id}/candidates/{c.id}")
        get_inert(hostile["hr"], f"/vacancies/{rich.pwp.id}/candidates/{c.id}/edit")
    assert seen > 150


def test_search_and_query_strings_are_reflected_inert(as_user, rich):
    hr = as_user(rich.hr)
    for item in CORPUS:
        for url in ("/questions", "/vacancies", "/audit", "/login"):
            get_inert(hr, url + "?" + "&".join(f"{k}={item}" for k in ("q", "status", "vacancy", "next", "page")))


FORMULA = re.compile(r"^[=+\-@\t\r]")


def _check_csv(text: str, where: str):
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 1, where
    for row in rows:
        for cell in row:
            assert not FORMULA.match(cell), f"{where}: a cell a spreadsheet would run: {cell[:60]!r}"
    return rows


def test_csv_exports_neutralise_formulas(hostile, rich):
    chair, hr = hostile["chair"], hostile["hr"]
    rows = _check_csv(hr.get(f"/vacancies/{rich.spwp.id}/interviews/export.csv").get_data(as_text=True), "interviews")
    assert any("'=HYPERLINK" in cell or POLYGLOT in cell for row in rows for cell in row)
    assert any(cell.startswith("'") for row in rows for cell in row) or any(POLYGLOT in c for r in rows for c in r)
    rows = _check_csv(chair.get(f"/vacancies/{rich.pwp.id}/shortlisting/export.csv").get_data(as_text=True),
                      "shortlisting")
    assert any(POLYGLOT[:990] in cell for row in rows for cell in row)


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"])
def test_csv_exports_neutralise_a_formula_at_the_start_of_any_text(hostile, rich, session, text):
    score = session.scalar(select(InterviewScore).where(InterviewScore.notes == POLYGLOT))
    score.notes = text
    outcome = session.scalar(select(InterviewOutcome).where(InterviewOutcome.rationale == POLYGLOT))
    outcome.rationale = text
    comment = session.scalar(select(ShortlistScore).where(ShortlistScore.comment == POLYGLOT[:990]))
    comment.comment = text
    session.commit()
    rows = _check_csv(hostile["hr"].get(f"/vacancies/{rich.spwp.id}/interviews/export.csv").get_data(as_text=True), "iv")
    assert sum(cell == "'" + text for row in rows for cell in row) >= 2
    rows = _check_csv(hostile["chair"].get(f"/vacancies/{rich.pwp.id}/shortlisting/export.csv").get_data(as_text=True),
                      "sl")
    assert any(cell == "'" + text for row in rows for cell in row)


def test_pdf_packs_print_it_literally(hostile, rich, session):
    hr = hostile["hr"]
    response = hr.get(f"/vacancies/{rich.spwp.id}/packs/panel.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    text = re.sub(r"\s+", " ", " ".join(page_texts(pdf(response.data))))
    assert "<script>alert('xss-1')</script>" in text
    assert "{{ 1234*5 }}" in text and "6170" not in text
    assert "</textarea><img src=x onerror=alert('xss-9')>" in text


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
