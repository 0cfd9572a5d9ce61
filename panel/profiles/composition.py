"""Panel composition rules: checked on the panel page while HR builds the panel, and at every
stage move (panel.vacancies.services.advance_status). A broken rule needs an override with a
reason (PanelRuleOverride, audit-logged, shown on the vacancy); without one the move is refused.

The rules are settings (panel/config.py): COMPOSITION_MIN_PATIENTS (at least N patient
panelists, default 1), COMPOSITION_TRAINED_MEMBER (someone on the panel holds in-date
recruitment and selection training) and COMPOSITION_TRAINED_CHAIR (the chair holds in-date
chairing training). Expired training does not count.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import Session

from panel import audit
from panel.deadlines import london_today
from panel.errors import ServiceError
from panel.models import PanelRole, PanelRuleOverride, TrainingKind, User, Vacancy
from panel.profiles import queries

PATIENTS = "patients"
TRAINED_MEMBER = "trained_member"
TRAINED_CHAIR = "trained_chair"
RULE_NAMES = {PATIENTS: "Patient panelists", TRAINED_MEMBER: "Recruitment training",
              TRAINED_CHAIR: "Chairing training"}


class RuleError(ServiceError):
    """A panel that breaks a rule, with no reason given to go ahead."""


@dataclass(frozen=True)
class RuleCheck:
    rule: str
    name: str
    text: str           # what the rule asks
    met: bool
    problem: str        # why it is not met ("" when met)
    override: PanelRuleOverride | None = None

    @property
    def needs_override(self) -> bool:
        return not self.met and self.override is None


def check(vacancy: Vacancy, trained: dict[int, set[TrainingKind]], config=None) -> list[tuple[str, str, str, bool, str]]:
    """(rule, name, text, met, problem) for each rule switched on. ``trained``: in-date training
    per user id of the panel (queries.in_date_training). No queries."""
    config = config or current_app.config
    members = vacancy.panel_members
    out = []
    n = int(config["COMPOSITION_MIN_PATIENTS"])
    if n > 0:
        have = sum(1 for m in members if m.panel_role == PanelRole.PATIENT)
        people = f"{n} patient panelist{'s' if n != 1 else ''}"
        out.append((PATIENTS, RULE_NAMES[PATIENTS], f"At least {people}", have >= n,
                    "" if have >= n else f"The panel has {have} patient panelist{'s' if have != 1 else ''}; "
                                         f"it needs at least {n}."))
    if config["COMPOSITION_TRAINED_MEMBER"]:
        ok = any(TrainingKind.RECRUITMENT in trained.get(m.user_id, set()) for m in members)
        out.append((TRAINED_MEMBER, RULE_NAMES[TRAINED_MEMBER],
                    "At least one member with in-date recruitment and selection training", ok,
                    "" if ok else "Nobody on the panel has in-date recruitment and selection training."))
    if config["COMPOSITION_TRAINED_CHAIR"]:
        chairs = [m for m in members if m.panel_role == PanelRole.CHAIR]
        ok = bool(chairs) and all(TrainingKind.CHAIRING in trained.get(m.user_id, set()) for m in chairs)
        problem = ("" if ok else "The panel has no chair." if not chairs
                   else "The chair does not have in-date chairing training.")
        out.append((TRAINED_CHAIR, RULE_NAMES[TRAINED_CHAIR], "A chair with in-date chairing training", ok, problem))
    return out


def rules_for(session: Session, vacancy: Vacancy, today: dt.date | None = None) -> list[RuleCheck]:
    """Every rule for the vacancy's panel now, with any override given (3 queries)."""
    today = today or london_today()
    trained = queries.in_date_training(queries.training(session, [m.user_id for m in vacancy.panel_members]), today)
    given = queries.overrides(session, vacancy.id)
    return [RuleCheck(rule, name, text, met, problem, given.get(rule))
            for rule, name, text, met, problem in check(vacancy, trained)]


def override(session: Session, actor: User, vacancy: Vacancy, checks: list[RuleCheck], reason: str | None) -> int:
    """Record the reason for going ahead with every broken rule that has none yet. Refused
    (RuleError on the ``reason`` field, nothing changed) without a reason."""
    wanted = [c for c in checks if c.needs_override]
    if not wanted:
        return 0
    reason = (reason or "").strip()
    if not reason:
        raise RuleError("Give a reason for going ahead with a panel that breaks "
                        + ("this rule" if len(wanted) == 1 else "these rules"), field="reason")
    for c in wanted:
        row = PanelRuleOverride(vacancy_id=vacancy.id, rule=c.rule, reason=reason, at_status=vacancy.status.value,
                                by_id=actor.id)
        session.add(row)
        session.flush()
        audit.record(session, actor, "override", row, vacancy_id=vacancy.id,
                     summary=f"Panel rule overridden on {vacancy.reference}: {c.name.lower()} ({c.problem})",
                     changes={"rule": {"before": None, "after": c.rule}, "reason": {"before": None, "after": reason}})
    return len(wanted)


def require(session: Session, actor: User, vacancy: Vacancy, reason: str | None) -> None:
    """At a stage move: every rule met or overridden; a reason given now overrides the broken
    ones. RuleError when a rule is broken and no reason is given."""
    checks = rules_for(session, vacancy)
    wanted = [c for c in checks if c.needs_override]
    if wanted and not (reason or "").strip():
        raise RuleError(wanted[0].problem + " Give a reason to go ahead anyway.", field="reason")
    override(session, actor, vacancy, checks, reason)
