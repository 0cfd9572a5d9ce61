"""Anonymity: while a vacancy is in draft or shortlisting, nothing a panel member (the chair
included) can open, download or export contains a candidate's name, email, phone or
Disability Confident status. The pages are found by following every link from the home
page, as each panel member, after a realistic amount of shortlisting has happened."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import pytest

from panel.models import VacancyStatus
from tests.builders_plugin import (  # noqa: F401  (sl is a fixture)
    MINIMAL_PDF,
    declare,
    identity_strings,
    put_scores,
    save,
    sl,
    store_pdf,
    submit,
    url,
)

LINK_RE = re.compile(r'(?:href|action)="([^"#]+)')
SKIP = ("/logout", "/static/", "/healthz")


def crawl(client, start_paths, limit=400):
    """GET every same-site page reachable from start_paths; {path: response}."""
    seen: dict[str, object] = {}
    queue = list(start_paths)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or path.startswith(SKIP):
            continue
        response = client.get(path)
        seen[path] = response
        if response.mimetype != "text/html":
            continue
        for link in LINK_RE.findall(response.get_data(as_text=True)):
            link = link.replace("&amp;", "&")
            target = urlparse(urljoin("http://localhost" + path, link))
            if target.netloc not in ("", "localhost"):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen


def pdf_text(data: bytes) -> str:
    """The text of a PDF (packs are compressed, so the raw bytes would hide names)."""
    import io

    from pypdf import PdfReader

    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    except Exception:  # an application PDF made by hand in the tests may have no pages
        return ""


def assert_anonymous(responses: dict, candidates, *, dc_allowed=False, where=""):
    forbidden = identity_strings(candidates)
    for path, response in responses.items():
        body = response.get_data()
        text = body.decode("utf-8", "replace")
        if response.mimetype == "application/pdf":
            text += pdf_text(body)
        headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
        for value in forbidden:
            assert value not in text, f"{where}: {value!r} appears in {path}"
            assert value not in headers, f"{where}: {value!r} appears in the headers of {path}"
        if not dc_allowed and path.startswith("/vacancies/"):  # the privacy notice explains the scheme in general
            assert "Disability Confident" not in text, f"{where}: Disability Confident status shown on {path}"
            assert "disability" not in text.lower(), f"{where}: disability mentioned on {path}"


@pytest.fixture()
def busy(app, as_user, session, sl):
    """Shortlisting under way: PDFs uploaded, every kind of state for the panelist."""
    a, b, m = sl.candidates  # b is Disability Confident
    for c in sl.candidates:
        c.application_file = store_pdf(app, MINIMAL_PDF.replace(b"%%EOF", f"% {c.label}\n%%EOF".encode()))
        c.application_filename = f"{c.first_name} {c.last_name} CV.pdf"  # the original name must never be used
    session.commit()
    john = as_user(sl.panelist)
    # a: submitted by John, Zoë and the chair (so the chair can moderate it)
    declare(john, sl.v, a)
    save(john, sl.v, a, {cr.id: "2" for cr in sl.criteria}, comments={sl.criteria[0].id: "Clear evidence"})
    submit(john, sl.v, a)
    put_scores(session, a, sl.panelist2, [1, 2, 2])
    put_scores(session, a, sl.chair, [2, 2, 1])
    # b (Disability Confident): John part-way through; Zoë submitted; chair not started
    declare(john, sl.v, b)
    save(john, sl.v, b, {sl.criteria[0].id: "1"})
    put_scores(session, b, sl.panelist2, [2, 2, 2])
    # m: John stepped aside; Zoë has not started
    declare(john, sl.v, m, "yes")
    return sl


def test_nothing_a_panelist_can_reach_identifies_a_candidate(as_user, busy):
    sl = busy
    client = as_user(sl.panelist)
    start = ["/", "/vacancies", url(sl.v), url(sl.v, "shortlisting")]
    start += [url(sl.v, "shortlisting/candidates", c.id) for c in sl.candidates]
    start += [url(sl.v, "shortlisting/candidates", c.id, "submit") for c in sl.candidates]
    start += [url(sl.v, "candidates", c.id, "application.pdf") for c in sl.candidates]
    pages = crawl(client, start)
    ok = {p: r for p, r in pages.items() if r.status_code == 200}
    assert url(sl.v, "shortlisting") in ok
    assert url(sl.v, "shortlisting/candidates", sl.candidates[0].id) in ok
    pdfs = [p for p, r in ok.items() if p.endswith("/application.pdf")]
    assert len(pdfs) == 2  # a and b; not m, from whom John stepped aside
    for p in pdfs:
        disposition = ok[p].headers["Content-Disposition"]
        assert "Candidate 0" in disposition and "CV" not in disposition
    assert_anonymous(pages, sl.candidates, where="panelist")
    # the candidates list and pages with names are closed to the panel while shortlisting
    for c in sl.candidates:
        assert client.get(url(sl.v, "candidates", c.id)).status_code == 404
    assert client.get(url(sl.v, "candidates")).status_code == 404
    # the stepped-aside candidate's application is refused
    assert client.get(url(sl.v, "candidates", sl.candidates[2].id, "application.pdf")).status_code == 404


def test_nothing_the_chair_can_reach_identifies_a_candidate(as_user, busy):
    sl = busy
    client = as_user(sl.chair)
    start = ["/", "/vacancies", url(sl.v), url(sl.v, "shortlisting"), url(sl.v, "shortlisting/progress"),
             url(sl.v, "shortlisting/moderation"), url(sl.v, "shortlisting/export.csv")]
    start += [url(sl.v, "shortlisting/moderation", c.id) for c in sl.candidates]
    start += [url(sl.v, "shortlisting/candidates", c.id) for c in sl.candidates]
    start += [url(sl.v, "candidates", c.id, "application.pdf") for c in sl.candidates]
    pages = crawl(client, start)
    assert pages[url(sl.v, "shortlisting/export.csv")].status_code == 200
    assert pages[url(sl.v, "shortlisting/moderation", sl.candidates[0].id)].status_code == 200
    # The Disability Confident candidate is not fully scored, so not even the
    # "guaranteed interview" flag (the one deliberate exception) may show.
    assert_anonymous(pages, sl.candidates, where="chair")


def test_responses_to_the_panelists_own_actions_are_anonymous(as_user, busy, session):
    sl = busy
    john = as_user(sl.panelist2)
    responses = {}
    c = sl.candidates[2]
    responses["declare"] = john.post_form(url(sl.v, "shortlisting/candidates", c.id, "conflict"), {"knows": "no"}, follow_redirects=True)
    responses["save"] = save(john, sl.v, c, {sl.criteria[0].id: "1"}, follow_redirects=True)
    responses["bad save"] = save(john, sl.v, c, {sl.criteria[0].id: "9"})
    responses["json save"] = save(john, sl.v, c, {sl.criteria[0].id: "2"}, headers={"Accept": "application/json"})
    responses["next"] = save(john, sl.v, c, {cr.id: "1" for cr in sl.criteria}, action="next", follow_redirects=True)
    responses["submit"] = john.post_form(url(sl.v, "shortlisting/candidates", c.id, "submit"), {}, follow_redirects=True)
    responses["refused"] = save(john, sl.v, c, {sl.criteria[0].id: "2"})
    assert_anonymous(responses, sl.candidates, where="panelist actions")


def test_in_draft_the_panel_sees_no_candidates(as_user, busy, session):
    sl = busy
    sl.v.status = VacancyStatus.DRAFT
    session.commit()
    for user in (sl.panelist, sl.chair):
        client = as_user(user)
        pages = crawl(client, ["/", url(sl.v), url(sl.v, "shortlisting")]
                      + [url(sl.v, "candidates", c.id, "application.pdf") for c in sl.candidates])
        assert_anonymous(pages, sl.candidates, where="draft")
        assert not any(p.endswith("/application.pdf") and r.status_code == 200 for p, r in pages.items())


def test_names_are_revealed_to_the_panel_at_interviewing(as_user, busy, session):
    sl = busy
    sl.v.status = VacancyStatus.INTERVIEWING
    session.commit()
    page = as_user(sl.panelist).get(url(sl.v, "candidates")).get_data(as_text=True)
    assert "Aoife O&#39;Connor" in page and "مريم الحسن" in page
    assert "Disability Confident" not in page  # that stays with HR
