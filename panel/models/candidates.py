"""Candidates and shortlisting (scores per criterion, conflicts, submissions, decisions)."""
from __future__ import annotations

import datetime as dt
import enum

from typing import Mapping

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, exists, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.db import Base, UTCDateTime, enum_column, utcnow
from panel.models.users import User
from panel.models.vacancies import Criterion, Vacancy


class ShortlistOutcome(str, enum.Enum):
    SHORTLIST = "shortlist"
    RESERVE = "reserve"
    REJECT = "reject"

    @property
    def label(self) -> str:
        return {"shortlist": "Shortlist", "reserve": "Reserve", "reject": "Do not shortlist"}[self.value]


class Candidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("vacancy_id", "number", name="uq_candidates_vacancy_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # shown as "Candidate 07"
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    supporting_information: Mapped[str] = mapped_column(Text, default="")
    # what the panel reads when HR has removed details that name the candidate (the identity
    # check, panel/candidates/identity.py); None: the panel reads supporting_information as it is
    panel_supporting_information: Mapped[str | None] = mapped_column(Text)
    identity_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # last scanned
    # details the identity check found that HR has not yet removed or marked as fine (kept by
    # panel/candidates/screening.py); while names are hidden, the panel cannot read an application
    # with any (permissions.held_for_identity_check)
    identity_open: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    disability_confident: Mapped[bool] = mapped_column(Boolean, default=False)
    application_file: Mapped[str | None] = mapped_column(String(100))
    application_filename: Mapped[str | None] = mapped_column(String(255))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # personal data deleted (panel/records/retention.py)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    vacancy: Mapped[Vacancy] = relationship()
    evidence: Mapped[list["CandidateEvidence"]] = relationship(back_populates="candidate", cascade="all, delete-orphan")
    decision: Mapped["ShortlistDecision | None"] = relationship(back_populates="candidate", cascade="all, delete-orphan",
                                                                 uselist=False)
    identity_hits: Mapped[list["IdentityHit"]] = relationship(back_populates="candidate", cascade="all, delete-orphan",
                                                              order_by="IdentityHit.id")

    @property
    def text_for_panel(self) -> str:
        """The supporting information as the panel reads it (HR's redactions applied)."""
        return self.supporting_information if self.panel_supporting_information is None \
            else self.panel_supporting_information

    @property
    def label(self) -> str:
        return f"Candidate {self.number:02d}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None


class CandidateEvidence(Base):
    """The candidate's evidence for one criterion, from the application (optional)."""

    __tablename__ = "candidate_evidence"
    __table_args__ = (UniqueConstraint("candidate_id", "criterion_id", name="uq_candidate_evidence_candidate_criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    panel_text: Mapped[str | None] = mapped_column(Text)  # with HR's redactions; None: the same as text

    candidate: Mapped[Candidate] = relationship(back_populates="evidence")
    criterion: Mapped[Criterion] = relationship()

    @property
    def text_for_panel(self) -> str:
        return self.text if self.panel_text is None else self.panel_text


class IdentityHit(Base):
    """Something in what the panel would read that may say who the candidate is (the identity
    check): open until HR removes it from the panel's text or marks it as fine."""

    __tablename__ = "identity_hits"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(40))  # "supporting_information", "evidence:<criterion id>", "application"
    kind: Mapped[str] = mapped_column(String(20))    # a key of panel.candidates.identity.KINDS
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    key: Mapped[str] = mapped_column(String(600))    # Hit.key: a hit marked fine stays fine after a rescan
    before: Mapped[str] = mapped_column(String(200), default="")
    after: Mapped[str] = mapped_column(String(200), default="")
    fine: Mapped[bool] = mapped_column(Boolean, default=False)  # HR marked it as fine
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    candidate: Mapped[Candidate] = relationship(back_populates="identity_hits")


class ImportProfile(Base):
    """A saved mapping of an export's columns to panel's fields ("NHS Jobs long export"), shared by HR."""

    __tablename__ = "import_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    columns: Mapped[str] = mapped_column(Text)  # JSON: normalised column name -> field ("first_name", "evidence:2", "ignore")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# The rounds a panel member is asked "Do you know this person?": while shortlisting (from the
# anonymised application) and again when names are revealed at interviewing (issue 17).
AT_SHORTLISTING = "shortlisting"
AT_INTERVIEWS = "interviews"
DECLARATION_ROUNDS = (AT_SHORTLISTING, AT_INTERVIEWS)
# The rounds whose "Yes" means stepping aside at each stage (ConflictDeclaration.aside_at).
_ASIDE_ROUNDS = {AT_SHORTLISTING: (AT_SHORTLISTING,), AT_INTERVIEWS: DECLARATION_ROUNDS}


def _aside_rounds(stage_round: str) -> tuple[str, ...]:
    try:
        return _ASIDE_ROUNDS[stage_round]
    except KeyError:
        raise ValueError(f"unknown round: {stage_round!r}") from None


class ConflictDeclaration(Base):
    """A panel member's answer to "Do you know this person?" for one candidate, in one round
    (``round``: AT_SHORTLISTING or AT_INTERVIEWS; one answer per round)."""

    __tablename__ = "conflict_declarations"
    __table_args__ = (UniqueConstraint("candidate_id", "user_id", "round",
                                       name="uq_conflict_declarations_candidate_user_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    round: Mapped[str] = mapped_column(String(20), default=AT_SHORTLISTING, server_default=AT_SHORTLISTING)
    knows_candidate: Mapped[bool] = mapped_column(Boolean)
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @hybrid_property
    def stepped_aside(self) -> bool:
        """They said "Yes, I know this person" in this declaration's round. Which rounds count
        where is ``aside_at``: use that in queries."""
        return bool(self.knows_candidate)

    @stepped_aside.inplace.expression
    @classmethod
    def _stepped_aside_expression(cls):
        return cls.knows_candidate.is_(True)

    @classmethod
    def aside_at(cls, stage_round: str):
        """The one definition of stepping aside per round, as a query condition:

        - shortlisting: they said "Yes" at shortlisting, so they neither read the application
          nor score it;
        - interviews: they said "Yes" at shortlisting (carried on: they never read it) or when
          the names were revealed; they do not score the candidate's interview, their scores are
          not expected, counted or chased, and their pack leaves the candidate out.

        A "Yes" at the interviews round never changes the shortlisting record. ``aside_given``
        is the same rule on answers already read; ``aside_from`` and ``aside_pairs`` are the
        queries the pages, packs and reminders use."""
        rounds = _aside_rounds(stage_round)
        if rounds == DECLARATION_ROUNDS:
            return cls.stepped_aside
        return cls.stepped_aside & cls.round.in_(rounds)

    @staticmethod
    def aside_given(answers: Mapping[str, bool | None], stage_round: str) -> bool:
        """``aside_at`` on one person's answers for one candidate already read (round -> knows
        the candidate, or None when not answered)."""
        return any(answers.get(r) is True for r in _aside_rounds(stage_round))

    @classmethod
    def aside_from(cls, candidate_id, user_id, stage_round: str):
        """This person stepped aside from this candidate (ids, or columns such as Candidate.id),
        as an EXISTS condition: ``~`` it to leave them out, ``select()`` it for a bool."""
        return exists().where(cls.candidate_id == candidate_id, cls.user_id == user_id, cls.aside_at(stage_round))

    @classmethod
    def aside_pairs(cls, vacancy_id: int, stage_round: str):
        """(candidate id, user id) of everyone who stepped aside from a candidate of this vacancy."""
        return (select(cls.candidate_id, cls.user_id).join(Candidate, Candidate.id == cls.candidate_id)
                .where(Candidate.vacancy_id == vacancy_id, cls.aside_at(stage_round)))


class ShortlistScore(Base):
    """One panel member's 0-2 score (and comment) for one candidate on one criterion: one answer.

    ``version`` goes up on every save of the score or the comment (counted in SQL), so a page
    saving one answer at a time learns when another tab or device saved it first (a stale edit);
    the whole form, posted without JavaScript, saves over it as before (the newest wins)."""

    __tablename__ = "shortlist_scores"
    __table_args__ = (
        UniqueConstraint("candidate_id", "criterion_id", "user_id", name="uq_shortlist_scores_candidate_criterion_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class SubmissionMixin:
    """A panel member has submitted (locked) their scores for a candidate: the one definition
    of "submitted", at shortlisting (ShortlistSubmission) and at interview (InterviewSubmission)."""

    @classmethod
    def of(cls, candidate_id, user_id):
        """The submission of this person for this candidate (ids, or columns such as
        Candidate.id), as a query condition."""
        return (cls.candidate_id == candidate_id) & (cls.user_id == user_id)

    @classmethod
    def by(cls, candidate_id, user_id):
        """This person has submitted their scores for this candidate, as an EXISTS condition."""
        return exists().where(cls.of(candidate_id, user_id))


class ShortlistSubmission(SubmissionMixin, Base):
    """A panel member has submitted (locked) their scores for a candidate."""

    __tablename__ = "shortlist_submissions"
    __table_args__ = (UniqueConstraint("candidate_id", "user_id", name="uq_shortlist_submissions_candidate_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShortlistDecision(Base):
    """The chair's shortlisting decision for a candidate. ``version`` guards concurrent edits."""

    __tablename__ = "shortlist_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[ShortlistOutcome] = mapped_column(enum_column(ShortlistOutcome))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    candidate: Mapped[Candidate] = relationship(back_populates="decision")
    decided_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
