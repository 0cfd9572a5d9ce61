"""One structured log line per request: request id, user id, route, status, duration."""
from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, g, request
from flask_login import current_user

log = logging.getLogger("panel.request")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def init_app(app: Flask) -> None:
    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        started = g.get("request_started")
        if started is None or request.endpoint == "static":
            return response
        try:
            user_id = current_user.id if current_user.is_authenticated else None
        except Exception:  # the user could not be loaded (e.g. the database is down)
            user_id = None
        response.headers["X-Request-ID"] = g.request_id
        log.info(json.dumps({
            "request_id": g.request_id,
            "user_id": user_id,
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }))
        return response
