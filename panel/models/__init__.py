"""All models, imported here so Alembic and the app see one metadata."""
from panel.db import Base
from panel.models.users import AuthToken, PasswordResetRequest, Role, SignInAttempt, User
from panel.models.vacancies import (
    AssessedAt,
    Criterion,
    CriterionCategory,
    PanelMember,
    PanelRole,
    Vacancy,
    VacancyStatus,
)
from panel.models.audit import AuditEvent
from panel.models.candidates import (
    AT_INTERVIEWS,
    AT_SHORTLISTING,
    DECLARATION_ROUNDS,
    Candidate,
    CandidateEvidence,
    ConflictDeclaration,
    IdentityHit,
    ImportProfile,
    ShortlistDecision,
    ShortlistOutcome,
    ShortlistScore,
    ShortlistSubmission,
)
from panel.models.allocation import ShortlistAllocation, ShortlistReaderRelease
from panel.models.interviews import (
    ADJUSTMENT_LABELS,
    ADJUSTMENTS,
    DEFAULT_SCALE,
    BankQuestion,
    BookingRequest,
    BookingStatus,
    CandidateInvitation,
    InterviewBooking,
    InterviewDay,
    adjustment_lines,
    InterviewSlot,
    InvitationTemplate,
    PlanQuestion,
    PlanQuestionCriterion,
    QuestionStatus,
    ScaleLevel,
)
from panel.models.packs import PackJob, PackRequest
from panel.models.scoring import (
    CandidateFeedback,
    InterviewOutcome,
    InterviewScore,
    InterviewSignOff,
    InterviewSubmission,
    ModeratedScore,
    Outcome,
)
from panel.models.files import StoredFile
from panel.models.notifications import Notification, NotificationStatus
from panel.models.profiles import (
    InvolvementProfile,
    PanelRuleOverride,
    ProfileConsent,
    ShadowingSession,
    TrainingKind,
    TrainingRecord,
)
from panel.models.involvement import (
    AskingPreference,
    CheckIn,
    Concern,
    DebriefOffer,
    HoursCorrection,
    SupportContact,
)
from panel.models.payments import ActivityRate, Claim, ClaimReceipt, ClaimStatus, ExpenseRules, PaymentChoice, PayrollExport

__all__ = [
    "Base", "User", "Role", "AuthToken", "SignInAttempt", "PasswordResetRequest", "Vacancy", "VacancyStatus", "Criterion",
    "CriterionCategory", "AssessedAt", "PanelMember", "PanelRole", "AuditEvent",
    "Candidate", "CandidateEvidence", "ConflictDeclaration", "IdentityHit", "ImportProfile", "ShortlistDecision", "ShortlistOutcome",
    "ShortlistScore", "ShortlistSubmission", "ShortlistAllocation", "ShortlistReaderRelease",
    "DEFAULT_SCALE", "BankQuestion", "CandidateInvitation", "InterviewDay", "InterviewSlot", "InvitationTemplate", "PlanQuestion",
    "PlanQuestionCriterion", "QuestionStatus", "ScaleLevel", "ADJUSTMENTS", "ADJUSTMENT_LABELS", "BookingRequest",
    "BookingStatus", "InterviewBooking", "adjustment_lines",
    "CandidateFeedback", "InterviewOutcome", "InterviewScore", "InterviewSignOff", "InterviewSubmission",
    "ModeratedScore", "Outcome", "PackJob", "PackRequest", "StoredFile", "Notification", "NotificationStatus",
    "InvolvementProfile", "PanelRuleOverride", "ProfileConsent", "ShadowingSession", "TrainingKind", "TrainingRecord",
    "AT_INTERVIEWS", "AT_SHORTLISTING", "DECLARATION_ROUNDS",
    "AskingPreference", "CheckIn", "Concern", "DebriefOffer", "HoursCorrection", "SupportContact",
    "ActivityRate", "Claim", "ClaimReceipt", "ClaimStatus", "ExpenseRules", "PaymentChoice", "PayrollExport",
]
