"""Declared permissions for views: a view says what it needs and gets the loaded object.

    @bp.route("/<int:vacancy_id>/plan")
    @vacancy_view(permissions.can_view_plan)
    def plan(vacancy: Vacancy):
        ...

The decorator loads the vacancy named by the route's ``vacancy_id``, checks the
predicate from panel.permissions for the signed-in user, and answers 404 when the
vacancy does not exist or the user may not do this (we never reveal what exists).
The view receives the Vacancy in place of ``vacancy_id``; every other route argument
passes through unchanged. Views hold no permission logic of their own: they name a
predicate here, and a template gets any further answers (``can_edit`` ...) from the
view, which asks panel.permissions.

``load`` picks how much is loaded: the default brings the vacancy's criteria and
panel with their people (what most pages show); a busy JSON endpoint may pass a
leaner loader. ``child`` loads an object that must belong to the vacancy, such as a
candidate, with the same 404 rule.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, request
from flask_login import current_user

from panel.models import Vacancy
from panel.vacancies.queries import vacancy_with_everything

Predicate = Callable[[Any, Vacancy], bool]
Loader = Callable[[int], "Vacancy | None"]


def load_vacancy_or_404(vacancy_id: int, predicate: Predicate, load: Loader = vacancy_with_everything) -> Vacancy:
    """The vacancy, when it exists and the signed-in user passes the predicate; 404 otherwise."""
    vacancy = load(vacancy_id)
    if vacancy is None or not predicate(current_user, vacancy):
        abort(404)
    return vacancy


def vacancy_view(predicate: Predicate, *, load: Loader = vacancy_with_everything, post: Predicate | None = None):
    """Decorate a view whose route has ``<int:vacancy_id>``: it is called with the loaded,
    permitted Vacancy as its first argument instead.

    ``post``: a page that everyone on the panel reads but fewer may save (the panel, the scoring
    scale) is one route for GET and POST; the POST is checked with this predicate instead. (Two
    routes on one URL would answer 405 rather than 404 for an id that does not exist, because the
    router compares methods before it converts the id.)"""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, vacancy_id: int, **kwargs):
            check = post if post is not None and request.method == "POST" else predicate
            return view(load_vacancy_or_404(vacancy_id, check, load), *args, **kwargs)
        wrapper.permission = predicate  # read by tests that check every route declares one
        wrapper.post_permission = post
        return wrapper
    return decorate


def found(obj):
    """The object, or 404 when a loader found nothing (a candidate of another vacancy,
    a question that does not exist ...)."""
    if obj is None:
        abort(404)
    return obj


def user_view(predicate: Callable[[Any], bool]):
    """Decorate a view whose route names no vacancy (the vacancy list, a new vacancy): 404
    unless the signed-in user passes the predicate, which takes the user only."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not predicate(current_user):
                abort(404)
            return view(*args, **kwargs)
        wrapper.permission = predicate
        return wrapper
    return decorate
