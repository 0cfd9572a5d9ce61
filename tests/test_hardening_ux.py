"""Issue 12, what the walk found in the pages: markup shown as text, the home page's cards,
the Packs tab at each stage, and the one-off print size.

The every-page crawl here is tests/browser/test_every_page.py without a browser: the Flask
test client signs in as each demo user (and as nobody), follows every link it sees from the
home page, and reads each page's visible text with html.parser."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

import pytest
from jinja2 import Environment
from sqlalchemy import select

from panel.db import utcnow
from panel.models import AuditEvent, BankQuestion, CriterionCategory, QuestionStatus, User, Vacancy, VacancyStatus
from tests.conftest import login, make_user, make_vacancy
from tests.builders_plugin import add_pack_candidates, ready_for_interviews, score_everyone
from tests.builders_plugin import fetch_pack

ROOT = Path(__file__).resolve().parent.parent
STAGES = [s.value for s in VacancyStatus]

# --- 1. no page shows markup as text ---------------------------------------------------

# A tag, or an entity left over from escaping twice, in text the browser shows as text.
TAG_IN_TEXT = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?=[\s>/])|&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);")
SHOWN_ATTRIBUTES = ("aria-label", "alt", "title", "placeholder")
SKIP = re.compile(r"(/logout|/static/|\.(pdf|csv|json|eml|zip|js|ics)$|/download|/export|/sign-out)", re.I)
# Pages whose addresses differ only in an id are visited once per vacancy (the vacancy's id is
# kept in a page's shape, other ids are not), and up to twelve times outside a vacancy (so that
# questions in each state are reached, behind the approved ones).
SAME_SHAPE_LIMIT = {True: 1, False: 12}
PER_USER_LIMIT = 400


class VisibleText(HTMLParser):
    """Text nodes outside <script>, <style> and <template>, and attributes read out or shown;
    and where a user can go: links, and each choice of each list in a search form (GET)."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.texts: list[str] = []
        self.links: list[str] = []
        self.get_form: str | None = None  # the action of the search form we are in
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1
        attrs = dict(attrs)
        if tag == "form":
            self.get_form = attrs.get("action") or "" if (attrs.get("method") or "get").lower() == "get" else None
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.get_form is not None and self.select and attrs.get("value"):
            self.links.append(f"{self.get_form}?{urlencode({self.select: attrs['value']})}")
        for name in SHOWN_ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(f"[{name}] {attrs[name]}")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1
        elif tag == "form":
            self.get_form = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.texts.append(data.strip())


def markup_shown_as_text(html: str) -> tuple[list[str], list[str]]:
    """(the visible texts that hold a tag or an escaped entity, the page's links)."""
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return [t for t in parser.texts if TAG_IN_TEXT.search(t)], parser.links


def test_the_checker_finds_markup_escaped_once_or_twice():
    bad, _ = markup_shown_as_text("<div>&lt;p&gt;The email&lt;/p&gt;</div><p>&amp;lt;em&amp;gt;</p>")
    assert len(bad) == 2
    bad, _ = markup_shown_as_text('<p>Fine: 3 < 4 and A&amp;E, <em>kept</em></p><script>x = "<p>"</script>')
    assert bad == []
    bad, _ = markup_shown_as_text('<a aria-label="&lt;b&gt;Open">x</a>')
    assert bad == ['[aria-label] <b>Open']


def _shape(path: str) -> str:
    """Addresses that differ only in an id other than the vacancy's count as one page."""
    m = re.match(r"(/vacancies/\d+)(.*)", path)
    head, rest = (m.group(1), m.group(2)) if m else ("", path)
    return head + re.sub(r"\d+", "#", rest)


def crawl(client, start: str = "/") -> tuple[list[str], list[str]]:
    """Every page reachable from ``start`` by following links: (pages visited, problems)."""
    queue, seen, shapes = [start], {start}, {}
    visited, problems = [], []
    while queue and len(visited) < PER_USER_LIMIT:
        url = queue.pop(0)
        response = client.get(url)
        visited.append(url)
        targets = []
        if response.status_code >= 500:
            problems.append(f"{url}: status {response.status_code}")
            continue
        if response.status_code in (301, 302, 303):
            targets.append(response.headers["Location"])
        elif response.mimetype == "text/html":
            bad, links = markup_shown_as_text(response.get_data(as_text=True))
            problems += [f"{url}: markup shown as text: {t[:160]!r}" for t in bad]
            targets += links
        for href in targets:
            href, _ = urldefrag(urljoin(url, href))
            parts = urlsplit(href)
            if parts.netloc not in ("", "localhost") or SKIP.search(parts.path):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            shape = _shape(link)
            if link in seen or shapes.get(shape, 0) >= SAME_SHAPE_LIMIT[shape.startswith("/vacancies/")]:
                continue
            seen.add(link)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(link)
    return visited, problems


@pytest.fixture()
def demo(app, session):
    """The demo data of `make run` (a draft vacancy, one in shortlisting, one interviewing with
    scores), plus one in decisions and one closed with the same chair and patient panelist,
    the decisions one with the same title as the demo's draft vacancy; and a question the
    patient panelist proposed that was not added, with the reviewer's note."""
    from panel.demo import load_demo

    with app.app_context():
        load_demo()
    text = (Path(app.instance_path) / "demo-logins.txt").read_text()
    logins = dict(re.findall(r"(\S+@example\.org)\s+(\S+)", text))
    people = {u.email: u for u in session.scalars(select(User))}
    chair, patient = people["chris.morgan@example.org"], people["john.oneill@example.org"]
    panel = [(chair, "chair"), (patient, "patient")]
    decisions = make_vacancy(session, "PWP-LIN-0601", title="Psychological Wellbeing Practitioner",
                             status=VacancyStatus.DECISIONS, panel=panel)
    questions, candidates = ready_for_interviews(session, decisions, status=VacancyStatus.DECISIONS)
    score_everyone(session, decisions, candidates, questions, [chair, patient])
    closed = make_vacancy(session, "HIT-GRA-0102", title="High Intensity CBT Therapist",
                          status=VacancyStatus.CLOSED, panel=panel)
    questions, candidates = ready_for_interviews(session, closed, status=VacancyStatus.CLOSED)
    score_everyone(session, closed, candidates, questions, [chair, patient], sign_off_by=chair)
    closed.closed_at = utcnow()
    rejected = BankQuestion(text="What would you say to someone who missed three sessions?",
                            category=CriterionCategory.VALUES, status=QuestionStatus.REJECTED,
                            proposed_by_id=patient.id, reviewed_by_id=chair.id, reviewed_at=utcnow(),
                            review_note="Too close to a question we already ask about engagement.")
    session.add(rejected)
    session.commit()
    return {"logins": logins, "rejected": rejected.id}


def test_no_page_shows_markup_as_text_for_any_demo_user_at_any_stage(app, session, demo):
    vacancies = {v.id: v.status.value for v in session.scalars(select(Vacancy))}
    assert sorted(set(vacancies.values()), key=STAGES.index) == STAGES  # every stage is in the data
    stages_seen: dict[str, set[str]] = {}
    everything, problems = [], []
    anonymous = app.test_client()
    for start in ("/login", "/forgot-password", "/accessibility", "/privacy"):
        visited, found = crawl(anonymous, start)
        everything += visited
        problems += [f"anonymous {p}" for p in found]
    for email, password in demo["logins"].items():
        client = app.test_client()
        assert login(client, email, password).status_code == 302, email
        visited, found = crawl(client)
        assert len(visited) >= 8, (email, visited)  # the crawl really went somewhere
        everything += visited
        problems += [f"{email} {p}" for p in found]
        for url in visited:
            m = re.match(r"/vacancies/(\d+)(/[^?]*)?", url)
            if m and int(m.group(1)) in vacancies:
                stages_seen.setdefault(vacancies[int(m.group(1))], set()).add(m.group(2) or "/")
    assert not problems, "\n".join(problems)
    # every stage was walked, beyond the vacancy's own page, and the pages of the walk were reached
    for stage in STAGES:
        assert len(stages_seen.get(stage, ())) >= 3, (stage, stages_seen.get(stage))
    for page in ("/invitations", "/packs", "/plan"):
        assert any(re.match(rf"/vacancies/\d+{page}$", u) for u in everything), page
    assert f"/questions/{demo['rejected']}" in everything
    print(f"{len(everything)} pages checked")


def test_the_invitations_inset_is_markup_not_text(app, as_user, plan_world):
    page = as_user(plan_world["hr"]).get(f"/vacancies/{plan_world['a'].id}/invitations").get_data(as_text=True)
    assert markup_shown_as_text(page)[0] == []
    assert re.search(r'<p class="nhsuk-u-margin-bottom-0"><em>Your interview panel will be the chair of the panel, '
                     r"who is a member of staff and one person who has used our service", page)


def test_a_reviewers_note_is_shown_as_text_inside_the_inset(as_user, world, session):
    question = BankQuestion(text="Why here?", category=CriterionCategory.VALUES, status=QuestionStatus.REJECTED,
                            proposed_by_id=world["panelist"].id, reviewed_by_id=world["hr"].id, reviewed_at=utcnow(),
                            review_note="<b>Not</b> what we need & too long")
    session.add(question)
    session.commit()
    page = as_user(world["hr"]).get(f"/questions/{question.id}").get_data(as_text=True)
    assert ('<p class="nhsuk-u-margin-bottom-0"><strong>Why it was not added:</strong> '
            "<bdi>&lt;b&gt;Not&lt;/b&gt; what we need &amp; too long</bdi></p>") in page


def test_no_template_builds_markup_in_a_string():
    """Markup passed to a macro is written in a {% set %}...{% endset %} block (which Jinja
    marks safe and escapes what it prints inside), never as a string in an expression: a string
    joined with ~ to escaped text is itself escaped (the tags then show as text), and a string
    joined to plain text is not escaped at all (the macro prints its html with | safe)."""
    env = Environment(extensions=["jinja2.ext.do"])
    tag = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*[\s>/]|&(?:lt|gt|amp|quot);")
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        previous = None
        for lineno, kind, value in env.lex(path.read_text()):
            if kind == "string" and tag.search(value):
                found.append(f"{path.relative_to(ROOT)}:{lineno}: {value[:80]}")
            if kind == "name" and value in ("e", "escape") and previous == "|":  # escaping inside markup
                found.append(f"{path.relative_to(ROOT)}:{lineno}: | {value}")
            if kind != "whitespace":
                previous = value
    assert not found, "\n".join(found)


# --- 2. the home page's cards ---------------------------------------------------------

def test_home_card_has_the_title_once_and_names_same_title_vacancies_apart(app, as_user, world, session):
    make_vacancy(session, "A-2", title=world["a"].title, panel=[(world["chair"], "chair")])
    page = as_user(world["chair"]).get("/").get_data(as_text=True)
    title = world["a"].title
    assert page.count(title) == 2  # one card each, once
    cards = re.findall(r'<div class="nhsuk-card nhsuk-card--clickable".*?</div>\s*</div>', page, re.S)
    assert len(cards) == 2
    names = []
    for card, ref in zip(cards, ("A-1", "A-2")):
        assert card.count(title) == 1
        link = re.search(r'<a class="nhsuk-card__link" href="[^"]+">(.*?)</a>', card, re.S).group(1)
        name = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", link)).strip()
        assert name == f"{title}, {ref}, Boston"  # the link's name tells them apart
        assert re.search(rf"<p[^>]*><bdi>{ref}</bdi> · <bdi>Band 5</bdi> · <bdi>Boston</bdi></p>", card)
        assert "Draft" in card  # the stage
        names.append(name)
    assert names[0] != names[1]


# --- 3. the Packs tab shows what can be made, and says when the rest will be -----------

def _packs(client, vacancy) -> str:
    response = client.get(f"/vacancies/{vacancy.id}/packs")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _offered(page: str) -> set[str]:
    return set(re.findall(r'href="/vacancies/\d+/packs/(panel|panelist|shortlisting|results)[/.]', page))


@pytest.mark.parametrize("stage", STAGES)
def test_packs_page_offers_only_packs_that_can_be_made_at_each_stage(app, as_user, world, session, stage):
    v = world["a"]
    hr, chair, panelist = world["hr"], world["chair"], world["panelist"]
    status = VacancyStatus(stage)
    if stage in ("interviewing", "decisions", "closed"):
        questions, candidates = ready_for_interviews(session, v, status=status)
        score_everyone(session, v, candidates, questions, [chair, panelist],
                  sign_off_by=chair if stage == "closed" else None)
    else:
        v.status = status
        session.commit()
        if stage == "shortlisting":
            add_pack_candidates(session, v, 2, outcome=None, slots=False)
    pages = {who: _packs(as_user(world[who]), v) for who in ("hr", "chair", "panelist")}
    expected = {
        "draft": ({}, {}, {}),
        "shortlisting": ({"shortlisting"}, {"shortlisting"}, {"shortlisting"}),
        "interviewing": ({"panel", "panelist"}, {"panel", "panelist"}, {"panelist"}),
        "decisions": ({"panel", "panelist"}, {"panel", "panelist"}, {"panelist"}),
        "closed": ({"panel", "panelist", "results"}, {"panel", "panelist", "results"}, {"panelist"}),
    }[stage]
    for who, want in zip(("hr", "chair", "panelist"), expected):
        assert _offered(pages[who]) == set(want), (who, _offered(pages[who]))
        # each pack offered can really be made now
        for kind in _offered(pages[who]):
            url = re.search(rf'href="(/vacancies/\d+/packs/{kind}[^"?]*)', pages[who]).group(1)
            assert fetch_pack(as_user(world[who]), url).status_code == 200, (who, url)
    later = {
        "draft": ["The panel pack and each panel member's pack can be made once the interview plan has its questions "
                  "and the chair has shortlisted candidates for interview.",
                  "The shortlisting pack can be made once shortlisting starts.",
                  "The results pack can be made once the chair has signed off the interview results."],
        "shortlisting": ["The panel pack and each panel member's pack can be made once the interview plan has its "
                         "questions and the chair has shortlisted candidates for interview.",
                         "The results pack can be made once the chair has signed off the interview results."],
        "interviewing": ["The results pack can be made once the chair has signed off the interview results."],
        "decisions": ["The results pack can be made once the chair has signed off the interview results."],
        "closed": [],
    }[stage]
    for sentence in later:
        assert sentence in pages["hr"] and sentence in pages["chair"], sentence
    panelist_later = [s for s in later if "results" not in s and "panel member's pack" not in s]
    if stage in ("draft", "shortlisting"):
        panelist_later.append("Your interview pack can be made once the interview plan has its questions and "
                              "the chair has shortlisted candidates for interview.")
    for sentence in panelist_later:
        assert sentence in pages["panelist"], sentence
    assert "esults pack" not in pages["panelist"]  # not theirs at all
    if not later:
        assert "not ready yet" not in pages["hr"]


# --- 4. a one-off print size is one-off ------------------------------------------------

def _buttons(page: str) -> list[tuple[str, str]]:
    """(text, href) of each download button."""
    return [(re.sub(r"\s+", " ", text).strip(), href.replace("&amp;", "&"))
            for href, text in re.findall(r'<a class="nhsuk-button[^"]*"[^>]* href="([^"]+\.pdf\?[^"]*)"[^>]*>(.*?)</a>',
                                         page, re.S)]


def test_large_print_for_one_pack_leaves_the_preference_and_the_other_buttons_alone(app, as_user, world, session):
    v, hr = world["a"], world["hr"]
    questions, candidates = ready_for_interviews(session, v)
    client = as_user(hr)
    before = _buttons(_packs(client, v))
    assert ("Download the panel pack (PDF)", f"/vacancies/{v.id}/packs/panel.pdf?large_print=0") in before
    one_off = f"/vacancies/{v.id}/packs/panel.pdf?large_print=1"
    assert ("Download the panel pack in large print, this time only", one_off) in before
    response = fetch_pack(client, one_off)
    assert response.status_code == 200 and "large print" in response.headers["Content-Disposition"]
    session.expire_all()
    assert session.get(User, hr.id).large_print is False
    after = _packs(client, v)
    assert _buttons(after) == before  # every button as it was
    assert "Your packs come in standard print" in after
    assert not session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "user",
                                                       AuditEvent.action == "update")).all()
    # the next download without a size is in the saved size
    assert "large print" not in fetch_pack(client, f"/vacancies/{v.id}/packs/panel.pdf").headers["Content-Disposition"]


def test_always_use_large_print_is_a_separate_labelled_control(app, as_user, world, session):
    v, hr = world["a"], world["hr"]
    ready_for_interviews(session, v)
    client = as_user(hr)
    page = _packs(client, v)
    form = re.search(rf'<form method="post" action="/vacancies/{v.id}/packs/print-size".*?</form>', page, re.S).group(0)
    assert 'name="csrf_token"' in form
    assert re.search(r'name="large_print"[^>]*value="1"[^>]*>\s*Always use large print', form)
    response = client.post_form(f"/vacancies/{v.id}/packs/print-size", {"large_print": "1"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Your packs will now come in large print." in text and "Your packs come in large print" in text
    session.expire_all()
    assert session.get(User, hr.id).large_print is True
    buttons = _buttons(text)
    assert ("Download the panel pack (PDF, large print)", f"/vacancies/{v.id}/packs/panel.pdf?large_print=1") in buttons
    assert ("Download the panel pack in standard print, this time only",
            f"/vacancies/{v.id}/packs/panel.pdf?large_print=0") in buttons
    assert re.search(r'value="0"[^>]*>\s*Always use standard print', text)
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "user",
                                                     AuditEvent.action == "update")).one()
    assert event.changes == {"large_print": {"before": False, "after": True}}
