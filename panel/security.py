"""Security headers, the CSP nonce, and the session rules (idle and absolute timeouts)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

from flask import Flask, Request, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.datastructures import FileStorage, ImmutableMultiDict

from panel import requestlog


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


# --- what a browser may keep for offline use, bound to the signed-in session ------------------
#
# The scoring page keeps a copy of itself (Cache Storage) and unsaved answers (localStorage) so
# that it works through a wifi drop. Both are bound to the session: the answers are encrypted
# with a key that only a live session is given (see device_secrets), and the service worker
# reopens a cached page only while the LIVE_COOKIE it carries (a session cookie, so gone when the
# browser restarts) matches the id the page recorded. A browser that shows up with that cookie
# but no session (signed out here or elsewhere, idle time-out, session ended) is told to forget
# everything: the cookie is deleted and Clear-Site-Data empties its storage and caches.

LIVE_COOKIE = "panel_live"
CLEAR_SITE_DATA = '"cache", "storage"'


def device_secrets(user_id: int) -> tuple[str, str]:
    """(id, key) for this browser's signed-in session. The id marks a live session to the
    service worker; the key (256 bits, base64url) encrypts answers kept on the device. Both come
    from a random value kept in the session, so a new sign-in (which clears the session) gives new
    ones, and they are derived with the secret key, so the session cookie alone does not reveal
    the key."""
    salt = session.get("device_salt")
    if not salt:
        salt = session["device_salt"] = secrets.token_urlsafe(24)
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret

    def derive(purpose: str) -> bytes:
        return hmac.new(secret, f"{purpose}:{user_id}:{salt}".encode(), hashlib.sha256).digest()

    return derive("device-id").hex()[:32], base64.urlsafe_b64encode(derive("device-key")).decode().rstrip("=")


def _forget_device_when_signed_out(response):
    """Any answer to a browser without a live session tells it to forget its offline copies;
    the sign-in and sign-out pages always do (reaching them means there is no session)."""
    had_live_session = LIVE_COOKIE in request.cookies
    if request.endpoint == "static" or (not had_live_session and request.endpoint not in ("auth.login", "auth.logout")):
        return response
    if current_user.is_authenticated:
        return response
    if had_live_session:
        response.delete_cookie(LIVE_COOKIE, path="/", samesite="Lax",
                               secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(value):
    """Typed text as a database can hold it: PostgreSQL text refuses NUL characters, and a lone
    surrogate (possible in JSON, "\\ud800") cannot be encoded at all. Either would be a 500."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, list):
        return [storable(v) for v in value]
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    return value


class _StorableParams(ImmutableMultiDict):
    """Query and form values (the parsers pass (name, value) pairs) made storable."""

    def __init__(self, mapping=None):
        if isinstance(mapping, list):
            mapping = [(name, storable(value)) for name, value in mapping]
            for _name, value in mapping:
                if isinstance(value, FileStorage) and value.filename:
                    value.filename = storable(value.filename)  # stored and shown as "uploaded as ..."
        super().__init__(mapping)


class PanelRequest(Request):
    parameter_storage_class = _StorableParams

    def get_json(self, *args, **kwargs):
        return storable(super().get_json(*args, **kwargs))


def init_app(app: Flask) -> None:
    app.request_class = PanelRequest
    requestlog.init_app(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _headers(response):
        nonce = g.get("csp_nonce")
        script_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src {script_src}; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # no-store on everything but static files: signed-in pages carry personal data, and some
        # pages for signed-out visitors do too (the set-password page names the person)
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return _forget_device_when_signed_out(response)

    @app.before_request
    def _session_timeouts():
        if request.endpoint in ("static", "main.healthz") or not current_user.is_authenticated:
            return None
        now = time.time()
        idle = app.config["SESSION_IDLE_MINUTES"] * 60
        absolute = app.config["SESSION_ABSOLUTE_HOURS"] * 3600
        last_seen = session.get("last_seen", now)
        signed_in_at = session.get("signed_in_at", now)
        if now - last_seen > idle or now - signed_in_at > absolute:
            logout_user()
            session.clear()
            flash("You were signed out because you had not done anything for a while. Nothing you saved has been lost.", "info")
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        if request.endpoint != "auth.session_extend" or request.method == "POST":
            session["last_seen"] = now
        return None
