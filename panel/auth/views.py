"""Sign-in, sign-out, invitations and password resets, the account page."""
from __future__ import annotations

import time

from flask import (Blueprint, after_this_request, current_app, flash, jsonify, redirect, render_template,
                   request, session, url_for)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from panel import audit, csrf, notifications
from panel.auth import services
from panel.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, PreferencesForm, SetPasswordForm
from panel.auth.urls import safe_next
from panel.db import db
from panel.forms import field_error

bp = Blueprint("auth", __name__)


def _known_devices() -> set[int]:
    return services.known_device_ids(request.cookies.get(services.DEVICE_COOKIE))


def _start_session(user) -> None:
    session.clear()  # a fresh session on every sign-in
    login_user(user)
    now = time.time()
    session["signed_in_at"] = now
    session["last_seen"] = now
    # this browser is now a known device for the account: a right password from it is never
    # held back by the sign-in throttles
    value = services.device_cookie_value(user.id, _known_devices())

    @after_this_request
    def _remember_device(response):
        response.set_cookie(services.DEVICE_COOKIE, value, max_age=services.DEVICE_COOKIE_DAYS * 86400,
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
        return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.sign_in(db(), form.email.data, form.password.data,
                                 client=request.remote_addr or "unknown", known_devices=_known_devices(),
                                 device=services.device_client(request.cookies.get(services.DEVICE_COOKIE)))
        if user is not None:
            target = safe_next(request.args.get("next"))
            _start_session(user)
            audit.record(db(), user, "sign_in", user, summary="Signed in")
            return redirect(target)
        form.password.errors.append(services.login_error())
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@csrf.exempt  # checked below: the header's sign-out form carries the token in its URL
def logout():
    try:
        validate_csrf(request.args.get("csrf_token") or request.form.get("csrf_token"))
    except ValidationError:
        raise CSRFError("The CSRF token is missing or invalid.")
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        services.end_all_sessions(user)
        audit.record(db(), user, "sign_out", user, summary="Signed out")
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/session/extend", methods=["POST"])
@login_required
def session_extend():
    session["last_seen"] = time.time()
    return jsonify({"ok": True})


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same work and the same answer whether or not the address has an account: the
        # account is looked up and the email sent after the answer has gone.
        services.request_password_reset(db(), form.email.data)
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    record = services.check_link_token(db(), token)
    if record is None:
        return render_template("auth/link_expired.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.use_link_token(db(), record, form.password.data)
        except services.AccountError as exc:
            field_error(form, exc, "password")
        else:
            _start_session(user)
            flash("Your password has been set. You are now signed in.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/set_password.html", form=form, user=record.user, purpose=record.purpose)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        fields = ["mobile", "contact_preference", "message_frequency"]
        before = audit.snapshot(user, fields)
        user.mobile = form.mobile.data or None
        user.contact_preference = form.contact_preference.data
        user.message_frequency = form.message_frequency.data
        if before["message_frequency"] != user.message_frequency:  # waiting messages follow the new choice
            notifications.frequency_changed(db(), user)
        audit.record(db(), user, "update", user, summary="Preferences changed",
                     changes=audit.diff(before, audit.snapshot(user, fields)))
        flash("Your preferences have been saved.", "success")
        return redirect(url_for("auth.account"))
    status = 400 if form.errors else 200
    return render_template("auth/account.html", form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        right = services.check_current_password(db(), user, form.current.data)
        if right is None:
            services.end_all_sessions(user)
            logout_user()
            session.clear()
            flash("For your safety you have been signed out: your current password was typed wrongly too many "
                  "times. Sign in again, or choose \u2018I have forgotten my password\u2019 if you do not remember it.", "info")
            return redirect(url_for("auth.login"))
        if not right:
            form.current.errors.append("Your current password is not correct")
        else:
            try:
                services.set_password(db(), user, form.password.data)
            except services.AccountError as exc:
                field_error(form, exc, "password")
            else:
                _start_session(user)  # other sessions end; this one carries on
                flash("Your password has been changed. You have been signed out everywhere else.", "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)
