"""Issue 17 in a real browser, axe on every page: a new patient panelist fills their involvement
profile on a phone, HR records their training, builds a panel that breaks a composition rule
and overrides it with a reason, and the chair sees what to arrange on the timetable."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import CHROMIUM, Visits
from tests.browser.test_journey_foundation import sign_in
from tests.builders_plugin import builder

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]

PHONE = {"viewport": {"width": 320, "height": 700}, "is_mobile": True, "has_touch": True}
RULES_ON = {"COMPOSITION_MIN_PATIENTS": 1, "COMPOSITION_TRAINED_MEMBER": True, "COMPOSITION_TRAINED_CHAIR": True}


def go(page, visits: Visits, action) -> None:
    action()
    visits.check()


def test_involvement_journey(live_server, new_context):
    saved = {k: live_server.app.config[k] for k in RULES_ON}
    live_server.app.config.update(RULES_ON)
    try:
        _journey(live_server, new_context)
    finally:
        live_server.app.config.update(saved)


def _journey(live_server, new_context):
    with live_server.db() as s:
        build = builder(s)
        hr = build.user("hr", name="Priya Shah", email="inv.hr@example.org")
        chair = build.user("chair", name="Chris Morgan", email="inv.chair@example.org")
        zoe = build.user("panelist", name="Zoë Ashworth", email="inv.zoe@example.org")
        vacancy = build.vacancy(reference="INV-J-1", actor=hr, panel=[(chair, "chair")],
                                interview_date=dt.date.today() + dt.timedelta(days=10))
        build.commit()
        vacancy_id, zoe_id = vacancy.id, zoe.id
    base = live_server.url

    # 1. the new panelist fills in their profile on a phone
    phone = new_context(**PHONE).new_page()
    pv = Visits(phone)
    sign_in(phone, base, "inv.zoe@example.org", visits=pv)
    go(phone, pv, lambda: phone.get_by_role("link", name="Tell us what helps you take part").click())
    needs = phone.get_by_role("group", name="What do you need on the day?")
    needs.get_by_label("Step-free access").check()
    needs.get_by_label("Regular breaks").check()
    phone.get_by_label("If you need breaks, how often? (optional)").fill("every hour")
    phone.get_by_label("You can also phone me").check()
    go(phone, pv, lambda: phone.get_by_role("button", name="Save your profile").click())  # no number: refused
    phone.get_by_text("Enter a phone number to be called on").first.wait_for()
    phone.get_by_label("Phone number for calls (optional)").fill("01205 445 000")
    share = phone.get_by_role("group", name="What may the chair of your panel see, so they can arrange it?")
    share.get_by_label("Step-free access").check()
    share.get_by_label("Regular breaks").check()
    phone.get_by_role("group", name="Where would you like to help?").get_by_label("Boston").check()
    phone.get_by_label("When are you usually free? (optional)").fill("Weekday mornings")
    go(phone, pv, lambda: phone.get_by_role("button", name="Save your profile").click())
    phone.get_by_text("Your involvement profile has been saved.").wait_for()
    phone.get_by_text("You agreed to share").wait_for()
    pv.assert_all_checked()

    # 2. HR records Zoë's training, builds the panel, and goes ahead despite a broken rule
    page = new_context().new_page()
    hv = Visits(page)
    sign_in(page, base, "inv.hr@example.org", visits=hv)
    go(page, hv, lambda: page.get_by_role("link", name="Involvement", exact=True).first.click())
    go(page, hv, lambda: page.get_by_role("link", name="Zoë Ashworth").click())
    page.get_by_text("Step-free access").first.wait_for()
    page.get_by_role("group", name="Record training").get_by_label("Recruitment and selection").check()
    done = page.get_by_role("group", name="Date done")
    done.get_by_label("Day").fill("2")
    done.get_by_label("Month").fill("3")
    done.get_by_label("Year").fill(str(dt.date.today().year - 1))
    expires = page.get_by_role("group", name="Expires on (optional)")
    expires.get_by_label("Day").fill("2")
    expires.get_by_label("Month").fill("3")
    expires.get_by_label("Year").fill(str(dt.date.today().year + 2))
    go(page, hv, lambda: page.get_by_role("button", name="Record training").click())
    page.get_by_text("Recruitment and selection training recorded for Zoë Ashworth.").wait_for()

    go(page, hv, lambda: page.goto(f"{base}/vacancies/{vacancy_id}/panel"))
    page.get_by_label("Person").select_option(label="Zoë Ashworth (Patient panelist (voice2change))")
    page.get_by_label("Patient panelist").check()
    go(page, hv, lambda: page.get_by_role("button", name="Add to panel").click())
    page.get_by_text("The chair does not have in-date chairing training.").wait_for()
    go(page, hv, lambda: page.get_by_role("link", name="Go ahead with this panel anyway").click())
    go(page, hv, lambda: page.get_by_role("button", name="Record the reason and go ahead").click())  # no reason
    page.get_by_text("Give a reason for going ahead with a panel that breaks this rule").first.wait_for()
    page.get_by_label("Why go ahead with this panel?").fill("Chris's chairing refresher is booked for next week")
    go(page, hv, lambda: page.get_by_role("button", name="Record the reason and go ahead").click())
    page.get_by_text("Your reason has been recorded.").wait_for()
    go(page, hv, lambda: page.goto(f"{base}/vacancies/{vacancy_id}"))
    page.get_by_text("Chris's chairing refresher is booked for next week").wait_for()
    hv.assert_all_checked()

    # 3. the chair sees what to arrange, on the timetable, and nothing else of the profile
    chair_page = new_context().new_page()
    cv = Visits(chair_page)
    sign_in(chair_page, base, "inv.chair@example.org", visits=cv)
    go(chair_page, cv, lambda: chair_page.goto(f"{base}/vacancies/{vacancy_id}/timetable"))
    chair_page.get_by_text("Zoë Ashworth needs step-free access and a break every hour.").wait_for()
    body = chair_page.content()
    assert "01205" not in body and "Weekday mornings" not in body
    go(chair_page, cv, lambda: chair_page.goto(f"{base}/involvement/people/{zoe_id}"))
    chair_page.get_by_role("heading", name="Page not found").wait_for()
    cv.assert_all_checked()
