"""Reviewing one criterion at a time (issue 19; panel/shortlisting/walk.py): a criterion's
page (a page of the member's candidates, in their own order, with each one's evidence for
the criterion, the marking guide and their score), saving it as a whole without JavaScript,
and the member's choice between one candidate and one criterion at a time.

The scores are the same ShortlistScore rows as on a candidate's page: each answer saves
through the same JSON endpoint (shortlisting.save_answer) and the whole page through the same
service (services.save_scores), with the same rules (permissions.can_score_candidate)."""
from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import permissions
from panel.converters import posted_number
from panel.db import db
from panel.loaders import found, vacancy_view
from panel.models import Vacancy
from panel.shortlisting import queries, scoring, services, walk
from panel.shortlisting.forms import ReviewModeForm, criterion_score_form
from panel.shortlisting.views import bp, my_candidate
from panel.shortlisting.views.scores import index_page

ANSWER_FIELD_RE = re.compile(r"^(?:score|comment)_(\d+)$")


def my_mode(vacancy: Vacancy) -> str:
    return walk.mode_of(permissions.panel_membership(current_user, vacancy))


def criterion_url(vacancy: Vacancy, criterion_id: int, page: int = 1, candidate_id: int | None = None) -> str:
    return url_for("shortlisting.criterion", vacancy_id=vacancy.id, criterion_id=criterion_id,
                   page=page if page > 1 else None, _anchor=f"candidate-{candidate_id}" if candidate_id else None)


def continue_url(vacancy: Vacancy, data: queries.ShortlistingData, progress: services.MyProgress,
                 mode: str, after: int | None = None) -> str | None:
    """Where this member carries on, in their way of reviewing: the next candidate still to
    score (one candidate at a time), or the first answer still to give criterion by criterion,
    then each candidate's scores to check and submit (one criterion at a time). None: done."""
    if mode == walk.CRITERION:
        here = walk.where_to_continue(walk.criteria_progress(data, progress, current_user.id))
        if here is not None:
            criterion_id, page, place = here
            return criterion_url(vacancy, criterion_id, page, progress.items[place].candidate.id)
        ready = next((i.candidate for i in progress.items
                      if i.not_submitted and i.complete and i.candidate.id != after), None)
        return url_for("shortlisting.submit", vacancy_id=vacancy.id, candidate_id=ready.id) if ready else None
    nxt = progress.next_after(after)
    return url_for("shortlisting.candidate", vacancy_id=vacancy.id, candidate_id=nxt.id) if nxt else None


def _page_number() -> int:
    number = posted_number(request.args.get("page", "1"))
    if not number:  # not a page number (or beyond any): 404
        abort(404)
    return number


def _criterion_page(vacancy: Vacancy, criterion_id: int, page: int, *, posted: bool = False, error=None,
                    status: int = 200):
    data = queries.load(vacancy, user_id=current_user.id, decisions=False)
    criterion = found(next((c for c in data.criteria if c.id == criterion_id), None))
    progress = services.my_progress(data, current_user)
    pages = walk.page_count(progress)
    if page > pages:
        abort(404)
    on_page = walk.page_items(progress, page)
    evidence, saved = queries.criterion_page(criterion.id, current_user.id, [i.candidate.id for _n, i in on_page])
    rows = []
    for place, item in on_page:
        c = item.candidate
        declaration = data.declaration(c.id, current_user.id)
        submitted = data.submitted(c.id, current_user.id)
        allocated = data.allocated(c.id, current_user.id)
        rows.append({
            "place": place, "item": item, "candidate": c, "declaration": declaration, "submitted": submitted,
            "evidence": evidence.get(c.id, ""), "saved": saved.get(c.id),
            "my_score": data.scores_of(c.id, current_user.id).get(criterion.id),
            "can_score": permissions.can_score_candidate(current_user, vacancy, c, declaration, submitted,
                                                         allocated=allocated),
            "can_declare": permissions.can_declare_conflict(current_user, vacancy, c, declaration, submitted,
                                                            allocated=allocated) and declaration is None,
            "can_read": permissions.can_read_application(current_user, vacancy, c, declaration, allocated=allocated),
            "held": permissions.held_for_identity_check(vacancy, c),
        })
    scorable = [r["candidate"] for r in rows if r["can_score"]]
    form = criterion_score_form(scorable, data=None if posted else {
        **{f"score_{r['candidate'].id}": str(r["my_score"].score) for r in rows
           if r["can_score"] and r["my_score"] is not None and r["my_score"].score is not None},
        **{f"comment_{r['candidate'].id}": r["my_score"].comment for r in rows
           if r["can_score"] and r["my_score"] is not None}})
    if posted:
        form.validate()
    criteria = data.criteria
    step = [c.id for c in criteria].index(criterion.id) + 1
    before = walk.previous_page(criteria, criterion.id, page, pages)
    after = walk.next_page(criteria, criterion.id, page, pages)
    this = next(cp for cp in walk.criteria_progress(data, progress, current_user.id) if cp.criterion.id == criterion.id)
    return render_template(
        "shortlisting/criterion.html", vacancy=vacancy, criterion=criterion, step=step, steps=len(criteria),
        page=page, pages=pages, rows=rows, form=form, error=error,
        guide=scoring.marking_guide(criterion.guide_texts), this=this,
        total=len(progress.items), first=on_page[0][0] if on_page else 0, last=on_page[-1][0] if on_page else 0,
        previous_url=criterion_url(vacancy, *before) if before else None,
        next_url=criterion_url(vacancy, *after) if after else None,
        next_label=_step_label("Next", criteria, criterion.id, after),
        previous_label=_step_label("Previous", criteria, criterion.id, before),
    ), status


def _step_label(word: str, criteria, criterion_id: int, to: tuple[int, int] | None) -> str | None:
    """"Next: criterion 4" on to another criterion, "Next candidates" on the same one."""
    if to is None:
        return None
    if to[0] == criterion_id:
        return f"{word} candidates"
    return f"{word}: criterion {next(c.position for c in criteria if c.id == to[0])}"


@bp.route("/criteria/<int:criterion_id>")
@vacancy_view(permissions.can_shortlist)
def criterion(vacancy: Vacancy, criterion_id: int):
    return _criterion_page(vacancy, criterion_id, _page_number())


@bp.route("/criteria/<int:criterion_id>/scores", methods=["POST"])
@vacancy_view(permissions.can_shortlist)
def save_criterion_scores(vacancy: Vacancy, criterion_id: int):
    """The whole page of a criterion, as posted without JavaScript (or by its buttons): each
    candidate's answer saved as on their own page, or nothing saved at all."""
    page = _page_number()
    ids = sorted({int(m.group(1)) for key in request.form if (m := ANSWER_FIELD_RE.match(key))})
    data = queries.load(vacancy, user_id=current_user.id, candidate_ids=ids, decisions=False)
    criterion = found(next((c for c in data.criteria if c.id == criterion_id), None))
    candidates = [my_candidate(vacancy, data, cid) for cid in ids]  # 404 unless theirs to read
    refusals = []
    for c in candidates:
        declaration, submitted = data.declaration(c.id, current_user.id), data.submitted(c.id, current_user.id)
        if not permissions.can_score_candidate(current_user, vacancy, c, declaration, submitted,
                                               allocated=data.allocated(c.id, current_user.id)):
            refusals.append(services.why_not_scoring(vacancy, c, declaration, submitted))
    if refusals:
        return _criterion_page(vacancy, criterion.id, page, posted=True, status=409,
                               error=" ".join(refusals) + " Nothing was saved.")
    form = criterion_score_form(candidates)
    if not form.validate_on_submit():
        return _criterion_page(vacancy, criterion.id, page, posted=True, status=400)
    entries = form.entries(request.form)
    for c in candidates:
        if c.id in entries:
            services.save_scores(db(), current_user, vacancy, c, data.criteria, {criterion.id: entries[c.id]},
                                 data.scores_of(c.id, current_user.id))
    if request.form.get("action") == "continue":
        mine = queries.load(vacancy, user_id=current_user.id, decisions=False)
        progress = services.my_progress(mine, current_user)
        after = walk.next_page(mine.criteria, criterion.id, page, walk.page_count(progress))
        if after is not None:
            return redirect(criterion_url(vacancy, *after))
        target = continue_url(vacancy, mine, progress, walk.CRITERION)
        flash("You have been through every criterion. Check each candidate's scores and submit them."
              if target and "/submit" in target else "Your scores are saved.", "success")
        return redirect(target or url_for("shortlisting.index", vacancy_id=vacancy.id))
    flash(f"Your scores for criterion {criterion.position} are saved. You can come back and finish them later.",
          "success")
    return redirect(url_for("shortlisting.index", vacancy_id=vacancy.id))


@bp.route("/review-mode", methods=["POST"])
@vacancy_view(permissions.can_shortlist)
def review_mode(vacancy: Vacancy):
    """Switch between one candidate at a time and one criterion at a time (remembered for this
    panel member), then carry on where they are in the new way."""
    form = ReviewModeForm()
    if not form.validate_on_submit():
        return index_page(vacancy, mode_form=form, status=400)
    member = found(permissions.panel_membership(current_user, vacancy))
    services.set_review_mode(db(), current_user, vacancy, member, form.mode.data)
    flash(f"You are scoring {walk.MODES[form.mode.data].lower()}. Your scores so far are kept.", "success")
    target = None
    if vacancy.stage.shortlisting_open:
        data = queries.load(vacancy, user_id=current_user.id, decisions=False)
        target = continue_url(vacancy, data, services.my_progress(data, current_user), form.mode.data)
    return redirect(target or url_for("shortlisting.index", vacancy_id=vacancy.id))
