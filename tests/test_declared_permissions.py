"""Every view of a vacancy declares its permission (issue 13, item 3).

A route with ``<vacancy_id>`` in its URL must be a view decorated by panel.loaders.vacancy_view:
the decorator loads the vacancy, checks a named predicate from panel.permissions and answers
404 otherwise, so no view decides access itself and a new view cannot forget to.
"""
from __future__ import annotations

import inspect
from types import SimpleNamespace

from werkzeug.routing import Map, Rule

from panel import permissions
from panel.loaders import vacancy_view

# Blueprints whose views are not converted yet: none (every area declares its permissions since
# issue 13). A blueprint not named here must declare every vacancy route.
NOT_YET_CONVERTED: set[str] = set()


def _is_permission(predicate) -> bool:
    """A named predicate of panel.permissions (not a lambda or a view's own function)."""
    return (inspect.isfunction(predicate) and predicate.__module__ == permissions.__name__
            and getattr(permissions, predicate.__name__, None) is predicate)


def undeclared_vacancy_routes(app, not_yet=NOT_YET_CONVERTED) -> list[str]:
    missing = []
    for rule in app.url_map.iter_rules():
        if "vacancy_id" not in rule.arguments or rule.endpoint.split(".")[0] in not_yet:
            continue
        view = app.view_functions[rule.endpoint]
        post = getattr(view, "post_permission", None)
        if not _is_permission(getattr(view, "permission", None)) or (post is not None and not _is_permission(post)):
            missing.append(f"{rule.endpoint} ({rule.rule})")
    return sorted(missing)


def test_every_vacancy_route_declares_its_permission(app):
    assert undeclared_vacancy_routes(app) == []


def test_the_converted_areas_have_vacancy_routes(app):
    """The check is not empty: each converted area still has routes it checks."""
    blueprints = {r.endpoint.split(".")[0] for r in app.url_map.iter_rules() if "vacancy_id" in r.arguments}
    assert {"candidates", "records", "scoring", "plans", "vacancies", "shortlisting", "packs"} <= blueprints - NOT_YET_CONVERTED


def test_a_route_without_the_decorator_is_caught():
    """A converted area's route with no vacancy_view, or one given a lambda, fails the check;
    a declared one and a not-yet-converted blueprint's route pass."""

    def bare(vacancy_id: int):
        return ""

    @vacancy_view(lambda user, vacancy: True)
    def with_a_lambda(vacancy):
        return ""

    @vacancy_view(permissions.can_view_candidates)
    def declared(vacancy):
        return ""

    views = {"candidates.bare": bare, "scoring.lambda": with_a_lambda, "records.declared": declared,
             "other.bare": bare, "main.no_vacancy": bare}
    rules = {"candidates.bare": "/vacancies/<int:vacancy_id>/bare", "scoring.lambda": "/vacancies/<int:vacancy_id>/l",
             "records.declared": "/vacancies/<int:vacancy_id>/d", "other.bare": "/vacancies/<int:vacancy_id>/p",
             "main.no_vacancy": "/elsewhere"}
    fake = SimpleNamespace(url_map=Map([Rule(path, endpoint=e) for e, path in rules.items()]), view_functions=views)
    assert undeclared_vacancy_routes(fake, not_yet={"other"}) == ["candidates.bare (/vacancies/<int:vacancy_id>/bare)",
                                               "scoring.lambda (/vacancies/<int:vacancy_id>/l)"]


def test_the_decorator_answers_404_for_a_missing_or_forbidden_vacancy(as_user, world):
    """What the declaration does: the panel of another vacancy, and a vacancy that does not
    exist, get the same 404; the candidate list is HR's while the vacancy is in draft."""
    a = world["a"]
    assert as_user(world["hr"]).get(f"/vacancies/{a.id}/candidates").status_code == 200
    assert as_user(world["chair"]).get(f"/vacancies/{a.id}/candidates").status_code == 404  # names not shown yet
    assert as_user(world["other"]).get(f"/vacancies/{a.id}/results").status_code == 404
    assert as_user(world["hr"]).get("/vacancies/999999/candidates").status_code == 404


# --- the one rule on seeing others' scores ----------------------------------------------------

def _old_shortlisting_rule(user, vacancy, *, submitted, stepped_aside, all_in):
    """permissions.can_see_scores_of_others as it was before the two rules were folded into one."""
    p = permissions
    if vacancy.stage.setting_up:
        return False
    if vacancy.stage.shortlisting_open:
        if p.is_vacancy_chair(user, vacancy):
            return submitted or (stepped_aside and all_in)
        return p.is_on_panel(user, vacancy) and submitted
    if p.is_hr(user) or p.is_vacancy_chair(user, vacancy):
        return True
    return p.is_on_panel(user, vacancy) and not stepped_aside


def _old_interview_rule(user, vacancy, *, submitted):
    """permissions.can_view_results_of as it was (for a known candidate)."""
    p = permissions
    if not p.can_view_interviews(user, vacancy):
        return False
    if p.is_on_panel(user, vacancy):
        return submitted
    return p.is_hr(user)


def test_one_rule_for_others_scores_answers_as_the_two_rules_did():
    """Every stage, every kind of person, every combination of facts: the folded rule gives
    the answers the shortlisting and interview rules gave."""
    from itertools import product

    from panel.models import PanelRole, Role
    from panel.stages import STAGES

    def person(uid, role):
        return SimpleNamespace(id=uid, role=role, is_authenticated=True)

    people = {"hr": person(1, Role.HR), "hr on panel": person(2, Role.HR), "chair": person(3, Role.CHAIR),
              "member": person(4, Role.PANELIST), "outsider": person(5, Role.PANELIST), "anonymous": None}
    panel = [SimpleNamespace(user_id=2, panel_role=PanelRole.STAFF), SimpleNamespace(user_id=3, panel_role=PanelRole.CHAIR),
             SimpleNamespace(user_id=4, panel_role=PanelRole.PATIENT)]
    checked = 0
    for stage, user, (submitted, aside, all_in) in product(STAGES, people.values(), product((False, True), repeat=3)):
        vacancy = SimpleNamespace(stage=stage, panel_members=panel)
        assert permissions.can_see_scores_of_others(
            user, vacancy, permissions.SHORTLISTING, submitted=submitted, stepped_aside=aside, all_in=all_in) \
            == _old_shortlisting_rule(user, vacancy, submitted=submitted, stepped_aside=aside, all_in=all_in)
        assert permissions.can_see_scores_of_others(user, vacancy, permissions.INTERVIEWS, submitted=submitted) \
            == _old_interview_rule(user, vacancy, submitted=submitted)
        checked += 1
    assert checked == len(STAGES) * len(people) * 8


# Endpoints open to anyone, or to anyone signed in about their own account only: they name no
# vacancy and need no permission beyond signing in (which their blueprint asks for).
OPEN_TO_ALL = {
    "static", "main.home", "main.healthz", "main.accessibility", "main.privacy",
    "auth.login", "auth.logout", "auth.forgot_password", "auth.set_password", "auth.account",
    "auth.change_password", "auth.session_extend", "scoring.offline_key", "scoring.offline_worker",
    # a candidate's booking pages: candidates have no accounts; the secret in the link is the permission
    # (only its hash is stored), checked by panel.booking.views._load before anything is shown or changed
    "booking.page", "booking.cannot_come",
    # an interview-day calendar file by the signed link in a GOV.UK Notify email: the link is the key
    "calendar_files.calendar_file",
}


def test_every_other_route_declares_its_permission_too(app):
    """Routes that name no vacancy (the audit log, people, the question bank, the vacancy list)
    declare theirs with @user_view; only the endpoints listed as open to all do not."""
    undeclared = sorted(
        rule.endpoint for rule in app.url_map.iter_rules()
        if rule.endpoint not in OPEN_TO_ALL and rule.endpoint.split(".")[0] not in NOT_YET_CONVERTED
        and not _is_permission(getattr(app.view_functions[rule.endpoint], "permission", None)))
    assert undeclared == []
    assert {"main.audit_log", "people.index", "questions.propose", "vacancies.index"} <= {
        rule.endpoint for rule in app.url_map.iter_rules()}
