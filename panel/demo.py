"""Demo data: a realistic vacancy and panel for every role, and the sign-in details.

Passwords are generated here at first run, printed, and kept in
instance/demo-logins.txt (readable by the owner only). None is written in the code.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import func, select

from panel.auth.services import create_user
from panel.db import session_scope
from panel.builders import Builder
from panel.models import (
    AssessedAt,
    Candidate,
    CriterionCategory,
    InterviewScore,
    PanelRole,
    PlanQuestion,
    Role,
    ShortlistDecision,
    ShortlistOutcome,
    User,
    Vacancy,
    VacancyStatus,
)
from panel.shortlisting.demo import load_shortlisting_demo
from panel.plans.demo import load_plan_demo
from panel.profiles.demo import load_involvement_demo as load_profiles_demo, override_demo_rules
from panel.vacancies import services as vacancy_services
from panel.involvement.demo import load_involvement_demo
from panel.payments.demo import load_payments_demo

WORDS = ["harbour", "meadow", "copper", "lantern", "willow", "pebble", "orchard", "thistle", "kettle",
         "beacon", "marsh", "heron", "saffron", "granite", "bramble", "ember", "fenland", "juniper"]

PEOPLE = [
    # key, name, email, role
    ("hr", "Priya Shah", "priya.shah@example.org", Role.HR),
    ("chair", "Chris Morgan", "chris.morgan@example.org", Role.CHAIR),
    ("panelist1", "John O'Neill", "john.oneill@example.org", Role.PANELIST),
    ("panelist2", "Zoë Ashworth", "zoe.ashworth@example.org", Role.PANELIST),
    ("chair2", "Dr Amara Okafor", "amara.okafor@example.org", Role.CHAIR),
    ("panelist3", "Siobhán Kelly", "siobhan.kelly@example.org", Role.PANELIST),
]

PWP_SPEC = [
    ("A degree, or equivalent experience, and willingness to complete the PWP postgraduate certificate", CriterionCategory.QUALIFICATIONS, True, AssessedAt.APPLICATION),
    ("Completed PWP training accredited by the BPS, or about to complete it", CriterionCategory.QUALIFICATIONS, False, AssessedAt.APPLICATION),
    ("Experience of working with people with anxiety or depression, paid or voluntary", CriterionCategory.EXPERIENCE, True, AssessedAt.BOTH),
    ("Experience of delivering guided self-help or psychoeducational groups", CriterionCategory.EXPERIENCE, False, AssessedAt.BOTH),
    ("Able to assess risk to self and others and know when to ask for help", CriterionCategory.SKILLS, True, AssessedAt.INTERVIEW),
    ("Good listening and communication skills, on the telephone, by video and face to face", CriterionCategory.SKILLS, True, AssessedAt.BOTH),
    ("Able to manage a caseload and keep accurate, timely records", CriterionCategory.SKILLS, True, AssessedAt.APPLICATION),
    ("Knowledge of low-intensity CBT approaches and the stepped care model", CriterionCategory.KNOWLEDGE, True, AssessedAt.BOTH),
    ("Understanding of what it is like to use a mental health service", CriterionCategory.VALUES, True, AssessedAt.INTERVIEW),
    ("Treats people with compassion, dignity and respect, and values the voice of people who use the service", CriterionCategory.VALUES, True, AssessedAt.BOTH),
    ("Able to travel across Lincolnshire to community venues", CriterionCategory.SKILLS, False, AssessedAt.APPLICATION),
]

HI_SPEC = [
    ("Core profession in mental health, or KSA portfolio, and BABCP-accredited CBT postgraduate diploma", CriterionCategory.QUALIFICATIONS, True, AssessedAt.APPLICATION),
    ("Experience of delivering high-intensity CBT for anxiety disorders and depression", CriterionCategory.EXPERIENCE, True, AssessedAt.BOTH),
    ("Able to formulate and adapt treatment for people with complex presentations", CriterionCategory.SKILLS, True, AssessedAt.INTERVIEW),
    ("Experience of supervising PWPs or trainees", CriterionCategory.EXPERIENCE, False, AssessedAt.BOTH),
    ("Commitment to involving people who use the service in its development", CriterionCategory.VALUES, True, AssessedAt.INTERVIEW),
]


def _password() -> str:
    return "-".join(secrets.choice(WORDS) for _ in range(3)) + "-" + str(secrets.randbelow(90) + 10)


def logins_path() -> Path:
    return Path(current_app.instance_path) / "demo-logins.txt"


def print_logins() -> None:
    path = logins_path()
    if path.exists():
        click.echo(path.read_text())


def load_demo(if_empty: bool = False) -> None:
    with session_scope() as session:
        if if_empty and session.scalar(select(func.count(User.id))):
            click.echo("Demo data not loaded: the database already has accounts.")
            print_logins()
            return
        users: dict[str, User] = {}
        lines = ["Demo sign-in details (also in instance/demo-logins.txt):", ""]
        for key, name, email, role in PEOPLE:
            password = _password()
            users[key] = create_user(session, None, email=email, name=name, role=role, password=password)
            lines.append(f"  {role.label:<32} {email:<28} {password}")
        lines.append("")
        lines.append("  Dr Amara Okafor is also the involvement lead (the Involvement page).")
        lines.append("")
        today = dt.date.today()
        build = Builder(session, users["hr"])
        load_profiles_demo(build, users)
        pwp = build.vacancy(
            title="Psychological Wellbeing Practitioner", reference="PWP-BOS-0425", band="Band 5", site="Boston",
            team="steps2change Boston", hours="37.5 hours a week", salary="£31,049 to £37,796 a year",
            closing_date=today + dt.timedelta(days=14), interview_date=today + dt.timedelta(days=35),
            interview_venue="Pilgrim Hospital, Sibsey Road, Boston PE21 9QS, Meeting Room 2",
            description=(
                "Psychological Wellbeing Practitioners assess people with common mental health problems and "
                "support them with low-intensity CBT-based interventions: guided self-help, computerised CBT "
                "and psychoeducational groups.\n"
                "You will work across the Boston area, in GP surgeries, community venues and by video, as part "
                "of the steps2change NHS Talking Therapies service."
            ),
            criteria=PWP_SPEC, panel=[(users["chair"], "chair"), (users["panelist1"], "patient"),
                                      (users["panelist2"], "patient")],
        )
        # the panel's deadlines, so the demo plans reminders (and the chair's and HR's daily summary)
        vacancy_services.set_deadlines(session, users["hr"], pwp, {
            "shortlisting_deadline": today + dt.timedelta(days=7), "scoring_deadline": today + dt.timedelta(days=37)})
        hit = build.vacancy(
            title="High Intensity CBT Therapist", reference="HIT-LIN-0311", band="Band 7", site="Lincoln",
            team="steps2change Lincoln", hours="30 hours a week", salary="£47,810 to £54,710 a year pro rata",
            closing_date=today + dt.timedelta(days=21), interview_date=today + dt.timedelta(days=42),
            interview_venue="Lincoln County Hospital, Greetwell Road, Lincoln LN2 5QY",
            description="High Intensity Therapists deliver evidence-based CBT to people with moderate to severe anxiety and depression.",
            criteria=HI_SPEC, panel=[(users["chair2"], "chair"), (users["panelist3"], "patient")],
        )
        override_demo_rules(build, hit)
        load_shortlisting_demo(build, users, pwp)
        load_large_demo(build, users, today)
        load_plan_demo(build, users)
        add_demo_interview_scores(build)
        load_involvement_demo(build, users)
        load_payments_demo(build, users)
        text = "\n".join(lines)
        path = logins_path()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text + "\n")
    click.echo(text)


LARGE_APPLICATIONS = 120


def load_large_demo(build: Builder, users: dict[str, User], today: dt.date) -> Vacancy:
    """A trainee PWP advert with many applications (imported from one CSV file, as HR does), in
    shortlisting, with the reading shared out: each application is read by 2 of the 4 panel
    members, every one by a patient panelist (issue 14)."""
    vacancy = build.vacancy(
        title="Trainee Psychological Wellbeing Practitioner", reference="TPWP-LIN-0512", band="Band 4",
        site="Lincoln", team="steps2change Lincoln", hours="37.5 hours a week", salary="£27,485 a year",
        closing_date=today - dt.timedelta(days=3), interview_date=today + dt.timedelta(days=28),
        interview_venue="Lincoln County Hospital, Greetwell Road, Lincoln LN2 5QY",
        description="Trainee PWPs train for a year at university while working in the service, learning to "
                    "assess people with common mental health problems and support them with low-intensity CBT.",
        criteria=[c for c in PWP_SPEC if c[3] != AssessedAt.INTERVIEW],
        panel=[(users["chair"], "chair"), (users["panelist3"], "patient"), (users["panelist2"], "patient"),
               (users["chair2"], "staff")], actor=users["hr"])
    build.import_applications(vacancy, LARGE_APPLICATIONS, tag="tpwp", statement_chars=1500, actor=users["hr"])
    build.advance(vacancy, actor=users["hr"])  # draft -> shortlisting
    build.share_reading(vacancy, 2, actor=users["hr"])
    return vacancy


DEMO_INTERVIEW_NOTES = [
    "Gave a clear example from a voluntary role, and said what they would do differently next time.",
    "Talked about risk in general terms; did not mention a safety plan until prompted.",
    "Listened carefully and checked they had understood the question.",
    "Spoke warmly about involving people who use the service.",
    "Some good points, a little rushed.",
]


def add_demo_interview_scores(build: Builder) -> None:
    """Interview scores by one patient panelist on each interviewing vacancy that has a
    plan and shortlisted candidates: the first candidate submitted, the second half done."""
    session = build.session
    session.flush()
    vacancies = session.scalars(select(Vacancy).where(Vacancy.status == VacancyStatus.INTERVIEWING)).all()
    for vacancy in vacancies:
        questions = session.scalars(select(PlanQuestion).where(PlanQuestion.vacancy_id == vacancy.id)
                                    .order_by(PlanQuestion.position)).all()
        candidates = session.scalars(
            select(Candidate).join(ShortlistDecision, ShortlistDecision.candidate_id == Candidate.id)
            .where(Candidate.vacancy_id == vacancy.id, Candidate.withdrawn_at.is_(None),
                   ShortlistDecision.outcome == ShortlistOutcome.SHORTLIST).order_by(Candidate.number)).all()
        member = next((m for m in vacancy.panel_members if m.panel_role == PanelRole.PATIENT), None)
        if not questions or not candidates or member is None:
            continue
        if session.scalar(select(InterviewScore.id).where(InterviewScore.user_id == member.user_id,
                                                          InterviewScore.plan_question_id == questions[0].id)):
            continue
        for n, candidate in enumerate(candidates[:2]):
            done = questions if n == 0 else questions[: max(1, len(questions) // 2)]
            build.interview_scores(candidate, member.user, done, [[3, 2, 4, 3, 1][(i + n) % 5] for i in range(len(done))],
                                   [DEMO_INTERVIEW_NOTES[(i + n) % len(DEMO_INTERVIEW_NOTES)] for i in range(len(done))],
                                   submit=n == 0)
