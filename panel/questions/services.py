"""The work behind the question bank. Services flush; the request commits."""
from __future__ import annotations

from sqlalchemy.orm import Session

from panel import audit
from panel.db import utcnow
from panel.errors import ServiceError
from panel.models import BankQuestion, CriterionCategory, PlanQuestion, QuestionStatus, User, Vacancy
from panel.questions.forms import split_tags

QUESTION_FIELDS = ["text", "category", "tags", "guidance", "follow_ups", "content_note", "status",
                   "proposed_for_vacancy_id", "review_note"]


class QuestionError(ServiceError):
    """Refused by the question bank services."""


def clean_lines(text: str | None) -> str:
    """One point a line: trimmed, blank lines and list bullets removed."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip().lstrip("-*•").strip()
        if line:
            out.append(line)
    return "\n".join(out)


def question_data(form) -> dict:
    return {
        "text": form.text.data,
        "category": CriterionCategory(form.category.data),
        "tags": ",".join(split_tags(form.tags.data)),
        "guidance": clean_lines(form.guidance.data),
        "follow_ups": clean_lines(form.follow_ups.data),
        "content_note": form.content_note.data or "",
    }


def propose_question(session: Session, actor: User, data: dict, vacancy: Vacancy | None = None) -> BankQuestion:
    question = BankQuestion(status=QuestionStatus.PROPOSED, proposed_by_id=actor.id,
                            proposed_for_vacancy_id=vacancy.id if vacancy else None, **data)
    session.add(question)
    session.flush()
    audit.record(session, actor, "propose", question, vacancy_id=question.proposed_for_vacancy_id,
                 summary="Question proposed for the question bank",
                 changes=audit.diff({}, audit.snapshot(question, QUESTION_FIELDS)))
    return question


def update_question(session: Session, actor: User, question: BankQuestion, data: dict) -> dict:
    before = audit.snapshot(question, QUESTION_FIELDS)
    for key, value in data.items():
        setattr(question, key, value)
    session.flush()
    changes = audit.diff(before, audit.snapshot(question, QUESTION_FIELDS))
    if changes:
        audit.record(session, actor, "update", question, vacancy_id=question.proposed_for_vacancy_id,
                     summary="Question in the bank changed", changes=changes)
    return changes


def review_question(session: Session, actor: User, question: BankQuestion, approve: bool, note: str = "") -> None:
    """Approve or reject a proposal. Only a proposal waiting for review can be reviewed,
    so two reviewers at once cannot overwrite each other."""
    if not question.status.waiting_for_review:
        who = question.reviewed_by.name if question.reviewed_by else "someone else"
        raise QuestionError(f"This question has already been reviewed by {who}: {question.status.label.lower()}")
    before = audit.snapshot(question, QUESTION_FIELDS)
    question.status = QuestionStatus.APPROVED if approve else QuestionStatus.REJECTED
    question.review_note = note or ""
    question.reviewed_by_id = actor.id
    question.reviewed_at = utcnow()
    session.flush()
    audit.record(session, actor, "approve" if approve else "reject", question,
                 vacancy_id=question.proposed_for_vacancy_id,
                 summary="Question approved for the bank" if approve else "Question not approved for the bank",
                 changes=audit.diff(before, audit.snapshot(question, QUESTION_FIELDS)))


def offer_plan_question(session: Session, actor: User, plan_question: PlanQuestion,
                        category: CriterionCategory) -> BankQuestion:
    """Offer a question written for a plan back to the bank (as a proposal for that vacancy)."""
    if plan_question.bank_question_id is not None:
        raise QuestionError("This question is already in the question bank")
    question = propose_question(session, actor, {
        "text": plan_question.text, "category": category, "tags": "",
        "guidance": plan_question.guidance, "follow_ups": plan_question.follow_ups,
        "content_note": plan_question.content_note,
    }, vacancy=plan_question.vacancy)
    plan_question.bank_question_id = question.id
    return question
