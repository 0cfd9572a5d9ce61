"""Demo involvement records: profiles with what each person shares, training records (one
expired), a shadowing session, the involvement lead, and a reason HR gave for going ahead with
a panel that breaks the rules."""
from __future__ import annotations

import datetime as dt

from panel.builders import Builder
from panel.models import TrainingKind, User, Vacancy
from panel.profiles import composition, services

PROFILES = {
    "panelist2": ({"step_free": True, "breaks": True, "break_every": "every hour", "preferred_sites": "Boston,Spalding",
                   "travel": "Up to 15 miles: I do not drive", "availability": "Weekday mornings, not school holidays",
                   "contact_by_phone": True, "phone": "01205 445 000"},
                  {"step_free", "breaks"}),
    "panelist1": ({"hearing_loop": True, "large_print": True, "preferred_sites": "Boston,Lincoln,Skegness",
                   "travel": "Anywhere in the county", "availability": "Any weekday"},
                  {"hearing_loop", "large_print"}),
    "panelist3": ({"remote": True, "quiet_room": True, "easy_read": True, "preferred_sites": "Lincoln",
                   "availability": "Tuesdays and Thursdays", "other_needs": "Papers a week before, if possible"},
                  set()),
}

YEAR = dt.timedelta(days=365)


def load_involvement_demo(build: Builder, users: dict[str, User]) -> None:
    """Before the demo vacancies move on: the PWP panel (Chris Morgan, John O'Neill, Zoë
    Ashworth) meets the composition rules."""
    session, hr = build.session, users["hr"]
    today = dt.date.today()
    for key, (data, share) in PROFILES.items():
        services.save_profile(session, users[key], data, share)
    training = [
        ("chair", TrainingKind.CHAIRING, today - YEAR // 2, today + YEAR + YEAR // 2),
        ("chair", TrainingKind.RECRUITMENT, today - YEAR // 3, today + YEAR * 2),
        ("panelist1", TrainingKind.RECRUITMENT, today - YEAR // 4, today + YEAR * 2),
        ("panelist1", TrainingKind.EQUALITY, today - YEAR // 4, today + YEAR * 2),
        ("panelist1", TrainingKind.CONFIDENTIALITY, today - YEAR // 4, None),
        ("panelist2", TrainingKind.RECRUITMENT, today - YEAR * 3, today - YEAR),  # expired
        ("panelist2", TrainingKind.EQUALITY, today - YEAR // 6, today + YEAR * 2),
        ("chair2", TrainingKind.CHAIRING, today - YEAR * 4, today - YEAR // 2),  # expired
    ]
    for key, kind, done, expires in training:
        services.record_training(session, hr, users[key], kind, done, expires)
    services.record_shadowing(session, hr, users["panelist1"], today - dt.timedelta(days=40), "Chris Morgan")
    services.set_involvement_lead(session, hr, users["chair2"], True)


def override_demo_rules(build: Builder, vacancy: Vacancy) -> None:
    """HR went ahead with the High Intensity panel (no in-date training yet), with a reason."""
    with build.context():
        composition.override(build.session, build.actor, vacancy, composition.rules_for(build.session, vacancy),
                             "Siobhán's recruitment training and Dr Okafor's chairing refresher are booked for next "
                             "month, before shortlisting starts.")
