"""Issue 13 item 2 in a real browser: shortlisting uses the one autosave protocol, so a panel
member shortlisting on a phone on a bus loses nothing. Each choice saves as it is made; with
the connection gone (Playwright offline mode) the changes wait on the device (encrypted), the
page even reloads, and when the connection comes back they are saved. axe checks the page."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from panel.builders import Builder
from panel.models import ShortlistScore, VacancyStatus
from tests.browser.conftest import CHROMIUM, assert_accessible
from tests.browser.test_scoring_offline import sign_in, wait_for
from tests.builders_plugin import SPEC
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]


def saved(live_server, candidate_id: int, user_id: int) -> dict[int, tuple]:
    with live_server.db() as s:
        rows = s.scalars(select(ShortlistScore).where(ShortlistScore.candidate_id == candidate_id,
                                                      ShortlistScore.user_id == user_id))
        return {r.criterion_id: (r.score, r.comment) for r in rows}


def test_shortlisting_on_a_phone_on_a_bus_loses_nothing(live_server, new_context):
    with live_server.db() as s:
        hr = make_user(s, "hr", "Priya Shah", "hr.bus@example.org")
        chair = make_user(s, "chair", "Chris Morgan", "chair.bus@example.org")
        me = make_user(s, "panelist", "John O'Neill", "john.bus@example.org")
        b = Builder(s, hr, password=PASSWORD)
        v = b.vacancy(reference="SL-BUS", criteria=SPEC, panel=[(chair, "chair"), (me, "patient")])
        c = b.candidate(v, first_name="Aoife", last_name="O'Connor", supporting_information="I ran a group.")
        b.jump_to(v, VacancyStatus.SHORTLISTING)
        b.declare(c, me, False)  # answered "do you know this person?": no
        s.commit()
        vacancy_id, candidate_id, user_id = v.id, c.id, me.id
        first, second = [cr.id for cr in v.criteria if cr.at_application][:2]
    context = new_context(viewport={"width": 360, "height": 740})  # a phone
    page = context.new_page()
    sign_in(page, live_server.url, "john.bus@example.org")
    candidate_url = f"{live_server.url}/vacancies/{vacancy_id}/shortlisting/candidates/{candidate_id}"
    page.goto(candidate_url)
    assert_accessible(page)
    assert "Aoife" not in page.content() and "O'Connor" not in page.content()

    # online: a choice saves as it is made, without pressing a button
    page.check(f'input[name="score_{first}"][value="1"]')
    page.locator(f"#criterion-{first} [data-save-state]").filter(has_text="Saved at").wait_for()
    assert wait_for(lambda: saved(live_server, candidate_id, user_id).get(first) == (1, ""))
    page.locator('form[data-offline-ready="true"]').wait_for()

    # the bus goes into a tunnel
    context.set_offline(True)
    page.check(f'input[name="score_{first}"][value="2"]')
    page.fill(f"#comment_{first}", "Ran an anxiety group for a year.")
    # the "not saved yet" banner appears (sticky, at the top of the screen) before the next tap,
    # as it does for a person, so the tap does not race it
    page.locator("#save-status").filter(has_text="Not saved yet").wait_for()
    page.check(f'input[name="score_{second}"][value="0"]')
    page.locator("#save-status").filter(has_text="Not saved yet").wait_for()
    assert "Not saved yet" in page.locator(f"#criterion-{second} [data-save-state]").inner_text()
    assert_accessible(page)
    time.sleep(1.0)  # let the saves fail
    assert saved(live_server, candidate_id, user_id) == {first: (1, "")}
    # kept on the device, encrypted: not as plain text
    kept = page.evaluate("() => Object.entries(localStorage).filter(([k]) => k.startsWith('panel-scoring:shortlisting:'))"
                         ".map(([k, v]) => v).join(' ')")
    assert kept and "anxiety group" not in kept

    # the page is reloaded in the tunnel: the copy kept by the service worker opens, with the changes
    page.reload()
    assert page.is_checked(f'input[name="score_{first}"][value="2"]')
    assert page.input_value(f"#comment_{first}") == "Ran an anxiety group for a year."
    assert page.is_checked(f'input[name="score_{second}"][value="0"]')

    # out of the tunnel: everything is saved without touching anything
    context.set_offline(False)
    expected = {first: (2, "Ran an anxiety group for a year."), second: (0, "")}
    assert wait_for(lambda: saved(live_server, candidate_id, user_id) == expected, 30), \
        saved(live_server, candidate_id, user_id)
    page.locator("#save-status").wait_for(state="hidden")
    for cid in (first, second):
        assert "Saved at" in page.locator(f"#criterion-{cid} [data-save-state]").inner_text()
    page.goto(candidate_url)
    assert page.is_checked(f'input[name="score_{first}"][value="2"]')
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('panel-scoring:') "
                         "&& !k.endsWith(':version')).length") == 0
    assert_accessible(page)


def test_an_answer_saved_first_in_another_tab_is_shown_and_nothing_is_lost(live_server, new_context):
    with live_server.db() as s:
        hr = make_user(s, "hr", "Priya Shah", "hr.tabs@example.org")
        me = make_user(s, "panelist", "Zoë Ashworth", "zoe.tabs@example.org")
        b = Builder(s, hr, password=PASSWORD)
        v = b.vacancy(reference="SL-TABS", criteria=SPEC, panel=[(me, "patient")])
        c = b.candidate(v, supporting_information="I ran a group.")
        b.jump_to(v, VacancyStatus.SHORTLISTING)
        b.declare(c, me, False)
        s.commit()
        candidate_id, user_id = c.id, me.id
        first = next(cr.id for cr in v.criteria if cr.at_application)
        candidate_url = f"{live_server.url}/vacancies/{v.id}/shortlisting/candidates/{c.id}"
    context = new_context(viewport={"width": 320, "height": 700})
    tab1 = context.new_page()
    sign_in(tab1, live_server.url, "zoe.tabs@example.org")
    tab1.goto(candidate_url)
    tab2 = context.new_page()
    tab2.goto(candidate_url)
    tab1.check(f'input[name="score_{first}"][value="2"]')
    tab1.locator(f"#criterion-{first} [data-save-state]").filter(has_text="Saved at").wait_for()

    # the older tab: told what the answer now says, and its own choice stays on its screen
    tab2.check(f'input[name="score_{first}"][value="0"]')
    state = tab2.locator(f"#criterion-{first} [data-save-state]")
    state.filter(has_text="It now says: 2 – Clear evidence").wait_for()
    assert "Not saved" in state.inner_text()
    assert tab2.is_checked(f'input[name="score_{first}"][value="0"]')
    assert_accessible(tab2)
    assert saved(live_server, candidate_id, user_id)[first] == (2, "")

    # choosing again saves theirs over it
    tab2.check(f'input[name="score_{first}"][value="1"]')
    state.filter(has_text="Saved at").wait_for()
    assert wait_for(lambda: saved(live_server, candidate_id, user_id)[first] == (1, ""))
