"""Issue 12 in a real browser: what the scoring page keeps on a device is bound to the session.

Item 8: on a shared tablet, once the session has ended (signed out on another device, the idle
time-out, a browser restart), going offline shows neither the candidate's name nor the notes,
and the answers kept on the device cannot be read. Unsaved answers of the person who is still
signed in are not lost.

Walk item: on a phone the score sheet shows one question at a time, with the whole sheet a
button away; answers save as the panel member moves."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import CHROMIUM, assert_accessible
from tests.browser.test_scoring_offline import saved_scores, sign_in, wait_for
from tests.builders_plugin import interview_world

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 800, "height": 1280}  # wide enough for the whole sheet


def kept_on_device(context, base_url: str) -> dict[str, str]:
    """Everything the site keeps in this browser's localStorage (what a restarted browser finds)."""
    for origin in context.storage_state()["origins"]:
        if origin["origin"] == base_url:
            return {item["name"]: item["value"] for item in origin["localStorage"]}
    return {}


def drafts(context, base_url: str) -> dict[str, str]:
    return {k: v for k, v in kept_on_device(context, base_url).items()
            if k.startswith("panel-scoring:") and not k.endswith(":version")}


def caches_of(page) -> list[str]:
    return page.evaluate("async () => await caches.keys()")


def open_offline(context, url: str) -> str:
    """Open `url` in a new tab without a connection; the text the tab shows ("" if nothing)."""
    tab = context.new_page()
    try:
        tab.goto(url)
    except PlaywrightError:
        return ""  # the browser's own "no internet" page: the site showed nothing
    return tab.locator("body").inner_text()


def start_scoring(live_server, new_context, reference: str, questions: int = 3, viewport=TABLET):
    with live_server.db() as s:
        w = interview_world(s, candidates=1, questions=questions, reference=reference)
        ids = {"vacancy": w["vacancy"].id, "candidate": w["candidates"][0].id,
               "questions": [q.id for q in w["questions"]], "email": w["p1"].email, "user": w["p1"].id}
    context = new_context(viewport=viewport)
    page = context.new_page()
    sign_in(page, live_server.url, ids["email"])
    ids["url"] = f"{live_server.url}/vacancies/{ids['vacancy']}/interviews/{ids['candidate']}/score"
    page.goto(ids["url"])
    ids["name"] = page.locator("h1").inner_text().strip()
    return context, page, ids


def test_a_session_ended_on_another_device_leaves_nothing_to_see_offline(live_server, new_context):
    tablet, page, ids = start_scoring(live_server, new_context, "OFFLINE-END")
    q1, q2, _ = ids["questions"]
    assert ids["name"]
    page.check(f'input[name="score-{q1}"][value="2"]')
    page.fill(f"#notes-{q1}", "Spoke warmly about the Harbour Street clinic.")
    page.locator(f"#question-{q1} [data-save-state]").filter(has_text="Saved at").wait_for()
    page.locator('form[data-offline-ready="true"]').wait_for()

    # the wifi drops; an answer typed now is kept on the device, encrypted
    tablet.set_offline(True)
    page.fill(f"#notes-{q2}", "Unsaved: mentioned a former patient by first name.")
    page.locator(f"#question-{q2} [data-save-state]").filter(has_text="Not saved yet").wait_for()
    kept = wait_for(lambda: drafts(tablet, live_server.url))
    assert kept and all("former patient" not in v and "iv" in json.loads(v) for v in kept.values()), kept
    # while the session is live, the page reopens offline (this is what issue 5 built)
    assert ids["name"] in open_offline(tablet, ids["url"])

    # the panel member signs out on their laptop: every session of theirs ends
    laptop = new_context()
    other = laptop.new_page()
    sign_in(other, live_server.url, ids["email"])
    other.get_by_role("button", name="Sign out").click()
    other.get_by_role("heading", name="Sign in to panel").wait_for()

    # the tablet's connection comes back for a moment: its next save is sent to sign in, and it forgets
    tablet.set_offline(False)
    page.locator("#save-status").filter(has_text="You have been signed out").wait_for()
    assert wait_for(lambda: not drafts(tablet, live_server.url))
    assert wait_for(lambda: caches_of(page) == [])
    assert page.evaluate("() => sessionStorage.getItem('panel-device')") is None
    assert not [c for c in tablet.cookies() if c["name"] == "panel_live"]
    # what was not saved is still on this screen (and only here), for the person to sign in and save
    assert "former patient" in page.input_value(f"#notes-{q2}")

    # offline again: neither the name nor any notes can be seen
    tablet.set_offline(True)
    shown = open_offline(tablet, ids["url"])
    assert ids["name"] not in shown and "Harbour Street" not in shown and "former patient" not in shown


def test_a_restarted_browser_cannot_read_what_was_kept_and_a_signed_in_user_loses_nothing(live_server, new_context):
    tablet, page, ids = start_scoring(live_server, new_context, "OFFLINE-RESTART")
    q1, q2, q3 = ids["questions"]
    page.check(f'input[name="score-{q1}"][value="3"]')
    page.fill(f"#notes-{q1}", "Saved note: described supervision well.")
    page.locator(f"#question-{q1} [data-save-state]").filter(has_text="Saved at").wait_for()
    page.locator('form[data-offline-ready="true"]').wait_for()

    tablet.set_offline(True)
    page.fill(f"#notes-{q2}", "Draft two: strong on risk.")
    assert wait_for(lambda: len(drafts(tablet, live_server.url)) == 1)
    assert "strong on risk" not in json.dumps(kept_on_device(tablet, live_server.url))

    # a new tab (its own, empty sessionStorage) with the same storage and no connection: the
    # session is live so the page opens, but what was kept cannot be read without the key
    tab = tablet.new_page()
    tab.goto(ids["url"])
    assert tab.input_value(f"#notes-{q2}") == ""
    assert ids["name"] in tab.locator("h1").inner_text()
    # ... and once the connection is back the key comes with it: nothing typed is lost
    tablet.set_offline(False)
    assert wait_for(lambda: saved_scores(live_server, ids["candidate"], ids["user"]).get(q2) == (None, "Draft two: strong on risk."))
    tab.close()

    # offline again, a third answer is typed; then the browser restarts (its session cookies are gone)
    tablet.set_offline(True)
    page.fill(f"#notes-{q3}", "Draft three: would need support with reports.")
    assert wait_for(lambda: any(k.endswith(f":{q3}") for k in drafts(tablet, live_server.url)))
    tablet.clear_cookies()
    shown = open_offline(tablet, ids["url"])
    assert ids["name"] not in shown and "supervision" not in shown and "Draft three" not in shown
    kept = drafts(tablet, live_server.url)
    assert kept and "Draft three" not in json.dumps(kept)

    # online, the restarted browser is sent to sign in, and everything kept is forgotten
    tablet.set_offline(False)
    fresh = tablet.new_page()
    fresh.goto(ids["url"])
    fresh.get_by_role("heading", name="Sign in to panel").wait_for()
    assert wait_for(lambda: not drafts(tablet, live_server.url))
    assert wait_for(lambda: caches_of(fresh) == [])


def test_a_phone_shows_one_question_at_a_time_and_saves_as_it_moves(live_server, new_context):
    context, page, ids = start_scoring(live_server, new_context, "STEPS-1", questions=5, viewport=PHONE)
    qs = ids["questions"]
    section = lambda i: page.locator(f"#question-{qs[i]}")  # noqa: E731

    assert section(0).is_visible() and not section(1).is_visible()
    assert_accessible(page)
    one_height = page.evaluate("() => document.documentElement.scrollHeight")

    page.check(f'input[name="score-{qs[0]}"][value="4"]')
    page.fill(f"#notes-{qs[0]}", "Clear example of co-production.")
    section(0).get_by_role("link", name=re.compile("Next.*Question 2 of 5")).click()
    assert section(1).is_visible() and not section(0).is_visible()
    assert page.evaluate("() => document.activeElement.id") == f"question-{qs[1]}-heading"
    assert page.locator("[data-step-status]").inner_text() == "Question 2 of 5"
    # moving on saved what was typed
    assert wait_for(lambda: saved_scores(live_server, ids["candidate"], ids["user"]).get(qs[0])
                    == (4, "Clear example of co-production."))

    # keyboard only: from the heading, tab to "Next" and press Enter
    page.check(f'input[name="score-{qs[1]}"][value="2"]')
    section(1).get_by_role("link", name=re.compile("Next")).focus()
    page.keyboard.press("Enter")
    assert section(2).is_visible()
    assert page.locator("[data-step-status]").inner_text() == "Question 3 of 5"
    section(2).get_by_role("link", name=re.compile("Previous.*Question 2 of 5")).click()
    assert page.is_checked(f'input[name="score-{qs[1]}"][value="2"]')
    assert wait_for(lambda: saved_scores(live_server, ids["candidate"], ids["user"]).get(qs[1]) == (2, ""))
    assert_accessible(page)

    # the whole sheet, a button away, and remembered for this person
    page.get_by_role("button", name="Show all questions").click()
    assert all(section(i).is_visible() for i in range(5))
    assert page.evaluate("() => document.documentElement.scrollHeight") > 2 * one_height
    assert_accessible(page)
    page.reload()
    assert all(section(i).is_visible() for i in range(5))
    assert page.is_checked(f'input[name="score-{qs[0]}"][value="4"]')
    page.get_by_role("button", name="Show one question at a time").click()
    assert section(0).is_visible() and not section(1).is_visible()
    assert page.evaluate("() => document.activeElement.id") == f"question-{qs[0]}-heading"
    page.set_viewport_size({"width": 320, "height": 640})  # the narrowest phone: nothing sideways
    # the header moves what does not fit into its "More" menu on the resize event, a moment later
    try:
        page.wait_for_function("() => document.documentElement.scrollWidth <= 320", timeout=5000)
    except PlaywrightError:
        pass  # the assertion below says what sticks out
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 321)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)""")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, wide
    assert_accessible(page)

    # without JavaScript the whole sheet shows, with no step links
    plain = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    sign_in(plain, live_server.url, ids["email"])
    plain.goto(ids["url"])
    assert all(plain.locator(f"#question-{q}").is_visible() for q in qs)
    assert plain.get_by_role("link", name=re.compile("Next")).count() == 0
    assert plain.get_by_role("button", name="Show all questions").count() == 0


def test_chromium_empties_the_sites_storage_when_the_sign_in_page_says_so(live_server, new_context):
    """Clear-Site-Data on the sign-in page is honoured for this origin: even a key no script of
    ours knows about is gone once the sign-in page has been reached."""
    context = new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accessibility")
    page.evaluate("() => { localStorage.setItem('left-behind', 'notes'); return caches.open('other').then(c => c.put('/x', new Response('notes'))); }")
    assert kept_on_device(context, live_server.url) == {"left-behind": "notes"}
    page.goto(f"{live_server.url}/login")
    assert wait_for(lambda: kept_on_device(context, live_server.url) == {})
    assert wait_for(lambda: caches_of(page) == [])
