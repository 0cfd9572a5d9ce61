"""Reads for the question bank pages, each in a fixed number of queries."""
from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from panel import permissions
from panel.db import db
from panel.models import BankQuestion, CriterionCategory, PanelMember, PanelRole, PlanQuestion, QuestionStatus, Vacancy
from panel.stages import statuses_where
from panel.vacancies.queries import visible_vacancies

SHOW_APPROVED = "approved"
SHOW_WAITING = "waiting"
SHOW_MINE = "mine"
SHOW_REJECTED = "rejected"


def chaired_vacancy_ids(user) -> set[int]:
    """The ids of the vacancies this user chairs (the ``chaired`` fact of the question bank's
    rules in panel.permissions), in one query."""
    if not permissions.is_signed_in(user):
        return set()
    return set(db().scalars(select(PanelMember.vacancy_id).where(PanelMember.user_id == user.id,
                                                                 PanelMember.panel_role == PanelRole.CHAIR)))


def visible_bank_questions(user, chaired: set[int]) -> Select:
    """A SELECT of the bank questions this user may see (the SQL twin of
    permissions.can_see_bank_question)."""
    stmt = select(BankQuestion)
    if permissions.is_hr(user):
        return stmt
    if not permissions.is_signed_in(user):
        return stmt.where(False)
    conditions = [BankQuestion.status == QuestionStatus.APPROVED, BankQuestion.proposed_by_id == user.id]
    if permissions.is_chair_anywhere(user, chaired):
        conditions.append(BankQuestion.proposed_for_vacancy_id.is_(None))
    if chaired:
        conditions.append(BankQuestion.proposed_for_vacancy_id.in_(chaired))
    return stmt.where(or_(*conditions))


def reviewable_bank_questions(user, chaired: set[int]) -> Select:
    """A SELECT of the proposals waiting for this user's approval (permissions.can_review_question)."""
    stmt = select(BankQuestion).where(BankQuestion.status == QuestionStatus.PROPOSED)
    if permissions.is_hr(user):
        return stmt
    if not permissions.can_review_questions(user, chaired):
        return stmt.where(False)
    conditions = [BankQuestion.proposed_for_vacancy_id.is_(None)]
    if chaired:
        conditions.append(BankQuestion.proposed_for_vacancy_id.in_(chaired))
    return stmt.where(or_(*conditions))


def show_choices(user, chaired: set[int]) -> list[tuple[str, str]]:
    choices = [(SHOW_APPROVED, "Approved questions")]
    if permissions.can_review_questions(user, chaired):
        choices.append((SHOW_WAITING, "Waiting for approval"))
    choices.append((SHOW_MINE, "Questions you proposed"))
    if permissions.can_review_questions(user, chaired):
        choices.append((SHOW_REJECTED, "Not approved"))
    return choices


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(user, q: str | None = None, category: str | None = None, tag: str | None = None,
           show: str = SHOW_APPROVED, chaired: set[int] | None = None) -> list[BankQuestion]:
    """The bank questions this user may see, filtered. Two queries (questions, proposers), and
    one more for the vacancies this user chairs unless given (``chaired``)."""
    if chaired is None:
        chaired = chaired_vacancy_ids(user)
    stmt: Select = visible_bank_questions(user, chaired)
    if show == SHOW_WAITING:
        stmt = reviewable_bank_questions(user, chaired)
    elif show == SHOW_MINE:
        stmt = stmt.where(BankQuestion.proposed_by_id == user.id)
    elif show == SHOW_REJECTED:
        stmt = stmt.where(BankQuestion.status == QuestionStatus.REJECTED)
    else:
        stmt = stmt.where(BankQuestion.status == QuestionStatus.APPROVED)
    if q:
        for word in q.split()[:10]:
            like = f"%{_escape_like(word.lower())}%"
            stmt = stmt.where(or_(func.lower(BankQuestion.text).like(like, escape="\\"),
                                  func.lower(BankQuestion.guidance).like(like, escape="\\"),
                                  func.lower(BankQuestion.tags).like(like, escape="\\")))
    if category:
        try:
            stmt = stmt.where(BankQuestion.category == CriterionCategory(category))
        except ValueError:
            return []
    if tag:
        stmt = stmt.where(("," + BankQuestion.tags + ",").like(f"%,{_escape_like(tag.lower())},%", escape="\\"))
    stmt = stmt.options(selectinload(BankQuestion.proposed_by)).order_by(BankQuestion.created_at.desc(),
                                                                          BankQuestion.id.desc())
    return list(db().scalars(stmt))


def usage_counts(question_ids: list[int]) -> dict[int, int]:
    """How many interview plans use each bank question (one query)."""
    if not question_ids:
        return {}
    rows = db().execute(
        select(PlanQuestion.bank_question_id, func.count(PlanQuestion.id))
        .where(PlanQuestion.bank_question_id.in_(question_ids))
        .group_by(PlanQuestion.bank_question_id)
    )
    return {qid: n for qid, n in rows}


def tag_choices(user, chaired: set[int] | None = None) -> list[str]:
    """Every tag used on the approved questions this user may see."""
    if chaired is None:
        chaired = chaired_vacancy_ids(user)
    rows = db().scalars(visible_bank_questions(user, chaired)
                        .where(BankQuestion.status == QuestionStatus.APPROVED)
                        .with_only_columns(BankQuestion.tags))
    tags: set[str] = set()
    for value in rows:
        tags.update(t for t in (value or "").split(",") if t)
    return sorted(tags)


def waiting_count(user, chaired: set[int]) -> int:
    stmt = reviewable_bank_questions(user, chaired).with_only_columns(func.count(BankQuestion.id))
    return db().scalar(stmt) or 0


def question_or_none(question_id: int) -> BankQuestion | None:
    stmt = (select(BankQuestion).where(BankQuestion.id == question_id)
            .options(selectinload(BankQuestion.proposed_by), selectinload(BankQuestion.reviewed_by)))
    return db().scalar(stmt)


def vacancy_choices(user) -> list[Vacancy]:
    """The open vacancies this user is on (or all, for HR), to propose a question for."""
    stmt = (visible_vacancies(user)
            .where(Vacancy.archived_at.is_(None), Vacancy.status.in_(statuses_where("plan_editable")))
            .order_by(Vacancy.reference))
    return list(db().scalars(stmt))


def vacancy_references(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db().execute(select(Vacancy.id, Vacancy.reference).where(Vacancy.id.in_(ids))).all())
