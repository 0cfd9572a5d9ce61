"""Hundreds of candidates (issue 14): the chair's moderation grid and CSV export and a panel
member's own list cost O(N) in candidates, with a number of queries that does not grow.

Two generated vacancies in shortlisting (80 and 400 candidates, ~3 KB statements, 8 criteria,
4 panel members who have all scored: panel.builders.scale_shortlisting, the data `make bench`
measures) are measured in the same run: CPU time (time.process_time) of each page, best of
several GETs after a warm-up, so the ratio, not the machine's speed, is what is checked. Linear
growth is a ratio of 5; a page that scans every score row per candidate is about 20."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from panel.models import User
from panel.packs import bench
from tests.conftest import PASSWORD, login

SMALL, LARGE = 80, 400
CRITERIA, MEMBERS = 8, 4
MAX_RATIO = 6.0  # 400/80 is 5 when linear; the fixed cost of a request only lowers it

PAGES = {"moderation": "shortlisting/moderation", "export": "shortlisting/export.csv",
         "own_list": "shortlisting"}


def _client(app, session, email):
    client = app.test_client()
    user = session.scalar(select(User).where(User.email == email))
    assert login(client, user).status_code == 302
    return client


def _member_email(session, vacancy_id, n):
    from panel.models import PanelMember

    members = list(session.scalars(select(PanelMember).where(PanelMember.vacancy_id == vacancy_id)
                                   .order_by(PanelMember.id)))
    return members[n].user.email


def test_moderation_export_and_own_list_grow_linearly_with_constant_queries(app, session):
    vacancies = bench.build_scale_vacancies(app, PASSWORD, (SMALL, LARGE))
    chairs = {size: _client(app, session, email) for size, (_vid, email) in vacancies.items()}
    members = {size: _client(app, session, _member_email(session, vid, 1)) for size, (vid, _e) in vacancies.items()}

    # what the pages show at 400 candidates: every candidate, every score
    vid = vacancies[LARGE][0]
    grid = chairs[LARGE].get(f"/vacancies/{vid}/shortlisting/moderation").get_data(as_text=True)
    assert grid.count('class="panel-moderation__item"') == LARGE
    rows = list(csv.reader(io.StringIO(chairs[LARGE].get(f"/vacancies/{vid}/shortlisting/export.csv")
                                       .get_data(as_text=True))))
    assert len(rows) == 1 + LARGE * CRITERIA * MEMBERS

    def measure(runs):
        chair_pages = {k: v for k, v in PAGES.items() if k != "own_list"}
        figures = bench.shortlisting_scale(app, vacancies, chairs, runs, chair_pages)
        own = bench.shortlisting_scale(app, vacancies, members, runs, {"own_list": PAGES["own_list"]})
        for size in figures:
            figures[size].update(own[size])
        return figures

    figures = measure(3)
    ratios = {name: figures[LARGE][f"{name}_ms"] / figures[SMALL][f"{name}_ms"] for name in PAGES}
    if any(r > MAX_RATIO for r in ratios.values()):  # a busy machine: measure again, keep the best of each
        again = measure(3)
        for size in figures:
            for name in PAGES:
                figures[size][f"{name}_ms"] = min(figures[size][f"{name}_ms"], again[size][f"{name}_ms"])
        ratios = {name: figures[LARGE][f"{name}_ms"] / figures[SMALL][f"{name}_ms"] for name in PAGES}
    print({size: {k: round(v, 1) for k, v in f.items()} for size, f in figures.items()}, ratios)
    for name in PAGES:
        assert figures[SMALL][f"{name}_queries"] == figures[LARGE][f"{name}_queries"], (name, figures)
        assert ratios[name] <= MAX_RATIO, (name, ratios, figures)
    # one criterion at a time (issue 19): a page of walk.PAGE_SIZE candidates, in the member's own
    # order, whatever the number of candidates: the same queries, and linear work to find the page
    from panel.models import Criterion
    from panel.shortlisting import walk

    def criterion_page(size):
        vid = vacancies[size][0]
        first = session.scalars(select(Criterion.id).where(Criterion.vacancy_id == vid)
                                .order_by(Criterion.position)).first()
        return bench.measure_page(app, members[size], f"/vacancies/{vid}/shortlisting/criteria/{first}", 3)

    pages = {size: criterion_page(size) for size in (SMALL, LARGE)}
    if pages[LARGE][0] / pages[SMALL][0] > MAX_RATIO:  # a busy machine: once more, the best of each
        again = {size: criterion_page(size) for size in (SMALL, LARGE)}
        pages = {size: (min(pages[size][0], again[size][0]), pages[size][1]) for size in pages}
    print("criterion page", pages)
    assert pages[SMALL][1] == pages[LARGE][1], pages
    assert pages[LARGE][0] / pages[SMALL][0] <= MAX_RATIO, pages
    vid = vacancies[LARGE][0]
    first = session.scalars(select(Criterion.id).where(Criterion.vacancy_id == vid).order_by(Criterion.position)).first()
    html = members[LARGE].get(f"/vacancies/{vid}/shortlisting/criteria/{first}").get_data(as_text=True)
    assert html.count('class="panel-score-block"') == walk.PAGE_SIZE
