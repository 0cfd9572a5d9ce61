"""Demo data for issue 17 (support and recognition): support contacts, a past vacancy whose
patient panelists have had their check-ins (one answered and asking for a call, one still to
reply), a debrief offered by the chair, and a concern raised."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from panel.builders import Builder
from panel.involvement import services
from panel.models import CheckIn, Outcome, User, Vacancy, VacancyStatus

SUPPORT = {"name": "Grace Adeyemi, involvement lead", "phone": "01522 309100", "email": "involvement@example.org"}


def load_involvement_demo(build: Builder, users: dict[str, User]) -> Vacancy:
    session = build.session
    hr, chair, john, zoe = users["hr"], users["chair"], users["panelist1"], users["panelist2"]
    today = dt.date.today()
    with build.context():
        for vacancy in session.scalars(select(Vacancy).where(Vacancy.status != VacancyStatus.CLOSED)):
            services.set_support_contact(session, hr, vacancy, **SUPPORT)
    past = build.vacancy(
        title="Assistant Psychologist", reference="AP-SKE-0925", site="Skegness", team="steps2change Skegness",
        interview_date=today - dt.timedelta(days=40), criteria=3,
        panel=[(chair, "chair"), (john, "patient"), (zoe, "patient")])
    people = [build.candidate(past, first_name=first, last_name=last, email=email, phone="",
                              supporting_information="")
              for first, last, email in (("Nadia", "Rahman", "nadia.rahman@example.net"),
                                         ("Tom", "Fletcher", "tom.fletcher@example.net"))]
    build.jump_to(past, VacancyStatus.INTERVIEWING)
    for c in people:
        build.decided(c, "shortlist", "Meets the essential criteria", by=chair)
    question = build.plan_question(past, "What does good care look like to you?")
    with build.context():
        services.set_support_contact(session, hr, past, **SUPPORT)
    build.reveal_answers(past)
    for member, scores in ((chair, [4, 2]), (john, [3, 2]), (zoe, [4, 1])):
        for c, score in zip(people, scores):
            build.interview_scores(c, member, [question], [score])
    build.outcome(people[0], Outcome.PREFERRED, "Gave warm, clear answers and knew the service.", actor=chair)
    build.outcome(people[1], Outcome.NOT_APPOINTABLE, "Did not show enough experience of assessment.", actor=chair)
    build.sign_off(past, actor=chair)
    build.advance(past)  # decisions: each patient panelist is sent a check-in
    with build.context():
        john_check_in = session.scalar(select(CheckIn).where(CheckIn.vacancy_id == past.id, CheckIn.user_id == john.id))
        services.answer_check_in(session, john, john_check_in, how_it_went="mixed", wants_call=True,
                                 troubles="One answer about self-harm was hard to hear. I was fine, but would like to talk it over.")
        services.record_debrief(session, chair, past, john.id)
        services.raise_concern(session, users["panelist3"],
                               "The interview room was very warm and there was no water for the panel.",
                               vacancy_id=None, wants_reply=False)
    build.jump_to(past, VacancyStatus.CLOSED)
    return past
