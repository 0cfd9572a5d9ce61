"""Packs in a real browser: a panel member downloads their pack from the packs page. Each
pack has a button for the saved print size and one for the other size, this time only (a
download only reads); the saved size changes with its own "Always use ..." button. The
page stays put while the file downloads. axe-core checks the pages."""
from __future__ import annotations

import pytest

from panel.models import User
from panel.packs.bench import generate
from tests.browser.conftest import CHROMIUM, Visits
from tests.browser.test_journey_foundation import sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]


def _large_print(live_server, user_id: int) -> bool:
    with live_server.db() as s:
        return bool(s.get(User, user_id).large_print)


def test_a_panel_member_downloads_their_pack_in_the_print_size_they_choose(live_server, new_context):
    with live_server.db() as s:
        vacancy, _hr, members, _candidates = generate(
            s, reference="PKB-1", candidates=2, members=3, questions=2,
            password=PASSWORD, app=live_server.app)
        s.commit()
        vacancy_id, me = vacancy.id, members[2]
        my_id, my_email = me.id, me.email
    page = new_context(accept_downloads=True).new_page()
    visits = Visits(page)
    sign_in(page, live_server.url, my_email, visits=visits)
    packs = f"{live_server.url}/vacancies/{vacancy_id}/packs"
    page.goto(packs)
    visits.check()
    page.get_by_text("Your packs come in standard print").wait_for()

    # the other size, chosen for this one download: the file follows, nothing is remembered
    with page.expect_download() as download:
        page.get_by_role("button", name="Download your pack in large print, this time only").click()
    assert download.value.suggested_filename == "PKB-1 interview pack John O-Neill large print.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    assert page.url == packs  # still on the packs page
    assert _large_print(live_server, my_id) is False
    page.reload()
    visits.check()
    page.get_by_text("Your packs come in standard print").wait_for()
    page.get_by_role("button", name="Download your pack (PDF)").wait_for()

    # the saved size changes only with its own button
    page.get_by_role("button", name="Always use large print").click()
    page.get_by_text("Your packs will now come in large print.").wait_for()
    visits.check()
    assert _large_print(live_server, my_id) is True
    with page.expect_download() as again:
        page.get_by_role("button", name="Download your pack (PDF, large print)").click()
    assert again.value.suggested_filename.endswith("large print.pdf")
    with page.expect_download() as standard:
        page.get_by_role("button", name="Download your pack in standard print, this time only").click()
    assert "large print" not in standard.value.suggested_filename
    assert _large_print(live_server, my_id) is True
    visits.assert_all_checked()
