"""Interview invitations to candidates: preview, edit, send, record, retry, and never
name a patient panelist."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from panel.mail import MailError
from panel.models import AuditEvent, CandidateInvitation, InterviewSlot, InvitationTemplate
from tests.builders_plugin import builder
from tests.conftest import deliver, mail_to, make_user, outbox_messages

UTC = dt.timezone.utc


def _to_candidates(app):
    """The emails sent to candidates so far (after running the notifications worker once)."""
    return [m for m in outbox_messages(app) if m["To"].endswith("@candidates.example")]


def _invitations(session):
    session.expire_all()
    return list(session.scalars(select(CandidateInvitation).order_by(CandidateInvitation.id)))


def _add_staff_and_second_patient(session, plan_world):
    """A panel of chair, staff member and two patient panelists."""
    a = plan_world["a"]
    staff = make_user(session, "chair", "Dr Sam Patel", "sam.patel@example.org")
    patient2 = make_user(session, "panelist", "Zoë Ashworth-Reid", "zoe.ar@example.org")
    build = builder(session)
    build.panel_member(a, staff, "staff", actor=plan_world["hr"])
    build.panel_member(a, patient2, "patient", actor=plan_world["hr"])
    build.commit()
    return ["Chris Morgan", "John O'Neill", "Dr Sam Patel", "Zoë Ashworth-Reid"]


def test_hr_previews_a_filled_in_invitation_that_names_nobody_on_the_panel(as_user, plan_world, session):
    names = _add_staff_and_second_patient(session, plan_world)
    a, a1 = plan_world["a"], plan_world["a1"]
    page = as_user(plan_world["hr"]).get(f"/vacancies/{a.id}/invitations/{a1.id}").get_data(as_text=True)
    assert "To: <bdi>alex.smith@candidates.example</bdi>" in page
    assert "Dear Alex," in page
    assert "Date: Tuesday 12 January 2027" in page and "Time: 9:30am to 10:15am" in page
    assert "Place: Meeting Room 2" in page
    assert ("Your interview panel will be the chair of the panel, who is a member of staff, one other member of staff "
            "and two people who have used our service and now help us recruit staff (patient panel members).") in page
    form_html = page[page.index("<form"):page.index("</form>")]
    for name in names:
        assert name not in form_html and name.replace("'", "&#39;") not in form_html


def test_sending_an_invitation_emails_the_candidate_and_records_it(app, as_user, plan_world, session):
    names = _add_staff_and_second_patient(session, plan_world)
    a, a1 = plan_world["a"], plan_world["a1"]
    hr = as_user(plan_world["hr"])
    page = hr.get(f"/vacancies/{a.id}/invitations/{a1.id}").get_data(as_text=True)
    assert "Check the email" in page
    response = hr.post_form(f"/vacancies/{a.id}/invitations/{a1.id}", {
        "subject": "Invitation to interview: Psychological Wellbeing Practitioner (A-1)",
        "body": "Dear Alex,\nYour interview is on Tuesday 12 January 2027 at 9:30am in Meeting Room 2.\nWe look forward to meeting you."},
        follow_redirects=True)
    # the request queued it (the invitation and its outbox row together); the worker sends it
    assert "is queued: it will be sent within a minute" in response.get_data(as_text=True)
    assert "Queued" in response.get_data(as_text=True)
    assert not [m for m in outbox_messages(app, deliver_first=False) if m["To"] == a1.email]
    [invitation] = _invitations(session)
    assert invitation.waiting and invitation.notification.candidate_id == a1.id
    assert invitation.notification.kind == "candidate_invitation" and "/book/" not in invitation.notification.body
    deliver(app)
    [message] = mail_to(app, "alex.smith@candidates.example")
    assert "Tuesday 12 January 2027 at 9:30am" in message.get_content()
    assert "http://localhost/book/" in message.get_content()  # the booking link, made as it was sent
    [invitation] = _invitations(session)
    assert invitation.candidate_id == a1.id and invitation.was_sent and invitation.delivered_at
    assert invitation.sent_by_id == plan_world["hr"].id
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "invite"))
    assert event.summary == "Interview invitation to Candidate 01 queued to be emailed"  # no name or email in the log
    listing = hr.get(f"/vacancies/{a.id}/invitations").get_data(as_text=True)
    assert "Sent" in listing and "Send an updated invitation" in listing
    for name in names:
        assert name not in message.get_content()
    # HR sees it on the candidate's page with the other messages to them
    candidate_page = hr.get(f"/vacancies/{a.id}/candidates/{a1.id}").get_data(as_text=True)
    assert "Invitation to interview: Psychological Wellbeing Practitioner (A-1)</bdi> – Sent" in candidate_page


def test_patient_panelists_are_never_named_to_candidates(app, as_user, plan_world, session):
    """The standard invitation names nobody; a message or template that names a patient
    panelist is refused and nothing is sent."""
    names = _add_staff_and_second_patient(session, plan_world)
    a, a1 = plan_world["a"], plan_world["a1"]
    hr = as_user(plan_world["hr"])
    # send everyone the standard wording
    hr.post_form(f"/vacancies/{a.id}/invitations/send-all", {})
    messages = _to_candidates(app)
    assert len(messages) == 1  # Candidate 02 has no slot yet
    text = messages[0]["Subject"] + "\n" + messages[0].get_content()
    for name in names:
        assert name not in text
    for first_name in ("John", "Zoë", "Chris", "Sam"):
        assert first_name not in text
    assert "patient panel members" in text
    # HR cannot type a patient panelist's name into one message...
    response = hr.post_form(f"/vacancies/{a.id}/invitations/{a1.id}", {
        "subject": "Your interview", "body": "You will meet john  O'NEILL, who used our service."})
    assert response.status_code == 400
    assert "patient panel members are never named to candidates" in response.get_data(as_text=True)
    # ...nor into the template
    response = hr.post_form(f"/vacancies/{a.id}/invitations/template", {
        "subject": "Meet Zoë Ashworth-Reid", "body": "Dear {first_name}"})
    assert response.status_code == 400
    assert "Take out Zoë Ashworth-Reid" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(InvitationTemplate)) is None
    assert len(_to_candidates(app)) == 1 and len(_invitations(session)) == 1


def test_hr_edits_the_template_and_it_is_used(app, as_user, plan_world, session):
    a, a2 = plan_world["a"], plan_world["a2"]
    hr = as_user(plan_world["hr"])
    page = hr.get(f"/vacancies/{a.id}/invitations/template").get_data(as_text=True)
    assert "{first_name}" in page and "{panel}" in page
    bad = hr.post_form(f"/vacancies/{a.id}/invitations/template", {"subject": "Hi {firstname}", "body": "Dear {first_name}"})
    assert bad.status_code == 400 and "{firstname} is not a placeholder we can fill in" in bad.get_data(as_text=True)
    empty = hr.post_form(f"/vacancies/{a.id}/invitations/template", {"subject": "", "body": ""})
    assert empty.status_code == 400 and "Enter the subject of the email" in empty.get_data(as_text=True)
    good = hr.post_form(f"/vacancies/{a.id}/invitations/template", {
        "subject": "Interview for {job_title}", "body": "Hello {candidate_name}, come at {time} on {date} to {place}.\n{panel}"})
    assert good.status_code == 302
    session.add(InterviewSlot(vacancy_id=a.id, candidate_id=a2.id, starts_at=dt.datetime(2027, 7, 1, 13, 0, tzinfo=UTC),
                              ends_at=dt.datetime(2027, 7, 1, 13, 45, tzinfo=UTC), location="https://video.example/room"))
    session.commit()
    page = hr.get(f"/vacancies/{a.id}/invitations/{a2.id}").get_data(as_text=True)
    assert "Interview for Psychological Wellbeing Practitioner" in page
    assert "Hello Bea Jones, come at 2:00pm on Thursday 1 July 2027 to https://video.example/room." in page


def test_a_failed_email_is_kept_to_try_again(app, as_user, plan_world, session, monkeypatch):
    a, a1 = plan_world["a"], plan_world["a1"]
    hr = as_user(plan_world["hr"])

    def refused(to, subject, body, calendar=None):
        raise MailError("Recipient address rejected", permanent=True)

    response = hr.post_form(f"/vacancies/{a.id}/invitations/send-all", {}, follow_redirects=True)
    assert "1 invitation is queued: they will be sent within a minute" in response.get_data(as_text=True)
    monkeypatch.setattr("panel.notifications.channels.mail.send_email", refused)
    deliver(app)
    [invitation] = _invitations(session)
    assert invitation.failed and invitation.problem == "Recipient address rejected" and invitation.delivered_at is None
    listing = hr.get(f"/vacancies/{a.id}/invitations").get_data(as_text=True)
    assert "Could not be sent" in listing and "Try again" in listing
    page = hr.get(f"/vacancies/{a.id}/invitations/{a1.id}").get_data(as_text=True)
    assert "could not be delivered (Recipient address rejected)" in page
    monkeypatch.undo()
    response = hr.post_form(f"/vacancies/{a.id}/invitations/send-all", {}, follow_redirects=True)
    assert "1 invitation is queued" in response.get_data(as_text=True)
    deliver(app)
    failed, sent = _invitations(session)  # the failed try is kept in the history
    assert failed.failed and sent.was_sent
    assert len(_to_candidates(app)) == 1
    # sending to all again sends nothing more
    response = hr.post_form(f"/vacancies/{a.id}/invitations/send-all", {}, follow_redirects=True)
    assert "Everyone with an interview slot has already been sent their invitation" in response.get_data(as_text=True)
    assert len(_to_candidates(app)) == 1


def test_an_updated_invitation_is_a_new_record(app, as_user, plan_world, session):
    a, a1 = plan_world["a"], plan_world["a1"]
    hr = as_user(plan_world["hr"])
    hr.post_form(f"/vacancies/{a.id}/invitations/send-all", {})
    deliver(app)
    hr.post_form(f"/vacancies/{a.id}/invitations/{a1.id}", {"subject": "Updated: your interview", "body": "New time."})
    deliver(app)
    assert [i.was_sent for i in _invitations(session)] == [True, True]
    first, second = _to_candidates(app)
    links = [re.search(r"http://localhost(/book/\S+)", m.get_content()).group(1) for m in (first, second)]
    assert as_user(None).get(links[0]).status_code == 404  # the newer link replaced the older one
    assert as_user(None).get(links[1]).status_code == 200


def test_an_invitation_still_waiting_is_replaced_by_a_newer_one(app, as_user, plan_world, session):
    a, a1 = plan_world["a"], plan_world["a1"]
    hr = as_user(plan_world["hr"])
    hr.post_form(f"/vacancies/{a.id}/invitations/send-all", {})
    hr.post_form(f"/vacancies/{a.id}/invitations/{a1.id}", {"subject": "Updated: your interview", "body": "New time."})
    deliver(app)
    older, newer = _invitations(session)
    assert older.withdrawn and older.problem == "Replaced by a newer invitation" and newer.was_sent
    [message] = _to_candidates(app)  # only the newer one went
    assert message["Subject"] == "Updated: your interview"
    page = hr.get(f"/vacancies/{a.id}/invitations/{a1.id}").get_data(as_text=True)
    assert "Not sent: Replaced by a newer invitation" in page


def test_a_candidate_without_a_slot_cannot_be_invited(as_user, plan_world, session):
    a, a2 = plan_world["a"], plan_world["a2"]
    hr = as_user(plan_world["hr"])
    page = hr.get(f"/vacancies/{a.id}/invitations/{a2.id}").get_data(as_text=True)
    assert "has no interview slot yet" in page
    hr.post_form(f"/vacancies/{a.id}/invitations/{a2.id}", {"subject": "x", "body": "y"})
    assert _invitations(session) == []


def test_the_panel_cannot_see_candidates_emails_or_send(as_user, plan_world):
    a = plan_world["a"]
    for who in ("chair", "panelist"):
        client = as_user(plan_world[who])
        assert client.get(f"/vacancies/{a.id}/invitations").status_code == 404
        assert client.post_form(f"/vacancies/{a.id}/invitations/send-all", {}).status_code == 404
