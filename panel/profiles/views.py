"""The involvement record (issue 17): a person's own profile, the involvement lead's home page,
a person's record for HR and the lead (training, shadowing, export), the panel composition
rules of a vacancy, and the "before you start" pages: the "profiles" blueprint."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from panel import audit, permissions
from panel.db import db
from panel.deadlines import london_today
from panel.forms import field_error, refused_status
from panel.loaders import found, user_view, vacancy_view
from panel.models import Role, TrainingKind, User, Vacancy
from panel.profiles import composition, guide, hooks, items, queries, records, roadmap, services
from panel.profiles.forms import LeadForm, OverrideForm, ProfileForm, ShadowingForm, TrainingForm

bp = Blueprint("profiles", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


def _support_contact() -> str:
    return current_app.config.get("SUPPORT_CONTACT") or current_app.config["MAIL_FROM"]


def _on_roadmap(people: list[User]) -> list[User]:
    """The people the roadmap is for: patient panelists (staff chairs have their own route to chairing)."""
    return [p for p in people if p.role == Role.PANELIST]


def _positions(session, people: list[User], today) -> dict[int, roadmap.Position]:
    ids = [p.id for p in people]
    trained = queries.in_date_training(queries.training(session, ids), today)
    sat = queries.panels_sat(session, ids)
    shadowed = queries.shadowing(session, ids)
    return {p.id: roadmap.position(roadmap.Facts(frozenset(trained[p.id]), sat[p.id][0], len(shadowed[p.id]),
                                                 sat[p.id][1])) for p in people}


# --- the person's own profile ---------------------------------------------------------

@bp.route("/profile", methods=["GET", "POST"])
@user_view(permissions.can_edit_own_profile)
def profile():
    user = current_user._get_current_object()
    session = db()
    consented = set(queries.consents(session, [user.id])[user.id])
    if request.method == "POST":
        form = ProfileForm()
    else:
        form = ProfileForm(data=services.profile_form_data(user, queries.profile(session, user.id), consented))
    if form.validate_on_submit():
        try:
            services.save_profile(session, user, form.data_for_service(), set(form.share.data or []))
        except services.ProfileError as exc:
            field_error(form, exc, "share")
        else:
            flash("Your involvement profile has been saved.", "success")
            return redirect(url_for("profiles.profile"))
    today = london_today()
    return render_template("profiles/profile.html", form=form, position=_positions(session, [user], today)[user.id],
                           steps=roadmap.STEPS, training=queries.training(session, [user.id])[user.id], today=today,
                           consents=queries.consents(session, [user.id])[user.id], items=items.ITEMS), refused_status(form)


# --- the involvement lead (and HR) ------------------------------------------------------

@bp.route("/involvement")
@user_view(permissions.can_manage_involvement)
def lead_home():
    session = db()
    people = queries.panelists(session)
    ids = [p.id for p in people]
    today = london_today()
    training = queries.training(session, ids)
    return render_template("profiles/lead_home.html", people=people, training=training,
                           trained=queries.in_date_training(training, today), kinds=list(TrainingKind),
                           profiles=queries.profiles(session, ids), positions=_positions(session, _on_roadmap(people), today),
                           debriefs=hooks.debrief_column(session, ids),
                           waiting=hooks.waiting_for_reply_column(session, ids))


@bp.route("/involvement/roadmap")
@user_view(permissions.can_manage_involvement)
def roadmap_page():
    session = db()
    people = _on_roadmap(queries.panelists(session))
    positions = _positions(session, people, london_today())
    return render_template("profiles/roadmap.html", steps=roadmap.STEPS, people=people, positions=positions)


def _person(user_id: int) -> User:
    return found(db().get(User, user_id))


def _person_page(person: User, training_form=None, shadowing_form=None, status: int = 200):
    session = db()
    today = london_today()
    return render_template(
        "profiles/person.html", person=person, profile=queries.profile(session, person.id),
        consents=queries.consents(session, [person.id])[person.id], items=items.ITEMS,
        access_needs=items.ACCESS_NEEDS, training=queries.training(session, [person.id])[person.id],
        shadowing=queries.shadowing(session, [person.id])[person.id], today=today,
        position=_positions(session, [person], today)[person.id],
        training_form=training_form or TrainingForm(), shadowing_form=shadowing_form or ShadowingForm(),
        lead_form=LeadForm(data={"lead": person.involvement_lead}),
        can_name_lead=permissions.can_manage_users(current_user)), status


@bp.route("/involvement/people/<int:user_id>")
@user_view(permissions.can_manage_involvement)
def person(user_id: int):
    person = _person(user_id)
    permissions.require(permissions.can_view_profile(current_user, person.id))
    return _person_page(person)


def _record(person: User, slot: str, form, act, field: str, done):
    """Something recorded from a person's page (``slot``: which of its forms): ``act()`` and back
    to the page with ``done`` (a message, or a function giving it), or the page again with the
    refusal next to ``field`` (400)."""
    if form.validate_on_submit():
        try:
            act()
        except services.ProfileError as exc:
            field_error(form, exc, field)
        else:
            flash(done() if callable(done) else done, "success")
            return redirect(url_for("profiles.person", user_id=person.id))
    return _person_page(person, **{slot: form}, status=400)


@bp.route("/involvement/people/<int:user_id>/training", methods=["POST"])
@user_view(permissions.can_record_training)
def add_training(user_id: int):
    person = _person(user_id)
    form = TrainingForm()
    return _record(person, "training_form", form,
                   lambda: services.record_training(db(), current_user, person, TrainingKind(form.kind.data),
                                                    form.completed_on.data, form.expires_on.data),
                   "completed_on",
                   lambda: f"{TrainingKind(form.kind.data).label} training recorded for {person.name}.")


@bp.route("/involvement/people/<int:user_id>/shadowing", methods=["POST"])
@user_view(permissions.can_record_training)
def add_shadowing(user_id: int):
    person = _person(user_id)
    form = ShadowingForm()
    return _record(person, "shadowing_form", form,
                   lambda: services.record_shadowing(db(), current_user, person, form.held_on.data,
                                                     form.chair_name.data),
                   "held_on", f"Shadowing session recorded for {person.name}.")


@bp.route("/involvement/people/<int:user_id>/lead", methods=["POST"])
@user_view(permissions.can_manage_users)
def set_lead(user_id: int):
    person = _person(user_id)
    form = LeadForm()
    if form.validate_on_submit():
        services.set_involvement_lead(db(), current_user, person, bool(form.lead.data))
        flash(f"{person.name} {'is now' if person.involvement_lead else 'is not'} the involvement lead.", "success")
    return redirect(url_for("profiles.person", user_id=person.id))


@bp.route("/involvement/people/<int:user_id>/export.json")
@user_view(permissions.can_export_involvement)
def export(user_id: int):
    """The subject access export of a person's involvement record (itself audit-logged)."""
    person = _person(user_id)
    data = records.export(db(), person)
    audit.record(db(), current_user, "download", person, summary=f"Involvement record of {person.name} exported")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="involvement-record-{person.id}.json"',
                             "Cache-Control": "no-store"})


# --- a vacancy's panel composition rules ------------------------------------------------

@bp.route("/vacancies/<int:vacancy_id>/panel/rules", methods=["GET", "POST"])
@vacancy_view(permissions.can_view_panel_rules, post=permissions.can_override_panel_rule)
def panel_rules(vacancy: Vacancy):
    session = db()
    checks = composition.rules_for(session, vacancy)
    form = OverrideForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            n = composition.override(session, current_user, vacancy, checks, form.reason.data)
        except composition.RuleError as exc:
            field_error(form, exc, "reason")
        else:
            if n:
                flash("Your reason has been recorded. The panel can go ahead.", "success")
            return redirect(url_for("profiles.panel_rules", vacancy_id=vacancy.id))
    return render_template("profiles/panel_rules.html", vacancy=vacancy, checks=checks, form=form,
                           can_override=permissions.can_override_panel_rule(current_user, vacancy)), \
        refused_status(form)


# --- before you start -------------------------------------------------------------------

@bp.route("/before-you-start")
@user_view(permissions.can_view_guide)
def guide_index():
    return render_template("profiles/guide_index.html", roles=guide.ROLES, stages=guide.STAGES,
                           support=_support_contact())


@bp.route("/before-you-start/glossary")
@user_view(permissions.can_view_guide)
def glossary():
    return render_template("profiles/glossary.html", glossary=guide.GLOSSARY)


@bp.route("/before-you-start/<role>/<stage>")
@user_view(permissions.can_view_guide)
def guide_page(role: str, stage: str):
    page = guide.PAGES.get((role, stage))
    if page is None:
        abort(404)
    return render_template("profiles/guide_page.html", page=page, role=guide.ROLES[role], stage=guide.STAGES[stage],
                           glossary=guide.GLOSSARY, support=_support_contact())
