"""Issue 16 in a real browser, on the demo data: a candidate opens the booking link from their
invitation in the outbox on a phone (390 pixels wide), books the free time, says they need extra
time, then changes to another time; the chair sees the booking and the adjustment on the
timetable. axe-core checks every page; the booking page also fits 320 pixels."""
from __future__ import annotations

import email
import os
import re
from email import policy
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, Visits
from tests.conftest import deliver

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]

PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("PANEL_BOOKING_SCREENSHOTS")  # a folder: screenshots of the booking pages go there


@pytest.fixture(scope="module")
def demo(live_server):
    from panel.demo import load_demo

    with live_server.app.app_context():
        load_demo()
    deliver(live_server.app)  # the notifications worker sends the invitations, making their booking links
    text = (Path(live_server.app.instance_path) / "demo-logins.txt").read_text()
    return dict(re.findall(r"(\S+@example\.org)\s+(\S+)", text))


def booking_link(live_server, address: str) -> str:
    folder = Path(live_server.app.config["OUTBOX_FOLDER"])
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address and "Invitation to interview" in message["Subject"]:
            return re.search(r"(http://\S+/book/\S+)", message.get_body().get_content()).group(1)
    raise AssertionError(f"no invitation to {address} in the outbox")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def fits(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    page.set_viewport_size(PHONE)


def test_a_candidate_books_on_a_phone_and_the_chair_sees_it(live_server, demo, new_context):
    link = booking_link(live_server, "hannah.okonkwo@example.net")
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    visits = Visits(phone)
    phone.goto(link)
    visits.check()
    phone.get_by_role("heading", level=1, name="Your interview for Senior Psychological Wellbeing Practitioner").wait_for()
    body = phone.locator("main").inner_text()
    for nobody in ("Chris Morgan", "Zoë", "Rhys", "Agnieszka", "Fiona"):
        assert nobody not in body
    fits(phone, 320)
    shot(phone, "1-booking-page")

    phone.get_by_label(re.compile(r"2:00pm to 2:45pm")).check()
    phone.get_by_label("Extra time to answer").check()
    phone.get_by_label("Anything else we can do to help (optional)").fill("Could I have a glass of water, please?")
    phone.get_by_role("button", name="Book this time").click()
    visits.check()
    phone.get_by_text("Your interview is booked").wait_for()
    assert "2:00pm to 2:45pm" in phone.locator("#your-booking").inner_text()
    shot(phone, "2-booked")

    phone.get_by_label(re.compile(r"9:30am to 10:15am")).check()  # her first time, free again
    phone.get_by_role("button", name="Change my booking").click()
    visits.check()
    booking = phone.locator("#your-booking").inner_text()
    assert "9:30am to 10:15am" in booking and "Extra time to answer" in booking
    phone.get_by_text("Your booking has been changed").wait_for()
    shot(phone, "3-changed")

    phone.get_by_role("link", name=re.compile("Cancel your interview or ask for a different time")).click()
    visits.check()
    shot(phone, "4-cannot-come")
    phone.get_by_role("button", name="Send").click()  # nothing chosen: told next to the field
    visits.check()
    phone.get_by_text("Choose whether you need a different time or cannot come").first.wait_for()
    visits.assert_all_checked()

    desk = new_context().new_page()
    desk_visits = Visits(desk)
    desk.goto(live_server.url + "/login")
    desk_visits.check()
    desk.get_by_label("Email address").fill("chris.morgan@example.org")
    desk.get_by_label("Password", exact=True).fill(demo["chris.morgan@example.org"])
    desk.get_by_role("button", name="Sign in").click()
    desk_visits.check()
    desk.get_by_role("link", name=re.compile("Senior Psychological Wellbeing Practitioner")).first.click()
    desk_visits.check()
    desk.get_by_role("link", name="Timetable").first.click()
    desk_visits.check()
    first = desk.locator(".panel-slots__item").first.inner_text()
    assert "Hannah" in first and "Booked by the candidate" in first and "Extra time to answer" in first
    assert "Could I have a glass of water, please?" in first
    desk_visits.assert_all_checked()
