"""PDF packs (issue 6): every kind read back with pypdf, privacy, escaping, the URL fetcher,
the time limit, the cache, large print, the command line, audit and query counts."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from panel.models import (
    AuditEvent,
    InterviewScore,
    PlanQuestion,
    User,
    VacancyStatus,
)
from panel.packs import context as pack_context
from panel.packs import jobs, render
from panel.packs.bench import QUESTION_TEXTS, generate
from panel.packs.worker import STATIC_URL, FetchRefused, make_fetcher, render_to_file, static_path
from panel import scorecore
from panel.scoring import results as calc
from tests.conftest import PASSWORD, count_queries
from tests.builders_plugin import (
    fetch_pack,
    get_pack_pdf,
    add_pack_candidates,
    add_plan,
    font_sizes,
    in_order,
    page_texts,
    pdf,
    ready_for_interviews,
    score_everyone,
)
from tests.snapshots import snapshotted


@pytest.fixture()
@snapshotted
def big(app, session):
    """3 candidates x 3 panel members x 4 questions, interviewing, with a full plan and timetable."""
    vacancy, hr, members, candidates = generate(session, reference="PK-1", candidates=3, members=3, questions=4,
                                                password=PASSWORD, app=app)
    return {"vacancy": vacancy, "hr": hr, "members": members, "candidates": candidates}


def get_pdf(client, url):
    return get_pack_pdf(client, url)


def check_running_header_and_footer(texts, reference):
    n = len(texts)
    for i, text in enumerate(texts, start=1):
        assert "OFFICIAL-SENSITIVE" in text, f"page {i}: no marking"
        assert reference in text, f"page {i}: no reference"
        assert f"Page {i} of {n}" in text, f"page {i}: no 'Page {i} of {n}'"


def sheet_starts(texts, marker="Scoring sheet of "):
    return [i for i, t in enumerate(texts) if marker in t]


# --- the panel pack -----------------------------------------------------------

def test_panel_pack_has_everything_in_order(as_user, big):
    v, members, candidates = big["vacancy"], big["members"], big["candidates"]
    data = get_pdf(as_user(big["hr"]), f"/vacancies/{v.id}/packs/panel.pdf?large_print=0")
    reader = pdf(data)
    texts = page_texts(reader)
    check_running_header_and_footer(texts, "PK-1")

    # PDF metadata: title and language
    assert reader.metadata.title.startswith("Interview pack – PK-1")
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"

    # one sheet per candidate per panel member, each starting on a new page, all the same length
    starts = sheet_starts(texts)
    assert len(starts) == len(members) * len(candidates) == 9
    lengths = {b - a for a, b in zip(starts, starts[1:] + [len(texts)])}
    assert len(lengths) == 1
    sheet_pages = lengths.pop()
    assert sheet_pages == 2  # 4 questions: three on the first page, one with the total and signature
    assert len(texts) == starts[0] + 9 * sheet_pages
    front = "\n".join(texts[:starts[0]])

    plan_texts = QUESTION_TEXTS[:4]
    # the interview plan lists every question in order, with who asks it
    assert in_order(front, [f"Question {i}" for i in range(1, 5)])
    assert in_order(front.replace("\n", " "), plan_texts)
    assert "A good answer may include" in front and "Follow-up prompts" in front
    assert "Content note:" in front
    for m in members:
        assert m.name in front
    # timetable and person specification
    assert "Timetable" in front and "Person specification" in front and "Scoring scale" in front

    # every candidate's sheet for every panel member, with every question in order
    for start in starts:
        sheet = " ".join(texts[start:start + sheet_pages]).replace("\n", " ")
        assert in_order(sheet, [f"Question {i}" for i in range(1, 5)])
        assert in_order(sheet, plan_texts)
        assert sheet.count("☐ 0 No evidence") == 4
        assert "Total score (out of 16)" in sheet and "Signed" in sheet
    for m in members:
        for c in candidates:
            label = f"Candidate {c.number:02d} – {c.first_name} {c.last_name}"
            assert any(label in texts[s] and f"Scoring sheet of {m.name}" in texts[s] for s in starts), (m.name, label)


def test_per_panelist_pack_has_only_their_sheets_and_highlights_their_questions(as_user, big):
    v, members, candidates = big["vacancy"], big["members"], big["candidates"]
    me = members[1]  # asks question 2 (askers go round the panel)
    data = get_pdf(as_user(me), f"/vacancies/{v.id}/packs/panelist/{me.id}.pdf")
    texts = page_texts(pdf(data))
    check_running_header_and_footer(texts, "PK-1")
    starts = sheet_starts(texts)
    assert len(starts) == len(candidates)
    assert all(f"Scoring sheet of {me.name}" in texts[s] for s in starts)
    assert not any(f"Scoring sheet of {m.name}" in t for m in members if m is not me for t in texts)
    front = "\n".join(texts[:starts[0]])
    assert f"Interview pack for {me.name}" in front
    assert "Question 2 – You ask this question" in front
    assert "Question 1 – You ask this question" not in front
    assert "– you ask this" in texts[starts[0]] or "– you ask this" in texts[starts[0] + 1]


def test_large_print_pack_text_is_at_least_16pt_and_the_saved_size_is_the_default(app, as_user, big, session):
    v, me = big["vacancy"], big["members"][2]
    client = as_user(me)
    url = f"/vacancies/{v.id}/packs/panelist/{me.id}.pdf"
    # "Always use large print" on the packs page saves the preference (audited) ...
    saved = client.post_form(f"/vacancies/{v.id}/packs/print-size", {"large_print": "1"})
    assert saved.status_code == 303 and saved.headers["Location"] == f"/vacancies/{v.id}/packs"
    session.expire_all()
    assert session.get(User, me.id).large_print is True
    # ... so a download without a size is large print
    response = fetch_pack(client, url)
    assert "large print" in response.headers["Content-Disposition"]
    reader = pdf(get_pdf(client, url))
    texts = page_texts(reader)
    check_running_header_and_footer(texts, "PK-1")
    sizes = [size for page in reader.pages for _text, size in font_sizes(page)]
    assert sizes and min(sizes) >= 16 - 0.01, min(sizes)
    standard = pdf(get_pdf(client, f"{url}?large_print=0"))
    assert min(size for page in standard.pages for _t, size in font_sizes(page)) < 16
    assert len(standard.pages) < len(reader.pages)
    client.post_form(f"/vacancies/{v.id}/packs/print-size", {"large_print": "0"})
    session.expire_all()
    assert session.get(User, me.id).large_print is False
    changes = session.scalars(select(AuditEvent).where(AuditEvent.action == "update",
                                                       AuditEvent.entity_type == "user")).all()
    assert len(changes) == 2


def test_a_pack_download_changes_nothing_and_only_the_print_size_form_saves(app, as_user, big, session):
    """GET only reads: ?large_print chooses this download's size and leaves the preference as it was.
    The download addresses take no POST; the print-size form needs a valid size and its CSRF token."""
    v, me = big["vacancy"], big["members"][1]
    client = as_user(me)
    url = f"/vacancies/{v.id}/packs/panelist/{me.id}.pdf"
    large = fetch_pack(client, f"{url}?large_print=1")
    assert large.status_code == 200 and "large print" in large.headers["Content-Disposition"]
    session.expire_all()
    assert session.get(User, me.id).large_print is False
    assert "large print" not in fetch_pack(client, url).headers["Content-Disposition"]
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "update",
                                                       AuditEvent.entity_type == "user")).all()
    assert client.post_form(url, {"large_print": "1"}).status_code == 405
    size = f"/vacancies/{v.id}/packs/print-size"
    for data in ({}, {"large_print": "2"}):
        response = client.post_form(size, data)
        assert response.status_code == 303 and response.headers["Location"] == f"/vacancies/{v.id}/packs"
    assert client.post(size, data={"large_print": "1"}).status_code == 400  # no CSRF token
    session.expire_all()
    assert session.get(User, me.id).large_print is False


def test_pack_names_no_candidate_while_shortlisting(as_user, world, session):
    a = world["a"]
    ready_for_interviews(session, a, status=VacancyStatus.SHORTLISTING)
    texts = page_texts(pdf(get_pdf(as_user(world["chair"]), f"/vacancies/{a.id}/packs/panel.pdf")))
    joined = "\n".join(texts)
    assert "Candidate 01" in joined and "Candidate 02" in joined
    for first, last, email in [("Amira", "Ahmed1", "amira1@"), ("Ben", "Baker2", "ben2@")]:
        assert first not in joined and last not in joined and email not in joined


def test_shortlisting_pack_is_anonymous(as_user, world, session):
    b = world["b"]
    b.status = VacancyStatus.SHORTLISTING
    session.commit()
    candidates = add_pack_candidates(session, b, 3, outcome=None, slots=False)
    data = get_pdf(as_user(world["other"]), f"/vacancies/{b.id}/packs/shortlisting.pdf")
    reader = pdf(data)
    texts = page_texts(reader)
    check_running_header_and_footer(texts, "B-1")
    joined = "\n".join(texts)
    for c in candidates:
        assert c.label in joined
        assert f"Supporting information of candidate {c.number}." in joined
        for secret in (c.first_name, c.last_name, c.email, c.phone, c.phone.replace(" ", "")):
            assert secret not in joined
            assert secret.encode() not in data
    assert len(sheet_starts(texts, "Scores for Candidate")) == 3
    # each candidate's grid has every criterion assessed at application, in order
    criteria = [c for c in b.criteria if c.at_application]
    for t in texts:
        if "Scores for Candidate" in t:
            assert in_order(t, [f"Criterion {c.position} (" for c in criteria])


def test_shortlisting_pack_leaves_out_candidates_the_panelist_knows(as_user, world, session):
    from panel.models import ConflictDeclaration

    b = world["b"]
    b.status = VacancyStatus.SHORTLISTING
    session.commit()
    c1, c2 = add_pack_candidates(session, b, 2, outcome=None, slots=False)
    session.add(ConflictDeclaration(candidate_id=c1.id, user_id=world["other"].id, knows_candidate=True))
    session.commit()
    joined = "\n".join(page_texts(pdf(get_pdf(as_user(world["other"]), f"/vacancies/{b.id}/packs/shortlisting.pdf"))))
    assert "Candidate 02" in joined and "Scores for Candidate 01" not in joined
    assert "You said you know 1 candidate" in joined
    hr_pack = "\n".join(page_texts(pdf(get_pdf(as_user(world["hr"]), f"/vacancies/{b.id}/packs/shortlisting.pdf"))))
    assert "Scores for Candidate 01" in hr_pack and "Scores for Candidate 02" in hr_pack


def test_results_pack_matches_the_scores_in_the_database(app, as_user, world, session):
    a = world["a"]
    questions, candidates = ready_for_interviews(session, a, questions=3, candidates=3)
    users = [world["chair"], world["panelist"]]
    score_everyone(session, a, candidates, questions, users, sign_off_by=world["chair"])
    data = get_pdf(as_user(world["hr"]), f"/vacancies/{a.id}/packs/results.pdf")
    texts = page_texts(pdf(data))
    check_running_header_and_footer(texts, "A-1")
    rows = session.execute(select(InterviewScore.candidate_id, InterviewScore.plan_question_id,
                                  InterviewScore.score)).all()
    for c in candidates:
        page = next(t for t in texts if f"{c.label} – {c.first_name} {c.last_name}\nRank" in t)
        means = []
        for q_number, q in enumerate(questions, start=1):
            values = [s for cid, qid, s in rows if cid == c.id and qid == q.id]
            mean = sum(values) / len(values)
            means.append(mean)
            spread = max(values) - min(values)
            row = re.search(rf"^{q_number}(?: ⚑)? (.+)$", page, re.M)
            assert row, page
            cells = row.group(1).split()
            assert cells[:len(values)] == [str(v) for v in values]  # each panel member's score
            assert cells[len(values)] == scorecore.format_score(mean)
            assert cells[len(values) + 1] == str(spread)
            assert ("⚑" in row.group(0)) == (spread >= calc.FLAG_AT)
        assert f"total {scorecore.format_score(sum(means))} out of 12" in page
        assert "Outcome: " in page and f"Rationale for candidate {c.number}." in page
    assert "Sign-off" in texts[-1] and "Chris Morgan" in texts[-1]
    assert_matrix_cells_set_once(app, a.id)


def assert_matrix_cells_set_once(app, vacancy_id):
    """The score matrices are most of a results page's cost: their columns are not sized by
    measuring every cell's text (an automatic table layout sets each cell's text three times:
    narrowest, widest, then for real), so no text of the pack is measured for its width."""
    import weasyprint.layout.preferred as preferred

    with app.test_request_context():
        context = pack_context.build("results", pack_context.load_vacancy(vacancy_id))
        html = render.render_html(context, "test")
    measured = []
    original = preferred.split_first_line
    preferred.split_first_line = lambda text, *args, **kwargs: measured.append(text) or original(text, *args, **kwargs)
    try:
        render_to_file(html, Path(app.instance_path) / "results-measure.pdf", render.STATIC_ROOT, render.TAGGED_OPTIONS)
    finally:
        preferred.split_first_line = original
    assert html.count("<td>") > 20 and measured == []


def test_html_in_a_question_prints_as_text(app, as_user, world, session):
    a = world["a"]
    payloads = ["<img src=x onerror=alert(1)>", "</style><h1>x", "<script>alert(2)</script>",
                '<link rel="stylesheet" href="file:///etc/passwd">']
    a.status = VacancyStatus.INTERVIEWING
    session.commit()
    add_plan(session, a, payloads)
    add_pack_candidates(session, a, 1)
    texts = page_texts(pdf(get_pdf(as_user(world["chair"]), f"/vacancies/{a.id}/packs/panel.pdf")))
    joined = "\n".join(texts).replace("\n", "")
    for payload in payloads:
        assert payload in joined
    with app.test_request_context():
        vacancy = pack_context.load_vacancy(a.id)
        html = render.render_html(pack_context.build("panel", vacancy), "test")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "</style><h1>" not in html


# --- rendering: the fetcher, the time limit, the cache -----------------------------

@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.org/x.css",
    "https://example.org/css/packs.css",
    "http://static.panel.invalid/css/packs.css",
    "https://static.panel.invalid.example.org/css/packs.css",
    "https://user@static.panel.invalid/css/packs.css",
    "https://static.panel.invalid/../../../etc/passwd",
    "https://static.panel.invalid/%2e%2e/%2e%2e/panel/config.py",
    "https://static.panel.invalid/css/../../panel/__init__.py",
    "https://static.panel.invalid/js/app.js",  # in static/, but not something a pack may load
    "data:text/css,body{color:red}",
    "ftp://static.panel.invalid/css/packs.css",
])
def test_fetcher_refuses_everything_outside_static(url):
    root = Path(render.STATIC_ROOT)
    assert static_path(url, root) is None
    fetcher = make_fetcher(root)
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url[:200]]


def test_fetcher_serves_the_print_css():
    fetcher = make_fetcher(render.STATIC_ROOT)
    response = fetcher.fetch(STATIC_URL + "css/packs.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_a_template_asking_for_outside_urls_gets_nothing(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = (f'<html><head><link rel="stylesheet" href="file://{secret}">'
            '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
            f'<body><img src="file://{secret}"><img src="../../../etc/passwd"><p>Hello</p></body></html>')
    result = render_to_file(html, tmp_path / "out.pdf", render.STATIC_ROOT)
    assert result["pages"] == 1
    assert sorted(result["refused"]) == sorted([f"file://{secret}", "http://127.0.0.1:9/x.css", f"file://{secret}",
                                                "https://static.panel.invalid/etc/passwd"])


def test_renders_in_one_process_share_one_font_configuration(tmp_path, monkeypatch):
    """Loading fontconfig and a Pango font map costs about 20 ms a render, which every part of
    a large pack paid: a render process makes its font configuration once."""
    import weasyprint.text.fonts as fonts

    from panel.packs import worker

    made = []
    original = fonts.FontConfiguration
    monkeypatch.setattr(fonts, "FontConfiguration", lambda: made.append(1) or original())
    monkeypatch.setattr(worker, "_FONT_CONFIG", None)
    for n in range(3):
        result = render_to_file(f"<p>Part {n} السلام</p>", tmp_path / f"{n}.pdf",
                                render.STATIC_ROOT)
        assert result["pages"] == 1
    assert len(made) == 1
    assert "Part 2" in page_texts(pdf((tmp_path / "2.pdf").read_bytes()))[0]


def test_a_render_past_its_time_limit_is_stopped_and_the_next_one_works(app, as_user, big, caplog):
    v = big["vacancy"]
    client = as_user(big["hr"])
    render.POOL.shutdown()  # no idle render process left by an earlier test in this process
    app.config["PACK_TIMEOUT_SECONDS"] = 0.01
    response = client.get(f"/vacancies/{v.id}/packs/panel.pdf")
    assert response.status_code == 303
    jobs.run_pending(app)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "could not be made" in page
    assert "took longer than the 0.01 second limit, so it was stopped" in page
    assert "time limit" in caplog.text
    assert not list((Path(app.instance_path) / "pack-cache").glob("*.pdf"))
    assert not render.POOL.idle_pids()  # the worker was killed, not put back
    app.config["PACK_TIMEOUT_SECONDS"] = 60
    assert pdf(get_pdf(client, f"/vacancies/{v.id}/packs/panel.pdf")).pages


@pytest.mark.parametrize("limit", [60, 100])
def test_a_render_over_its_memory_limit_is_stopped_and_reported(app, caplog, limit):
    """Under 60 MB of address space WeasyPrint raises MemoryError; under 100 MB GLib aborts
    the process (as it does when a big render outgrows the limit): both are reported, the
    web process carries on and the next render (with the normal limit) works."""
    with app.app_context():
        with pytest.raises(render.RenderFailed) as caught:
            render.render_html_to_pdf("<p>hello</p>", Path(app.instance_path) / "x.pdf", memory_mb=limit)
        assert f"{limit} MB memory limit" in str(caught.value)
        assert f"memory limit {limit} MB" in caplog.text
        out = Path(app.instance_path) / "ok.pdf"
        render.render_html_to_pdf("<p>fine</p>", out)
        assert out.read_bytes()[:5] == b"%PDF-"


def test_unchanged_pack_comes_from_the_cache_and_a_change_makes_a_new_one(app, as_user, big, session, monkeypatch):
    v = big["vacancy"]
    client = as_user(big["hr"])
    first = get_pdf(client, f"/vacancies/{v.id}/packs/panel.pdf?large_print=0")
    cache = Path(app.instance_path) / "pack-cache"
    assert len(list(cache.glob("*.pdf"))) == 1

    def no_render(*args, **kwargs):
        raise AssertionError("an unchanged pack was rendered again")

    monkeypatch.setattr(render, "render_html_to_pdf", no_render)
    assert get_pdf(client, f"/vacancies/{v.id}/packs/panel.pdf?large_print=0") == first
    monkeypatch.undo()

    q = session.scalars(select(PlanQuestion).where(PlanQuestion.vacancy_id == v.id, PlanQuestion.position == 1)).one()
    q.text = "A brand new first question?"
    session.commit()
    second = get_pdf(client, f"/vacancies/{v.id}/packs/panel.pdf?large_print=0")
    assert second != first
    assert "A brand new first question?" in "\n".join(page_texts(pdf(second)))
    assert len(list(cache.glob("*.pdf"))) == 2
    assert all(oct(p.stat().st_mode)[-3:] == "600" for p in cache.glob("*.pdf"))


def test_old_cached_packs_are_pruned(app, as_user, big):
    v = big["vacancy"]
    get_pdf(as_user(big["hr"]), f"/vacancies/{v.id}/packs/panel.pdf")
    cache = Path(app.instance_path) / "pack-cache"
    old = cache / ("0" * 64 + ".pdf")
    old.write_bytes(b"%PDF-old")
    os.utime(old, (1, 1))
    with app.app_context():
        assert render.prune_cache() == 1
    assert not old.exists() and len(list(cache.glob("*.pdf"))) == 1


# --- pages, audit, command line, queries -------------------------------------------

def test_every_download_is_audit_logged(as_user, big, session):
    v, me = big["vacancy"], big["members"][0]
    client = as_user(me)
    get_pdf(client, f"/vacancies/{v.id}/packs/panel.pdf")
    get_pdf(client, f"/vacancies/{v.id}/packs/panel.pdf")  # from the cache: still logged
    get_pdf(client, f"/vacancies/{v.id}/packs/panelist/{big['members'][1].id}.pdf")
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "download")
                             .order_by(AuditEvent.id)).all()
    assert [e.changes["kind"] for e in events] == ["panel", "panel", "panelist"]
    assert all(e.actor_id == me.id and e.vacancy_id == v.id and e.entity_type == "pack" for e in events)
    assert events[2].changes["panel_member_user_id"] == big["members"][1].id


def test_missing_plan_or_candidates_gives_a_page_not_a_pdf(as_user, world, session):
    a = world["a"]
    response = as_user(world["chair"]).get(f"/vacancies/{a.id}/packs/panel.pdf")
    assert response.status_code == 409 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "cannot be made yet" in page
    assert "There is no interview plan yet" in page and "No candidates have been shortlisted" in page
    response = as_user(world["hr"]).get(f"/vacancies/{a.id}/packs/results.pdf")
    assert response.status_code == 409 and "not signed off" in response.get_data(as_text=True)
    b = world["b"]
    b.status = VacancyStatus.SHORTLISTING
    session.commit()
    response = as_user(world["hr"]).get(f"/vacancies/{b.id}/packs/shortlisting.pdf")
    assert response.status_code == 409 and "There are no applications yet" in response.get_data(as_text=True)
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "download")).all()


def test_packs_page_lists_what_each_person_may_download(as_user, big, world):
    v = big["vacancy"]
    hr_page = as_user(big["hr"]).get(f"/vacancies/{v.id}/packs").get_data(as_text=True)
    assert "Panel pack" in hr_page and "Each panel member" in hr_page
    # not signed off yet: no results pack button, but when it will be
    assert "/packs/results.pdf" not in hr_page
    assert "The results pack can be made once the chair has signed off the interview results." in hr_page
    for m in big["members"]:
        assert f"/packs/panelist/{m.id}.pdf" in hr_page
    patient = big["members"][2]
    page = as_user(patient).get(f"/vacancies/{v.id}/packs").get_data(as_text=True)
    assert "Your interview pack" in page and "/packs/panel.pdf" not in page
    assert f"/packs/panelist/{patient.id}.pdf" in page
    assert f"/packs/panelist/{big['members'][1].id}.pdf" not in page
    assert "esults pack" not in page


def test_command_line_pack(app, big, tmp_path, session):
    runner = app.test_cli_runner()
    out = tmp_path / "panel.pdf"
    result = runner.invoke(args=["pack", "PK-1", "--kind", "panel", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(sheet_starts(page_texts(pdf(out.read_bytes())))) == 9
    me = big["members"][1]
    out2 = tmp_path / "me.pdf"
    result = runner.invoke(args=["pack", "PK-1", "--kind", "panelist", "--panelist", me.email, "--large-print",
                                 "-o", str(out2)])
    assert result.exit_code == 0, result.output
    reader = pdf(out2.read_bytes())
    assert min(s for p in reader.pages for _t, s in font_sizes(p)) >= 16 - 0.01
    result = runner.invoke(args=["pack", "PK-1", "--kind", "results", "-o", str(tmp_path / "r.pdf")])
    assert result.exit_code != 0 and "not been signed off" in result.output
    result = runner.invoke(args=["pack", "NOPE", "--kind", "panel", "-o", str(tmp_path / "n.pdf")])
    assert result.exit_code != 0 and "No vacancy" in result.output
    session.expire_all()
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "download")).all()
    assert len(events) == 2 and all(e.actor_id is None and e.changes["via"] == "command line" for e in events)


def _build_queries(app, vacancy_id, kind, **kwargs) -> int:
    with app.test_request_context():
        with count_queries(app) as statements:
            vacancy = pack_context.load_vacancy(vacancy_id)
            pack_context.build(kind, vacancy, **kwargs)
        return len(statements)


def test_context_uses_a_fixed_number_of_queries(app, session):
    small, _, small_members, small_candidates = generate(session, reference="Q-S", candidates=2, members=2,
                                                          questions=2, scores=True, signed_off=True, app=app)
    large, _, large_members, large_candidates = generate(session, reference="Q-L", candidates=12, members=5,
                                                          questions=8, scores=True, signed_off=True, app=app)
    for kind, extra_small, extra_large in [
        ("panel", {}, {}),
        ("panelist", {"panelist_user_id": small_members[1].id}, {"panelist_user_id": large_members[1].id}),
        ("results", {}, {}),
    ]:
        assert _build_queries(app, small.id, kind, **extra_small) == _build_queries(app, large.id, kind, **extra_large)
    for v in (small, large):
        v.status = VacancyStatus.SHORTLISTING
    session.commit()
    assert _build_queries(app, small.id, "shortlisting") == _build_queries(app, large.id, "shortlisting")
    assert _build_queries(app, small.id, "shortlisting", for_user_id=small_members[1].id) == \
        _build_queries(app, large.id, "shortlisting", for_user_id=large_members[1].id)


def test_context_is_plain_data(app, big):
    import json

    with app.test_request_context():
        vacancy = pack_context.load_vacancy(big["vacancy"].id)
        pack = pack_context.build("panel", vacancy)
    assert json.loads(json.dumps(pack)) == pack  # only dicts, lists, strings, numbers, booleans, None


def test_cache_pruning_never_deletes_a_pack_used_in_the_last_minute(app):
    """Another request may be sending a cached pack while a render prunes the cache."""
    import time

    app.config["PACK_CACHE_HOURS"] = 0
    with app.app_context():
        folder = render.cache_folder()
        fresh, stale = folder / "fresh.pdf", folder / "stale.pdf"
        fresh.write_bytes(b"%PDF-")
        stale.write_bytes(b"%PDF-")
        old = time.time() - 120
        os.utime(stale, (old, old))
        assert render.prune_cache() == 1
        assert fresh.exists() and not stale.exists()
