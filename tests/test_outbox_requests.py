"""Every email goes through the notifications outbox: a request writes the message with its event
(one transaction), the worker sends it; a link that is a key (booking, set-password) is made only
as the message is sent and is never stored or shown in the app; a worker that dies mid-send
never makes a message go twice."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from sqlalchemy import select, update

from panel import mail
from panel.models import AuthToken, CandidateInvitation, Notification, User
from panel.notifications import worker
from tests.conftest import deliver, login, mail_to, make_user, outbox_messages

SET_PASSWORD = re.compile(r"http://localhost(/set-password/\S+)")
BOOKING = re.compile(r"http://localhost(/book/\S+)")


@pytest.fixture()
def no_sending(monkeypatch):
    """Any attempt to send an email (SMTP or the outbox folder) is recorded: none may happen."""
    attempts = []
    monkeypatch.setattr(mail, "send_email", lambda to, *args, **kwargs: attempts.append(to))
    monkeypatch.setattr(mail.smtplib, "SMTP", lambda *args, **kwargs: attempts.append("SMTP"))
    return attempts


def _kinds(session) -> list[str]:
    session.expire_all()
    return sorted(n.kind for n in session.scalars(select(Notification).where(Notification.vacancy_id.is_(None)
                                                                           | (Notification.kind == "candidate_invitation"))))


def test_no_request_sends_an_email_the_worker_does(app, as_user, plan_world, session, no_sending, monkeypatch):
    hr = as_user(plan_world["hr"])
    a = plan_world["a"]
    assert hr.post_form("/people/invite", {"name": "Aoife O'Brien", "email": "aoife@example.org",
                                           "role": "panelist"}).status_code == 302
    aoife = session.scalar(select(User).where(User.email == "aoife@example.org"))
    assert hr.post_form(f"/people/{aoife.id}/resend").status_code == 302
    assert hr.post_form(f"/vacancies/{a.id}/invitations/send-all", {}).status_code == 302
    make_user(session, "chair", email="chair2@example.org")
    assert as_user(None).post_form("/forgot-password", {"email": "chair2@example.org"}).status_code == 200
    for _ in range(app.config["LOGIN_MAX_ATTEMPTS"]):  # the owner is told someone tried to sign in
        login(app.test_client(), "chair2@example.org", "not the password at all")
    assert no_sending == []  # nothing was sent while a browser waited (nor after the answer)
    assert _kinds(session) == ["account_invitation", "account_invitation", "candidate_invitation", "password_reset",
                               "sign_in_alert"]
    monkeypatch.undo()
    deliver(app)
    subjects = {(m["To"], m["Subject"]) for m in outbox_messages(app, deliver_first=False)}
    assert ("aoife@example.org", "You have been invited to panel") in subjects
    assert ("chair2@example.org", "Reset your panel password") in subjects
    assert ("chair2@example.org", "Someone tried to sign in to your panel account") in subjects
    assert any(to == plan_world["a1"].email and subject.startswith("Invitation to interview") for to, subject in subjects)
    # the earlier invitation's link was replaced by the resent one's: one working link each
    first, second = mail_to(app, "aoife@example.org")
    paths = [SET_PASSWORD.search(m.get_content()).group(1) for m in (first, second)]
    assert as_user(None).get(paths[0]).status_code == 404 and as_user(None).get(paths[1]).status_code == 200


def test_an_event_that_is_rolled_back_leaves_no_message(app, as_user, plan_world, session, monkeypatch):
    """The message is written in the event's transaction: when anything after it fails, neither
    the event nor its message is kept (so nothing is sent about something that did not happen)."""
    from panel import audit

    real = audit.record

    def broken(session, actor, action, *args, **kwargs):
        if action == "invite":
            raise RuntimeError("the audit log is full")
        return real(session, actor, action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", broken)
    hr = as_user(plan_world["hr"])
    a = plan_world["a"]
    assert hr.post_form(f"/vacancies/{a.id}/invitations/send-all", {}).status_code == 500
    assert hr.post_form("/people/invite", {"name": "Aoife O'Brien", "email": "aoife@example.org",
                                           "role": "panelist"}).status_code == 500
    session.expire_all()
    assert session.scalars(select(CandidateInvitation)).all() == []
    assert session.scalar(select(User).where(User.email == "aoife@example.org")) is None
    assert _kinds(session) == []
    assert mail_to(app, plan_world["a1"].email) == [] and mail_to(app, "aoife@example.org") == []


def test_links_that_are_keys_are_never_stored_or_shown(app, as_user, plan_world, session):
    a, a1 = plan_world["a"], plan_world["a1"]
    hr = as_user(plan_world["hr"])
    hr.post_form(f"/vacancies/{a.id}/invitations/send-all", {})
    chair = plan_world["chair"]
    as_user(None).post_form("/forgot-password", {"email": chair.email})
    queued = {n.kind: n for n in session.scalars(select(Notification))}
    assert "/book/" not in queued["candidate_invitation"].body  # (its place is kept by a placeholder)
    assert "{personal_link}" in queued["password_reset"].body and "/set-password/" not in queued["password_reset"].body
    deliver(app)
    booking = BOOKING.search(mail_to(app, a1.email)[-1].get_content()).group(1)
    reset = SET_PASSWORD.search(mail_to(app, chair.email)[-1].get_content()).group(1)
    assert as_user(None).get(booking).status_code == 200 and as_user(None).get(reset).status_code == 200
    secrets = [booking.rsplit("/", 1)[1], reset.rsplit("/", 1)[1]]
    session.expire_all()
    for row in session.scalars(select(Notification)):  # neither the outbox nor the invitation holds them
        for secret in secrets:
            assert secret not in row.body and secret not in (row.attachment or "") and secret not in row.subject
    for invitation in session.scalars(select(CandidateInvitation)):
        assert all(secret not in invitation.body for secret in secrets)
    assert session.scalar(select(Notification).where(Notification.kind == "password_reset")).was_sent
    # the chair's own "Messages sent to you" says where the link was, without it
    page = as_user(chair).get("/account/messages").get_data(as_text=True)
    assert "Reset your panel password" in page and "a personal link, made when the email was sent" in page
    assert all(secret not in page for secret in secrets) and "{personal_link}" not in page
    # HR's view of the candidate's messages: what went and whether it went, never the link
    page = hr.get(f"/vacancies/{a.id}/candidates/{a1.id}").get_data(as_text=True)
    assert "– Sent" in page and secrets[0] not in page


def _due(session, nid: int, when: dt.datetime) -> None:
    session.execute(update(Notification).where(Notification.id == nid).values(due_at=when))
    session.commit()


class Died(BaseException):
    """The worker process is killed while it sends (not an error it could catch and record)."""


def test_a_worker_that_dies_mid_send_never_sends_a_message_twice(app, as_user, plan_world, session, monkeypatch):
    a, a1 = plan_world["a"], plan_world["a1"]
    as_user(plan_world["hr"]).post_form(f"/vacancies/{a.id}/invitations/send-all", {})
    [invitation] = session.scalars(select(CandidateInvitation)).all()
    nid = invitation.notification_id
    now = dt.datetime.now(dt.timezone.utc)
    _due(session, nid, now + dt.timedelta(days=1))
    deliver(app)  # the panel's own messages go first, so the workers below see only the invitation
    _due(session, nid, now)
    real = mail.send_email
    sent = []

    def dying(to, *args, **kwargs):
        raise Died()

    monkeypatch.setattr(mail, "send_email", dying)
    with app.app_context():
        assert worker.claim("a") == [nid]
        with pytest.raises(Died):
            worker.send_one(nid, "a", worker.RunResult())  # it made the link, then died sending
        assert worker.claim("b") == []  # its lease still holds: nobody else sends it meanwhile
    monkeypatch.setattr(mail, "send_email", lambda to, *args, **kwargs: sent.append(to) or real(to, *args, **kwargs))
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=app.config["NOTIFY_LEASE_SECONDS"] + 1)
    with app.app_context(), time_machine.travel(later, tick=False):
        assert worker.claim("b") == [nid]  # the lease ran out: "b" takes it over
        result = worker.RunResult()
        worker.send_one(nid, "b", result)
        assert result.sent == [nid]
        comeback = worker.RunResult()
        worker.send_one(nid, "a", comeback)  # "a" comes back: its claim is gone, it sends nothing
        assert comeback.sent == [] and worker.run_once("c").sent == []
    assert sent == [a1.email]
    session.expire_all()
    assert session.get(CandidateInvitation, invitation.id).was_sent
    # the link "a" made was replaced by the one in the email that went, which works
    link = BOOKING.search(mail_to(app, a1.email)[-1].get_content()).group(1)
    assert as_user(None).get(link).status_code == 200


def test_a_reset_link_is_made_when_it_is_sent_and_counts_its_hours_from_then(app, session, as_user):
    user = make_user(session, "chair", email="later@example.org")
    as_user(None).post_form("/forgot-password", {"email": user.email})
    assert session.scalars(select(AuthToken)).all() == []  # no working link exists before it is sent
    hours = app.config["INVITE_VALID_HOURS"]
    with time_machine.travel(dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5), tick=False):
        deliver(app)
    [token] = session.scalars(select(AuthToken)).all()
    assert abs((token.expires_at - token.created_at) - dt.timedelta(hours=hours)) < dt.timedelta(seconds=1)
    assert token.created_at > dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=4)
