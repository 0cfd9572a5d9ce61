"""Interview scoring: each panel member's score and notes per question, submissions,
moderated scores, outcomes, sign-off and candidate feedback."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Integer, Text, UniqueConstraint, and_, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.db import Base, UTCDateTime, enum_column, utcnow
from panel.models.candidates import Candidate, SubmissionMixin
from panel.models.interviews import PlanQuestion
from panel.models.users import User


class Outcome(str, enum.Enum):
    PREFERRED = "preferred"
    RESERVE = "reserve"
    NOT_APPOINTABLE = "not_appointable"

    @property
    def label(self) -> str:
        return {"preferred": "Appointable (preferred)", "reserve": "Appointable (reserve)",
                "not_appointable": "Not appointable"}[self.value]


class InterviewScore(Base):
    """One panel member's score and notes for one candidate on one planned question.

    ``entered_by_id`` is set when the chair or HR typed it in from a paper sheet.
    ``version`` goes up on every save, so an older browser tab can be told it is behind.
    """

    __tablename__ = "interview_scores"
    __table_args__ = (
        UniqueConstraint("candidate_id", "plan_question_id", "user_id", name="uq_interview_scores_candidate_question_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    plan_question_id: Mapped[int] = mapped_column(ForeignKey("plan_questions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    plan_question: Mapped[PlanQuestion] = relationship()


class InterviewSubmission(SubmissionMixin, Base):
    __tablename__ = "interview_submissions"
    __table_args__ = (UniqueConstraint("candidate_id", "user_id", name="uq_interview_submissions_candidate_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ModeratedScore(Base):
    """The panel's agreed score for a question, kept beside the originals (which never change)."""

    __tablename__ = "moderated_scores"
    __table_args__ = (UniqueConstraint("candidate_id", "plan_question_id", name="uq_moderated_scores_candidate_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    plan_question_id: Mapped[int] = mapped_column(ForeignKey("plan_questions.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class InterviewOutcome(Base):
    __tablename__ = "interview_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, 30))
    rationale: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    candidate: Mapped[Candidate] = relationship()
    decided_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class InterviewSignOff(Base):
    """The chair's sign-off of a vacancy's interview results; HR may reopen with a reason."""

    __tablename__ = "interview_signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), unique=True)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    patient_view_note: Mapped[str] = mapped_column(Text, default="")  # why the decision differs from patient panelists' ranking
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reopened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @hybrid_property
    def signed_off(self) -> bool:
        """The one definition of signed off: the chair signed off and HR has not reopened
        since. Also usable in queries: ``where(InterviewSignOff.signed_off)``."""
        return self.signed_off_at is not None and (self.reopened_at is None or self.reopened_at <= self.signed_off_at)

    @signed_off.inplace.expression
    @classmethod
    def _signed_off_expression(cls):
        return and_(cls.signed_off_at.is_not(None),
                    or_(cls.reopened_at.is_(None), cls.reopened_at <= cls.signed_off_at))


class CandidateFeedback(Base):
    __tablename__ = "candidate_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    include_scores: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
