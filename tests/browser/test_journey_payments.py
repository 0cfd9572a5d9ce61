"""Issue 18 in a real browser, with axe-core on every page: on a 390-pixel phone a patient panelist
claims for an interview day with mileage and a photo of a parking receipt; HR asks a question,
the panelist answers, HR approves the claim and makes the payroll export."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from PIL import Image

from panel.builders import Builder
from panel.involvement.activities import INTERVIEW_DAY, activity_key
from tests.browser.conftest import CHROMIUM, assert_accessible
from tests.browser.test_scoring_offline import sign_in
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]

PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1


def _photo() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_panelist_claims_on_a_phone_and_hr_queries_approves_and_exports(live_server, new_context):
    base = live_server.url
    with live_server.db() as s:
        hr = make_user(s, "hr", "Priya Shah", "pay-hr@example.org")
        build = Builder(s, hr, app=live_server.app, password=PASSWORD)
        chair = build.user("chair", name="Chris Morgan", email="pay-chair@example.org")
        john = build.user("panelist", name="John O'Neill", email="pay-john@example.org")
        v = build.vacancy(reference="PAY-B", criteria=2, panel=[(chair, "chair"), (john, "patient")])
        candidate = build.candidate(v)
        build.advance(v)
        build.shortlist(v)
        build.advance(v)
        q = build.plan_question(v, "Why this job?")
        build.interview_day(v, dt.date(2026, 11, 2), start=dt.time(9, 30), end=dt.time(13, 0), breaks="")
        build.interview_scores(candidate, john, [q], [3])
        build.payment_rates(dt.date(2026, 4, 6))
        build.payment_choice(john, "paid", on=dt.date(2026, 4, 6), reference="SUP-77")
        build.commit()
        key = activity_key(INTERVIEW_DAY, v.id)

    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(phone, base, "pay-john@example.org")
    phone.goto(f"{base}/claims")
    phone.get_by_role("heading", level=1, name="Claim for your involvement").wait_for()
    assert_accessible(phone)
    _no_sideways_scroll(phone)
    phone.locator(f"a[href='/claims/new/{key}']").click()
    phone.get_by_role("heading", level=1, name="Claim for interview day").wait_for()
    assert phone.get_by_label("How many hours did it take?").input_value() == "3.5"  # pre-filled
    assert_accessible(phone)
    _no_sideways_scroll(phone)
    phone.get_by_label("From", exact=True).fill("Skegness")
    phone.get_by_label("To", exact=True).fill("Boston")
    phone.get_by_label("Miles, there and back").fill("48.6")
    phone.get_by_label("Parking", exact=True).fill("4.50")
    phone.get_by_label("Parking receipt").set_input_files(
        {"name": "ticket.jpg", "mimeType": "image/jpeg", "buffer": _photo()})
    phone.get_by_role("button", name="Send my claim").click()
    phone.get_by_text("Your claim has been sent for approval").wait_for()
    phone.get_by_text("£101.37").wait_for()  # £75.00 half day + £21.87 mileage + £4.50 parking
    assert_accessible(phone)
    _no_sideways_scroll(phone)
    claim_url = phone.url

    desk = new_context(accept_downloads=True).new_page()
    sign_in(desk, base, "pay-hr@example.org")
    desk.goto(f"{base}/claims/review")
    assert_accessible(desk)
    desk.get_by_role("link", name=re.compile(r"^Claim \d+$")).first.click()
    desk.get_by_role("heading", level=1, name=re.compile("Interview day")).wait_for()
    assert_accessible(desk)
    desk.get_by_label("Ask the claimant a question").check()
    desk.get_by_label("Your question, or the reason it is rejected").fill("Did you also pay for a bus?")
    desk.get_by_role("button", name="Save decision").click()
    desk.get_by_text("Your question has been sent to the claimant").wait_for()
    assert_accessible(desk)

    phone.goto(claim_url)
    phone.get_by_text("Did you also pay for a bus?").wait_for()
    assert_accessible(phone)
    _no_sideways_scroll(phone)
    phone.get_by_label("Your answer").fill("No, I drove. Thank you.")
    phone.get_by_role("button", name="Send my answer").click()
    phone.get_by_text("Your answer has been sent").wait_for()
    assert_accessible(phone)

    desk.goto(claim_url)
    desk.get_by_text("No, I drove. Thank you.").wait_for()
    assert_accessible(desk)
    desk.get_by_label("Approve").check()
    desk.get_by_role("button", name="Save decision").click()
    desk.get_by_text("The claim is approved").wait_for()
    desk.get_by_role("link", name="Payroll exports").first.click()
    desk.get_by_role("heading", level=1, name="Payroll exports").wait_for()
    assert_accessible(desk)
    desk.get_by_role("button", name="Make the payroll file").click()
    desk.get_by_text("The payroll file has 1 claim.").wait_for()
    assert_accessible(desk)
    with desk.expect_download() as info:
        desk.get_by_role("link", name=re.compile(r"Download export \d+")).click()
    text = open(info.value.path(), encoding="utf-8-sig").read()
    assert "John O'Neill,SUP-77," in text and ",101.37," in text
