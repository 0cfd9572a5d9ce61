"""Issue 15 item 3: GOV.UK Notify (email and text messages) through the real client library
against a local fake Notify server; mobile numbers and contact preferences."""
from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from panel.models import Notification, NotificationStatus, User
from panel.notifications import services
from tests.conftest import login
from tests.test_notifications import run_worker

API_KEY = f"panel_test-{uuid.uuid4()}-{uuid.uuid4()}"
EMAIL_TEMPLATE, SMS_TEMPLATE = str(uuid.uuid4()), str(uuid.uuid4())


class FakeNotify:
    """POST /v2/notifications/email and /sms; records each request; ``mode`` "ok", "400" or "500"."""

    def __init__(self):
        self.requests: list[dict] = []
        self.mode = "ok"
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                auth = self.headers.get("Authorization", "")
                fake.requests.append({"path": self.path, "auth": auth, "json": body})
                if not auth.startswith("Bearer ") or auth.count(".") != 2:
                    return self._answer(403, {"errors": [{"error": "AuthError", "message": "no JWT"}], "status_code": 403})
                if self.path not in ("/v2/notifications/email", "/v2/notifications/sms"):
                    return self._answer(404, {"errors": [{"error": "NotFound", "message": "no such path"}]})
                if fake.mode == "400":
                    return self._answer(400, {"errors": [{"error": "ValidationError", "message": "phone_number Not a UK mobile number"}], "status_code": 400})
                if fake.mode == "500":
                    return self._answer(500, {"errors": [{"error": "Exception", "message": "Internal server error"}], "status_code": 500})
                return self._answer(201, {"id": f"notify-{len(fake.requests)}", "reference": body.get("reference")})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def notify(app):
    fake = FakeNotify()
    app.config.update(NOTIFY_API_KEY=API_KEY, NOTIFY_EMAIL_TEMPLATE_ID=EMAIL_TEMPLATE,
                      NOTIFY_SMS_TEMPLATE_ID=SMS_TEMPLATE, NOTIFY_BASE_URL=fake.url)
    yield fake
    fake.close()


def person(build, preference, mobile=None, name="Pat Patient"):
    user = build.user("panelist", name=name)
    user.contact_preference, user.mobile = preference, mobile
    build.commit()
    return user


def outbox(session, user):
    session.expire_all()
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)))


def test_email_and_text_sent_through_notify(app, build, notify):
    pat = person(build, "both", "+447700900982")
    v = build.vacancy(title="Clinical Psychologist", panel=[(pat, "patient")])
    build.commit()
    rows = outbox(build.session, pat)
    assert sorted((r.kind, r.channel) for r in rows) == [("added_to_panel", "email"), ("added_to_panel", "sms")]
    assert {r.idempotency_key for r in rows} == {f"added_to_panel:v{v.id}:u{pat.id}", f"sms:added_to_panel:v{v.id}:u{pat.id}"}
    result = run_worker(app)
    assert len(result.sent) == 2
    by_path = {r["path"]: r for r in notify.requests}
    email, sms = by_path["/v2/notifications/email"], by_path["/v2/notifications/sms"]
    assert email["auth"].startswith("Bearer ") and sms["auth"].startswith("Bearer ")
    assert email["json"]["template_id"] == EMAIL_TEMPLATE and email["json"]["email_address"] == pat.email
    assert email["json"]["personalisation"]["subject"] == rows[0].subject
    assert "Clinical Psychologist" in email["json"]["personalisation"]["body"]
    assert sms["json"]["template_id"] == SMS_TEMPLATE and sms["json"]["phone_number"] == "+447700900982"
    text = sms["json"]["personalisation"]["body"]
    assert text.startswith("Hi Pat, ") and f"/vacancies/{v.id}" in text
    # no surname, no vacancy title or reference, no other person
    for secret in ("Patient", "Clinical", "Psychologist", v.reference):
        assert secret not in text
    assert {r.provider_id for r in outbox(build.session, pat)} == {"notify-1", "notify-2"}
    assert all(r.status == NotificationStatus.SENT for r in outbox(build.session, pat))


def test_text_message_bodies_name_only_the_person(app, build):
    with app.test_request_context():
        for kind, text in services.SMS_TEXT.items():
            body = text.format(first_name="Pat", link="https://x/v/1")
            assert body.startswith("Hi Pat, ") and body.endswith("https://x/v/1") and len(body) <= 160, kind
    assert set(services.SMS_TEXT) == set(services.KIND_LABELS)


def test_notify_400_fails_for_good_and_500_is_retried(app, build, notify):
    pat = person(build, "text", "+447700900982")
    build.vacancy(panel=[(pat, "patient")])
    build.commit()
    notify.mode = "500"
    result = run_worker(app)
    assert len(result.retrying) == 1 and not result.failed
    row = outbox(build.session, pat)[0]
    assert row.status == NotificationStatus.QUEUED and row.attempts == 1 and "500" in row.last_error
    notify.mode = "400"
    row.next_attempt_at = None
    build.commit()
    result = run_worker(app)
    assert len(result.failed) == 1
    row = outbox(build.session, pat)[0]
    assert row.status == NotificationStatus.FAILED and "Not a UK mobile number" in row.last_error
    assert len(notify.requests) == 2


def test_without_a_notify_key_email_goes_by_smtp_outbox(app, build):
    pat = person(build, "email")
    build.vacancy(panel=[(pat, "patient")])
    build.commit()
    assert len(run_worker(app).sent) == 1
    assert outbox(build.session, pat)[0].channel == "email"


@pytest.mark.parametrize("preference,kind,channels", [
    ("email", "shortlisting_reminder", ("email",)),
    ("text", "shortlisting_reminder", ("sms",)),
    ("both", "results_signed_off", ("email", "sms")),
    ("essential", "added_to_panel", ("email",)),
    ("essential", "interview_day", ("email",)),
    ("essential", "interview_day_cancelled", ("email",)),
    ("essential", "shortlisting_opened", ()),
    ("essential", "shortlisting_reminder", ()),
    ("essential", "interview_day_reminder", ()),
    ("essential", "results_signed_off", ()),
])
def test_preference_respected_per_kind(preference, kind, channels):
    assert services.channels_for(User(contact_preference=preference), kind) == channels


def test_essential_only_still_told_when_added_to_a_panel(app, build):
    pat = person(build, "essential")
    v = build.vacancy(panel=[(pat, "patient")])
    build.commit()
    assert [(r.kind, r.channel) for r in outbox(build.session, pat)] == [("added_to_panel", "email")]
    with build.context():
        services.enqueue(build.session, user=pat, vacancy=v, kind="shortlisting_reminder", key="t:1",
                         context=services._context(v, pat, deadline=None, day=None, when="soon"))
    assert len(outbox(build.session, pat)) == 1


def test_mobile_number_accepted_and_normalised(app, client, build):
    pat = person(build, "email")
    login(client, pat.email)
    r = client.post_form("/account", {"mobile": "07400 123456", "contact_preference": "both"})
    assert r.status_code == 302
    build.session.expire_all()
    user = build.session.get(User, pat.id)
    assert (user.mobile, user.contact_preference) == ("+447400123456", "both")


@pytest.mark.parametrize("mobile,preference,message", [
    ("020 7946 0018", "text", "Enter a UK mobile phone number, starting 07 or +44 7"),  # a London landline
    ("+33 6 12 34 56 78", "text", "Enter a UK mobile phone number, starting 07 or +44 7"),  # a French mobile
    ("call me", "email", "Enter a UK mobile phone number, starting 07 or +44 7"),
    ("", "text", "Enter your mobile phone number to get text messages"),
])
def test_bad_mobile_refused_next_to_the_field(app, client, build, mobile, preference, message):
    pat = person(build, "email")
    login(client, pat.email)
    r = client.post_form("/account", {"mobile": mobile, "contact_preference": preference})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert message in html and "nhsuk-error-message" in html
    build.session.expire_all()
    user = build.session.get(User, pat.id)
    assert (user.mobile, user.contact_preference) == (None, "email")


def test_hr_sees_who_would_not_be_reached(app, client, build):
    texter = person(build, "text", name="Tess Texter")
    gone = person(build, "email", name="Dee Gone")
    fine = person(build, "email", name="Fay Fine")
    v = build.vacancy(panel=[(texter, "patient"), (gone, "patient"), (fine, "patient")])
    gone.active = False
    build.commit()
    login(client, build.actor.email)
    r = client.get(f"/vacancies/{v.id}/messages")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "They chose text messages but have not given a mobile number" in html and "Tess Texter" in html
    assert "Their account is deactivated" in html
    section = html.split("People messages would not reach")[1].split("</ul>")[0]
    assert "Fay Fine" not in section


def test_interview_day_by_text_is_sent_once_per_change(app, build):
    """A text-only person's interview-day messages follow the same versions as email ones."""
    import datetime as dt
    from panel.models import InterviewDay
    pat = person(build, "text", "+447400123456")
    v = build.vacancy(panel=[(pat, "patient")])
    build.commit()
    start = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.timezone.utc)
    with build.context():
        day = InterviewDay(vacancy_id=v.id, starts_at=start, ends_at=start + dt.timedelta(hours=6), default_location="Room 1")
        build.session.add(day)
        build.session.flush()
        services.sync_calendar(build.session, v)
        services.sync_calendar(build.session, v)  # nothing changed: nothing new
        day.default_location = "Room 2"
        services.sync_calendar(build.session, v)
    build.commit()
    keys = [r.idempotency_key for r in outbox(build.session, pat) if r.kind == "interview_day"]
    assert len(keys) == 2 and all(k.startswith("sms:interview_day:") for k in keys)
    assert ":s0:" in keys[0] and ":s1:" in keys[1]


def test_interview_day_email_through_notify_links_its_calendar_file(app, client, build, notify):
    """Notify sends no attachments (and its "send a file by email" is a download page, for file
    types without text/calendar): the email carries a signed link to the calendar file served
    by panel, which needs no sign-in and names only that message's file."""
    import datetime as dt
    import re

    import icalendar

    from panel.models import InterviewDay

    pat = person(build, "email")
    v = build.vacancy(panel=[(pat, "patient")])
    start = dt.datetime(2030, 5, 6, 9, 0, tzinfo=dt.timezone.utc)
    with build.context():
        build.session.add(InterviewDay(vacancy_id=v.id, starts_at=start, ends_at=start + dt.timedelta(hours=6),
                                       default_location="Room 1"))
        build.session.flush()
        services.sync_calendar(build.session, v)
    build.commit()
    [invitation] = [r for r in outbox(build.session, pat) if r.kind == "interview_day"]
    # not sent yet: its link shows nothing
    with app.test_request_context():
        from panel.notifications import calendar
        early = f"/calendar/{calendar.file_token(invitation.id)}/invitation.ics"
    assert client.get(early).status_code == 404
    run_worker(app)
    sent = [r["json"] for r in notify.requests if r["path"] == "/v2/notifications/email"
            and r["json"]["personalisation"]["subject"] == invitation.subject]
    body = sent[0]["personalisation"]["body"]
    match = re.search(r"To add it to your calendar \(or update it there\), open this calendar file: "
                      r"http://localhost(/calendar/[^/\s]+/invitation\.ics)", body)
    assert match, body
    r = client.get(match.group(1))  # nobody signed in
    assert r.status_code == 200 and r.mimetype == "text/calendar" and r.headers["Cache-Control"] == "no-store"
    event = icalendar.Calendar.from_ical(r.get_data()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == start and str(event["location"]) == "Room 1"
    # a link altered or made up: not found
    token = match.group(1).split("/")[2]
    assert client.get(f"/calendar/{token[:-2]}xx/invitation.ics").status_code == 404
    assert client.get("/calendar/1/invitation.ics").status_code == 404
    # other messages (no calendar file) carry no link
    added = [r["json"]["personalisation"]["body"] for r in notify.requests if "added" in r["json"]["personalisation"]["subject"]]
    assert added and "calendar file" not in added[0]
