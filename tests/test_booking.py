"""Candidates book their own interview (issue 16): every route of the booking page with a good,
altered, replaced, expired and declined link; booking, changing and the last free slot taken
meanwhile; the messages it writes (confirmation with a calendar file, the reminder re-planned,
HR told); throttling; adjustments shown to the panel only from the interviews on."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from sqlalchemy import select

from panel.models import (
    AuditEvent,
    BookingStatus,
    InterviewBooking,
    InterviewSlot,
    Notification,
    NotificationStatus,
    VacancyStatus,
)
from tests.builders_plugin import builder, interview_world
from tests.snapshots import snapshotted

DAY = dt.date.today() + dt.timedelta(days=14)
HOSTILE = "<script>alert(1)</script> =HYPERLINK(\"x\") O'Brien Zoë"


@pytest.fixture()
@snapshotted
def bw(app, session):
    """An interviewing vacancy with three shortlisted candidates: the first two have a slot
    (9:30, 10:30), 11:30 and 1:15pm are free, the third has none."""
    iv = interview_world(session, candidates=3, reference="BOOK-1")
    b = builder(session)
    v = iv["vacancy"]
    b.interview_day(v, DAY, location="Room 3", actor=iv["chair"])
    c1, c2, c3 = iv["candidates"]
    iv["s1"] = b.slot(v, c1, DAY, dt.time(9, 30), actor=iv["chair"])
    iv["s2"] = b.slot(v, c2, DAY, dt.time(10, 30), actor=iv["chair"])
    iv["free1"] = b.slot(v, None, DAY, dt.time(11, 30), actor=iv["chair"])
    iv["free2"] = b.slot(v, None, DAY, dt.time(13, 15), actor=iv["chair"])
    iv["links"] = [b.booking_link(c) for c in (c1, c2, c3)]
    session.commit()
    return iv


def _csrf(client, path):
    """The CSRF token of the page (of the sign-in page, when the page has no form left)."""
    pattern = r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"'
    found = re.search(pattern, client.get(path).get_data(as_text=True))
    return (found or re.search(pattern, client.get("/login").get_data(as_text=True))).group(1)


def book(client, path, slot_id, adjustments=(), other=""):
    return client.post(path, data={"csrf_token": _csrf(client, path), "slot": str(slot_id),
                                   "adjustments": list(adjustments), "adjustments_other": other})


def cannot(client, path, choice, message=""):
    return client.post(path + "/cannot-come", data={"csrf_token": _csrf(client, path), "choice": choice,
                                                    "message": message})


def _booking(session, candidate):
    session.expire_all()
    return session.scalar(select(InterviewBooking).where(InterviewBooking.candidate_id == candidate.id))


def _to(session, candidate, kind=None):
    session.expire_all()
    q = select(Notification).where(Notification.candidate_id == candidate.id)
    if kind:
        q = q.where(Notification.kind == kind)
    return list(session.scalars(q.order_by(Notification.id)))


def test_the_page_shows_the_role_and_free_times_and_nobody_else(client, bw):
    page = client.get(bw["links"][0]).get_data(as_text=True)
    assert "Your interview for" in page and bw["vacancy"].title in page
    assert "9:30am to 10:15am" in page and "11:30am" in page and "1:15pm" in page
    assert "10:30am" not in page  # someone else's time is not offered
    for name in ("Chris Morgan", "John O&#39;Neill", "John O'Neill", "Zoë Ashworth", "Sam Staff", "Priya Shah"):
        assert name not in page
    for other in bw["candidates"][1:]:
        assert other.last_name not in page and other.label not in page
    assert "Step-free access" in page and "British Sign Language" in page
    assert 'href="/vacancies' not in page and "Sign out" not in page  # no way into panel
    assert "patient panel member" in page  # the panel by role only


@pytest.mark.parametrize("change", ["altered", "made_up", "replaced"])
def test_a_bad_link_shows_a_clear_page_and_changes_nothing(client, session, bw, change):
    path = bw["links"][0]
    if change == "altered":
        bad = path[:-1] + ("A" if path[-1] != "A" else "B")
    elif change == "made_up":
        bad = "/book/" + "x" * 43
    else:
        bad = path
        builder(session).booking_link(bw["candidates"][0])  # a new invitation: the old link stops
        session.commit()
    response = client.get(bad)
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)
    token = _csrf(client, "/login")
    assert client.post(bad, data={"csrf_token": token, "slot": bw["free1"].id}).status_code == 404
    assert client.post(bad + "/cannot-come", data={"csrf_token": token, "choice": "decline"}).status_code == 404
    assert _booking(session, bw["candidates"][0]).status == BookingStatus.WAITING


def test_booking_a_free_time_moves_the_candidate_and_sends_the_messages(client, session, bw):
    c1 = bw["candidates"][0]
    response = book(client, bw["links"][0], bw["free1"].id, ["step_free", "bsl"], "A chair with arms")
    assert response.status_code == 302
    page = client.get(bw["links"][0]).get_data(as_text=True)
    assert "Your interview is booked" in page and "Step-free access" in page and "A chair with arms" in page
    booking = _booking(session, c1)
    assert booking.status == BookingStatus.BOOKED and booking.slot_id == bw["free1"].id
    assert session.get(InterviewSlot, bw["free1"].id).candidate_id == c1.id
    assert session.get(InterviewSlot, bw["s1"].id).candidate_id is None  # the time offered is free again
    confirmed = _to(session, c1, "booking_confirmed")
    assert len(confirmed) == 1 and "BEGIN:VCALENDAR" in confirmed[0].attachment
    assert "METHOD:REQUEST" in confirmed[0].attachment and "Step-free access" in confirmed[0].body
    reminder = _to(session, c1, "candidate_interview_reminder")
    assert len(reminder) == 1 and reminder[0].status == NotificationStatus.QUEUED
    assert reminder[0].due_at.date() == DAY - dt.timedelta(days=1)
    hr = session.scalars(select(Notification).where(Notification.kind == "booking_for_hr")).all()
    assert [n.user_id for n in hr] == [bw["hr"].id] and "A chair with arms" in hr[0].body
    assert session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "interview_booking",
                                                   AuditEvent.action == "book")) is not None


def test_booking_the_same_time_again_changes_nothing(client, session, bw):
    assert book(client, bw["links"][0], bw["s1"].id).status_code == 302
    before = len(_to(session, bw["candidates"][0]))
    response = book(client, bw["links"][0], bw["s1"].id)
    assert response.status_code == 302
    assert "already booked" in client.get(bw["links"][0]).get_data(as_text=True)
    assert len(_to(session, bw["candidates"][0])) == before


def test_changing_the_time_replans_the_reminder(client, session, bw):
    c1, path = bw["candidates"][0], bw["links"][0]
    book(client, path, bw["s1"].id)
    book(client, path, bw["free2"].id)
    reminders = _to(session, c1, "candidate_interview_reminder")
    assert [r.status for r in reminders] == [NotificationStatus.CANCELLED, NotificationStatus.QUEUED]
    confirmed = _to(session, c1, "booking_confirmed")
    assert len(confirmed) == 2 and confirmed[1].subject.startswith("Changed:")
    assert "SEQUENCE:2" in confirmed[1].attachment
    assert session.get(InterviewSlot, bw["s1"].id).candidate_id is None


def test_a_time_taken_meanwhile_is_refused_and_what_is_left_shown(client, app, session, bw):
    c1, c2 = bw["candidates"][:2]
    other = app.test_client()
    token = _csrf(other, bw["links"][1])  # c2 has the page open
    assert book(client, bw["links"][0], bw["free1"].id).status_code == 302  # c1 books 11:30 first
    response = other.post(bw["links"][1], data={"csrf_token": token, "slot": bw["free1"].id})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "just been taken" in page and "1:15pm" in page and "11:30am" not in page
    session.expire_all()
    assert session.get(InterviewSlot, bw["free1"].id).candidate_id == c1.id
    assert _booking(session, c2).status == BookingStatus.WAITING


def test_after_the_cut_off_the_page_only_shows_the_booking(client, session, bw):
    book(client, bw["links"][0], bw["s1"].id)
    with time_machine.travel(dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(12, 0), dt.timezone.utc)):
        page = client.get(bw["links"][0])
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Changes are now closed" in text and "Book this time" not in text
        response = client.post(bw["links"][0], data={"csrf_token": _csrf(client, bw["links"][0]),
                                                     "slot": bw["free1"].id})
        assert response.status_code == 410
        assert cannot(client, bw["links"][0], "decline").status_code == 410
    assert _booking(session, bw["candidates"][0]).slot_id == bw["s1"].id


def test_declining_frees_the_time_and_closes_the_link(client, session, bw):
    c1, path = bw["candidates"][0], bw["links"][0]
    book(client, path, bw["s1"].id)
    assert cannot(client, path, "decline").status_code == 302
    booking = _booking(session, c1)
    assert booking.status == BookingStatus.DECLINED and booking.slot_id is None
    assert session.get(InterviewSlot, bw["s1"].id).candidate_id is None
    assert "cannot come to the interview" in client.get(path).get_data(as_text=True)
    assert book(client, path, bw["s1"].id).status_code == 410
    cancelled = _to(session, c1, "booking_cancelled")
    assert len(cancelled) == 1 and "METHOD:CANCEL" in cancelled[0].attachment
    assert [r.status for r in _to(session, c1, "candidate_interview_reminder")] == [NotificationStatus.CANCELLED]


def test_asking_for_another_time_needs_a_message(client, session, bw):
    c3, path = bw["candidates"][2], bw["links"][2]
    response = cannot(client, path, "other_time", "")
    assert response.status_code == 400 and "which days or times" in response.get_data(as_text=True)
    assert _booking(session, c3).status == BookingStatus.WAITING
    assert cannot(client, path, "other_time", "Any Friday").status_code == 302
    booking = _booking(session, c3)
    assert booking.status == BookingStatus.ASKED and booking.message == "Any Friday"
    assert book(client, path, bw["free2"].id).status_code == 302  # the link still books after asking


def test_bad_form_input_changes_nothing(client, session, bw):
    path = bw["links"][0]
    assert client.post(path, data={"slot": bw["free1"].id}).status_code == 400  # no CSRF token
    response = book(client, path, bw["s2"].id)  # someone else's slot
    assert response.status_code == 409 and "just been taken" in response.get_data(as_text=True)
    assert book(client, path, "abc").status_code == 400
    assert book(client, path, bw["free1"].id, ["wings"]).status_code == 400
    assert book(client, path, bw["free1"].id, [], "x" * 2001).status_code == 400
    assert _booking(session, bw["candidates"][0]).status == BookingStatus.WAITING
    assert session.get(InterviewSlot, bw["free1"].id).candidate_id is None


def test_hostile_adjustments_print_literally(client, as_user, session, bw):
    book(client, bw["links"][0], bw["s1"].id, ["quiet_room"], HOSTILE)
    page = client.get(bw["links"][0]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    timetable = as_user(bw["chair"]).get(f"/vacancies/{bw['vacancy'].id}/timetable").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in timetable and "<script>alert(1)" not in timetable
    assert "A quiet room to wait in" in timetable


def test_the_timetable_shows_adjustments_only_from_the_interviews_on(client, as_user, session, bw):
    book(client, bw["links"][0], bw["s1"].id, ["extra_time"])
    builder(session).jump_to(bw["vacancy"], VacancyStatus.SHORTLISTING)
    session.commit()
    url = f"/vacancies/{bw['vacancy'].id}/timetable"
    assert "Extra time to answer" not in as_user(bw["chair"]).get(url).get_data(as_text=True)
    builder(session).jump_to(bw["vacancy"], VacancyStatus.INTERVIEWING)
    session.commit()
    assert "Extra time to answer" in as_user(bw["chair"]).get(url).get_data(as_text=True)


def test_the_scoring_page_shows_adjustments(client, as_user, session, bw):
    book(client, bw["links"][0], bw["s1"].id, ["written_questions"])
    c1 = bw["candidates"][0]
    page = as_user(bw["p1"]).get(f"/vacancies/{bw['vacancy'].id}/interviews/{c1.id}/score").get_data(as_text=True)
    assert "The questions in writing as well" in page


def test_the_link_closes_when_the_candidate_withdraws_or_the_vacancy_moves_on(client, session, bw):
    builder(session).jump_to(bw["vacancy"], VacancyStatus.DECISIONS)
    session.commit()
    text = client.get(bw["links"][0]).get_data(as_text=True)
    assert "Booking is closed" in text
    assert book(client, bw["links"][0], bw["free1"].id).status_code == 410


def test_hundreds_of_requests_from_one_address_are_throttled(app, client, bw):
    app.config["BOOKING_MAX_REQUESTS"] = 20
    statuses = [client.get(bw["links"][0]).status_code for _ in range(20)]
    assert set(statuses) == {200}
    response = client.get("/book/" + "y" * 43)
    assert response.status_code == 429 and "Too many requests" in response.get_data(as_text=True)
    other = app.test_client()
    assert other.get(bw["links"][1], environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def _pack_text(client, vacancy_id, kind="panel"):
    from tests.builders_plugin import get_pack_pdf, page_texts, pdf

    return "\n".join(page_texts(pdf(get_pack_pdf(client, f"/vacancies/{vacancy_id}/packs/{kind}.pdf?large_print=0"))))


def test_the_packs_show_adjustments_only_from_the_interviews_on(client, as_user, session, bw):
    v = bw["vacancy"]
    book(client, bw["links"][0], bw["s1"].id, ["bsl"], HOSTILE)
    builder(session).jump_to(v, VacancyStatus.SHORTLISTING)
    session.commit()
    chair = as_user(bw["chair"])
    before = _pack_text(chair, v.id)
    assert "British Sign Language" not in before and "alert(1)" not in before
    builder(session).jump_to(v, VacancyStatus.INTERVIEWING)
    session.commit()
    text = _pack_text(chair, v.id)
    assert text.count("A British Sign Language (BSL) interpreter") >= 2  # the timetable and the sheets
    assert "<script>alert(1)</script>" in text and "=HYPERLINK" in text and "O'Brien Zoë" in text


# --- outcome letters -------------------------------------------------------------------

def test_outcome_letters_go_once_each_when_the_stage_allows(app, as_user, session, bw):
    from panel.models import Outcome, ShortlistOutcome
    from tests.builders_plugin import add_candidates

    v = bw["vacancy"]
    rejected = add_candidates(session, v, 1, outcome=ShortlistOutcome.REJECT, start=4)[0]
    b = builder(session)
    c1, c2 = bw["candidates"][:2]
    b.interview_scores(c1, bw["chair"], bw["questions"], [3, 3, 3])
    b.outcome(c1, Outcome.PREFERRED)
    b.interview_scores(c2, bw["chair"], bw["questions"], [1, 1, 1])
    b.outcome(c2, Outcome.NOT_APPOINTABLE)
    session.commit()
    hr = as_user(bw["hr"])
    url = f"/vacancies/{v.id}/candidates/letters"
    page = hr.get(url).get_data(as_text=True)
    assert rejected.full_name in page and c2.full_name not in page  # not appointed: only once closed
    assert "Read the “not shortlisted” letter" in page  # the wording, before anything is sent
    token = hr.csrf_token()
    assert hr.post(f"{url}/send", data={"csrf_token": token}).status_code == 302
    assert hr.post(f"{url}/send", data={"csrf_token": token}).status_code == 302  # again: nothing more
    sent = _to(session, rejected, "outcome_not_shortlisted")
    assert len(sent) == 1 and "feedback" in sent[0].body and "sorry" in sent[0].body.lower()
    b.jump_to(v, VacancyStatus.CLOSED)
    session.commit()
    assert hr.post(f"/vacancies/{v.id}/candidates/{c2.id}/letter", data={"csrf_token": token}).status_code == 302
    assert len(_to(session, c2, "outcome_not_appointed")) == 1
    assert _to(session, c1, "outcome_not_appointed") == []  # appointed: no letter
    show = hr.get(f"/vacancies/{v.id}/candidates/{c2.id}").get_data(as_text=True)
    assert "Messages to the candidate" in show and "Your interview for" in show
    chair = as_user(bw["chair"])
    assert chair.get(url).status_code == 404
    assert chair.post(f"{url}/send", data={"csrf_token": chair.csrf_token()}).status_code == 404


def test_candidate_messages_are_sent_by_the_worker(app, client, session, bw):
    from panel.notifications import worker
    from tests.conftest import outbox_messages

    book(client, bw["links"][0], bw["s1"].id, ["video"])
    with app.app_context():
        result = worker.run_once()
    assert result.sent and not result.failed
    emails = outbox_messages(app)
    to_candidate = [m for m in emails if m["To"] == bw["candidates"][0].email]
    assert len(to_candidate) == 1
    assert any(part.get_content_type() == "text/calendar" for part in to_candidate[0].walk())
    assert any(m["To"] == bw["hr"].email and "video interview" in m.get_body().get_content() for m in emails)


def test_the_demo_invitation_carries_a_working_link(app, as_user, client, session, bw):
    from tests.conftest import outbox_messages

    hr = as_user(bw["hr"])
    v = bw["vacancy"]
    response = hr.post(f"/vacancies/{v.id}/invitations/send-all", data={"csrf_token": hr.csrf_token()})
    assert response.status_code == 302
    mails = [m for m in outbox_messages(app) if m["To"] == bw["candidates"][0].email]
    link = re.search(r"http://localhost(/book/\S+)", mails[-1].get_body().get_content()).group(1)
    assert client.get(link).status_code == 200
    assert client.get(bw["links"][0]).status_code == 404  # the link of the earlier invitation stops working
    session.expire_all()
    from panel.models import CandidateInvitation

    stored = session.scalars(select(CandidateInvitation)).all()
    assert stored and all("/book/" not in i.body for i in stored)  # only a hash of a link is kept


def test_hr_sets_the_cut_off(as_user, client, session, bw):
    hr = as_user(bw["hr"])
    url = f"/vacancies/{bw['vacancy'].id}/invitations/booking-cutoff"
    token = hr.csrf_token()
    assert hr.post(url, data={"csrf_token": token, "hours": "lots"}).status_code == 400
    assert hr.post(url, data={"csrf_token": token, "hours": "400"}).status_code == 400
    assert hr.post(url, data={"csrf_token": token, "hours": "24"}).status_code == 302
    with time_machine.travel(dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(8, 0), dt.timezone.utc)):
        assert "Book this time" in client.get(bw["links"][0]).get_data(as_text=True)  # 24 hours: still open


def test_the_booking_is_kept_with_the_candidate_and_purged_with_them(app, client, session, bw):
    from panel.records import retention, subject_access

    c1 = bw["candidates"][0]
    book(client, bw["links"][0], bw["s1"].id, ["bsl"], "A hearing loop")
    with app.app_context():
        export = subject_access.build(session, bw["vacancy"], c1, viewer=bw["hr"])
    assert export["booking"]["adjustments"] == ["A British Sign Language (BSL) interpreter", "A hearing loop"]
    builder(session).jump_to(bw["vacancy"], VacancyStatus.CLOSED)
    session.commit()
    with app.app_context():
        result = retention.purge(session, now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=200))
        session.commit()
    assert any(b.counts.get("bookings") for b in result.batches)
    assert _booking(session, c1) is None
    for row in _to(session, c1):
        assert "hearing loop" not in row.body and row.attachment is None
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "interview_booking")).all()
    assert events and all("hearing loop" not in str(e.changes) for e in events)


# --- the last free slot, raced ---------------------------------------------------------------

def test_two_candidates_racing_for_the_last_slot_one_wins(app, session, bw):
    """Two candidates post for the last free time at the same moment (threads released together):
    exactly one gets it, the other is told at once (409) and shown what is left; nothing is
    double-booked. Runs on SQLite and, with PANEL_TEST_DATABASE_URL, on PostgreSQL."""
    from tests.test_security_concurrency import together

    session.delete(session.get(InterviewSlot, bw["free2"].id))  # 11:30 is now the last free time
    session.commit()
    last = bw["free1"]
    clients = [app.test_client(), app.test_client()]
    paths = [bw["links"][1], bw["links"][2]]  # candidate 2 (offered 10:30) and candidate 3 (no time yet)
    tokens = [_csrf(c, p) for c, p in zip(clients, paths)]

    def work(i):
        return clients[i].post(paths[i], data={"csrf_token": tokens[i], "slot": last.id}).status_code

    statuses = sorted(together(2, work))
    assert statuses == [302, 409], statuses
    session.expire_all()
    holders = session.scalars(select(InterviewBooking).where(InterviewBooking.slot_id == last.id)).all()
    assert len(holders) == 1
    assert session.get(InterviewSlot, last.id).candidate_id == holders[0].candidate_id
    loser = ({c.id for c in bw["candidates"][1:]} - {holders[0].candidate_id}).pop()
    assert session.scalar(select(InterviewBooking).where(InterviewBooking.candidate_id == loser)).slot_id is None


def test_the_demo_invitations_in_the_outbox_carry_working_booking_links(app, client, session, as_user):
    from panel.demo import load_demo
    from panel.models import Candidate, User
    from tests.conftest import outbox_messages

    with app.app_context():
        load_demo()
    mails = [m for m in outbox_messages(app) if "Invitation to interview" in m["Subject"]]
    assert len(mails) == 4
    for mail in mails:
        link = re.search(r"http://localhost(/book/\S+)", mail.get_body().get_content()).group(1)
        page = client.get(link)
        assert page.status_code == 200 and "Your interview for Senior Psychological Wellbeing Practitioner" in \
            page.get_data(as_text=True)
    fiona = session.scalar(select(Candidate).where(Candidate.first_name == "Fiona"))
    assert _booking(session, fiona).status == BookingStatus.BOOKED
    chair = session.scalar(select(User).where(User.email.like("chris%")))
    from panel.auth.services import set_password
    from tests.builders_plugin import PASSWORD

    with app.app_context():
        set_password(session, chair, PASSWORD)
    session.commit()
    timetable = as_user(chair).get(f"/vacancies/{fiona.vacancy_id}/timetable").get_data(as_text=True)
    assert "Step-free access" in timetable and "Booked by the candidate" in timetable


def test_a_reminder_for_a_time_no_longer_booked_is_not_sent(app, client, session, bw):
    from panel.notifications import worker

    book(client, bw["links"][0], bw["s1"].id)
    reminder = _to(session, bw["candidates"][0], "candidate_interview_reminder")[0]
    session.delete(session.get(InterviewSlot, bw["s1"].id))  # the chair removes the slot (no re-plan)
    reminder.due_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    session.commit()
    with app.app_context():
        result = worker.run_once()
    assert reminder.id in result.cancelled
