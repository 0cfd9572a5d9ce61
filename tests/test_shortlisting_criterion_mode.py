"""Issue 19, items 3 and 4: a marking guide per criterion (what 0, 1 and 2 look like), edited by
HR with the person specification and shown beside the evidence and in the shortlisting pack;
and reviewing one criterion at a time, in each member's own shuffled order, writing the same
scores as candidate by candidate."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from panel.models import AuditEvent, Criterion, PanelMember, ShortlistScore
from panel.shortlisting import scoring, walk
from tests.builders_plugin import (  # noqa: F401  (sl is a fixture)
    add_candidate,
    builder,
    declare,
    page_texts,
    pdf,
    get_pack_pdf,
    put_scores,
    save,
    sl,
    step_aside,
    submit,
    url,
)
from tests.conftest import count_queries

HOSTILE = "<script>alert('guide')</script> =HYPERLINK(\"http://evil\") O'Brien Zoë"


def criterion_page(client, v, criterion, page=None):
    return client.get(url(v, "shortlisting/criteria", criterion.id) + (f"?page={page}" if page else ""))


def save_criterion(client, v, criterion, scores: dict, comments: dict | None = None, action="continue", page=None):
    """scores: candidate id -> "0"/"1"/"2"/""; the criterion page's own form, as posted without JavaScript."""
    data = {f"score_{cid}": value for cid, value in scores.items()}
    data.update({f"comment_{cid}": text for cid, text in (comments or {}).items()})
    data["action"] = action
    return client.post_form(url(v, "shortlisting/criteria", criterion.id, "scores") + (f"?page={page}" if page else ""),
                            data)


def choose_mode(client, v, mode):
    return client.post_form(url(v, "shortlisting/review-mode"), {"mode": mode})


def listed(page_html: str) -> list[int]:
    """The candidate ids of a criterion page's sections, in order."""
    return [int(x) for x in re.findall(r'<section class="panel-score-block" id="candidate-(\d+)"', page_html)]


def rows_of(session, v):
    session.expire_all()
    return {(s.candidate_id, s.criterion_id, s.user_id): (s.score, s.comment) for s in session.scalars(
        select(ShortlistScore).join(Criterion, Criterion.id == ShortlistScore.criterion_id)
        .where(Criterion.vacancy_id == v.id))}


# --- the marking guide ---------------------------------------------------------------------

def test_a_blank_line_of_the_guide_reads_as_the_scale():
    guide = scoring.marking_guide(("Nothing about groups.", "", "  "))
    assert [(p.score, p.label, p.own) for p in guide] == [(0, "No evidence", True), (1, "Some evidence", False),
                                                          (2, "Clear evidence", False)]
    assert guide[0].text == "Nothing about groups."
    assert [p.text for p in guide[1:]] == [scoring.SCALE_HINTS[1], scoring.SCALE_HINTS[2]]
    assert [p.text for p in scoring.marking_guide(())] == [scoring.SCALE_HINTS[s] for s in (0, 1, 2)]


def test_hr_writes_the_guide_with_the_criterion_and_a_too_long_line_changes_nothing(as_user, world, session):
    a = world["a"]
    criterion = a.criteria[0]
    hr = as_user(world["hr"])
    edit = f"/vacancies/{a.id}/criteria/{criterion.id}/edit"
    page = hr.get(edit).get_data(as_text=True)
    assert "Marking guide (optional)" in page and "If blank: " + scoring.SCALE_HINTS[1] in page
    form = {"text": criterion.text, "category": criterion.category.value, "essential": "essential",
            "assessed_at": criterion.assessed_at.value}
    r = hr.post_form(edit, {**form, "guide_0": "x" * 1001})
    assert r.status_code == 400 and "What a 0 looks like must be 1000 characters or fewer" in r.get_data(as_text=True)
    session.expire_all()
    assert session.get(Criterion, criterion.id).guide_0 == ""
    r = hr.post_form(edit, {**form, "guide_0": "  No groups at all. ", "guide_1": "", "guide_2": HOSTILE})
    assert r.status_code == 302
    session.expire_all()
    saved = session.get(Criterion, criterion.id)
    assert saved.guide_texts == ("No groups at all.", "", HOSTILE)
    event = session.scalars(select(AuditEvent).where(AuditEvent.summary == "Criterion changed")
                            .order_by(AuditEvent.id.desc())).first()
    assert event.changes["guide_2"] == {"before": "", "after": HOSTILE}
    # the person specification shows it (escaped), the general words for the blank line
    spec = hr.get(f"/vacancies/{a.id}/criteria").get_data(as_text=True)
    assert "No groups at all." in spec and scoring.SCALE_HINTS[1] in spec
    assert "&lt;script&gt;alert(&#39;guide&#39;)&lt;/script&gt;" in spec and "<script>alert(" not in spec
    # copied with the criterion to another vacancy
    from panel.vacancies import services as vacancy_services
    copied = builder(session).vacancy(reference="COPY-1", criteria=[])
    vacancy_services.copy_criteria(session, world["hr"], a, copied)
    assert copied.criteria[0].guide_texts == ("No groups at all.", "", HOSTILE)


def _guided(session, sl):
    """The first criterion scored at shortlisting gets a guide (hostile text in it); direct: the
    specification is locked once shortlisting has started, and HR's page is tested above."""
    first = sl.criteria[0]
    first.guide_0, first.guide_2 = "Nothing about anxiety or depression.", HOSTILE
    session.commit()
    return first


def test_the_panel_sees_the_guide_beside_the_evidence_and_hostile_text_prints_literally(as_user, sl, session):
    first = _guided(session, sl)
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    declare(client, sl.v, c)
    page = client.get(url(sl.v, "shortlisting/candidates", c.id)).get_data(as_text=True)
    block = page[page.index(f'id="criterion-{first.id}"'):page.index(f'id="criterion-{sl.criteria[1].id}"')]
    # the evidence, then each score with what it looks like for this criterion
    assert block.index("Evidence of anxiety work from candidate 1.") < block.index("Nothing about anxiety or depression.")
    assert scoring.SCALE_HINTS[1] in block  # the blank line: the scale's own words
    assert "&lt;script&gt;alert(&#39;guide&#39;)&lt;/script&gt; =HYPERLINK(&#34;http://evil&#34;) O&#39;Brien Zoë" in block
    assert "<script>alert(" not in page
    # the criterion's own page shows it too, once at the top
    page = criterion_page(client, sl.v, first).get_data(as_text=True)
    assert "What 0, 1 and 2 look like for this criterion" in page
    assert "&lt;script&gt;alert(&#39;guide&#39;)&lt;/script&gt;" in page and "<script>alert(" not in page


def test_the_shortlisting_pack_prints_the_guide(as_user, sl, session):
    _guided(session, sl)
    texts = page_texts(pdf(get_pack_pdf(as_user(sl.panelist), url(sl.v, "packs/shortlisting.pdf"))))
    front = " ".join(" ".join(texts).split())
    assert "Marking guide: what 0, 1 and 2 look like for this criterion" in front
    assert "0 – No evidence: Nothing about anxiety or depression." in front
    assert f"1 – Some evidence: {scoring.SCALE_HINTS[1]}" in front  # the default
    assert "2 – Clear evidence: <script>alert('guide')</script> =HYPERLINK(\"http://evil\") O'Brien Zoë" in front
    assert front.count("Marking guide: what 0, 1 and 2 look like") == len(sl.criteria)


# --- one criterion at a time --------------------------------------------------------------

def test_the_walk_is_the_members_own_order_criterion_by_criterion(as_user, sl, session):
    client = as_user(sl.panelist)
    order = scoring.panelist_order(sl.v.id, sl.panelist.id, [c.id for c in sl.candidates])
    for criterion in sl.criteria:
        page = criterion_page(client, sl.v, criterion).get_data(as_text=True)
        assert listed(page) == order
    # another member reads them in their own order
    other = criterion_page(as_user(sl.panelist2), sl.v, sl.criteria[0]).get_data(as_text=True)
    assert listed(other) == scoring.panelist_order(sl.v.id, sl.panelist2.id, [c.id for c in sl.candidates])
    # only this criterion's evidence
    page = criterion_page(client, sl.v, sl.criteria[1]).get_data(as_text=True)
    assert "Evidence of anxiety work" not in page and "gave no separate evidence for this criterion" in page


def test_scores_given_criterion_by_criterion_are_the_same_records_moderation_reads(as_user, sl, session):
    """John scores candidate by candidate, Zoë criterion by criterion (the whole page, and one
    answer as the page's script saves it); the rows and the moderation totals cannot tell."""
    v, (c1, c2, c3), crit = sl.v, sl.candidates, sl.criteria
    john, zoe = as_user(sl.panelist), as_user(sl.panelist2)
    wanted = {c1.id: [2, 1, 0], c2.id: [1, 1, 1], c3.id: [0, 2, 2]}
    for c in (c1, c2, c3):
        assert declare(john, v, c).status_code == 302
        assert save(john, v, c, {cr.id: str(s) for cr, s in zip(crit, wanted[c.id])}).status_code == 302
        assert submit(john, v, c).status_code == 302
    assert choose_mode(zoe, v, "criterion").status_code == 302
    for c in (c1, c2, c3):
        r = zoe.post_form(url(v, "shortlisting/candidates", c.id, "conflict"), {"knows": "no", "criterion": crit[0].id,
                                                                             "page": "1"})
        assert r.headers["Location"].endswith(f"/shortlisting/criteria/{crit[0].id}#candidate-{c.id}")
    for i, cr in enumerate(crit):
        if i == 1:  # one answer at a time, as the page's script does
            for c in (c1, c2, c3):
                r = zoe.post(url(v, "shortlisting/candidates", c.id, "scores", cr.id),
                             json={"score": str(wanted[c.id][i]), "notes": "", "version": 0},
                             headers={"X-CSRFToken": zoe.csrf_token(), "Accept": "application/json"})
                assert r.status_code == 200 and r.get_json()["version"] == 1
        else:
            r = save_criterion(zoe, v, cr, {c.id: str(wanted[c.id][i]) for c in (c1, c2, c3)},
                               comments={c1.id: "Clear example ‮ of groups"} if i == 0 else None)
            assert r.status_code == 302, r.get_data(as_text=True)
    # the last page of the last criterion leads to checking and submitting
    assert "/submit" in r.headers["Location"]
    for c in (c1, c2, c3):
        assert submit(zoe, v, c).status_code == 302
    rows = rows_of(session, v)
    for c in (c1, c2, c3):
        for cr, s in zip(crit, wanted[c.id]):
            assert rows[(c.id, cr.id, sl.panelist.id)][0] == rows[(c.id, cr.id, sl.panelist2.id)][0] == s
    assert rows[(c1.id, crit[0].id, sl.panelist2.id)][1] == "Clear example ‮ of groups"
    # the chair has stepped aside from all three: moderation shows every total as both gave it
    for c in (c1, c2, c3):
        step_aside(session, c, sl.chair)
    grid = as_user(sl.chair).get(url(v, "shortlisting/moderation")).get_data(as_text=True)
    for c in (c1, c2, c3):
        total = scoring.format_score(float(sum(wanted[c.id])))
        item = grid[grid.index(f'id="candidate-{c.id}"'):]
        item = item[:item.index("</li>")]
        assert f"Total <strong>{total}</strong> out of 6</p>" in item, (c.label, total)
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "score",
                                                     AuditEvent.actor_id == sl.panelist2.id)).all()
    assert {e.candidate_id for e in audit} == {c1.id, c2.id, c3.id}


def test_a_member_switches_at_any_time_and_the_choice_is_theirs_alone(as_user, sl, session):
    v, crit = sl.v, sl.criteria
    john = as_user(sl.panelist)
    index = john.get(url(v, "shortlisting")).get_data(as_text=True)
    assert "How do you want to score?" in index and 'value="candidate" checked' in index.replace("\n", " ")
    r = choose_mode(john, v, "sideways")
    assert r.status_code == 400
    assert r.get_data(as_text=True).count("Choose one candidate at a time or one criterion at a time") == 2  # summary, field
    assert choose_mode(john, v, "").status_code == 400
    r = choose_mode(john, v, "criterion")
    first = scoring.panelist_order(v.id, sl.panelist.id, [c.id for c in sl.candidates])[0]
    assert r.headers["Location"].endswith(f"/shortlisting/criteria/{crit[0].id}#candidate-{first}")
    session.expire_all()
    modes = {m.user_id: m.review_mode for m in session.scalars(select(PanelMember).where(PanelMember.vacancy_id == v.id))}
    assert modes[sl.panelist.id] == "criterion" and modes[sl.panelist2.id] == "candidate"
    event = session.scalars(select(AuditEvent).where(AuditEvent.actor_id == sl.panelist.id)
                            .order_by(AuditEvent.id.desc())).first()
    assert event.changes == {"review_mode": {"before": "candidate", "after": "criterion"}}
    index = john.get(url(v, "shortlisting")).get_data(as_text=True)
    assert f'/shortlisting/criteria/{crit[0].id}#candidate-{first}' in index and "Your criteria" in index
    # part-way: a score saved criterion by criterion, then back to candidate by candidate
    declare(john, v, sl.candidates[0])
    assert save_criterion(john, v, crit[0], {sl.candidates[0].id: "2"}, action="save").status_code == 302
    r = choose_mode(john, v, "candidate")
    assert r.headers["Location"].endswith(f"/shortlisting/candidates/{first}")
    page = john.get(url(v, "shortlisting/candidates", sl.candidates[0].id)).get_data(as_text=True)
    assert re.search(rf'id="score_{crit[0].id}-3" name="score_{crit[0].id}" type="radio" value="2" checked', page)
    assert "Score one criterion at a time instead" in page
    # other people are not panel members here: no choice to make
    assert choose_mode(as_user(sl.hr), v, "criterion").status_code == 404


def test_criterion_mode_keeps_every_rule_of_candidate_mode(as_user, sl, session):
    v, (c1, c2, c3), crit = sl.v, sl.candidates, sl.criteria
    john = as_user(sl.panelist)
    put_scores(session, c1, sl.panelist, [1, 1, 1])          # submitted
    step_aside(session, c2, sl.panelist)                    # stepped aside
    page = criterion_page(john, v, crit[0]).get_data(as_text=True)
    assert f'name="score_{c1.id}"' not in page and f'name="score_{c2.id}"' not in page
    assert "You submitted your scores for Candidate 01" in page
    assert "You stepped aside from Candidate 02" in page and "Supporting information number 2" not in page
    # Candidate 03: the question first, no score until it is answered
    assert f'form="conflict-{c3.id}"' in page and f'name="score_{c3.id}"' not in page
    # a page that posts scores for a submitted or stepped-aside candidate saves nothing at all
    declare(john, v, c3)
    before = rows_of(session, v)
    for refused in (c1, c2):
        r = save_criterion(john, v, crit[0], {c3.id: "2", refused.id: "0"})
        assert r.status_code == 409, r.get_data(as_text=True)
        assert "Nothing was saved" in r.get_data(as_text=True)
    assert rows_of(session, v) == before
    # a bad score: the message next to it, nothing saved
    r = save_criterion(john, v, crit[0], {c3.id: "7"})
    assert r.status_code == 400 and "Choose no evidence, some evidence or clear evidence" in r.get_data(as_text=True)
    assert rows_of(session, v) == before
    # a candidate of another vacancy, a criterion scored only at interview: not found
    assert save_criterion(john, v, crit[0], {sl.stranger.id: "1"}).status_code == 404
    interview_only = next(c for c in v.criteria if not c.at_application)
    assert criterion_page(john, v, interview_only).status_code == 404
    # withdrawn: no score asked
    from panel.candidates import services as candidate_services
    candidate_services.set_withdrawn(session, sl.hr, c3, True)
    session.commit()
    assert "has withdrawn from this vacancy" in criterion_page(john, v, crit[0]).get_data(as_text=True)
    # stepping aside from the criterion's page comes back to it
    zoe = as_user(sl.panelist2)
    r = zoe.post_form(url(v, "shortlisting/candidates", c1.id, "conflict"), {"knows": "yes", "criterion": crit[1].id,
                                                                          "page": "1"})
    assert r.headers["Location"].endswith(f"/shortlisting/criteria/{crit[1].id}#candidate-{c1.id}")


def test_criterion_mode_reads_only_the_members_allocation(as_user, sl, session):
    v = sl.v
    builder(session).share_reading(v, 1)
    session.commit()
    from panel.models import ShortlistAllocation

    mine = set(session.scalars(select(ShortlistAllocation.candidate_id).where(
        ShortlistAllocation.vacancy_id == v.id, ShortlistAllocation.user_id == sl.panelist.id)))
    others = {c.id for c in sl.candidates} - mine
    assert mine and others
    john = as_user(sl.panelist)
    assert set(listed(criterion_page(john, v, sl.criteria[0]).get_data(as_text=True))) == mine
    stranger = next(iter(others))
    assert save_criterion(john, v, sl.criteria[0], {stranger: "2"}).status_code == 404
    assert not [k for k in rows_of(session, v) if k[0] == stranger]


def test_pages_of_ten_walk_on_to_the_next_criterion(as_user, sl, session):
    v, crit = sl.v, sl.criteria
    for n in range(4, 15):
        add_candidate(session, v, n, f"First{n}", f"Last{n}", f"walk{n}@example.net")
    john = as_user(sl.panelist)
    first = criterion_page(john, v, crit[0]).get_data(as_text=True)
    second = criterion_page(john, v, crit[0], 2).get_data(as_text=True)
    assert len(listed(first)) == walk.PAGE_SIZE and len(listed(second)) == 14 - walk.PAGE_SIZE
    assert "Candidates 1 to 10 of 14 in your list" in first and "Candidates 11 to 14 of 14" in second
    assert criterion_page(john, v, crit[0], 3).status_code == 404
    assert save_criterion(john, v, crit[0], {}).headers["Location"].endswith(f"/criteria/{crit[0].id}?page=2")
    r = save_criterion(john, v, crit[0], {}, page=2)
    assert r.headers["Location"].endswith(f"/criteria/{crit[1].id}")
    assert "Next: criterion 2" in second


@pytest.mark.parametrize("page", ["criteria", "index"])
def test_a_criterion_page_costs_the_same_queries_for_5_and_40_candidates(app, as_user, sl, session, page):
    v = sl.v
    john = as_user(sl.panelist)
    choose_mode(john, v, "criterion")
    path = url(v, "shortlisting/criteria", sl.criteria[0].id) if page == "criteria" else url(v, "shortlisting")

    def fill(n):
        have = len(sl.candidates)
        for i in range(have + 1, n + 1):
            c = add_candidate(session, v, i, f"First{i}", f"Last{i}", f"many{i}@example.net",
                              evidence={sl.criteria[0].id: f"Evidence {i}"})
            if i % 3 == 0:
                put_scores(session, c, sl.panelist, [1, 2, 0], submit=i % 2 == 0)
            elif i % 3 == 1:
                builder(session).declare(c, sl.panelist)
                session.commit()
        sl.candidates.extend([None] * (n - have))

    fill(5)
    john.get(path)  # warm up
    with count_queries(app) as small:
        assert john.get(path).status_code == 200
    fill(40)
    with count_queries(app) as large:
        response = john.get(path)
        assert response.status_code == 200
    assert len(small) == len(large), (len(small), len(large))
    if page == "criteria":
        assert len(listed(response.get_data(as_text=True))) == walk.PAGE_SIZE


def test_the_demo_shortlisting_vacancy_has_marking_guides(app, session):
    """The demo: every PWP criterion scored at shortlisting has its own guide, and Zoë Ashworth
    reviews one criterion at a time, so her page shows the guide beside the evidence."""
    from panel.models import User, Vacancy
    from panel.shortlisting.demo import GUIDES

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    logins = dict(re.findall(r"(\S+@example\.org)\s+(\S+)", open(app.instance_path + "/demo-logins.txt").read()))
    pwp = session.scalar(select(Vacancy).where(Vacancy.reference == "PWP-BOS-0425"))
    assert pwp.stage.shortlisting_open
    scored_here = [c for c in pwp.criteria if c.at_application]
    assert scored_here and all(all(c.guide_texts) for c in scored_here)
    zoe = session.scalar(select(User).where(User.email == "zoe.ashworth@example.org"))
    assert next(m for m in pwp.panel_members if m.user_id == zoe.id).review_mode == "criterion"
    client = app.test_client()
    from tests.conftest import login
    assert login(client, zoe.email, logins[zoe.email]).status_code == 302
    index = client.get(f"/vacancies/{pwp.id}/shortlisting").get_data(as_text=True)
    assert "Your criteria" in index
    page = client.get(f"/vacancies/{pwp.id}/shortlisting/criteria/{scored_here[0].id}").get_data(as_text=True)
    assert GUIDES[1][2] in page and "Their evidence for criterion 1" in page


def test_criterion_mode_shows_the_panels_copy_with_hrs_removals(as_user, sl, session):
    """What HR removed in the identity check stays removed one criterion at a time too (this page
    used to print the original supporting information and evidence)."""
    from panel.candidates import screening

    v, c1, crit = sl.v, sl.candidates[0], sl.criteria
    name = f"{c1.first_name} {c1.last_name}"
    c1.supporting_information = f"My name is {name} and I ran a group for people with low mood."
    evidence = next(e for e in c1.evidence if e.criterion_id == crit[0].id)
    evidence.text = f"As {c1.last_name} I led anxiety workshops."
    session.flush()
    screening.scan_candidate(session, c1, application_text="")
    hits = [h for h in c1.identity_hits if h.kind == "name"]
    assert {h.source for h in hits} == {screening.SUPPORTING, f"evidence:{crit[0].id}"}
    while open_hits := [h for h in c1.identity_hits if not h.fine]:
        screening.redact(session, sl.hr, open_hits[0])
    session.commit()
    john = as_user(sl.panelist)
    choose_mode(john, v, "criterion")
    page = criterion_page(john, v, crit[0]).get_data(as_text=True)
    assert f'id="candidate-{c1.id}"' in page
    assert "ran a group for people with low mood" in page and "led anxiety workshops" in page
    assert c1.last_name not in page and c1.first_name not in page
    assert screening.identity.REDACTED in page
