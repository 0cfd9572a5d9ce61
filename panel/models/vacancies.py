from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.db import Base, UTCDateTime, enum_column, utcnow
from panel.models.users import User

if TYPE_CHECKING:
    from panel.stages import Stage


class VacancyStatus(str, enum.Enum):
    """The value stored for a vacancy's stage. What each stage means and allows is its row in
    the stage table, panel/stages.py (``vacancy.stage``): compare no status anywhere else."""

    DRAFT = "draft"
    SHORTLISTING = "shortlisting"
    INTERVIEWING = "interviewing"
    DECISIONS = "decisions"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class CriterionCategory(str, enum.Enum):
    QUALIFICATIONS = "qualifications"
    EXPERIENCE = "experience"
    SKILLS = "skills"
    KNOWLEDGE = "knowledge"
    VALUES = "values"

    @property
    def label(self) -> str:
        return {
            "qualifications": "Qualifications",
            "experience": "Experience",
            "skills": "Skills and abilities",
            "knowledge": "Knowledge",
            "values": "Values and behaviours",
        }[self.value]


class AssessedAt(str, enum.Enum):
    APPLICATION = "application"
    INTERVIEW = "interview"
    BOTH = "both"

    @property
    def label(self) -> str:
        return {"application": "Application", "interview": "Interview", "both": "Application and interview"}[self.value]


class PanelRole(str, enum.Enum):
    CHAIR = "chair"
    STAFF = "staff"
    PATIENT = "patient"

    @property
    def label(self) -> str:
        return {"chair": "Chair", "staff": "Staff panel member", "patient": "Patient panelist"}[self.value]


class Vacancy(Base):
    __tablename__ = "vacancies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    band: Mapped[str] = mapped_column(String(20))
    site: Mapped[str] = mapped_column(String(100))
    team: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[str] = mapped_column(String(100), default="")
    salary: Mapped[str] = mapped_column(String(200), default="")
    closing_date: Mapped[dt.date | None] = mapped_column(Date)
    interview_date: Mapped[dt.date | None] = mapped_column(Date)
    interview_venue: Mapped[str] = mapped_column(String(300), default="")
    # the last day (Europe/London) for the panel's shortlisting scores, and for its interview
    # scores: HR sets them, the chair can extend them (panel/deadlines.py)
    shortlisting_deadline: Mapped[dt.date | None] = mapped_column(Date)
    scoring_deadline: Mapped[dt.date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    job_description_file: Mapped[str | None] = mapped_column(String(100))
    job_description_filename: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[VacancyStatus] = mapped_column(enum_column(VacancyStatus), default=VacancyStatus.DRAFT, index=True)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # when it moved to closed (retention counts from here)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # how many panel members read each application (panel/models/allocation.py); None: everyone
    shortlist_readers: Mapped[int | None] = mapped_column(Integer)

    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="vacancy", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    panel_members: Mapped[list["PanelMember"]] = relationship(
        back_populates="vacancy", cascade="all, delete-orphan", order_by="PanelMember.id"
    )

    @property
    def stage(self) -> "Stage":
        """This vacancy's row in the stage table: what its stage allows and shows."""
        # imported here: the stage table names readiness checks that query these models
        from panel.stages import stage_of

        return stage_of(self.status)


class Criterion(Base):
    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    category: Mapped[CriterionCategory] = mapped_column(enum_column(CriterionCategory))
    essential: Mapped[bool] = mapped_column(Boolean, default=True)
    assessed_at: Mapped[AssessedAt] = mapped_column(enum_column(AssessedAt))
    # the marking guide: what a score of 0, 1 and 2 looks like for this criterion at shortlisting
    # (optional: a blank one reads as the scale's own words, panel.shortlisting.scoring.marking_guide)
    guide_0: Mapped[str] = mapped_column(Text, default="", server_default="")
    guide_1: Mapped[str] = mapped_column(Text, default="", server_default="")
    guide_2: Mapped[str] = mapped_column(Text, default="", server_default="")

    vacancy: Mapped[Vacancy] = relationship(back_populates="criteria")

    @property
    def guide_texts(self) -> tuple[str, str, str]:
        """The marking guide as HR wrote it: what 0, 1 and 2 look like ("" where left blank)."""
        return (self.guide_0 or "", self.guide_1 or "", self.guide_2 or "")

    @property
    def at_application(self) -> bool:
        return self.assessed_at in (AssessedAt.APPLICATION, AssessedAt.BOTH)

    @property
    def at_interview(self) -> bool:
        return self.assessed_at in (AssessedAt.INTERVIEW, AssessedAt.BOTH)


class PanelMember(Base):
    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("vacancy_id", "user_id", name="uq_panel_members_vacancy_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    panel_role: Mapped[PanelRole] = mapped_column(enum_column(PanelRole))
    # how this member reviews applications at shortlisting: "candidate" (one candidate at a time)
    # or "criterion" (one criterion across all their candidates): panel.shortlisting.walk.MODES
    review_mode: Mapped[str] = mapped_column(String(20), default="candidate", server_default="candidate")
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    vacancy: Mapped[Vacancy] = relationship(back_populates="panel_members")
    user: Mapped[User] = relationship(back_populates="panel_memberships")

    @property
    def is_chair(self) -> bool:
        return self.panel_role == PanelRole.CHAIR

    @property
    def is_patient(self) -> bool:
        return self.panel_role == PanelRole.PATIENT
