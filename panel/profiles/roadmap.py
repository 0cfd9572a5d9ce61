"""The role roadmap for patient panelists: member -> trained member -> shadow chair -> chair.

Each step says what it needs; a person's step is the furthest whose needs they all meet
(training counted only while in date). HR and the lead see who is ready for the next step.
"""
from __future__ import annotations

from dataclasses import dataclass

from panel.models import TrainingKind

CORE_TRAINING = (TrainingKind.RECRUITMENT, TrainingKind.EQUALITY, TrainingKind.CONFIDENTIALITY)
PANELS_BEFORE_SHADOWING = 2
SHADOWING_BEFORE_CHAIRING = 1


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    needs: str


STEPS = (
    Step("member", "Member", "A voice2change member with an account. Sits on panels with a trained member."),
    Step("trained", "Trained member",
         "In-date training in recruitment and selection, equality and unconscious bias, and confidentiality."),
    Step("shadow", "Shadow chair",
         f"A trained member who has sat on at least {PANELS_BEFORE_SHADOWING} panels sits beside a chair to learn the role."),
    Step("chair", "Chair",
         f"A shadow chair with in-date chairing training and at least {SHADOWING_BEFORE_CHAIRING} shadowing session chairs a panel."),
)


@dataclass(frozen=True)
class Facts:
    """What a person has done: in-date training, panels sat on, shadowing sessions, panels chaired."""

    trained: frozenset
    panels: int = 0
    shadowed: int = 0
    chaired: int = 0


def missing_for(step: str, f: Facts) -> list[str]:
    """What this person still needs before they can take ``step`` (empty: ready for it)."""
    if step == "member":
        return []
    out = [f"{k.label} training" for k in CORE_TRAINING if k not in f.trained]
    if step == "shadow" and f.panels < PANELS_BEFORE_SHADOWING:
        more = PANELS_BEFORE_SHADOWING - f.panels
        out.append(f"{more} more panel{'s' if more != 1 else ''}")
    if step == "chair":
        if TrainingKind.CHAIRING not in f.trained:
            out.append("Chairing training")
        if f.shadowed < SHADOWING_BEFORE_CHAIRING:
            out.append("A shadowing session")
    return out


def _reached(step: str, f: Facts) -> bool:
    """The person is at this step (has done it, not only ready for it)."""
    core = not missing_for("trained", f)
    return {"member": True, "trained": core, "shadow": core and f.shadowed > 0,
            "chair": core and f.chaired > 0 and TrainingKind.CHAIRING in f.trained}[step]


@dataclass(frozen=True)
class Position:
    step: Step
    next: Step | None
    missing: list[str]   # what the next step still needs

    @property
    def ready(self) -> bool:
        return self.next is not None and not self.missing


def position(f: Facts) -> Position:
    reached = STEPS[0]
    for step in STEPS[1:]:
        if not _reached(step.key, f):
            break
        reached = step
    i = STEPS.index(reached)
    nxt = STEPS[i + 1] if i + 1 < len(STEPS) else None
    return Position(reached, nxt, missing_for(nxt.key, f) if nxt else [])
