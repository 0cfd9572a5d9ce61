"""The chair's and HR's daily summary while a deadline is near (who has not finished, never scores)."""
from __future__ import annotations

import datetime as dt

from panel import deadlines
from panel.models import Notification, NotificationStatus
from tests.test_notifications import at, rows, run_worker, set_deadlines, team  # noqa: F401 (fixture)

KIND = "deadline_summary"


def summaries(session, v, *statuses):
    return [n for n in rows(session, v) if n.kind == KIND and (not statuses or n.status.value in statuses)]


def test_daily_summary_walk(app, build, team):  # noqa: F811
    chair, staff, patient = team["chair"], team["staff"], team["patient"]
    with at(1):
        v = build.vacancy(panel=[(chair, "chair"), (staff, "staff"), (patient, "patient")])
        c1, c2 = build.candidate(v), build.candidate(v)
        names = {n for c in (c1, c2) for n in (c.first_name, c.last_name)}
        assert len(names) >= 2
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 12))
        build.commit()
        assert summaries(build.session, v) == []  # a draft works to no deadline yet
        run_worker(app, True)
    with at(8):  # shortlisting opens: summaries on 10, 11 and 12 March at 8am London, to the chair and HR
        build.advance(v)
        build.commit()
        planned = summaries(build.session, v, "queued")
        recipients = {n.user_id for n in planned}
        assert chair.id in recipients and build.actor.id in recipients
        assert patient.id not in recipients and staff.id not in recipients
        assert sorted({n.due_at for n in planned}) == [deadlines.at_london(dt.date(2027, 3, d), dt.time(8)) for d in (10, 11, 12)]
        assert len(planned) == 3 * len(recipients)
        assert all(n.idempotency_key == f"{KIND}:v{v.id}:u{n.user_id}:{n.due_at.astimezone(deadlines.LONDON).date()}"
                   for n in planned)
        run_worker(app, True)
        build.shortlist_scores(c1, chair, [2, 2])
        build.shortlist_scores(c2, chair, [1, 1])
        build.shortlist_scores(c1, patient, [2, 1])
        build.commit()
    with at(10, 7):
        assert run_worker(app, True).sent == []
    with at(10, 8):  # computed fresh: Sam has 2 left, Pat 1; the chair is not listed
        result = run_worker(app, True)
        build.session.expire_all()
        sent = [build.session.get(Notification, i) for i in result.sent]
        sent = [n for n in sent if n.kind == KIND]
        assert len(sent) == len(recipients)
        body = sent[0].body
        assert "Sam Staff: 2 candidates left" in body and "Pat Patient: 1 candidate left" in body
        assert "Chris Chair" not in body.split("Not finished yet:")[1].split("You can")[0]
        assert sent[0].subject == "Who has not finished: Shortlisting closes on Friday 12 March, in 2 days"
        for n in summaries(build.session, v):  # never a score, comment or candidate's name
            for name in names:
                assert name not in n.body and name not in n.subject
            assert "score" not in n.body.lower().replace("scores", "")
    with at(11, 7):  # everyone finishes: the next summaries are cancelled when due
        build.shortlist_scores(c1, staff, [1, 1])
        build.shortlist_scores(c2, staff, [1, 1])
        build.shortlist_scores(c2, patient, [1, 1])
        build.commit()
    with at(11, 8):
        result = run_worker(app, True)
        build.session.expire_all()
        assert not [i for i in result.sent if build.session.get(Notification, i).kind == KIND]
        assert {build.session.get(Notification, i).last_error for i in result.cancelled
                if build.session.get(Notification, i).kind == KIND} == {"Everyone had finished"}


def test_summaries_replanned_when_the_deadline_moves(app, build, team):  # noqa: F811
    with at(8):
        v = build.vacancy(panel=[(team["chair"], "chair"), (team["patient"], "patient")])
        build.candidate(v)
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 12))
        build.advance(v)
        build.commit()
        old = {n.idempotency_key for n in summaries(build.session, v, "queued")}
        set_deadlines(build, v, actor=team["chair"], shortlisting_deadline=dt.date(2027, 3, 19))
        build.commit()
        assert {n.idempotency_key for n in summaries(build.session, v, "cancelled")} == old
        queued = summaries(build.session, v, "queued")
        assert sorted({n.due_at for n in queued}) == [deadlines.at_london(dt.date(2027, 3, d), dt.time(8)) for d in (17, 18, 19)]
    with at(10, 8):  # the old days: nothing
        assert not [n for n in summaries(build.session, v, "sent")]
        run_worker(app, True)
        assert not summaries(build.session, v, "sent")
    with at(17, 8):
        run_worker(app, True)
        assert summaries(build.session, v, "sent")
        assert all(n.status != NotificationStatus.SENT or n.due_at.date() == dt.date(2027, 3, 17)
                   for n in summaries(build.session, v))


def test_a_chair_who_chose_both_keeps_the_text_summaries_when_they_are_planned_again(app, build, team):  # noqa: F811
    """A chair who chose email and text gets both kinds of summary row, keeps the same rows when
    they are planned again, and the text one says only the first name and a link."""
    chair = team["chair"]
    chair.mobile, chair.contact_preference = "+447400123456", "both"
    with at(8):
        v = build.vacancy(panel=[(chair, "chair"), (team["patient"], "patient")])
        build.candidate(v)
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 12))
        build.advance(v)
        build.commit()
        mine = [n for n in summaries(build.session, v, "queued") if n.user_id == chair.id]
        assert sorted(n.channel for n in mine) == ["email"] * 3 + ["sms"] * 3
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 12))  # planned again, nothing moved
        build.commit()
        again = [n for n in summaries(build.session, v, "queued") if n.user_id == chair.id]
        assert {n.id for n in again} == {n.id for n in mine}
        text = next(n for n in again if n.channel == "sms").body
        assert text.startswith("Hi ") and chair.name.split()[-1] not in text and v.title not in text
