"""Issue 12, items 1, 2, 5, 6 and 7: emailed links from configuration, trusted hosts, no open
redirect after sign-in, links that die with a password change, forgotten-password requests that
look the same whatever the address, and sign-in throttling that cannot lock everyone out."""
from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import select

from panel import create_app
from panel.db import utcnow
from panel.models import AuditEvent, AuthToken, SignInAttempt, User
from tests.conftest import PASSWORD, count_queries, login, make_user, outbox_messages

LINK_RE = re.compile(r"https?://[^\s/]+/set-password/[^\s]+")
ROOT = Path(__file__).resolve().parent.parent


def _links(app) -> list[str]:
    return [m for msg in outbox_messages(app) for m in LINK_RE.findall(msg.get_content())]


def _path(link: str) -> str:
    return urlsplit(link).path


def _reset_link(app, client, email: str) -> str:
    before = len(_links(app))
    assert client.post_form("/forgot-password", {"email": email}).status_code == 200
    links = _links(app)
    assert len(links) == before + 1
    return links[-1]


# --- 1. emailed links come from configuration; other hosts get 400 ---------------------------

def test_reset_link_ignores_host_and_forwarded_host(app, session):
    """The request says evil.example (Host and X-Forwarded-Host, with ProxyFix's favourite
    headers too); the link in the email is built from SERVER_NAME and PREFERRED_URL_SCHEME."""
    make_user(session, "chair", email="chair@example.org")
    app.config.update(TRUSTED_HOSTS=None, SERVER_NAME="panel.example.org", PREFERRED_URL_SCHEME="https")
    client = app.test_client()
    page = client.get("/forgot-password", base_url="http://evil.example")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post("/forgot-password", base_url="http://evil.example",
                           headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"},
                           data={"csrf_token": token, "email": "chair@example.org"})
    assert response.status_code == 200
    [link] = _links(app)
    assert link.startswith("https://panel.example.org/set-password/")
    assert "evil" not in outbox_messages(app)[0].get_content()


def test_invitation_link_ignores_the_host_hr_used(app, world, session):
    app.config.update(TRUSTED_HOSTS=None, SERVER_NAME="panel.example.org", PREFERRED_URL_SCHEME="https")
    hr = app.test_client()
    base = "http://evil.example"
    page = hr.get("/login", base_url=base).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert hr.post("/login", base_url=base, data={"csrf_token": token, "email": world["hr"].email,
                                                  "password": PASSWORD}).status_code == 302
    page = hr.get("/account", base_url=base).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = hr.post("/people/invite", base_url=base,
                       data={"csrf_token": token, "name": "Sam Jones", "email": "sam@example.org", "role": "panelist"})
    assert response.status_code == 302, response.get_data(as_text=True)
    [link] = _links(app)
    assert link.startswith("https://panel.example.org/set-password/")


def test_no_link_in_the_code_is_built_from_the_request():
    """Every emailed link goes through panel.mail.external_url: nothing else may build an
    absolute address (from url_for(_external=True) or the request's host)."""
    pattern = re.compile(r"_external\s*=\s*True|request\.(host_url|url_root|host\b|base_url|url\b)|X-Forwarded-Host")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "panel").rglob("*.py")
                 if path != ROOT / "panel" / "mail.py"
                 for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []
    assert "def external_url(" in (ROOT / "panel" / "mail.py").read_text()


def test_another_host_gets_400_and_ours_works(client):
    assert client.get("/login").status_code == 200
    assert client.get("/login", base_url="http://evil.example").status_code == 400
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", base_url="http://localhost:8080").status_code == 200  # the port is not checked
    # /healthz too: a load balancer's health check must send a trusted Host (see the README)
    assert client.get("/healthz", base_url="http://10.0.0.7").status_code == 400


def test_trusted_hosts_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("PANEL_SERVER_NAME", "panel.example.org")
    monkeypatch.setenv("PANEL_TRUSTED_HOSTS", "panel.example.org, 10.0.0.7")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["TRUSTED_HOSTS"] == ["panel.example.org", "10.0.0.7"]
    assert app.config["PREFERRED_URL_SCHEME"] == "https"  # the production default
    client = app.test_client()
    assert client.get("/healthz", base_url="https://10.0.0.7").status_code in (200, 503)
    assert client.get("/healthz", base_url="https://evil.example").status_code == 400


def test_refuses_to_start_without_server_name(tmp_path, monkeypatch):
    monkeypatch.delenv("PANEL_SERVER_NAME", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="PANEL_SERVER_NAME is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(RuntimeError, match="host name with an optional port"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SERVER_NAME": "https://panel.example.org/"})
    # debug and test runs may leave it out (links then point at localhost)
    assert create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True}).config["TRUSTED_HOSTS"] is None
    assert create_app({"INSTANCE_PATH": str(tmp_path), "DEBUG": True}).config["SERVER_NAME"] is None


def test_makefile_targets_set_the_server_name():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "serve"):
        body = makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
        assert body.count("PANEL_SERVER_NAME=") == body.count("$(FLASK)") + body.count("gunicorn"), target
    assert "PANEL_SERVER_NAME" in (ROOT / "scripts" / "scan.sh").read_text()
    assert "PANEL_SERVER_NAME" in (ROOT / "scripts" / "load.py").read_text()


# --- 2. no open redirect after sign-in -------------------------------------------------------

BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example", "/\\evil.example", "\\\\evil.example",
    "\\/evil.example", "/\\/evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example",
    "\t//evil.example", " //evil.example", "/ /evil.example", "/\x00/evil.example", "/\x0b/evil.example",
    "\x7f//evil.example", "/\x1f/evil.example", "https://evil.example", "http:evil.example",
    "https:/evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "evil.example", "/%2F/evil.example", "/%2f%2fevil.example",
    "%2F%2Fevil.example", "/%5Cevil.example", "/%09/evil.example", "/%252F%252Fevil.example",
    "/%25252F%25252Fevil.example", "/%E3%80%80/evil.example", "/\u3000/evil.example", "/\u2028/evil.example",
    "/\u200b/evil.example", "\uff0f\uff0fevil.example", "//evil.example@localhost", "http://localhost/",
    "/" + "a" * 3000,
]


def _browser_reads_as_same_site(location: str) -> bool:
    """What a browser does with a Location: drop tab and line breaks, trim controls and spaces."""
    seen = re.sub(r"[\t\n\r]", "", location).strip("\x00- ")
    return (seen.startswith("/") and not seen.startswith("//") and "\\" not in seen
            and not urlsplit(seen).scheme and not urlsplit(seen).netloc)


def _sign_in_with_next(client, user, target: str):
    client.get("/login")
    return client.post("/login", query_string={"next": target},
                       data={"csrf_token": client.csrf_token(), "email": user.email, "password": PASSWORD})


@pytest.mark.parametrize("target", BYPASSES)
def test_sign_in_never_redirects_off_site(app, session, target):
    user = make_user(session, "hr")
    response = _sign_in_with_next(app.test_client(), user, target)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/", location
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in")) is not None


@pytest.mark.parametrize("target,expected", [
    ("/vacancies/3?tab=panel", "/vacancies/3?tab=panel"),
    ("/account", "/account"),
    ("/\r\nX", "/X"),  # was a 500 after the sign-in had happened (its audit row rolled back)
    ("/%0d%0aX", "/%0d%0aX"),
    ("/acc\tount", "/account"),
    ("/search?q=Si%C3%A2n", "/search?q=Si%C3%A2n"),
])
def test_sign_in_keeps_a_path_on_this_site(app, session, target, expected):
    user = make_user(session, "hr")
    response = _sign_in_with_next(app.test_client(), user, target)
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert _browser_reads_as_same_site(expected) and _browser_reads_as_same_site(unquote(expected))
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in")) is not None


def test_the_timeout_redirect_round_trips(app, client, session):
    """The one place that puts next= in a URL (the idle sign-out) still brings you back."""
    user = make_user(session, "hr")
    response = _sign_in_with_next(client, user, "/account?x=1&y=2")
    assert response.headers["Location"] == "/account?x=1&y=2"


# --- 5. links die with any password change; a new link voids the old ones ---------------------

def test_reset_link_dies_when_the_password_is_changed_on_the_account_page(app, as_user, session):
    user = make_user(session, "chair", email="chair@example.org")
    link = _reset_link(app, app.test_client(), user.email)
    assert app.test_client().get(_path(link)).status_code == 200
    chair = as_user(user)
    assert chair.post_form("/account/password", {"current": PASSWORD, "password": "saffron heron bramble",
                                                 "confirm": "saffron heron bramble"}).status_code == 302
    assert app.test_client().get(_path(link)).status_code == 404


def test_reset_and_invitation_links_die_when_the_password_is_set_from_the_command_line(app, as_user, world, session):
    hr = as_user(world["hr"])
    assert hr.post_form("/people/invite", {"name": "Sam Jones", "email": "sam@example.org", "role": "panelist"}).status_code == 302
    [invite] = _links(app)
    result = app.test_cli_runner().invoke(args=["set-password", "sam@example.org", "--password-stdin"],
                                          input="granite willow harbour\n")
    assert result.exit_code == 0, result.output
    assert app.test_client().get(_path(invite)).status_code == 404


def test_link_dies_when_the_password_hash_changes_even_if_the_token_row_is_left(app, session):
    """The link is bound to the password: a change that never went through set_password (a
    restored backup, a database edit) still kills it."""
    user = make_user(session, "chair", email="chair@example.org")
    link = _reset_link(app, app.test_client(), user.email)
    user = session.get(User, user.id)
    user.password_hash = "scrypt:1024:8:1$other$0000"
    session.commit()
    assert session.scalar(select(AuthToken).where(AuthToken.user_id == user.id)).used_at is None
    assert app.test_client().get(_path(link)).status_code == 404


def test_using_one_link_kills_the_others(app, as_user, world, session):
    """A password set through a link ends every other outstanding link (and HR's invitation
    after a reset request kills the reset link: only the newest link works)."""
    chair = world["chair"]
    first = _reset_link(app, app.test_client(), chair.email)
    hr = as_user(world["hr"])
    assert hr.post_form(f"/people/{chair.id}/resend").status_code == 302
    second = _links(app)[-1]
    assert app.test_client().get(_path(first)).status_code == 404
    visitor = app.test_client()
    page = visitor.get(_path(second)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert visitor.post(_path(second), data={"csrf_token": token, "password": "lantern meadow copper",
                                            "confirm": "lantern meadow copper"}).status_code == 302
    session.expire_all()
    assert all(t.used_at is not None for t in session.scalars(select(AuthToken)))


def test_a_new_reset_request_voids_the_older_link(app, session):
    user = make_user(session, "chair", email="chair@example.org")
    first = _reset_link(app, app.test_client(), user.email)
    second = _reset_link(app, app.test_client(), user.email)
    tokens = session.scalars(select(AuthToken).order_by(AuthToken.id)).all()
    assert len(tokens) == 2 and tokens[0].used_at is not None and tokens[1].used_at is None
    assert app.test_client().get(_path(first)).status_code == 404
    assert app.test_client().get(_path(second)).status_code == 200


# --- 6. forgotten password: same work whatever the address, capped per address ----------------

def _forgot_unbuffered(app, email: str):
    client = app.test_client()
    token = client.csrf_token()
    mail_before = len(outbox_messages(app))
    with count_queries(app) as statements:
        response = client.post("/forgot-password", data={"csrf_token": token, "email": email}, buffered=False)
        in_request = list(statements)
        mail_in_request = len(outbox_messages(app)) - mail_before
    page = response.get_data(as_text=True)
    response.close()  # the server has sent the answer: the work after it runs now
    return in_request, mail_in_request, page


def test_forgot_password_does_the_same_work_for_known_and_unknown_addresses(app, session):
    make_user(session, "chair", email="known@example.org")
    known_sql, known_mail, known_page = _forgot_unbuffered(app, "known@example.org")
    unknown_sql, unknown_mail, unknown_page = _forgot_unbuffered(app, "unknown@example.org")
    assert known_mail == unknown_mail == 0  # no email is sent while the browser waits
    assert known_sql == unknown_sql  # the same statements, in the same order
    assert not any("users" in s for s in known_sql)  # the account is not even looked up
    strip = lambda page: re.sub(r"<strong>[^<]*</strong>|value=\"[^\"]*\"|nonce=\"[^\"]*\"|nonce-[^']+", "", page)
    assert strip(known_page) == strip(unknown_page)
    assert [m["To"] for m in outbox_messages(app)] == ["known@example.org"]  # sent after the answer


def test_forgot_password_is_capped_per_address_per_hour(app, session, caplog):
    make_user(session, "chair", email="chair@example.org")
    client = app.test_client()
    pages = []
    with caplog.at_level(logging.WARNING, logger="panel.auth"):
        for email in ["chair@example.org", "Chair@Example.ORG"] + ["chair@example.org"] * 3:
            pages.append(client.post_form("/forgot-password", {"email": email}).get_data(as_text=True))
    assert len(outbox_messages(app)) == 3
    assert sum("password reset requests" in r.getMessage() and "capped" in r.getMessage() for r in caplog.records) == 2
    strip = lambda page: re.sub(r"<strong>[^<]*</strong>|value=\"[^\"]*\"|nonce=\"[^\"]*\"|nonce-[^']+", "", page)
    assert len({strip(p) for p in pages}) == 1
    # an hour later, one more may go
    from panel.models import PasswordResetRequest

    for row in session.scalars(select(PasswordResetRequest)):
        row.at = row.at - dt.timedelta(hours=1, minutes=1)
    session.commit()
    client.post_form("/forgot-password", {"email": "chair@example.org"})
    assert len(outbox_messages(app)) == 4


# --- 7. throttling by (address, account); known devices; growing waits; owner told ------------

def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _fail(app, address: str, email: str, times: int = 1) -> None:
    for _ in range(times):
        assert login(_from(app, address), email, "not the password at all").status_code == 200


def test_a_stranger_cannot_keep_the_chair_out_of_a_device_they_have_used(app, session, caplog):
    chair = make_user(session, "chair", email="chair@example.org")
    tablet = _from(app, "10.0.0.20")
    assert login(tablet, chair).status_code == 302  # interview morning: this tablet is now known
    tablet.post_form("/logout")
    with caplog.at_level(logging.WARNING, logger="panel.auth"):
        _fail(app, "203.0.113.9", chair.email, 12)
    session.expire_all()
    assert session.get(User, chair.id).locked_until > utcnow()
    # a new device must wait...
    assert login(_from(app, "10.0.0.21"), chair).status_code == 200
    # ...the known tablet, with the right password, is let straight in
    assert login(tablet, chair).status_code == 302
    # every lockout is logged and audited
    assert any("locked" in r.getMessage() for r in caplog.records)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "lock", AuditEvent.entity_id == chair.id))


def test_a_device_cookie_is_signed_and_per_account(app, session):
    chair = make_user(session, "chair", email="chair@example.org")
    other = make_user(session, "panelist", email="other@example.org")
    device = _from(app, "10.0.0.30")
    assert login(device, other).status_code == 302  # known for "other", not for the chair
    device.post_form("/logout")
    _fail(app, "203.0.113.9", chair.email, 5)
    assert login(device, chair).status_code == 200
    forged = _from(app, "10.0.0.31")
    forged.set_cookie("panel_device", f"[{chair.id}]")
    assert login(forged, chair).status_code == 200


def test_the_wait_grows_and_is_capped(app, session):
    chair = make_user(session, "chair", email="chair@example.org")

    def wait_after_one_more() -> float:
        user = session.get(User, chair.id)
        if user.locked_until is not None:
            user.locked_until = utcnow() - dt.timedelta(seconds=1)  # the last wait is over
        session.execute(SignInAttempt.__table__.update().values(at=utcnow() - dt.timedelta(hours=2)))
        session.commit()
        _fail(app, "203.0.113.9", chair.email)
        session.expire_all()
        return (session.get(User, chair.id).locked_until - utcnow()).total_seconds()

    _fail(app, "203.0.113.9", chair.email, 4)
    waits = [wait_after_one_more() for _ in range(8)]
    assert 25 < waits[0] <= 30 and 55 < waits[1] <= 60 and 115 < waits[2] <= 120
    assert all(b >= a - 1 for a, b in zip(waits, waits[1:]))
    assert 14 * 60 < waits[-1] <= 15 * 60  # never more than LOGIN_LOCK_MINUTES


def test_the_owner_is_told_once_per_lock_period_and_strangers_learn_nothing(app, session):
    chair = make_user(session, "chair", "Chris Morgan", email="chair@example.org")
    _fail(app, "203.0.113.9", chair.email, 5)
    _fail(app, "203.0.113.9", "nobody@example.org", 5)  # an unknown address: no email to anyone
    [message] = outbox_messages(app)
    assert message["To"] == "chair@example.org" and "tried to sign in" in message["Subject"]
    assert "http://localhost/forgot-password" in message.get_content()
    user = session.get(User, chair.id)
    user.locked_until = utcnow() - dt.timedelta(seconds=1)
    session.commit()
    _fail(app, "198.51.100.4", chair.email)  # locked again within the quarter of an hour
    assert len(outbox_messages(app)) == 1
    # the answers are the same for a locked account, an unknown address and a wrong password
    strip = lambda r: re.sub(r"value=\"[^\"]*\"|nonce=\"[^\"]*\"|nonce-[^']+", "", r.get_data(as_text=True))
    answers = {strip(login(_from(app, "192.0.2.1"), email, password)) for email, password in
               [(chair.email, PASSWORD), ("nobody@example.org", PASSWORD), (chair.email, "wrong password here")]}
    assert len(answers) == 1


def test_failures_from_one_address_on_one_account_do_not_hold_back_other_accounts(app, session):
    """Everyone behind a proxy without PANEL_PROXY_FIX shares one address: 30 failures there on
    one account (once enough to block every account from that address) only hold back that
    account and that (address, account) pair."""
    victim = make_user(session, "panelist", email="victim@example.org")
    colleague = make_user(session, "chair", email="colleague@example.org")
    _fail(app, "127.0.0.1", "victim@example.org", 30)
    assert login(_from(app, "127.0.0.1"), colleague).status_code == 302
    session.expire_all()
    assert session.get(User, victim.id).locked_until is not None


def test_many_failures_from_one_address_slow_new_devices_only(app, session):
    app.config["LOGIN_MAX_ATTEMPTS_PER_CLIENT"] = 6
    users = [make_user(session, "panelist", email=f"p{i}@example.org") for i in range(3)]
    known = _from(app, "127.0.0.1")
    assert login(known, users[0]).status_code == 302
    known.post_form("/logout")
    for i in range(6):
        _fail(app, "127.0.0.1", f"sprayed{i}@example.org")
    assert login(_from(app, "127.0.0.1"), users[1]).status_code == 200  # new device: waits
    assert login(known, users[0]).status_code == 302  # known device: never refused


def test_a_reset_link_gets_the_owner_straight_in(app, session):
    """The message says so: choosing a new password ends the wait."""
    chair = make_user(session, "chair", email="chair@example.org")
    _fail(app, "203.0.113.9", chair.email, 6)
    phone = _from(app, "203.0.113.9")
    link = _reset_link(app, phone, chair.email)
    page = phone.get(_path(link)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert phone.post(_path(link), data={"csrf_token": token, "password": "lantern meadow copper",
                                         "confirm": "lantern meadow copper"}).status_code == 302
    assert login(_from(app, "203.0.113.9"), chair, "lantern meadow copper").status_code == 302


def test_the_message_tells_the_truth(app, client, session):
    page = login(client, "nobody@example.org").get_data(as_text=True)
    assert "15 minutes before trying again" not in page
    assert "After 5 wrong tries in a row" in page and "30 seconds" in page and "up to 15 minutes" in page
    assert "Forgotten your password" in page
