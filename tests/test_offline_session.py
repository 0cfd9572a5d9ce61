"""Issue 12 item 8, the server's side: what a browser keeps for offline scoring is bound to the
session. The browser tests (tests/browser/test_hardening_offline.py) show the whole story."""
from __future__ import annotations

from panel.security import CLEAR_SITE_DATA, LIVE_COOKIE
from tests.conftest import login, make_user

KEY_URL = "/vacancies/interviews-offline-key"


def _device(client) -> dict:
    response = client.get(KEY_URL, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def test_each_session_gets_its_own_device_key_and_a_live_cookie_the_service_worker_can_read(app, session, as_user):
    ann = make_user(session, "panelist", "Ann", "ann@example.org")
    bob = make_user(session, "panelist", "Bob", "bob@example.org")
    session.commit()
    client = as_user(ann)
    first = _device(client)
    assert set(first) >= {"id", "key", "user_id", "csrf", "idle_seconds"} and first["user_id"] == ann.id
    cookie = client.get_cookie(LIVE_COOKIE)
    assert cookie is not None and cookie.value == first["id"] and not cookie.http_only
    assert cookie.expires is None  # a session cookie: a restarted browser no longer has it
    assert _device(client)["key"] == first["key"]  # the same for the whole session
    # the key is derived with the server's secret: the session cookie does not hold it
    assert first["key"] not in (client.get_cookie("panel_session").value or "")

    assert _device(as_user(ann))["key"] != first["key"]  # another sign-in, another key
    assert _device(as_user(bob))["key"] != first["key"]
    client.post(f"/logout?csrf_token={first['csrf']}")
    login(client, ann)
    assert _device(client)["key"] != first["key"]  # rotated at sign-in


def test_the_sign_in_and_sign_out_pages_tell_the_browser_to_forget(app, session, as_user):
    ann = make_user(session, "panelist", "Ann", "ann@example.org")
    session.commit()
    anonymous = app.test_client()
    assert anonymous.get("/login").headers.get("Clear-Site-Data") == CLEAR_SITE_DATA
    assert anonymous.get("/accessibility").headers.get("Clear-Site-Data") is None
    client = as_user(ann)
    assert client.get("/").headers.get("Clear-Site-Data") is None
    csrf = _device(client)["csrf"]
    response = client.post(f"/logout?csrf_token={csrf}")
    assert response.status_code == 302
    assert response.headers.get("Clear-Site-Data") == CLEAR_SITE_DATA
    assert client.get_cookie(LIVE_COOKIE) is None


def test_any_answer_to_a_browser_whose_session_has_ended_elsewhere_makes_it_forget(app, session, as_user):
    ann = make_user(session, "panelist", "Ann", "ann@example.org")
    session.commit()
    tablet = as_user(ann)
    _device(tablet)
    assert tablet.get("/").headers.get("Clear-Site-Data") is None  # live: nothing to forget

    laptop = as_user(ann)
    laptop.post(f"/logout?csrf_token={_device(laptop)['csrf']}")  # signing out ends every session

    # the tablet's next request of any kind (here a script asking for its key) is sent to sign in
    response = tablet.get(KEY_URL, headers={"Accept": "application/json"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert response.headers.get("Clear-Site-Data") == CLEAR_SITE_DATA
    assert tablet.get_cookie(LIVE_COOKIE) is None
