"""Feedback for candidates, as plain text built from plain data (no database).

The draft goes through the person specification criteria the interview assessed, says
what the panel found for each (from the agreed scores), and quotes the panel's notes
marked for the chair to rewrite or remove. Scores are added only if the chair chooses.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from panel.scorecore import format_score
from panel.scoring.results import CandidateResult

NOTE_MARK = "[Panel note - rewrite or remove before sending]"


@dataclass(frozen=True)
class FeedbackQuestion:
    id: int
    position: int
    text: str
    criteria: tuple[str, ...]  # criterion texts this question assesses


def _outcome_paragraph(outcome: str | None) -> str:
    return {
        "preferred": ("We are pleased to tell you that the panel found you appointable and would like to offer you "
                      "the post, subject to the usual pre-employment checks. HR will contact you about the next steps."),
        "reserve": ("The panel found you appointable, but offered the post to another candidate. We would like to keep "
                    "you on our reserve list, and may contact you if the post or a similar one becomes available."),
        "not_appointable": ("We are sorry to tell you that on this occasion the panel did not find you appointable "
                            "for this post."),
    }.get(outcome or "", "The panel has not recorded its decision yet.")


def draft(first_name: str, title: str, reference: str, outcome: str | None, questions: Sequence[FeedbackQuestion],
          result: CandidateResult | None, scale_max: int, notes: dict[int, list[str]]) -> str:
    """The first draft of a candidate's feedback. ``notes`` maps a question id to the
    panel members' notes on it (already submitted)."""
    agreed = {q.question_id: q.agreed for q in result.questions} if result else {}
    by_criterion: dict[str, list[FeedbackQuestion]] = {}
    for q in questions:
        for text in q.criteria:
            by_criterion.setdefault(text, []).append(q)
    strengths, develop, met = [], [], []
    for criterion, qs in by_criterion.items():
        values = [agreed.get(q.id) for q in qs if agreed.get(q.id) is not None]
        if not values:
            continue
        level = sum(values) / len(values) / scale_max if scale_max else 0
        (strengths if level >= 0.75 else develop if level < 0.5 else met).append(criterion)

    lines = [f"Dear {first_name},", "",
             f"Thank you for coming to interview for the post of {title} ({reference}).", "",
             _outcome_paragraph(outcome), ""]
    if by_criterion:
        lines += ["The panel asked about these parts of the person specification:"]
        lines += [f"- {c}" for c in by_criterion] + [""]
    if strengths:
        lines += ["What went well: the panel felt you gave clear, strong evidence of:"]
        lines += [f"- {c}" for c in strengths] + [""]
    if met:
        lines += ["The panel felt you met these parts of the person specification:"]
        lines += [f"- {c}" for c in met] + [""]
    if develop:
        lines += ["Where you could develop: the panel felt your answers gave limited evidence of:"]
        lines += [f"- {c}" for c in develop] + [""]
    for q in questions:
        for note in notes.get(q.id, []):
            if note.strip():
                lines.append(f"{NOTE_MARK} Question {q.position}: {' '.join(note.split())}")
    if any(n.strip() for ns in notes.values() for n in ns):
        lines.append("")
    lines += ["Thank you again for your interest in working with us. If you would like to talk about this "
              "feedback, please reply to this email.", "", "Best wishes,", "The interview panel"]
    return "\n".join(lines)


def has_unedited_notes(text: str) -> bool:
    return NOTE_MARK in text


def scores_section(questions: Sequence[FeedbackQuestion], result: CandidateResult | None, scale_min: int,
                   scale_max: int) -> str:
    """The candidate's agreed scores, added below the feedback when the chair chooses."""
    agreed = {q.question_id: q.agreed for q in result.questions} if result else {}
    lines = [f"Your interview scores (from {scale_min} to {scale_max}, where {scale_max} is the highest):"]
    for q in questions:
        lines.append(f"- Question {q.position}, {q.text}: {format_score(agreed.get(q.id))}")
    if result and result.total is not None:
        lines.append(f"Total: {format_score(result.total)} out of {scale_max * len(questions)}")
    return "\n".join(lines)


def document(text: str, include_scores: bool, scores: str) -> str:
    """What the candidate receives: the chair's text, and the scores if chosen."""
    body = text.strip()
    if include_scores and scores:
        body += "\n\n" + scores
    return body + "\n"
