"""The "before you start" pages: for each role and stage, what is asked of you, how long it
usually takes, what the scores mean, a glossary and who to call. Plain data for the templates."""
from __future__ import annotations

from dataclasses import dataclass

ROLES = {"patient": "Patient panelist", "staff": "Staff panel member", "chair": "Panel chair"}
STAGES = {"shortlisting": "Shortlisting", "interviews": "Interviews"}


@dataclass(frozen=True)
class Page:
    asked: list[str]
    time: str
    scores: list[str]


SHORTLISTING_SCORES = ["0 – no evidence: the application does not show this.",
                       "1 – some evidence: it shows some of this, or not clearly.",
                       "2 – clear evidence: it shows this clearly, with an example."]
INTERVIEW_SCORES = ["Each answer is scored on the scale shown with the question (usually 1 to 5).",
                    "The guidance under each question says what a good answer may include.",
                    "Score what you heard, not what you think the person meant."]

PAGES = {
    ("patient", "shortlisting"): Page(
        ["Read each anonymised application on your own.",
         "For each criterion of the person specification, give a score and, if you like, a short note.",
         "If you recognise the person, say so: you step aside from that application and nobody asks why."],
        "About 20 to 30 minutes for each application. You can stop and come back: nothing is lost.",
        SHORTLISTING_SCORES),
    ("patient", "interviews"): Page(
        ["Help agree the questions, and ask the ones given to you.",
         "Listen to each candidate and score each answer on your own before you see anyone else's scores.",
         "Join the discussion after the interviews: your view counts as much as anyone's."],
        "An interview day is usually 9:30am to 4:30pm, with breaks. Each interview takes 45 minutes or so.",
        INTERVIEW_SCORES),
    ("staff", "shortlisting"): Page(
        ["Score each anonymised application against the person specification, on your own.",
         "Declare any conflict of interest before you read an application."],
        "About 15 to 20 minutes for each application.", SHORTLISTING_SCORES),
    ("staff", "interviews"): Page(
        ["Ask your questions and score every answer on your own.",
         "Write notes that the candidate could read: they can ask for them."],
        "An interview day, usually 9:30am to 4:30pm.", INTERVIEW_SCORES),
    ("chair", "shortlisting"): Page(
        ["Score the applications like everyone else, then moderate: look at the spread of scores.",
         "Decide who is invited to interview, with a reason for each decision.",
         "Make sure Disability Confident applicants who meet every essential criterion are offered an interview."],
        "Your own scoring, then about an hour of moderation.", SHORTLISTING_SCORES),
    ("chair", "interviews"): Page(
        ["Agree the questions and the timetable, and make the arrangements panel members asked for.",
         "Lead each interview and the discussion; make sure every voice is heard, the patient panelists' first.",
         "Record the outcomes with reasons, and sign them off."],
        "The interview day, and about an hour afterwards for outcomes and feedback.", INTERVIEW_SCORES),
}

GLOSSARY = [
    ("Person specification", "The list of what the job needs (the criteria). Every score is against one of them."),
    ("Criterion", "One thing on the person specification, such as experience of working with people with anxiety."),
    ("Essential", "A criterion the person must meet to get the job. Missing an essential criterion usually means no interview."),
    ("Desirable", "A criterion that would be good to have, but is not needed."),
    ("Shortlisting", "Choosing who to invite to interview, by scoring the applications."),
    ("Anonymised", "Names and contact details are hidden, so everyone is judged on what they wrote."),
    ("Moderation", "The chair looks at everyone's scores together, talks about big differences and decides."),
    ("Disability Confident", "A government scheme: applicants with a disability who meet all the essential criteria are offered an interview."),
    ("Conflict of interest", "When you know a candidate (for example a former therapist). Say so and step aside from them: no reason is asked."),
    ("Reserve", "A candidate who could be appointed if the first choice says no."),
    ("Content note", "A warning that a question touches on something that may be upsetting."),
]
