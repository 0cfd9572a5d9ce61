"""Every access rule, as named predicates. Nothing else in the app decides access.

A view declares the rule it needs with ``@vacancy_view(permissions.can_x)`` (panel/loaders.py),
which loads the vacancy and answers 404 unless the rule holds; any further question (may this
person also edit? see names?) the view asks here and hands to its template. Anything a user
may not see is a 404, so nobody can learn that a vacancy exists by its URL.

The rules are ordered by the object they are about: people; the vacancy; candidates and
shortlisting (with the one rule on seeing other people's scores); the question bank and the
interview plan; interviews, results, outcomes and feedback; packs; records and score secrecy.

Predicates never query the database. They read the objects they are given (a vacancy with its
panel, a candidate, a declaration) and facts the caller loaded for them (``submitted``,
``chaired`` ...); the queries that load those facts live in each area's ``queries.py``. What a
vacancy's stage allows (shortlisting open, names shown, scoring open ...) is a flag of its row
in the stage table, panel/stages.py; the rules here read ``vacancy.stage``.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import abort

from panel.models import BankQuestion, Claim, PanelMember, PanelRole, Role, Vacancy

if TYPE_CHECKING:  # panel.stages imports this module
    from panel.stages import Stage


# --- people: who the user is, and their accounts ------------------------------

def is_signed_in(user) -> bool:
    return bool(user) and getattr(user, "is_authenticated", False)


def is_hr(user) -> bool:
    return is_signed_in(user) and user.role == Role.HR


def member_of(vacancy: Vacancy, user_id: int | None) -> PanelMember | None:
    """The one definition of panel membership: this person's row on the vacancy's panel."""
    return next((m for m in vacancy.panel_members if m.user_id == user_id), None)


def panel_membership(user, vacancy: Vacancy) -> PanelMember | None:
    return member_of(vacancy, user.id) if is_signed_in(user) else None


def is_on_panel(user, vacancy: Vacancy) -> bool:
    return panel_membership(user, vacancy) is not None


def is_vacancy_chair(user, vacancy: Vacancy) -> bool:
    member = panel_membership(user, vacancy)
    return member is not None and member.panel_role == PanelRole.CHAIR


def can_manage_users(user) -> bool:
    """Invite, change and deactivate people: HR only."""
    return is_hr(user)


def is_involvement_lead(user) -> bool:
    """The person who runs the patient involvement (an HR permission a person holds, whatever
    their role: User.involvement_lead)."""
    return is_signed_in(user) and bool(getattr(user, "involvement_lead", False)) and user.is_active


def can_manage_involvement(user) -> bool:
    """Run the involvement itself (profiles, training, support, rates and claims): HR, and the
    involvement lead."""
    return is_hr(user) or is_involvement_lead(user)


# --- involvement payments and expenses (panel/payments) --------------------------

def can_claim(user) -> bool:
    """Claim for one's own involvement, and choose how to be paid: anyone signed in (the claims
    page only lists what panel knows they did)."""
    return is_signed_in(user)


def can_see_claim(user, claim: Claim) -> bool:
    """A claim and its receipts: the claimant, and HR or the involvement lead."""
    return is_signed_in(user) and (claim.user_id == user.id or can_manage_involvement(user))


def can_change_claim(user, claim: Claim) -> bool:
    """Change the amounts or add receipts: while the claim waits for approval or has a question;
    never once it is approved, rejected or paid."""
    return can_see_claim(user, claim) and claim.is_open


def can_answer_claim(user, claim: Claim) -> bool:
    """Answer HR's question about a claim: the claimant (HR answers a paper claim's on their behalf)."""
    return can_see_claim(user, claim) and claim.is_queried


def require(allowed: bool) -> None:
    """404 unless allowed (we do not reveal what exists). For a rule about something other
    than the vacancy a view was given (a question, another person's pack ...)."""
    if not allowed:
        abort(404)


# --- the vacancy ----------------------------------------------------------------

def can_create_vacancy(user) -> bool:
    return is_hr(user)


def can_view_vacancy(user, vacancy: Vacancy) -> bool:
    return is_hr(user) or is_on_panel(user, vacancy)


def can_edit_vacancy(user, vacancy: Vacancy) -> bool:
    """Details, person specification, panel and status: HR only."""
    return is_hr(user)


def can_download_job_description(user, vacancy: Vacancy) -> bool:
    return can_view_vacancy(user, vacancy)


def can_move_stage(user, vacancy: Vacancy) -> bool:
    """Move the vacancy on to its next stage: HR, while there is a next stage."""
    return can_edit_vacancy(user, vacancy) and vacancy.stage.next is not None


def can_set_deadlines(user, vacancy: Vacancy) -> bool:
    """Set, move or clear the shortlisting and interview-scoring deadlines: HR, until the end."""
    return can_edit_vacancy(user, vacancy) and not vacancy.stage.finished


def can_extend_deadlines(user, vacancy: Vacancy) -> bool:
    """Give the panel more time (move a set deadline later): HR and the vacancy's chair."""
    return (is_hr(user) or is_vacancy_chair(user, vacancy)) and not vacancy.stage.finished


def may_move_deadline(user, vacancy: Vacancy, before, after) -> bool:
    """May this person change a deadline from ``before`` to ``after`` (dates or None)? HR may
    make any change; the chair may only extend a deadline HR has set."""
    if can_set_deadlines(user, vacancy):
        return True
    return can_extend_deadlines(user, vacancy) and before is not None and after is not None and after >= before


def can_view_notifications(user, vacancy: Vacancy) -> bool:
    """Every message the vacancy has caused, with its status (and how many could not be delivered): HR."""
    return is_hr(user)


# --- candidates and shortlisting (issue 3) -----------------------------------
#
# Who sees what:
# - HR adds, imports, changes and withdraws candidates and sees everything about them.
# - The panel (the chair included) knows a candidate only by their label ("Candidate 07")
#   while the vacancy is in draft or shortlisting: never their name, email, phone or
#   Disability Confident status. Names are shown once the vacancy moves to interviewing.
#   The one deliberate exception: at moderation the chair sees "guaranteed interview" on a
#   Disability Confident candidate whose scores are all in and who meets every essential
#   criterion (the issue asks the app to flag it there, after scoring, so it cannot sway a score).
# - A panel member who answers "Yes, I know this person" steps aside: they do not score the
#   candidate or open their application, and are asked no reason.
# - Nobody sees anyone else's shortlisting scores or comments for a candidate before they
#   have submitted their own for that candidate, the chair included (can_see_scores_of_others,
#   below). Unsubmitted scores are private to the person who wrote them.
# - Moderation is the chair's. HR does NOT record shortlisting decisions: while shortlisting is
#   open HR sees progress only (who has submitted how many), never scores; once the vacancy has
#   moved on, HR sees the moderation grid and the export (read-only). A chair who stepped aside
#   from a candidate still moderates them once everyone else's scores are in (stepping aside is
#   from scoring, and the grid shows the chair stepped aside, so it is done in the open).

def can_see_candidate_identity(user, vacancy: Vacancy) -> bool:
    """Names: HR always; the panel once interviewing starts (contact details: see below)."""
    if is_hr(user):
        return True
    return can_view_vacancy(user, vacancy) and vacancy.stage.names_shown


def can_see_candidate_contact_details(user, vacancy: Vacancy) -> bool:
    """Candidates' email addresses and phone numbers: HR only, at every stage. The panel (the
    chair included) needs a name to recognise a conflict, never a way to contact the person:
    no page, CSV or pack the panel can reach holds them."""
    return is_hr(user)


def has_stepped_aside(declaration) -> bool:
    """The person answered "Yes, I know this person" for this candidate (``declaration``:
    their ConflictDeclaration, or None when they have not answered)."""
    return declaration is not None and declaration.stepped_aside


def _belongs(vacancy: Vacancy, candidate) -> bool:
    return candidate is not None and candidate.vacancy_id == vacancy.id


def can_manage_candidates(user, vacancy: Vacancy) -> bool:
    """Change, withdraw and upload applications for candidates: HR, until the vacancy closes."""
    return is_hr(user) and vacancy.stage.candidates_editable


def can_add_candidates(user, vacancy: Vacancy) -> bool:
    """Add or import candidates: HR, before interviewing starts (everyone is shortlisted)."""
    return is_hr(user) and vacancy.stage.candidates_addable


def can_view_candidates(user, vacancy: Vacancy) -> bool:
    """The candidate list and pages with names: HR; the panel once names are revealed."""
    return can_see_candidate_identity(user, vacancy)


def can_view_shortlisting(user, vacancy: Vacancy) -> bool:
    return can_view_vacancy(user, vacancy)


def can_shortlist(user, vacancy: Vacancy) -> bool:
    """See one's own list of anonymised applications: the panel, once shortlisting has started."""
    return is_on_panel(user, vacancy) and not vacancy.stage.setting_up


# Sharing the reading (issue 14): HR or the chair may share the applications out so each is
# read by k panel members (vacancy.shortlist_readers; None: everyone reads every application).
# A panel member then sees, reads and scores only the candidates allocated to them
# (``allocated``: the candidate is in their allocation, loaded by panel/shortlisting/allocation.py);
# any other candidate's shortlisting page is a 404 to them, the chair included (the chair
# moderates every candidate from the moderation pages).

def shares_the_reading(vacancy: Vacancy) -> bool:
    return vacancy.shortlist_readers is not None


def can_allocate_shortlisting(user, vacancy: Vacancy) -> bool:
    """Share the applications out, and move a reader's unscored share to the others: HR or the
    vacancy's chair, before shortlisting ends."""
    return ((is_hr(user) or is_vacancy_chair(user, vacancy))
            and (vacancy.stage.setting_up or vacancy.stage.shortlisting_open))


def is_my_application(vacancy: Vacancy, allocated: bool) -> bool:
    """The candidate is this panel member's to read: everyone's, unless the reading is shared out."""
    return not shares_the_reading(vacancy) or allocated


def did_not_read(vacancy: Vacancy, declaration, allocated: bool) -> bool:
    """For the rule on seeing others' scores (its ``stepped_aside``): this panel member has no
    scores of their own to give for the candidate, having stepped aside or not been given the
    application to read. A chair who did not read a candidate moderates them once the readers'
    scores are all in, as after stepping aside."""
    return has_stepped_aside(declaration) or not is_my_application(vacancy, allocated)


def can_open_shortlisting_candidate(user, vacancy: Vacancy, candidate, allocated: bool) -> bool:
    """A panel member's shortlisting page for one candidate: one of their candidates."""
    return _belongs(vacancy, candidate) and can_shortlist(user, vacancy) and is_my_application(vacancy, allocated)


def held_for_identity_check(vacancy: Vacancy, candidate) -> bool:
    """While names are hidden, an application in which the identity check found details HR has
    not yet reviewed (one added or changed after shortlisting opened) is held back from the
    panel until HR removes them or marks them as fine."""
    return not vacancy.stage.names_shown and candidate.identity_open > 0


def can_read_application(user, vacancy: Vacancy, candidate, declaration=None, *, allocated: bool) -> bool:
    """The supporting information and application PDF: HR; a panel member who has not stepped
    aside, when the candidate is theirs to read (``allocated``: see sharing the reading) and the
    application is not held back for the identity check."""
    if not _belongs(vacancy, candidate):
        return False
    if is_hr(user):
        return True
    return (can_shortlist(user, vacancy) and not has_stepped_aside(declaration)
            and is_my_application(vacancy, allocated) and not held_for_identity_check(vacancy, candidate))


def can_download_original_file(user) -> bool:
    """An uploaded PDF exactly as uploaded, hidden document properties and all: HR only. Everyone
    else, the chair included, gets the cleaned copy (panel/uploads.py)."""
    return is_hr(user)


def can_declare_conflict(user, vacancy: Vacancy, candidate, declaration=None, submitted: bool = False, *,
                         allocated: bool) -> bool:
    """Answer "Do you know this person?" (a "No" can later become a "Yes" until scores are submitted)."""
    return (_belongs(vacancy, candidate) and is_on_panel(user, vacancy)
            and vacancy.stage.shortlisting_open and not candidate.is_withdrawn
            and not submitted and not has_stepped_aside(declaration) and is_my_application(vacancy, allocated)
            and not held_for_identity_check(vacancy, candidate))


def can_score_candidate(user, vacancy: Vacancy, candidate, declaration=None, submitted: bool = False, *,
                        allocated: bool) -> bool:
    """On the panel, one of their candidates, said they do not know the person, shortlisting
    open, candidate still in, not yet submitted."""
    return (_belongs(vacancy, candidate) and is_on_panel(user, vacancy)
            and vacancy.stage.shortlisting_open and not candidate.is_withdrawn
            and declaration is not None and not has_stepped_aside(declaration) and not submitted
            and is_my_application(vacancy, allocated) and not held_for_identity_check(vacancy, candidate))


# --- the one rule on seeing other people's scores (shortlisting and interviews alike) ---
#
# See others' scores and notes for a candidate only after submitting your own for them. A
# round of independent scoring (shortlisting, interviews) is a configuration of that rule
# (after pretalx's ReviewPhase.can_see_other_reviews): when it has started, while the rule
# holds, from when HR who are not on the panel read the scores, and whether a chair who
# stepped aside reads them once everyone else's are in. Once a round's secrecy ends (the
# shortlisting round's does when shortlisting ends; the interview round's never does), HR and
# the chair read every candidate's scores and a panel member those they did not step aside from.

@dataclass(frozen=True)
class ScoringRound:
    name: str
    started: Callable[[Stage], bool]  # the panel may have scores to read
    secret: Callable[[Stage], bool]   # others' scores stay hidden until you submit your own
    hr_reads: Callable[[Stage], bool]  # HR not on the panel read every candidate's scores
    chair_after_others: bool          # a chair who stepped aside reads them once everyone else's are in


SHORTLISTING = ScoringRound("shortlisting", started=lambda stage: not stage.setting_up,
                            secret=lambda stage: stage.shortlisting_open,
                            hr_reads=lambda stage: stage.shortlisting_done, chair_after_others=True)
INTERVIEWS = ScoringRound("interviews", started=lambda stage: stage.interviews_started,
                          secret=lambda stage: True,
                          hr_reads=lambda stage: stage.interviews_started, chair_after_others=False)


def can_see_scores_of_others(user, vacancy: Vacancy, scoring_round: ScoringRound, *, submitted: bool,
                             stepped_aside: bool = False, all_in: bool = False) -> bool:
    """Other panel members' submitted scores and notes for one candidate, in one round.

    ``submitted``: this user has submitted their own scores for the candidate in this round;
    ``stepped_aside``: they said they know the candidate; ``all_in``: every panel member who
    has not stepped aside has submitted."""
    stage = vacancy.stage
    if not scoring_round.started(stage):
        return False
    if scoring_round.secret(stage):
        if not is_on_panel(user, vacancy):
            return is_hr(user) and scoring_round.hr_reads(stage)
        if submitted:
            return True
        return (scoring_round.chair_after_others and is_vacancy_chair(user, vacancy)
                and stepped_aside and all_in)
    if is_hr(user) or is_vacancy_chair(user, vacancy):
        return True
    return is_on_panel(user, vacancy) and not stepped_aside


def can_view_shortlisting_progress(user, vacancy: Vacancy) -> bool:
    """Who has submitted how many candidates (never the scores): HR and the chair."""
    return is_hr(user) or is_vacancy_chair(user, vacancy)


def can_view_moderation(user, vacancy: Vacancy) -> bool:
    """The moderation grid: the chair once shortlisting starts; HR once it is over (read-only)."""
    if is_vacancy_chair(user, vacancy):
        return not vacancy.stage.setting_up
    return is_hr(user) and vacancy.stage.shortlisting_done


def can_moderate_shortlist(user, vacancy: Vacancy) -> bool:
    """Record shortlisting decisions: the vacancy's chair, while shortlisting is open (they lock after)."""
    return is_vacancy_chair(user, vacancy) and vacancy.stage.shortlisting_open


def can_export_shortlisting(user, vacancy: Vacancy) -> bool:
    """CSV of scores, comments and decisions: as for the moderation grid."""
    return can_view_moderation(user, vacancy)


# --- the question bank and the interview plan (issue 4) ---------------------------
# A proposed (or rejected) bank question is seen only by its proposer, HR and the
# chairs who may review it: the chair(s) of the vacancy it was proposed for, or any
# chair when it was proposed for no vacancy. Other vacancies' panels see it only
# once approved. ``chaired``: the ids of the vacancies this user chairs
# (panel/questions/queries.py: chaired_vacancy_ids).

def is_chair_anywhere(user, chaired: Collection[int]) -> bool:
    """A panel chair by role, or someone who chairs at least one panel."""
    return is_signed_in(user) and (user.role == Role.CHAIR or bool(chaired))


def can_view_question_bank(user) -> bool:
    return is_signed_in(user)


def can_propose_question(user) -> bool:
    """Anyone signed in: HR, chairs and panel members, patient panelists included."""
    return is_signed_in(user)


def can_review_questions(user, chaired: Collection[int]) -> bool:
    """HR or a chair: may approve or reject proposals (each within can_review_question)."""
    return is_hr(user) or is_chair_anywhere(user, chaired)


def can_review_question(user, question: BankQuestion, chaired: Collection[int]) -> bool:
    if is_hr(user):
        return True
    if question.proposed_for_vacancy_id is None:
        return is_chair_anywhere(user, chaired)
    return question.proposed_for_vacancy_id in chaired


def can_see_bank_question(user, question: BankQuestion, chaired: Collection[int]) -> bool:
    """(The SQL twin of this rule: panel/questions/queries.py, visible_bank_questions.)"""
    if not is_signed_in(user):
        return False
    if question.status.approved:
        return True
    return question.proposed_by_id == user.id or can_review_question(user, question, chaired)


def can_edit_bank_question(user, question: BankQuestion, chaired: Collection[int]) -> bool:
    """Reviewers may improve the wording at any time; the proposer until it is reviewed."""
    if can_review_question(user, question, chaired):
        return True
    return (is_signed_in(user) and question.status.waiting_for_review
            and question.proposed_by_id == user.id)


def can_view_plan(user, vacancy: Vacancy) -> bool:
    """The interview plan and timetable: HR and everyone on the panel."""
    return can_view_vacancy(user, vacancy)


def can_edit_plan(user, vacancy: Vacancy) -> bool:
    """Questions, askers, scale and timetable: HR or this vacancy's chair, until decisions start."""
    return (is_hr(user) or is_vacancy_chair(user, vacancy)) and vacancy.stage.plan_editable


def can_send_invitations(user, vacancy: Vacancy) -> bool:
    """Interview invitations to candidates (their email addresses): HR only."""
    return is_hr(user) and vacancy.stage.plan_editable


def can_send_outcome_letters(user, vacancy: Vacancy) -> bool:
    """"Not shortlisted" (once shortlisting is over) and "not appointed" letters (once the vacancy
    has closed) to candidates, by email: HR only. Which letter each candidate may have is the
    stage's to say (panel.booking.messages.letter_kind)."""
    return is_hr(user) and vacancy.stage.shortlisting_done


def can_use_bank_question(user, question: BankQuestion | None) -> bool:
    """Start a plan question from a bank question: an approved one (every signed-in person
    may see an approved question, so no chaired ids are needed)."""
    return question is not None and question.status.approved and is_signed_in(user)


# --- interviews: scoring, results, outcomes and feedback (issue 5) -------------
# Nobody, chair included, sees another panel member's interview scores or notes for
# a candidate before submitting their own for that candidate (the INTERVIEWS round of
# can_see_scores_of_others). HR does not score (unless HR is on the panel, when the
# panel rule applies) and sees every result.

def interviews_started(vacancy: Vacancy) -> bool:
    return vacancy.stage.interviews_started


def can_view_interviews(user, vacancy: Vacancy) -> bool:
    """The list of candidates to interview and everyone's progress (never the scores)."""
    return can_view_vacancy(user, vacancy) and interviews_started(vacancy)


def can_view_own_interview_scores(user, vacancy: Vacancy) -> bool:
    """A panel member's own scoring pages: once interviewing starts (read-only once closed)."""
    return is_on_panel(user, vacancy) and interviews_started(vacancy)


def can_score_interview(user, vacancy: Vacancy) -> bool:
    """Every panel member scores their own interviews, while interviews and decisions are open."""
    return is_on_panel(user, vacancy) and vacancy.stage.scoring_open


def can_enter_paper_scores(user, vacancy: Vacancy) -> bool:
    """The chair or HR types in a panel member's paper score sheet."""
    return (is_hr(user) or is_vacancy_chair(user, vacancy)) and vacancy.stage.scoring_open


def can_view_results(user, vacancy: Vacancy) -> bool:
    """The results page (everyone who may see the interviews; each candidate's scores on it
    as can_view_candidate_results says)."""
    return can_view_interviews(user, vacancy)


def can_view_candidate_results(user, vacancy: Vacancy, candidate, *, submitted: bool) -> bool:
    """One candidate's interview scores and notes: HR; a panel member (chair included) only
    once they have submitted their own scores for that candidate (``submitted``)."""
    return _belongs(vacancy, candidate) and can_see_scores_of_others(user, vacancy, INTERVIEWS, submitted=submitted)


def visible_interview_result_ids(user, vacancy: Vacancy, candidate_ids: Iterable[int],
                                 submitted_ids: Collection[int]) -> set[int]:
    """Of these candidates, those whose interview scores and notes this user may see on the
    results pages (``submitted_ids``: the candidates this user has submitted scores for)."""
    return {cid for cid in candidate_ids
            if can_see_scores_of_others(user, vacancy, INTERVIEWS, submitted=cid in submitted_ids)}


def can_moderate_scores(user, vacancy: Vacancy) -> bool:
    return is_vacancy_chair(user, vacancy) and vacancy.stage.scoring_open


def can_record_outcome(user, vacancy: Vacancy) -> bool:
    """Outcomes are recorded by this vacancy's chair."""
    return is_vacancy_chair(user, vacancy) and vacancy.stage.scoring_open


def can_sign_off(user, vacancy: Vacancy) -> bool:
    return is_vacancy_chair(user, vacancy) and vacancy.stage.scoring_open


def can_reopen(user, vacancy: Vacancy) -> bool:
    """HR reopens signed-off results (with a reason) until the vacancy closes."""
    return is_hr(user) and vacancy.stage.scoring_open


def results_signed_off(signoff) -> bool:
    """``signoff``: the vacancy's InterviewSignOff, or None when there is none."""
    return signoff is not None and signoff.signed_off


def can_view_feedback(user, vacancy: Vacancy) -> bool:
    return (is_hr(user) or is_vacancy_chair(user, vacancy)) and interviews_started(vacancy)


def can_edit_feedback(user, vacancy: Vacancy) -> bool:
    """The chair writes the feedback for candidates."""
    return is_vacancy_chair(user, vacancy) and interviews_started(vacancy)


def can_send_feedback(user, vacancy: Vacancy) -> bool:
    """HR sends it (candidates' email addresses are HR's business)."""
    return is_hr(user) and interviews_started(vacancy)


def can_export_interviews(user, vacancy: Vacancy) -> bool:
    return (is_hr(user) or is_vacancy_chair(user, vacancy)) and interviews_started(vacancy)


# --- PDF packs (issue 6) --------------------------------------------------------
# The panel pack and anyone's per-panelist pack: this vacancy's chair and HR. A panel
# member: their own per-panelist pack. The shortlisting pack: the panel and HR while
# shortlisting is open. The results pack: the chair and HR, once the results are signed
# off and not reopened (before that they are told what is missing; anyone else gets 404).
# Packs name no candidate while the vacancy is in draft or shortlisting; that is decided
# in panel/packs/context.py by leaving the names out of the data (the stage's names_shown).

def can_view_packs(user, vacancy: Vacancy) -> bool:
    """The packs page (it lists only the packs this person may download)."""
    return can_view_vacancy(user, vacancy)


def can_download_panel_pack(user, vacancy: Vacancy) -> bool:
    return is_hr(user) or is_vacancy_chair(user, vacancy)


def can_download_panelist_pack(user, vacancy: Vacancy, member_user_id: int) -> bool:
    """``member_user_id`` must be on this panel: the chair and HR may have anyone's pack,
    a panel member only their own."""
    if member_of(vacancy, member_user_id) is None:
        return False
    if can_download_panel_pack(user, vacancy):
        return True
    return is_on_panel(user, vacancy) and user.id == member_user_id


def shortlisting_pack_audience(user, vacancy: Vacancy) -> bool:
    """Who may have the shortlisting pack while shortlisting is open (and is told before)."""
    return is_hr(user) or is_on_panel(user, vacancy)


def can_download_shortlisting_pack(user, vacancy: Vacancy) -> bool:
    return shortlisting_pack_audience(user, vacancy) and vacancy.stage.shortlisting_open


def results_pack_audience(user, vacancy: Vacancy) -> bool:
    """Who may have the results pack once signed off (and is told when it is not yet)."""
    return is_hr(user) or is_vacancy_chair(user, vacancy)


def can_download_results_pack(user, vacancy: Vacancy, signoff) -> bool:
    return results_pack_audience(user, vacancy) and results_signed_off(signoff)


# --- records: data protection, the audit log and score secrecy (issues 8 and 12) ---
# Subject access exports (everything held about one candidate, with who wrote each note)
# and the audit log with its CSV export: HR only. Nobody can change or delete audit
# entries through the app (there are no such routes); only `flask purge` blanks the
# personal details inside entries about candidates whose retention period has passed.

def can_view_audit_log(user) -> bool:
    return is_hr(user)


def can_export_audit_log(user) -> bool:
    return can_view_audit_log(user)


def can_export_subject_access(user, vacancy: Vacancy) -> bool:
    return is_hr(user)


# One rule for every place that shows scores or notes outside their own pages: the audit log,
# its CSV (whatever the filters) and the subject access export.
# - Nobody sees a panel member's scores or notes for a candidate before submitting their own
#   for that candidate, the chair and HR included when they sit on the panel.
# - While scoring is open, a panel member's unsubmitted scores and notes are theirs alone.
# - HR who are not on the panel read no shortlisting score, comment or decision until
#   shortlisting ends, and interview scores as the results pages show them (submitted ones).
# - Everyone sees what they wrote or typed in themselves.
# The facts come from panel/records/secrecy.py, loaded for a whole page in a fixed number of queries.

SHORTLISTING_SCORES = "shortlisting scores"      # a member's scores and comments for a candidate
SHORTLISTING_DECISION = "shortlisting decision"  # the chair's decision and reason (moderation)
INTERVIEW_SCORES = "interview scores"            # a member's interview scores and notes (paper sheets too)
INTERVIEW_PANEL = "interview panel"              # agreed scores, outcomes and the sign-off note
FEEDBACK = "feedback"                            # the feedback written for a candidate
SCORE_KINDS = (SHORTLISTING_SCORES, SHORTLISTING_DECISION, INTERVIEW_SCORES, INTERVIEW_PANEL, FEEDBACK)

# why a value is hidden (the words shown are in panel/records/secrecy.py)
UNTIL_SHORTLISTING_ENDS = "until shortlisting ends"
UNTIL_YOU_SUBMIT = "until you submit"
UNTIL_THEY_SUBMIT = "until they submit"
NOT_YOURS = "not yours to see"


@dataclass(frozen=True)
class ScoreRecord:
    """A piece of score or note data (an audit entry's values, an exported score).

    ``author_id``: the panel member whose scores or notes these are (for the panel's own
    records, who wrote it); ``typed_by_id``: who typed it in (a paper sheet); ``candidate_id``:
    ``None`` when it is no longer known."""

    kind: str
    vacancy: Vacancy | None
    candidate_id: int | None
    author_id: int | None = None
    typed_by_id: int | None = None


@dataclass
class SubmissionFacts:
    """(candidate id, user id) pairs for the candidates concerned."""

    shortlisting: set[tuple[int, int]] = field(default_factory=set)  # submitted shortlisting scores
    interview: set[tuple[int, int]] = field(default_factory=set)     # submitted interview scores
    stepped_aside: set[tuple[int, int]] = field(default_factory=set)  # "Yes, I know this person" at shortlisting
    interview_aside: set[tuple[int, int]] = field(default_factory=set)  # ... at either round (the interviews')
    # the reading shared out (panel/shortlisting/allocation.py): candidate id -> the readers given it
    allocation: dict[int, set[int]] = field(default_factory=dict)


def score_values_hidden_because(user, record: ScoreRecord, facts: SubmissionFacts) -> str | None:
    """``None`` when ``user`` may read the values of ``record``, else why not (one of the
    UNTIL_*/NOT_YOURS reasons). The entry itself (who, when, what kind) is never hidden."""
    vacancy = record.vacancy
    if record.kind not in SCORE_KINDS:
        raise ValueError(f"unknown kind of score record: {record.kind!r}")
    if vacancy is None:  # the vacancy and its scores are gone; only HR reads the audit log
        return None if is_hr(user) else NOT_YOURS
    me = user.id if is_signed_in(user) else None
    if me is not None and me in (record.author_id, record.typed_by_id):
        return None
    cid = record.candidate_id
    open_shortlisting = not vacancy.stage.shortlisting_done
    if record.kind == SHORTLISTING_DECISION:
        # recorded only once every panel member has submitted; HR sees it on the candidate
        # pages (to move the vacancy on), the chair made it
        if is_hr(user) or can_view_moderation(user, vacancy):
            return None
        return UNTIL_SHORTLISTING_ENDS if open_shortlisting else NOT_YOURS
    if record.kind == SHORTLISTING_SCORES:
        if open_shortlisting:
            if not is_on_panel(user, vacancy):
                return UNTIL_SHORTLISTING_ENDS
            if (cid, record.author_id) not in facts.shortlisting:
                return UNTIL_THEY_SUBMIT
        # "all in" as on the moderation page: over the candidate's readers when the reading is
        # shared out (at least one of them reading), else over the whole panel
        shared = shares_the_reading(vacancy)
        others = facts.allocation.get(cid, set()) if shared else [m.user_id for m in vacancy.panel_members]
        all_in = cid is not None and all((cid, u) in facts.shortlisting or (cid, u) in facts.stepped_aside
                                         for u in others) \
            and not (shared and all((cid, u) in facts.stepped_aside for u in others))
        mine = is_my_application(vacancy, me in facts.allocation.get(cid, ()))
        if can_see_scores_of_others(user, vacancy, SHORTLISTING, submitted=(cid, me) in facts.shortlisting,
                                    stepped_aside=(cid, me) in facts.stepped_aside or not mine, all_in=all_in):
            return None
        return _not_yet_or_never(user, vacancy, cid, me, facts.stepped_aside)
    if record.kind == INTERVIEW_SCORES and vacancy.stage.scoring_open \
            and (cid, record.author_id) not in facts.interview:
        return UNTIL_THEY_SUBMIT
    if record.kind in (INTERVIEW_SCORES, INTERVIEW_PANEL):
        if can_see_scores_of_others(user, vacancy, INTERVIEWS, submitted=(cid, me) in facts.interview):
            return None
        return _not_yet_or_never(user, vacancy, cid, me, facts.interview_aside)
    return None if can_view_feedback(user, vacancy) else NOT_YOURS


def _not_yet_or_never(user, vacancy: Vacancy, candidate_id: int | None, me: int | None,
                      stepped_aside: set[tuple[int, int]]) -> str:
    """``stepped_aside``: the (candidate, user) pairs stepped aside in the round the record is about."""
    if is_on_panel(user, vacancy) and candidate_id is not None and (candidate_id, me) not in stepped_aside:
        return UNTIL_YOU_SUBMIT
    return NOT_YOURS


# --- the involvement record: profiles, training, panel composition (issue 17) -----------
#
# Who sees what of a person's involvement profile:
# - the person: all of it, and edits it (their own profile page);
# - HR and the involvement lead: all of it (they arrange the support), and record training;
# - the chair of a panel the person sits on: for that vacancy's interview day only (until the
#   day is over, on the timetable and in the chair's panel pack), the things to arrange, and
#   only the items the person agreed to share (ProfileConsent, with its date) -- never a
#   reason, a diagnosis, contact details or anything else of the profile;
# - anyone else (other panel members, staff, candidates): nothing.

# items a person may agree to share with the chair of their panel (panel/profiles/items.py words them)
SHAREABLE_ITEMS = ("step_free", "hearing_loop", "bsl_interpreter", "breaks", "quiet_room", "remote",
                   "other_needs", "easy_read", "large_print")


def can_edit_own_profile(user) -> bool:
    return is_signed_in(user)


def can_view_profile(user, person_id: int) -> bool:
    """A person's whole involvement profile and training record: themselves, HR and the lead."""
    return is_signed_in(user) and (user.id == person_id or can_manage_involvement(user))


def can_record_training(user) -> bool:
    """Training records and shadowing sessions: HR and the involvement lead."""
    return can_manage_involvement(user)


def can_export_involvement(user) -> bool:
    """A person's involvement record as a subject access export: HR and the lead."""
    return can_manage_involvement(user)


def is_arrangement_day(vacancy: Vacancy, day_date, today) -> bool:
    """The vacancy has an interview day that is not over, and is not closed."""
    return day_date is not None and day_date >= today and not vacancy.stage.finished


def can_see_arrangements(user, vacancy: Vacancy, day_date, today) -> bool:
    """What to arrange for the panel on the interview day (shared items only): the vacancy's
    chair and HR/the lead, until the day is over."""
    return ((is_vacancy_chair(user, vacancy) or can_manage_involvement(user))
            and is_arrangement_day(vacancy, day_date, today))


def can_see_profile_item(user, person_id: int, item: str, *, consented: bool = False,
                         chairs_on_the_day: bool = False) -> bool:
    """One item of a person's profile. ``consented``: the person agreed to share it with their
    chair; ``chairs_on_the_day``: ``user`` chairs a panel the person sits on and its interview
    day is not over (can_see_arrangements)."""
    if can_view_profile(user, person_id):
        return True
    return is_signed_in(user) and item in SHAREABLE_ITEMS and consented and chairs_on_the_day


def can_override_panel_rule(user, vacancy: Vacancy) -> bool:
    """Go ahead with a panel that breaks a composition rule, giving a reason: HR, until it closes."""
    return can_edit_vacancy(user, vacancy) and not vacancy.stage.finished


def can_view_panel_rules(user, vacancy: Vacancy) -> bool:
    """The composition rules checked on the panel, and any overrides: everyone on the vacancy."""
    return can_view_vacancy(user, vacancy)


def can_view_guide(user) -> bool:
    """The "before you start" pages: everyone signed in."""
    return is_signed_in(user)


# --- the involvement: conflicts at reveal, support, check-ins, recognition (issue 17) ---
#
# Who sees what:
# - Conflicts at reveal: when names are shown (interviewing), every panel member is asked again
#   "Do you know any of these people?" and may step aside from a candidate's interview (no
#   reason asked) until they have submitted scores for them. Stepping aside is the interviews
#   round of ConflictDeclaration (ConflictDeclaration.aside_at): the chair and HR see who
#   stepped aside on the timetable; nobody is asked why.
# - The support contact of a vacancy: HR sets it; everyone who may see the vacancy reads it.
# - A patient panelist's wish not to ask a question with a content note: theirs to say; the
#   chair and HR see it where askers are chosen.
# - A check-in after the interview day: the person answers it; its answers are read by the
#   person and by whoever runs the involvement (can_manage_involvement), NEVER by the chair or
#   the panel. The chair records only that a debrief was offered.
# - A concern about the process: anyone signed in raises one; the involvement lead reads it.
# - My involvement (roles, dates, hours, certificate, reference letter): the person; HR and the
#   involvement lead see anyone's and correct the hours.

def can_answer_reveal_conflicts(user, vacancy: Vacancy) -> bool:
    """The "Do you know any of these people?" page at interviewing: everyone on the panel once
    names are shown, while scores can change (read-only afterwards)."""
    return is_on_panel(user, vacancy) and vacancy.stage.names_shown and vacancy.stage.interviews_started


def can_step_aside_at_interview(user, vacancy: Vacancy, candidate, *, submitted: bool) -> bool:
    """Step aside from a candidate's interview: a panel member, while scoring is open, until they
    have submitted scores for that candidate (and not already stepped aside: the caller checks)."""
    return (_belongs(vacancy, candidate) and is_on_panel(user, vacancy) and vacancy.stage.names_shown
            and vacancy.stage.scoring_open and not submitted)


def must_answer_reveal_conflicts(user, vacancy: Vacancy, *, unanswered: bool) -> bool:
    """Sent to the question before the interview pages: a panel member who has not yet answered
    it for every candidate being interviewed (``unanswered``), while scores can change."""
    return unanswered and can_answer_reveal_conflicts(user, vacancy) and vacancy.stage.scoring_open


def can_see_who_stepped_aside(user, vacancy: Vacancy) -> bool:
    """Who stepped aside from which candidate's interview (never why): the chair and HR, on the
    timetable, once names are shown."""
    return (is_hr(user) or is_vacancy_chair(user, vacancy)) and vacancy.stage.names_shown


def can_see_support_contact(user, vacancy: Vacancy) -> bool:
    return can_view_vacancy(user, vacancy)


def can_set_support_contact(user, vacancy: Vacancy) -> bool:
    """Name the vacancy's support contact: HR, until the vacancy is finished."""
    return can_edit_vacancy(user, vacancy) and not vacancy.stage.finished


def is_patient_member(user, vacancy: Vacancy) -> bool:
    member = panel_membership(user, vacancy)
    return member is not None and member.panel_role == PanelRole.PATIENT


def can_set_asking_preference(user, vacancy: Vacancy) -> bool:
    """Say before the day that one would rather not ask a question with a content note: a
    patient panelist on the panel, while the plan can change."""
    return is_patient_member(user, vacancy) and vacancy.stage.plan_editable


def can_see_asking_preferences(user, vacancy: Vacancy) -> bool:
    """Who would rather not ask a question with a content note: whoever chooses the askers."""
    return can_edit_plan(user, vacancy) or is_hr(user)


def can_answer_check_in(user, check_in) -> bool:
    """A check-in is answered by the person it is for, only."""
    return is_signed_in(user) and check_in is not None and check_in.user_id == user.id


def can_read_check_in_answers(user, check_in) -> bool:
    """How it went, whether they want a call, what troubled them: the person and the involvement
    lead (HR until that role exists). Never the chair or the panel."""
    return can_answer_check_in(user, check_in) or can_manage_involvement(user)


def can_record_debrief(user, vacancy: Vacancy) -> bool:
    """Record that a debrief was offered to a patient panelist (never what was said): the
    vacancy's chair and HR, once interviews have started."""
    return (is_vacancy_chair(user, vacancy) or is_hr(user)) and vacancy.stage.interviews_started


def can_raise_concern(user) -> bool:
    """"Raise a concern about this process": anyone signed in."""
    return is_signed_in(user)


def can_read_concerns(user) -> bool:
    return can_manage_involvement(user)


def can_view_own_involvement(user) -> bool:
    """My involvement, my check-ins, my certificate and reference letter."""
    return is_signed_in(user)


def can_view_involvement_of(user, person_id: int) -> bool:
    """Someone's involvement record (and its subject access export): the person; HR and the lead."""
    return can_manage_involvement(user) or (is_signed_in(user) and user.id == person_id)


def can_correct_hours(user) -> bool:
    """Correct the estimated hours of someone's activity: HR and the involvement lead."""
    return can_manage_involvement(user)
