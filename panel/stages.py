"""The stages a vacancy goes through, as one ordered table (after pretalx's ``ReviewPhase``).

Each row says what its stage allows and shows: the flags that permissions, services, packs,
navigation and templates read (``vacancy.stage.names_shown``), its plain-English explanation,
the next step for HR and for the panel on the home pages, the readiness check that must pass
before it moves on, and the vacancy's tabs. Nothing else in the app compares a vacancy's status:
ask the stage (``vacancy.stage``) instead. A vacancy moves one row forward at a time
(``panel.vacancies.services.advance_status``); ``VacancyStatus`` (the value stored in the
database) names the rows.

To add a stage: add its ``VacancyStatus`` value where it falls in the order (the column is a
VARCHAR with no CHECK constraint, so no migration), add one row here in the same place with its
flags, words, readiness check (panel/vacancies/readiness.py) and tabs (TABS), and add its pages.
tests/test_stages.py checks the table is complete, ordered and consistent.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from flask import url_for

from panel import permissions
from panel.models import Vacancy, VacancyStatus
from panel.vacancies import readiness


class Tab(NamedTuple):
    """A tab of the vacancy's sub-navigation. ``shown_if``: who sees it (None: everyone who may
    see the vacancy)."""

    key: str
    label: str
    endpoint: str
    shown_if: Callable | None = None


class TabLink(NamedTuple):
    key: str
    label: str
    href: str


TABS = {tab.key: tab for tab in (
    Tab("overview", "Overview", "vacancies.show"),
    Tab("criteria", "Person specification", "vacancies.criteria"),
    Tab("panel", "Panel", "vacancies.panel"),
    Tab("candidates", "Candidates", "candidates.index", permissions.can_view_candidates),
    Tab("shortlisting", "Shortlisting", "shortlisting.index", permissions.can_view_shortlisting),
    Tab("plan", "Interview plan", "plans.plan"),
    Tab("timetable", "Timetable", "plans.timetable"),
    Tab("interviews", "Interviews", "scoring.interviews"),
    Tab("results", "Results", "scoring.results"),
    Tab("packs", "Packs", "packs.index"),
)}

BEFORE_INTERVIEWS = ("overview", "criteria", "panel", "candidates", "shortlisting", "plan", "timetable", "packs")
FROM_INTERVIEWS = ("overview", "criteria", "panel", "candidates", "shortlisting", "plan", "timetable",
                   "interviews", "results", "packs")


@dataclass(frozen=True)
class Stage:
    status: VacancyStatus
    explanation: str          # what happens at this stage (the vacancy page, "move to ..." page)
    next_step_hr: str         # HR's home page
    next_step_panel: str      # the panel's home page
    readiness: Callable[[Vacancy], list[str]]  # what stops it moving on (empty: ready)
    tabs: tuple[str, ...]     # keys of TABS, in order
    # --- what the stage allows -------------------------------------------------------
    setting_up: bool = False          # HR sets the job up: the person specification can change; the panel has nothing to do yet
    candidates_addable: bool = False  # HR adds and imports candidates (everyone added is shortlisted)
    candidates_editable: bool = False  # HR changes, withdraws and uploads for candidates
    panel_editable: bool = False      # HR adds people to the panel and removes them
    shortlisting_open: bool = False   # the panel declares conflicts and scores; the chair moderates
    shortlisting_done: bool = False   # shortlisting is over: HR sees the moderation grid and everyone's shortlisting records
    names_shown: bool = False         # the panel (and every pack) sees candidates' names, not only their labels
    plan_editable: bool = False       # questions, askers, scale and timetable change; invitations can be sent
    interviews_started: bool = False  # the interviews, results and feedback pages exist
    scoring_open: bool = False        # interview scores, moderation, outcomes and sign-off can change
    finished: bool = False            # nothing changes any more; retention periods count from here
    adjustments_shown: bool = False   # the adjustments candidates asked for show on the timetable, packs and scoring pages
    outcome_letters: bool = False     # HR may send "not appointed" letters to interviewed candidates
    # HR's home page shows what this check (one with no query: the home page lists every vacancy)
    # says is still to do, instead of next_step_hr; the vacancy page shows the whole readiness check
    home_checklist: Callable[[Vacancy], list[str]] | None = None
    # the deadline (a Vacancy column, panel/deadlines.py) the panel works to at this stage:
    # reminders before it are planned while the vacancy is here
    deadline: str | None = None
    # the message everyone on the panel is sent when the vacancy arrives here (panel/notifications)
    announcement: str | None = None
    # the interview day is over when the vacancy arrives here: each patient panelist is sent a
    # private check-in (panel/involvement/services.py, invite_check_ins)
    check_ins: bool = False

    @property
    def label(self) -> str:
        return self.status.label

    @property
    def position(self) -> int:
        return STATUSES.index(self.status)

    @property
    def next(self) -> Stage | None:
        i = self.position + 1
        return STAGES[i] if i < len(STAGES) else None

    @property
    def previous(self) -> Stage | None:
        return STAGES[self.position - 1] if self.position > 0 else None


STAGES: tuple[Stage, ...] = (
    Stage(
        VacancyStatus.DRAFT,
        explanation="HR is setting up the job, the person specification and the panel. Panel members cannot score anything yet.",
        next_step_hr="Finish the person specification and the panel, then start shortlisting.",
        next_step_panel="Nothing to do yet. HR is still setting this job up.",
        readiness=readiness.ready_to_shortlist, tabs=BEFORE_INTERVIEWS,
        setting_up=True, candidates_addable=True, candidates_editable=True, panel_editable=True,
        plan_editable=True, home_checklist=readiness.set_up_problems,
    ),
    Stage(
        VacancyStatus.SHORTLISTING,
        explanation="Panel members read the anonymised applications and score each one against the person specification, on their own. The chair then decides who to invite to interview.",
        next_step_hr="Panel members are scoring applications. Move to interviewing when the chair has decided the shortlist.",
        next_step_panel="Read and score the anonymised applications.",
        readiness=readiness.ready_to_interview, tabs=BEFORE_INTERVIEWS,
        candidates_addable=True, candidates_editable=True, panel_editable=True, shortlisting_open=True,
        plan_editable=True, deadline="shortlisting_deadline", announcement="shortlisting_opened",
    ),
    Stage(
        VacancyStatus.INTERVIEWING,
        explanation="Candidates' names are now shown to the panel. The panel agrees the interview questions and timetable, then interviews and scores each candidate.",
        next_step_hr="Interviews are being planned and held.",
        next_step_panel="Read the interview plan and get ready for the interviews.",
        readiness=readiness.nothing_to_check, tabs=FROM_INTERVIEWS,
        candidates_editable=True, panel_editable=True, shortlisting_done=True, names_shown=True,
        plan_editable=True, interviews_started=True, scoring_open=True, deadline="scoring_deadline",
        adjustments_shown=True,
    ),
    Stage(
        VacancyStatus.DECISIONS,
        explanation="The chair looks at everyone's interview scores with the panel and records who can be appointed, with reasons.",
        next_step_hr="The chair is recording the outcomes.",
        next_step_panel="The chair is recording the outcomes with the panel.",
        readiness=readiness.ready_to_close, tabs=FROM_INTERVIEWS,
        candidates_editable=True, panel_editable=True, shortlisting_done=True, names_shown=True,
        interviews_started=True, scoring_open=True, deadline="scoring_deadline", adjustments_shown=True, check_ins=True,
    ),
    Stage(
        VacancyStatus.CLOSED,
        explanation="The recruitment is finished. Records are kept for the retention period and then personal details are deleted.",
        next_step_hr="Nothing to do.",
        next_step_panel="Finished. Thank you for taking part.",
        readiness=readiness.nothing_to_check, tabs=FROM_INTERVIEWS,
        shortlisting_done=True, names_shown=True, interviews_started=True, finished=True, adjustments_shown=True,
        outcome_letters=True,
    ),
)

STATUSES: tuple[VacancyStatus, ...] = tuple(s.status for s in STAGES)
_BY_STATUS = {s.status: s for s in STAGES}


def stage_of(status: VacancyStatus) -> Stage:
    return _BY_STATUS[VacancyStatus(status)]


def statuses_where(flag: str) -> tuple[VacancyStatus, ...]:
    """The statuses whose stage has ``flag`` set, for a query (``Vacancy.status.in_(...)``)."""
    return tuple(s.status for s in STAGES if getattr(s, flag))


def tabs_for(user, vacancy: Vacancy) -> list[TabLink]:
    """The vacancy's tabs at its stage that this user may open, with their links."""
    links = []
    for key in vacancy.stage.tabs:
        tab = TABS[key]
        if tab.shown_if is None or tab.shown_if(user, vacancy):
            links.append(TabLink(key, tab.label, url_for(tab.endpoint, vacancy_id=vacancy.id)))
    return links
