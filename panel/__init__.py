"""panel: involving former patients in recruiting NHS staff."""
from __future__ import annotations

import logging
import os

from flask import Flask, g, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()
login_manager = LoginManager()

log = logging.getLogger("panel")


def create_app(test_config: dict | None = None) -> Flask:
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("PANEL_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    # panel's own modules are imported in the factory: `import panel.x` does not load the whole app
    from panel import config

    config.load_config(app, test_config)
    from panel import converters

    converters.init_app(app)  # before any route: every <int:...> id refuses numbers beyond 64 bits
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    app.jinja_options = {
        "undefined": ChainableUndefined,
        "autoescape": True,
        "loader": ChoiceLoader([
            FileSystemLoader(app.template_folder if os.path.isabs(app.template_folder)
                             else os.path.join(app.root_path, app.template_folder)),
            PackageLoader("nhsuk_frontend_jinja"),
        ]),
        "extensions": ["jinja2.ext.do"],
        "trim_blocks": True,
        "lstrip_blocks": True,
    }

    from panel import db, security, storage, templating

    db.init_app(app)
    storage.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    templating.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the session version does this job

    @login_manager.user_loader
    def _load_user(user_id: str):
        from panel.models import User  # in the factory, as above

        uid, _, version = user_id.partition(":")
        try:
            user = db.db().get(User, int(uid))
        except ValueError:
            return None
        if user is None or not user.active or str(user.session_version) != version:
            return None
        return user

    # imported in the factory: auth.views imports csrf from this package (a circle at module level)
    from panel.auth.views import bp as auth_bp
    from panel.main.views import bp as main_bp
    from panel.people.views import bp as people_bp
    from panel.vacancies.views import bp as vacancies_bp
    from panel.questions.views import bp as questions_bp
    from panel.plans.views import bp as plans_bp
    from panel.scoring.views import bp as scoring_bp
    from panel.candidates.views import bp as candidates_bp
    import panel.booking.letters  # noqa: F401  (HR's outcome letters: routes on the candidates blueprint)
    from panel.shortlisting.views import bp as shortlisting_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(vacancies_bp)
    from panel.packs.views import bp as packs_bp

    app.register_blueprint(packs_bp)
    app.register_blueprint(questions_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(scoring_bp)
    app.register_blueprint(candidates_bp)
    app.register_blueprint(shortlisting_bp)
    from panel.records.views import bp as records_bp

    app.register_blueprint(records_bp)
    from panel.notifications.views import bp as notifications_bp, calendar_bp

    app.register_blueprint(notifications_bp)
    from panel.booking.views import bp as booking_bp

    app.register_blueprint(booking_bp)

    from panel.profiles.views import bp as profiles_bp

    app.register_blueprint(profiles_bp)

    app.register_blueprint(calendar_bp)

    from panel.involvement.views import bp as involvement_bp

    app.register_blueprint(involvement_bp)

    from panel.payments.views import bp as payments_bp

    app.register_blueprint(payments_bp)

    from panel import cli

    cli.init_app(app)
    _register_error_pages(app)
    return app


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(e):
        return render_template("errors/400.html", reason="Your form had expired or was not sent from this site. Go back, refresh the page and try again."), 400

    @app.errorhandler(SecurityError)
    def _untrusted_host(e: SecurityError):
        # a Host not in TRUSTED_HOSTS: no URLs can be built for it, so no templated page
        log.warning("refused a request for host %r (not in TRUSTED_HOSTS)", request.environ.get("HTTP_HOST"))
        return ("Bad request: this server does not answer to that host name.\n", 400,
                {"Content-Type": "text/plain; charset=utf-8"})

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        if request.path.startswith("/healthz") or request.accept_mimetypes.best == "application/json":
            return {"error": e.name}, e.code
        template = {400: "errors/400.html", 404: "errors/404.html", 413: "errors/413.html",
                    503: "errors/503.html"}.get(e.code or 500, "errors/generic.html")
        return render_template(template, error=e), e.code

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        from panel.storage import StoreError

        if isinstance(e, (OperationalError, StoreError)):
            # the database (or the file store) is unreachable: render the page as for a signed-out visitor, so the
            # template does not try (and fail) to load the user again
            g._login_user = login_manager.anonymous_user()
            return render_template("errors/503.html"), 503
        return render_template("errors/500.html"), 500
