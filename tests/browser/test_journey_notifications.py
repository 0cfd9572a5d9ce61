"""Issue 15 in a real browser, on the demo data: HR sets a vacancy's deadlines (a date in the past
is refused next to the field), sees them in plain English and the vacancy's messages; a panel
member reads the messages sent to them. axe-core checks every page, also 320 pixels wide."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from panel.notifications import worker
from tests.browser.conftest import CHROMIUM, Visits
from tests.browser.test_journey_foundation import expect_text

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]


@pytest.fixture(scope="module")
def demo(live_server):
    from panel.demo import load_demo

    with live_server.app.app_context():
        load_demo()
        worker.run_once()
    text = (Path(live_server.app.instance_path) / "demo-logins.txt").read_text()
    return dict(re.findall(r"(\S+@example\.org)\s+(\S+)", text))


def _sign_in(page, url, email, password):
    page.goto(url + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name=re.compile(r"^Hello, ")).wait_for()


def _fits_a_phone(context, url):
    phone = context.new_page()
    phone.set_viewport_size({"width": 320, "height": 700})
    phone.goto(url)
    phone.wait_for_load_state("load")
    assert phone.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1, url
    phone.close()


def test_deadlines_and_messages(live_server, demo, new_context):
    context = new_context()
    page = context.new_page()
    _sign_in(page, live_server.url, "priya.shah@example.org", demo["priya.shah@example.org"])
    visits = Visits(page)
    page.goto(live_server.url + "/vacancies")
    visits.check()
    page.get_by_role("link", name=re.compile("Psychological Wellbeing Practitioner")).first.click()
    visits.check()
    vacancy_url = page.url
    page.get_by_role("link", name=re.compile("Set the deadlines")).click()
    visits.check()
    _fits_a_phone(context, page.url)
    for part, value in (("day", "1"), ("month", "1"), ("year", "2020")):
        page.locator(f"#shortlisting_deadline-{part}").fill(value)
    page.get_by_role("button", name="Save deadlines").click()
    visits.check()  # refused, with the message next to the field
    expect_text(page, "The shortlisting deadline must be today or in the future")
    for part, value in (("day", "12"), ("month", "3"), ("year", "2099")):
        page.locator(f"#shortlisting_deadline-{part}").fill(value)
    page.get_by_role("button", name="Save deadlines").click()
    visits.check()
    expect_text(page, "Shortlisting closes on Thursday 12 March 2099")
    assert page.url == vacancy_url
    page.get_by_role("link", name="Messages sent about this vacancy").click()
    visits.check()
    expect_text(page, "You have been added to the interview panel")
    _fits_a_phone(context, page.url)
    page.get_by_role("link", name="Read what each kind of message says").click()
    visits.check()
    expect_text(page, "Reminder: Shortlisting closes on Thursday 12 March, in 2 days")
    _fits_a_phone(context, page.url)
    page.goto(live_server.url + "/account")
    visits.check()
    visits.assert_all_checked()

    panelist = new_context()
    p = panelist.new_page()
    _sign_in(p, live_server.url, "john.oneill@example.org", demo["john.oneill@example.org"])
    mine = Visits(p)
    p.goto(live_server.url + "/account")
    mine.check()
    # a landline is refused next to the field; a UK mobile and "text message" are kept
    p.get_by_label("Mobile phone number (optional)").fill("020 7946 0018")
    p.get_by_label("By text message", exact=True).check()
    p.get_by_role("button", name="Save preferences").click()
    mine.check()
    expect_text(p, "Enter a UK mobile phone number, starting 07 or +44 7")
    p.get_by_label("Mobile phone number (optional)").fill("07400 123456")
    p.get_by_role("button", name="Save preferences").click()
    mine.check()
    expect_text(p, "Your preferences have been saved.")
    assert p.get_by_label("Mobile phone number (optional)").input_value() == "+447400123456"
    assert p.get_by_label("By text message", exact=True).is_checked()
    p.get_by_role("link", name="Messages sent to you").click()
    mine.check()
    expect_text(p, "You have been added to the interview panel")
    _fits_a_phone(panelist, p.url)
    mine.assert_all_checked()
