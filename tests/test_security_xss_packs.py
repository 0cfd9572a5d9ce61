"""Hostile text in the PDF packs (issue 7): the corpus typed into the real forms (the
`hostile` fixture of tests/test_security_xss.py) is printed literally, as text, in every kind
of pack, and nothing in it is interpreted.

Each pack is read back with pypdf (tests/builders_plugin.py). "Literally" allows for the line
wrapping and whitespace of a printed page: the corpus is compared with all whitespace taken
out. "Not interpreted" means: no template ran it (no 6170 or 7404), the HTML the pack was
rendered from has no tag, handler or script from it (tests.test_security_xss.assert_inert),
the renderer was asked for no URL outside static/ (no image fetched), and the print
stylesheet still applies after `</style>`: every page has the running header and footer
("OFFICIAL-SENSITIVE", the reference, "Page i of n") and a sane number of pages.

The packs: the panel pack and two panel members' own packs (one renamed with a hostile name
by HR, one invited with one) while SPWP is interviewing; PWP's shortlisting pack while it is
shortlisting (labels only: no candidate's name, email or phone); SPWP's results pack after the
chair signs off with a hostile explanation, HR reopens with a hostile reason and the chair
signs off again (then the hostile feedback is emailed: plain text, as typed).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from panel.models import Candidate, InterviewSignOff, User
from panel.packs import render
from tests.conftest import outbox_messages
from tests.builders_plugin import page_texts, pdf
from tests.test_security_world import rich  # noqa: F401
from tests.test_security_xss import (  # noqa: F401
    CORPUS,
    EVALUATED,
    NAME,
    NAME_2,
    POLYGLOT,
    assert_inert,
    get_inert,
    hostile,
    sign_off,
    submit,
)
from tests.builders_plugin import fetch_pack

# the right-to-left override prints (and is read back) reordered: assert_printed looks for its word
BIDI = next(item for item in CORPUS if "\u202e" in item)
PRINTED = [item for item in CORPUS if item != BIDI]
MAX_PAGES = 120


def squash(text: str) -> str:
    """Text without whitespace (line wrapping) or the bidi isolates that wrap names (bdi)."""
    return re.sub(r"[\s\u2066-\u2069]+", "", text)


@pytest.fixture()
def renders(monkeypatch):
    """Every pack rendered during the test: (the HTML it was made from, the render result)."""
    made = []
    original = render.make_pack

    def spy(context, **kwargs):
        result = original(context, **kwargs)
        made.append((render.render_html(context, "xss-test"), result))
        return result

    monkeypatch.setattr(render, "make_pack", spy)
    return made


def read_pack(client, url: str, reference: str, renders) -> str:
    """The pack's text, after checking it is a sane PDF made from inert HTML without fetching anything."""
    before = len(renders)
    response = fetch_pack(client, url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:400])
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "<" not in disposition and "\n" not in disposition
    texts = page_texts(pdf(response.data))
    n = len(texts)
    assert 1 < n <= MAX_PAGES, f"{url}: {n} pages"
    for i, text in enumerate(texts, start=1):
        # the running header and footer come from the print stylesheet's @page rules
        assert "OFFICIAL-SENSITIVE" in text and reference in text and f"Page {i} of {n}" in text, \
            f"{url}: page {i} lost its header or footer:\n{text[:300]}"
    assert len(renders) == before + 1, "the pack came from the cache: nothing was checked"
    html, result = renders[-1]
    assert result.refused == [], f"{url}: the renderer was asked for {result.refused}"
    assert result.pages == n
    assert_inert(html, f"{url} (HTML)")
    for number in EVALUATED:
        assert number not in " ".join(texts), f"{url}: a template ran the input ({number})"
    return "\n".join(texts)


def assert_printed(text: str, items, where: str):
    flat = squash(text)
    for item in items:
        for piece in item.split(BIDI):
            assert squash(piece) in flat, f"{where}: {piece!r} is not printed literally"
    # the right-to-left override is printed as such: the word after it reads backwards
    assert "reversed" in flat or "desrever" in flat, f"{where}: the right-to-left item is missing"


def test_interview_packs_print_it_literally(hostile, rich, session, renders):
    hr, panelist = hostile["hr"], hostile["panelist"]
    ref = rich.spwp.reference
    invited = session.scalar(select(User).where(User.email == "invited@example.org"))

    # the panel pack: the plan (hostile question, its guidance), the members, every scoring sheet
    text = read_pack(hr, f"/vacancies/{rich.spwp.id}/packs/panel.pdf?large_print=0", ref, renders)
    assert_printed(text, PRINTED + [NAME, NAME_2], "panel pack")
    assert text.count("Scoring sheet of ") >= 4  # the sheets were not swallowed by the markup

    # the renamed panel member's own pack (they download it) and the invited one's (HR does)
    mine = read_pack(panelist, f"/vacancies/{rich.spwp.id}/packs/panelist/{rich.panelist.id}.pdf", ref, renders)
    assert_printed(mine, PRINTED + [NAME], "the renamed panel member's pack")
    assert squash(f"Scoring sheet of {NAME}") in squash(mine)
    theirs = read_pack(hr, f"/vacancies/{rich.spwp.id}/packs/panelist/{invited.id}.pdf?large_print=1", ref, renders)
    assert squash(f"Scoring sheet of {NAME_2}") in squash(theirs)
    assert squash(NAME) in squash(theirs)  # listed in the plan as a panel member

    # the packs page lists the members by their hostile names, inert
    get_inert(hr, f"/vacancies/{rich.spwp.id}/packs")


def test_shortlisting_pack_prints_it_literally_and_names_no_one(hostile, rich, session, renders):
    chair, hr = hostile["chair"], hostile["hr"]
    ref = rich.pwp.reference
    hr_pack = read_pack(hr, f"/vacancies/{rich.pwp.id}/packs/shortlisting.pdf", ref, renders)
    # the hostile scale, supporting information and evidence (typed and imported), as text
    assert_printed(hr_pack, PRINTED, "shortlisting pack")
    assert_printed(hr_pack, [POLYGLOT[:300]], "shortlisting pack (the scale)")
    # labels only: no candidate's email or phone (their names are corpus items, so they are
    # checked through the candidates the CSV import added: found by email)
    candidates = session.scalars(select(Candidate).where(Candidate.vacancy_id == rich.pwp.id)).all()
    imported = [c for c in candidates if c.email.endswith("@candidates.example")]
    assert len(imported) >= len(CORPUS)
    for c in candidates:
        assert c.email not in hr_pack
        if c.phone:
            assert c.phone not in hr_pack and c.phone.replace(" ", "") not in squash(hr_pack)
    for c in imported:
        assert f"{c.label}" in hr_pack
    # the chair's own pack works too (it leaves out candidates they said they know)
    read_pack(chair, f"/vacancies/{rich.pwp.id}/packs/shortlisting.pdf", ref, renders)


def test_results_pack_prints_it_literally_after_sign_off(app, hostile, rich, session, renders):
    chair, hr = hostile["chair"], hostile["hr"]
    ref = rich.spwp.reference
    results = f"/vacancies/{rich.spwp.id}/results"
    # not signed off yet: a page saying so, not a PDF
    assert hr.get(f"/vacancies/{rich.spwp.id}/packs/results.pdf").status_code == 409

    note = "Explanation: " + POLYGLOT
    sign_off(session, rich, chair, note)
    submit(hr, results + "/reopen", POLYGLOT[::-1][:2000])
    session.expire_all()
    row = session.scalar(select(InterviewSignOff).where(InterviewSignOff.vacancy_id == rich.spwp.id))
    assert row.signed_off_at is None and row.reopen_reason == POLYGLOT[::-1][:2000].strip()
    for url in (results, f"{results}/{rich.first.id}"):  # reopened: the reason is shown
        get_inert(hr, url)
        get_inert(chair, url)
    get_inert(hr, f"/audit?vacancy={rich.spwp.id}")
    sign_off(session, rich, chair, note)

    text = read_pack(hr, f"/vacancies/{rich.spwp.id}/packs/results.pdf", ref, renders)
    # outcome rationale, agreed-score reason, the explanation, question text, scorers' names
    assert_printed(text, PRINTED + [POLYGLOT, NAME, note], "results pack")
    assert "Sign-off" in text

    # after sign-off every results page shows it inert
    for url in (results, f"{results}/{rich.first.id}", f"/vacancies/{rich.spwp.id}/feedback",
                f"/vacancies/{rich.spwp.id}/feedback/{rich.first.id}"):
        get_inert(hr, url)
        get_inert(chair, url)
    get_inert(hr, "/audit")
    # and the hostile feedback can be emailed: plain text, exactly as the chair typed it
    r = hr.post_form(f"/vacancies/{rich.spwp.id}/feedback/{rich.first.id}/send", {})
    assert r.status_code == 302
    get_inert(hr, r.headers["Location"])
    email = session.get(Candidate, rich.first.id).email
    sent = [m for m in outbox_messages(app) if m["To"] == email and m["Subject"].startswith("Feedback")]
    assert len(sent) == 1 and not sent[0].is_multipart() and sent[0].get_content_type() == "text/plain"
    assert POLYGLOT in sent[0].get_content()
