"""Demo data for shortlisting: the PWP vacancy in the shortlisting stage with ten
candidates (realistic, varied applications), one Disability Confident, one withdrawn,
and John O'Neill part-way through: some candidates scored and submitted, one stepped
aside, one in progress. Zoë Ashworth and the chair have not started; Zoë has chosen to
review one criterion at a time. Every criterion scored at shortlisting has a marking guide
(what 0, 1 and 2 look like), written by HR while the vacancy was a draft.

Called from panel.demo.load_demo; every change goes through the services (audit-logged).
"""
from __future__ import annotations


from panel.builders import Builder
from panel.candidates import screening
from panel.candidates import services as candidate_services
from panel.models import Candidate, User, Vacancy
from panel.permissions import member_of
from panel.shortlisting import services as shortlisting_services
from panel.shortlisting import walk
from panel.vacancies import services as vacancy_services

# The marking guide of each PWP criterion scored at shortlisting (by number): what 0, 1 and 2 look like.
GUIDES = {
    1: ("No degree, and no experience said to be equivalent.",
        "A degree in another subject, or some relevant experience, but not clear they would complete the certificate.",
        "A degree (any subject) or clearly equivalent experience, and says they are willing to train."),
    2: ("Does not mention PWP training.",
        "Has started PWP training, or applied for it.",
        "Completed, or about to complete, a BPS-accredited PWP course, with the date."),
    3: ("No work, paid or voluntary, with people with anxiety or depression.",
        "Some contact with people with anxiety or depression, but little on what they did.",
        "Describes their own work with people with anxiety or depression and what they did, with an example."),
    4: ("No groups or guided self-help.",
        "Has helped with groups or self-help materials, without saying their part.",
        "Has run or co-run groups or guided self-help, and says what they did and what they learned."),
    6: ("Says nothing about how they listen or communicate.",
        "Says they communicate well, with little to show it.",
        "Gives examples of listening and explaining, on the telephone, by video or face to face."),
    7: ("Nothing about managing work or keeping records.",
        "Mentions records or a caseload, but not how they keep them up to date.",
        "Shows how they manage a caseload and keep accurate notes on time, with an example."),
    8: ("No knowledge of low-intensity CBT or stepped care.",
        "Names CBT or stepped care without showing they understand it.",
        "Explains low-intensity CBT and where it sits in stepped care, in their own words."),
    10: ("Nothing about how they treat people.",
         "Says they value people, in general terms.",
         "Shows compassion and respect in what they did, and values what people who use the service say."),
    11: ("Says they cannot travel, or nothing about it.",
         "Could travel with some limits.",
         "Can travel across Lincolnshire to community venues."),
}

# first name, last name, email, phone, disability confident, supporting information,
# evidence by criterion number (PWP spec: 1 degree, 3 anxiety/depression experience,
# 7 caseload and records, 10 values)
CANDIDATES = [
    ("Aoife", "O'Connor", "aoife.oconnor@example.net", "07700 900101", False,
     "I am a psychology graduate (2:1) and for the last two years I have worked as an assistant psychologist "
     "in a community mental health team. I run the waiting-list wellbeing group, which uses psychoeducation "
     "about low mood and anxiety, and I have co-facilitated a Living Life to the Full course.\n"
     "I want to train as a PWP because I have seen how much difference early, practical help makes. I am "
     "calm on the telephone, I write notes on the same day, and I ask my supervisor early when I am unsure "
     "about risk.",
     {1: "BSc (Hons) Psychology, 2:1. I am ready to start the PWP postgraduate certificate.",
      3: "Two years as an assistant psychologist: screening calls, wellbeing group for people waiting for therapy, "
         "and one-to-one behavioural activation under supervision.",
      7: "I hold a caseload of around 20 people for the group and write SystmOne notes the same day.",
      10: "I co-designed our group leaflet with two people who had used the service and changed it after their feedback."}),
    ("José", "Martínez-García", "jose.martinez@example.net", "07700 900102", False,
     "I qualified as a nurse in Spain and moved to Lincolnshire four years ago. I have worked as a healthcare "
     "assistant on an older adults' ward and, more recently, as a support worker for a mental health charity, "
     "where I visit people at home who are anxious about going out.\n"
     "I speak Spanish and Portuguese and I often help families who find services hard to reach. I am keen to "
     "learn CBT-based approaches properly.",
     {1: "Degree in nursing (Universidad de Sevilla), recognised by UK ENIC as equivalent to a UK bachelor's degree.",
      3: "Eighteen months as a community support worker: weekly visits to people with anxiety and low mood, "
         "graded exposure plans agreed with their care coordinator.",
      10: "I always ask people how they would like to be supported, and I have raised concerns when someone's "
          "wishes were not listened to."}),
    ("Chloé", "Dubois", "chloe.dubois@example.net", "", False,
     "I have just completed the PWP postgraduate certificate with another NHS Talking Therapies service and am "
     "looking for a qualified post closer to my family in Boston. During training I carried a caseload of "
     "up to 30 people, delivered telephone and video guided self-help and co-facilitated stress control groups.\n"
     "I use outcome measures (PHQ-9, GAD-7) at every session and bring cases to weekly case management "
     "supervision. I know when to step someone up and how to follow the risk policy.",
     {1: "BA Psychology and Sociology, and the PWP postgraduate certificate (accredited by the BPS) completed this summer.",
      3: "A year as a trainee PWP with a full caseload of people with anxiety and depression.",
      7: "Caseload of up to 30; every session recorded on IAPTus within 24 hours; weekly case management supervision.",
      10: "I adapt materials for people with low literacy and I ask for feedback at the end of every course of treatment."}),
    ("مريم", "الحسن", "maryam.alhassan@example.net", "07700 900104", False,
     "I work as a mental health support worker in a GP practice in Skegness, where I see people with anxiety, "
     "low mood and stress, many of them seasonal workers. I have a degree in Social Psychology and I am "
     "completing an online course in CBT skills.\n"
     "I speak Arabic and English and have supported refugee families to register with a GP and understand "
     "what talking therapies can offer.",
     {1: "BSc Social Psychology (Open University).",
      3: "Three years as a mental health support worker in primary care, seeing people with anxiety and low mood "
         "for up to six sessions.",
      7: "I book my own appointments and keep EMIS records; I have had no record-keeping concerns in audits.",
      10: "I volunteer with a refugee support group and helped them set up a peer support café."}),
    ("Tomasz", "Wiśniewski", "tomasz.wisniewski@example.net", "07700 900105", False,
     "I am a warehouse team leader and I volunteer two evenings a week with a listening service. I would like "
     "to change career into mental health.\n"
     "I am a good listener and people say I am easy to talk to. I do not have a degree yet but I am willing "
     "to study.",
     {3: "Listening volunteer for one year: I take calls from people who are struggling.",
      10: "I treat everyone with respect, whatever their situation."}),
    ("Grace", "Adeyemi", "grace.adeyemi@example.net", "07700 900106", True,
     "I am a graduate mental health worker in a secondary school, where I deliver one-to-one guided self-help "
     "for students with anxiety and run parent workshops about low mood. I completed an MSc in Mental Health "
     "Studies last year.\n"
     "I have a long-term health condition and I understand from my own experience what it is like to wait "
     "for help and to be assessed. I plan my work carefully and use reminders to keep my records up to date.",
     {1: "MSc Mental Health Studies (merit); BSc Biomedical Science.",
      3: "Two years as an education mental health practitioner-style graduate worker: guided self-help for anxiety "
         "and low mood, under supervision from the local NHS team.",
      7: "I manage a caseload of 15 young people and keep records on the school's system and the NHS system.",
      10: "I set up a student advisory group so young people could shape the workshops."}),
    ("Daniel", "O'Brien-Smith", "daniel.obriensmith@example.net", "07700 900107", False,
     "I am a healthcare assistant in A&E. I often support people in crisis while they wait to be seen and I "
     "have completed the Trust's suicide prevention training.\n"
     "I have a degree in Sports Science. I have not worked with groups but I would like to learn.",
     {1: "BSc Sports Science.",
      3: "Supporting people in crisis in A&E while they wait for the liaison team.",
      7: "I complete observations and notes on every shift."}),
    ("Siân", "Llewellyn", "sian.llewellyn@example.net", "07700 900108", False,
     "For six years I was a wellbeing coach for an employee assistance programme, offering telephone sessions "
     "for stress, sleep problems and low mood using CBT-informed workbooks. I hold a Psychology degree and a "
     "certificate in CBT skills.\n"
     "I have also run online groups about managing worry, for up to 40 people at a time. I am used to working "
     "to targets and to recording every contact.",
     {1: "BSc Psychology; Level 5 certificate in CBT skills.",
      3: "Six years of telephone wellbeing coaching for stress, low mood and worry.",
      7: "Caseload of around 35 clients; all contacts recorded on the provider's system the same day.",
      10: "Clients' feedback scores for my sessions are consistently above 4.5 out of 5."}),
    ("Priyanka", "Nair", "priyanka.nair@example.net", "07700 900109", False,
     "I am a recent Psychology graduate. During my placement year I worked in a memory clinic and shadowed "
     "assessments. I volunteer with Mind as a peer support group facilitator.\n"
     "I am organised, I learn quickly and I would bring energy and curiosity to the team.",
     {1: "BSc Psychology with placement year, first class.",
      3: "Peer support group facilitator with Mind for people with anxiety, every other week for a year.",
      10: "As a group facilitator I make sure everyone has a chance to speak and feels welcome."}),
    ("Mark", "Thompson", "mark.thompson@example.net", "07700 900110", False,
     "I am a trainee PWP completing my course in another county and would like to join steps2change when I "
     "qualify.",
     {1: "BSc Psychology; PWP postgraduate certificate due to finish in the spring."}),
]

# John O'Neill's scores (criteria in spec order: 1, 2, 3, 4, 6, 7, 8, 10, 11) and whether he submitted.
JOHN = {
    "aoife.oconnor@example.net": ([2, 0, 2, 2, 2, 2, 1, 2, 1], True, {4: "Runs a waiting-list group: clear evidence."}),
    "chloe.dubois@example.net": ([2, 2, 2, 2, 2, 2, 2, 2, 1], True, {}),
    "tomasz.wisniewski@example.net": ([0, 0, 1, 0, 1, 0, 0, 1, 1], True,
                                      {1: "No degree and no mention of equivalent experience.",
                                       8: "Does not mention CBT or stepped care."}),
    "grace.adeyemi@example.net": ([2, 0, 2, 1, 2, 2, 1, 2, 1], True, {}),
    "daniel.obriensmith@example.net": ([2, 0, 1, 0, 1, 1, 0, 1, 1], True, {6: "Some evidence from A&E work."}),
    "priyanka.nair@example.net": ([2, 0, 1, 1, 1, None, None, None, None], False, {}),
}
JOHN_STEPS_ASIDE = "sian.llewellyn@example.net"
# the identity check: details HR found before shortlisting opened (a sign-off with her name,
# removed from the panel's copy; a charity's helpline, marked as fine)
IDENTITY_DETAILS = {
    "chloe.dubois@example.net": ("\nBest wishes, Chloé", "remove"),
    "grace.adeyemi@example.net": (" I also answered calls for the Mind Infoline on 0300 123 3393.", "fine"),
}
WITHDRAWN = "mark.thompson@example.net"


def load_shortlisting_demo(build: Builder, users: dict[str, User], vacancy: Vacancy) -> None:
    session, hr, john = build.session, users["hr"], users["panelist1"]
    session.refresh(vacancy)
    by_number = {c.position: c for c in vacancy.criteria}
    candidates: dict[str, Candidate] = {}
    for first, last, email, phone, dc, info, evidence in CANDIDATES:
        candidates[email] = build.candidate(
            vacancy, first_name=first, last_name=last, email=email, phone=phone,
            supporting_information=info + IDENTITY_DETAILS.get(email, ("", ""))[0],
            disability_confident=dc, evidence={by_number[n].id: text for n, text in evidence.items()}, actor=hr)
    candidate_services.set_withdrawn(session, hr, candidates[WITHDRAWN], True)
    for email, (_, decision) in IDENTITY_DETAILS.items():  # HR clears the identity check
        while unreviewed := [h for h in candidates[email].identity_hits if not h.fine]:
            if decision == "remove":
                screening.redact(session, hr, unreviewed[0])
            else:
                screening.mark_fine(session, hr, unreviewed[0])
    for number, texts in GUIDES.items():  # while the specification can still change
        vacancy_services.update_criterion(session, hr, by_number[number],
                                          dict(zip(vacancy_services.GUIDE_FIELDS, texts)))
    build.advance(vacancy, actor=hr)  # draft -> shortlisting, with HR's readiness checks
    zoe = users["panelist2"]
    shortlisting_services.set_review_mode(session, zoe, vacancy, member_of(vacancy, zoe.id), walk.CRITERION)
    for email, (scores, submit, comments) in JOHN.items():
        build.shortlist_scores(candidates[email], john, scores, comments=comments, submit=submit)
    build.declare(candidates[JOHN_STEPS_ASIDE], john, knows=True)
    session.flush()
