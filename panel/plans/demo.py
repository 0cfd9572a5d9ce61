"""Demo data for the interview plan: a second vacancy on Chris Morgan's panel, at the
interviewing stage, with shortlisted candidates, a plan of six questions covering every
essential criterion assessed at interview (one asked by each patient panelist), the
scale, a generated timetable, and a question bank with one proposal by a patient panelist.

Called from panel.demo.load_demo; every change goes through the services (audit-logged).
"""
from __future__ import annotations

import datetime as dt

from panel.booking import services as booking
from panel.builders import Builder
from panel.models import AssessedAt, Candidate, CriterionCategory, ShortlistOutcome, User, Vacancy, VacancyStatus
from panel.plans import services, timetable
from panel.questions import services as bank_services

SPEC = [
    ("Qualified Psychological Wellbeing Practitioner (BPS-accredited), with at least a year's experience since qualifying",
     CriterionCategory.QUALIFICATIONS, True, AssessedAt.APPLICATION),
    ("Experience of supporting, supervising or mentoring PWPs or trainees", CriterionCategory.EXPERIENCE, True, AssessedAt.BOTH),
    ("Able to assess and manage risk, and decide when to step someone up to more intensive care",
     CriterionCategory.SKILLS, True, AssessedAt.INTERVIEW),
    ("Able to run psychoeducational groups and workshops", CriterionCategory.SKILLS, False, AssessedAt.BOTH),
    ("Knowledge of the stepped care model and the outcome measures used in NHS Talking Therapies",
     CriterionCategory.KNOWLEDGE, True, AssessedAt.BOTH),
    ("Values the voice of people who use the service and involves them in improving it",
     CriterionCategory.VALUES, True, AssessedAt.INTERVIEW),
    ("Committed to equality, and to reaching communities who use the service less", CriterionCategory.VALUES, True,
     AssessedAt.BOTH),
]

# first, last, email, outcome
CANDIDATES = [
    ("Hannah", "Okonkwo", "hannah.okonkwo@example.net", ShortlistOutcome.SHORTLIST),
    ("Rhys", "Evans", "rhys.evans@example.net", ShortlistOutcome.SHORTLIST),
    ("Agnieszka", "Nowak", "agnieszka.nowak@example.net", ShortlistOutcome.SHORTLIST),
    ("Samuel", "Boateng", "samuel.boateng@example.net", ShortlistOutcome.RESERVE),
    ("Fiona", "MacLeod", "fiona.macleod@example.net", ShortlistOutcome.SHORTLIST),
    ("Imran", "Qureshi", "imran.qureshi@example.net", ShortlistOutcome.REJECT),
]

# text, category, tags, guidance, follow-ups, content note
BANK = [
    ("Tell us about a time you noticed a colleague was struggling. What did you do?", CriterionCategory.EXPERIENCE,
     "supervision,teamwork,scenario",
     "Noticed early and checked in privately\nListened before advising\nKnew where to point them for support\n"
     "Kept to confidentiality and knew its limits",
     "What would you do differently now?", ""),
    ("A person you are supporting tells you they have been thinking about ending their life. Talk us through what you do.",
     CriterionCategory.SKILLS, "risk,clinical,scenario",
     "Stays calm and asks directly about thoughts, plans and intent\nAsks about protective factors\n"
     "Follows the service's risk policy and agrees a safety plan\nSeeks supervision the same day and records it",
     "When would you step someone up?\nWho would you tell, and how soon?",
     "This question is about suicide and self-harm."),
    ("How would you explain the stepped care model to someone who has just been referred?", CriterionCategory.KNOWLEDGE,
     "clinical,plain english",
     "Uses plain words, no jargon\nExplains that help can step up or down\nMentions how progress is checked (PHQ-9, GAD-7)",
     "How do you use outcome measures in your sessions?", ""),
    ("What does it mean to you to involve people who use our service in how it is run?", CriterionCategory.VALUES,
     "values,lived experience",
     "Gives a real example of involving people\nShows they changed something because of feedback\n"
     "Sees people as partners, not only as patients",
     "How would you make sure quieter voices are heard?", ""),
    ("Which communities use our service less, and what would you do about it?", CriterionCategory.VALUES,
     "values,equality",
     "Names groups who are under-represented (for example older people, some minority ethnic communities)\n"
     "Suggests practical outreach, working with community groups\nThinks about interpreters and accessible materials",
     "", ""),
]

PROPOSED_BY_ZOE = ("When you have had a hard day, what helps you to be ready for the next person you see?",
                   CriterionCategory.VALUES, "values,wellbeing",
                   "Shows they look after their own wellbeing\nUses supervision and support\nIs honest about limits",
                   "", "")

REASONS = {ShortlistOutcome.SHORTLIST: "Meets every essential criterion.",
           ShortlistOutcome.RESERVE: "Meets the essential criteria; fewer desirable ones than others.",
           ShortlistOutcome.REJECT: "No evidence of supervising or supporting other practitioners."}

# the plan: (bank index or None, text if new, criteria positions, minutes, asker key)
PLAN = [
    (None, "Welcome. Tell us what drew you to a senior PWP role in our service.", [2, 5], 5, "chair"),
    (1, None, [3], 10, "chair"),
    (0, None, [2], 8, "chair"),
    (2, None, [5], 7, "panelist2"),
    (3, None, [6], 8, "panelist1"),
    (4, None, [7], 5, "panelist1"),
]


def load_plan_demo(build: Builder, users: dict[str, User]) -> Vacancy:
    session, hr, chair = build.session, users["hr"], users["chair"]
    today = dt.date.today()
    interview_day = today + dt.timedelta(days=7)
    vacancy = build.vacancy(
        title="Senior Psychological Wellbeing Practitioner", reference="SPWP-SPA-0302", band="Band 6", site="Spalding",
        team="steps2change South Holland", hours="37.5 hours a week", salary="£38,682 to £46,580 a year",
        closing_date=today - dt.timedelta(days=21), interview_date=interview_day,
        interview_venue="Johnson Community Hospital, Spalding PE11 1TT, Room 3",
        description=("Senior PWPs carry a caseload of people with common mental health problems and support and "
                     "supervise the PWPs in their team."),
        criteria=SPEC, panel=[(chair, "chair"), (users["panelist1"], "patient"), (users["panelist2"], "patient")],
        actor=hr,
    )
    for first, last, email, outcome in CANDIDATES:
        candidate = build.candidate(vacancy, first_name=first, last_name=last, email=email, phone="",
                                    supporting_information="", actor=hr)
        # shortlisted earlier, on paper: the decisions come without the scores behind them
        build.decided(candidate, outcome, REASONS[outcome], by=chair)
    build.jump_to(vacancy, VacancyStatus.INTERVIEWING, actor=hr)

    # the question bank: approved questions (proposed by the panel, approved by HR or the chair)
    proposers = [chair, users["panelist1"], hr, users["panelist1"], users["chair2"]]
    bank = []
    for (text, category, tags, guidance, follow_ups, note), proposer in zip(BANK, proposers):
        question = bank_services.propose_question(session, proposer, {
            "text": text, "category": category, "tags": tags, "guidance": guidance, "follow_ups": follow_ups,
            "content_note": note})
        bank_services.review_question(session, hr if proposer is chair else chair, question, True)
        bank.append(question)
    text, category, tags, guidance, follow_ups, note = PROPOSED_BY_ZOE
    bank_services.propose_question(session, users["panelist2"], {
        "text": text, "category": category, "tags": tags, "guidance": guidance, "follow_ups": follow_ups,
        "content_note": note}, vacancy=vacancy)

    # the plan
    by_position = {c.position: c for c in vacancy.criteria}
    members = {"chair": vacancy.panel_members[0], "panelist1": vacancy.panel_members[1],
               "panelist2": vacancy.panel_members[2]}
    for bank_index, new_text, criteria, minutes, asker in PLAN:
        source = bank[bank_index] if bank_index is not None else None
        services.add_plan_question(session, chair, vacancy, {
            "text": source.text if source else new_text,
            "guidance": source.guidance if source else "Knows what the role involves\nMotivated by helping people get better",
            "follow_ups": source.follow_ups if source else "",
            "content_note": source.content_note if source else "",
            "minutes": minutes, "asker_id": members[asker].id,
            "criterion_ids": [by_position[p].id for p in criteria]}, source)

    # the day and the timetable (London times)
    settings = timetable.DaySettings(interview_day, dt.time(9, 30), dt.time(15, 30), 45, 15,
                                     (timetable.Break(dt.time(12, 15), dt.time(13, 0)),))
    day = services.save_day(session, chair, vacancy, settings, vacancy.interview_venue)
    shortlisted = [c for c in session.query(Candidate).filter_by(vacancy_id=vacancy.id).order_by(Candidate.number)
                   if c.decision and c.decision.outcome == ShortlistOutcome.SHORTLIST]
    services.generate_timetable(session, chair, vacancy, day, shortlisted)
    session.flush()
    load_booking_demo(build, users, vacancy, shortlisted, interview_day)
    return vacancy


def load_booking_demo(build: Builder, users: dict[str, User], vacancy: Vacancy, shortlisted: list[Candidate],
                      interview_day: dt.date) -> None:
    """Candidates book their own interviews: one more free time (2pm) on the timetable; Fiona has
    already confirmed her time through her link and asked for step-free access and a quiet room;
    then HR sends every invitation: they wait in the notifications outbox, and the worker (`make
    run` starts one) sends each with the candidate's own booking link, made as it is sent (a new
    one, so Fiona's first link stops working): with no SMTP server they are in instance/outbox/,
    and their links open the booking page."""
    session = build.session
    build.slot(vacancy, None, interview_day, dt.time(14, 0), location=vacancy.interview_venue, actor=users["chair"])
    fiona = next(c for c in shortlisted if c.first_name == "Fiona")
    with build.context():
        booking.new_link(session, fiona)
        link = booking.state(session, booking.booking_for(session, fiona))
        booking.book(session, link, booking.offered_slot(session, link.booking).id, ["step_free", "quiet_room"],
                     "I use a walking frame, so a chair with arms in the waiting area would help.")
        services.send_all_invitations(session, users["hr"], vacancy)
    session.flush()
