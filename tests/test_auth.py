"""Sign-in, lockout, passwords, invitations, resets and sessions."""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from sqlalchemy import select

from panel.db import utcnow
from panel.models import AuditEvent, AuthToken, User
from tests.conftest import PASSWORD, login, make_user, mail_to, outbox_messages

LINK_RE = re.compile(r"https?://[^\s]+/set-password/[^\s]+")


def test_production_password_hash_is_scrypt_n15_r8_p3(tmp_path):
    from panel import create_app

    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                      "SERVER_NAME": "panel.example.org"})
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt:32768:8:3"
    with app.app_context():
        from panel.passwords import hash_password

        assert hash_password("a long enough password").startswith("scrypt:32768:8:3$")


def test_sign_in_with_right_password(client, session):
    user = make_user(session, "hr", email="priya@example.org")
    response = login(client, "Priya@Example.org ")  # case and spaces do not matter
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    session.expire_all()
    assert session.get(User, user.id).last_login_at is not None


@pytest.mark.parametrize("email,password", [("nobody@example.org", PASSWORD), ("known@example.org", "wrong password!!")])
def test_failed_sign_in_does_not_reveal_whether_the_email_exists(client, session, email, password):
    make_user(session, "panelist", email="known@example.org")
    response = login(client, email, password)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Enter a correct email address and password" in page
    assert "nhsuk-error-summary" in page


def test_lockout_after_five_failures_and_unlock_by_cli(app, client, session):
    user = make_user(session, "chair", email="chair@example.org")
    for _ in range(5):
        assert login(client, user, "not the password").status_code == 200
    session.expire_all()
    locked = session.get(User, user.id)
    # the first wait is LOGIN_BACKOFF_SECONDS (it grows with each further failure), not a flat 15 minutes
    assert locked.locked_until is not None and locked.locked_until > utcnow() + dt.timedelta(seconds=20)
    # from a device new to the account, even the right password is refused while it must wait,
    # with the same message
    response = login(client, user, PASSWORD)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)
    # set-password unlocks
    runner = app.test_cli_runner()
    result = runner.invoke(args=["set-password", "chair@example.org", "--password-stdin"], input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert login(client, user, "a brand new passphrase").status_code == 302


def test_lock_expires_after_fifteen_minutes(client, session):
    user = make_user(session, "chair", email="chair@example.org")
    user.locked_until = utcnow() - dt.timedelta(seconds=1)
    session.commit()
    assert login(client, user).status_code == 302


@pytest.mark.parametrize("password,message", [
    ("short", "at least 12 characters"),
    ("passwordpassword", "too common"),
    ("aaaaaaaaaaaaaaaa", "too common"),
])
def test_password_rules(app, password, message):
    from panel.passwords import password_problem

    with app.test_request_context():
        assert message in password_problem(password)
        assert password_problem("copper kettle garden") is None


def _invite(as_user, world, email="new.person@example.org", name="Aoife O'Brien"):
    hr = as_user(world["hr"])
    response = hr.post_form("/people/invite", {"name": name, "email": email, "role": "panelist"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return hr


def test_invitation_email_link_sets_password_once(app, as_user, world, session):
    _invite(as_user, world)
    [msg] = mail_to(app, "new.person@example.org")
    body = msg.get_content()
    link = LINK_RE.search(body).group(0)
    path = link.split("localhost", 1)[1]
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "Aoife O&#39;Brien" in page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    bad = visitor.post(path, data={"csrf_token": token, "password": "password1234", "confirm": "password1234"})
    assert bad.status_code == 200 and "too common" in bad.get_data(as_text=True)
    ok = visitor.post(path, data={"csrf_token": token, "password": "lantern meadow copper", "confirm": "lantern meadow copper"})
    assert ok.status_code == 302
    assert visitor.get("/").status_code == 200  # signed in
    # single use
    again = app.test_client().get(path)
    assert again.status_code == 404 and "This link no longer works" in again.get_data(as_text=True)
    assert login(app.test_client(), "new.person@example.org", "lantern meadow copper").status_code == 302
    # the token is stored only as a hash and never in the audit log
    raw = path.rsplit("/", 1)[1]
    assert session.scalar(select(AuthToken).where(AuthToken.token_hash == raw)) is None
    for event in session.scalars(select(AuditEvent)):
        assert raw not in str(event.changes) and raw not in event.summary


def test_invitation_expires_after_72_hours(app, as_user, world, session):
    _invite(as_user, world)
    path = LINK_RE.search(mail_to(app, "new.person@example.org")[0].get_content()).group(0).split("localhost", 1)[1]
    for token in session.scalars(select(AuthToken)):
        token.expires_at = utcnow() - dt.timedelta(minutes=1)
    session.commit()
    assert app.test_client().get(path).status_code == 404


def test_resending_an_invitation_kills_the_old_link(app, as_user, world, session):
    hr = _invite(as_user, world)
    first = LINK_RE.search(mail_to(app, "new.person@example.org")[0].get_content()).group(0).split("localhost", 1)[1]
    user = session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert hr.post_form(f"/people/{user.id}/resend").status_code == 302
    second = LINK_RE.search(mail_to(app, "new.person@example.org")[1].get_content()).group(0).split("localhost", 1)[1]
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_invite_refuses_duplicate_and_bad_email(as_user, world, session):
    hr = as_user(world["hr"])
    count = session.query(User).count()
    response = hr.post_form("/people/invite", {"name": "X", "email": "PANELIST@example.org", "role": "panelist"})
    assert "already has an account" in response.get_data(as_text=True)
    response = hr.post_form("/people/invite", {"name": "X", "email": "not-an-email", "role": "panelist"})
    assert "correct format" in response.get_data(as_text=True)
    response = hr.post_form("/people/invite", {"name": "", "email": "x@example.org", "role": "wizard"})
    page = response.get_data(as_text=True)
    assert "Enter their full name" in page and "Not a valid choice" in page
    assert session.query(User).count() == count


def test_forgot_password_same_answer_for_unknown_email(app, client, session):
    make_user(session, "panelist", email="known@example.org")
    known = client.post_form("/forgot-password", {"email": "known@example.org"})
    unknown = client.post_form("/forgot-password", {"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r"<strong>[^<]*</strong>|value=\"[^\"]*\"|nonce=\"[^\"]*\"", "", r.get_data(as_text=True))
    assert strip(known) == strip(unknown)
    messages = outbox_messages(app)
    assert [m["To"] for m in messages] == ["known@example.org"]
    link = LINK_RE.search(messages[0].get_content()).group(0).split("localhost", 1)[1]
    page = client.get(link)
    assert "Choose a new password" in page.get_data(as_text=True)


def test_sign_out_ends_the_session_on_the_server(app, client, session):
    user = make_user(session, "hr")
    login(client, user)
    with client.session_transaction() as saved:
        stolen = dict(saved)
    assert client.post_form("/logout").status_code == 302
    assert client.get("/").status_code == 302
    # replaying the old cookie contents does not bring the session back
    replay = app.test_client()
    with replay.session_transaction() as s:
        s.update(stolen)
    assert replay.get("/").status_code == 302


def test_sign_out_needs_a_csrf_token(client, session):
    user = make_user(session, "hr")
    login(client, user)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_deactivation_signs_out_everywhere(as_user, world):
    panelist = as_user(world["panelist"])
    assert panelist.get("/").status_code == 200
    hr = as_user(world["hr"])
    assert hr.post_form(f"/people/{world['panelist'].id}/active", {"active": "0"}).status_code == 302
    assert panelist.get("/").status_code == 302
    assert login(panelist, world["panelist"]).status_code == 200  # cannot sign in again


def test_new_session_on_sign_in(client, session):
    user = make_user(session, "hr")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    login(client, user)
    with client.session_transaction() as s:
        assert "planted" not in s


def test_idle_timeout_and_extend(app, client, session):
    user = make_user(session, "hr")
    login(client, user)
    with client.session_transaction() as s:
        s["last_seen"] = time.time() - 29 * 60
    assert client.post_form("/session/extend").status_code == 200
    with client.session_transaction() as s:
        assert time.time() - s["last_seen"] < 5
        s["last_seen"] = time.time() - 31 * 60
    response = client.get("/vacancies")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    client.signed_in = False
    assert "signed out because you had not done anything" in client.get("/login").get_data(as_text=True)


def test_absolute_timeout(client, session):
    user = make_user(session, "hr")
    login(client, user)
    with client.session_transaction() as s:
        s["signed_in_at"] = time.time() - 13 * 3600
    assert client.get("/").status_code == 302


def test_session_cookie_flags(app, session):
    user = make_user(session, "hr")
    client = app.test_client()
    response = login(client, user)
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    app.config["SESSION_COOKIE_SECURE"] = True
    client2 = app.test_client()
    response = login(client2, user)
    assert "Secure" in response.headers.get("Set-Cookie")


def test_open_redirect_refused(client, session):
    user = make_user(session, "hr")
    client.get("/login")
    response = client.post("/login?next=//evil.example/x", data={
        "csrf_token": client.csrf_token(), "email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_change_password_keeps_this_session_and_ends_others(as_user, world):
    first = as_user(world["chair"])
    second = as_user(world["chair"])
    response = second.post_form("/account/password", {"current": PASSWORD, "password": "saffron heron bramble", "confirm": "saffron heron bramble"})
    assert response.status_code == 302
    assert second.get("/").status_code == 200
    assert first.get("/").status_code == 302


def test_cli_create_user(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "boss@example.org", "--name", "Bo Ss", "--role", "hr", "--password-stdin"],
                           input="short\n")
    assert result.exit_code != 0 and "at least 12" in result.output
    result = runner.invoke(args=["create-user", "boss@example.org", "--name", "Bo Ss", "--role", "hr", "--password-stdin"],
                           input="granite willow harbour\n")
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "boss@example.org", "granite willow harbour").status_code == 302
    result = runner.invoke(args=["create-user", "boss@example.org", "--name", "Again", "--role", "hr", "--password-stdin"],
                           input="granite willow harbour\n")
    assert result.exit_code != 0 and "already has an account" in result.output
    # prompted twice when not from stdin
    result = runner.invoke(args=["create-user", "two@example.org", "--name", "Two", "--role", "chair"],
                           input="granite willow harbour\ngranite willow harbour\n")
    assert result.exit_code == 0, result.output


def test_throttle_per_client_address_across_accounts(app, session):
    # the address limit counts different accounts (spraying), not failures on one account
    app.config["LOGIN_MAX_ATTEMPTS_PER_CLIENT"] = 6
    users = [make_user(session, "panelist", email=f"p{i}@example.org") for i in range(6)]
    client = app.test_client()
    for i in range(6):  # spread over accounts, so no single account locks
        assert login(client, users[i], "wrong password here").status_code == 200
    session.expire_all()
    assert all(session.get(User, u.id).locked_until is None for u in users)
    # this address must now wait, even with a right password (from a device new to the account)
    assert login(client, users[0]).status_code == 200
    # another address is not affected
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert login(other, users[0]).status_code == 302
