"""Configuration: defaults < instance/config.py < environment variables (prefix PANEL_).

Every setting is listed in DEFAULTS with its type; README.md has the same table.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from werkzeug.sansio.utils import host_is_trusted

# name: (default, description)
DEFAULTS: dict[str, tuple[Any, str]] = {
    "SECRET_KEY": (None, "Signs sessions and links. Generated into instance/secret_key on first run if unset."),
    "DATABASE_URL": (None, "SQLAlchemy URL. Default: SQLite file instance/panel.db. PostgreSQL: postgresql+psycopg://user:pass@host/db"),
    "SMTP_HOST": ("", "SMTP server. Empty: emails are written to instance/outbox/ as .eml files."),
    "SMTP_PORT": (587, "SMTP port."),
    "SMTP_USERNAME": ("", "SMTP user name (optional)."),
    "SMTP_PASSWORD": ("", "SMTP password (optional)."),
    "SMTP_STARTTLS": (True, "Use STARTTLS on the SMTP connection."),
    "SMTP_TIMEOUT": (10, "Seconds before an SMTP connection gives up."),
    "MAIL_FROM": ("panel@localhost", "The From address of every email."),
    "SITES": (
        ["Boston", "Grantham", "Lincoln", "Louth", "Skegness", "Sleaford", "Spalding", "Stamford", "Gainsborough"],
        "Comma-separated list of sites a vacancy can be at.",
    ),
    "ORGANISATION_NAME": ("NHS Talking Therapies", "Shown in the header and emails."),
    "SESSION_IDLE_MINUTES": (30, "Sign out after this many minutes without activity."),
    "SESSION_WARNING_MINUTES": (2, "Warn this many minutes before the idle sign-out."),
    "SESSION_ABSOLUTE_HOURS": (12, "Sign out this many hours after signing in, whatever the activity."),
    "INVITE_VALID_HOURS": (72, "How long invitation and password reset links work."),
    "LOGIN_MAX_ATTEMPTS": (5, "Failed sign-ins in a row, on one account or from one address on one account, before signing in there from a new device is slowed down."),
    "LOGIN_BACKOFF_SECONDS": (30, "The first wait once LOGIN_MAX_ATTEMPTS is reached; it doubles with each further failure, up to LOGIN_LOCK_MINUTES."),
    "LOGIN_LOCK_MINUTES": (15, "The longest wait between sign-in tries after repeated failures, and the window of LOGIN_MAX_ATTEMPTS_PER_CLIENT. A right password from a device that has signed in to the account before is never made to wait, unless LOGIN_MAX_ATTEMPTS wrong passwords in a row came from that device."),
    "LOGIN_MAX_ATTEMPTS_PER_CLIENT": (30, "Different accounts with failed sign-ins from one address within LOGIN_LOCK_MINUTES (password spraying) before sign-ins from new devices at that address must wait. Set PROXY_FIX behind a proxy, or every visitor shares one address."),
    "RESET_MAX_PER_HOUR": (3, "Forgotten-password requests per email address per hour; further requests get the same answer but send nothing (logged)."),
    "PASSWORD_MIN_LENGTH": (12, "Shortest password allowed."),
    "PASSWORD_HASH_METHOD": ("scrypt:32768:8:3", "werkzeug hash method: scrypt N=2^15, r=8, p=3 (OWASP ASVS 5)."),
    "MAX_UPLOAD_MB": (10, "Largest file upload in megabytes."),
    "IMPORT_MAX_MB": (20, "Largest file of candidates (CSV or Excel .xlsx) HR can import, in megabytes."),
    "UPLOAD_FOLDER": (None, "Where uploaded files were kept before STORAGE_URL; files still there are read (and moved into the store by `flask db-upgrade`). Default: instance/uploads."),
    "STORAGE_URL": ("", "Where uploaded files and finished packs are kept, shared by every app server (panel/storage.py). Empty (the default): in the database, table stored_files, so a database backup holds them. `s3://bucket/prefix?endpoint_url=http://127.0.0.1:9000&region=eu-west-2`: S3-compatible object storage through boto3 (endpoint_url and region optional; addressing_style=path|virtual|auto too), with credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or any other source boto3 reads; `flask backup` then copies the stored files into the backup. Files found in UPLOAD_FOLDER are moved into the store by `flask db-upgrade` (and `flask move-uploads`)."),
    "OUTBOX_FOLDER": (None, "Where emails go when no SMTP server is set. Default: instance/outbox."),
    "PREFERRED_URL_SCHEME": (None, "Scheme of the links in emails. Default: https (http in debug and test runs; `make run` uses http)."),
    "SERVER_NAME": (None, "Host name (and port, if not the scheme's usual one) people use to reach panel, e.g. panel.example.nhs.uk. Every link in an email is built from it and PREFERRED_URL_SCHEME, never from the request. Required: panel refuses to start without it, except in debug and test runs."),
    "TRUSTED_HOSTS": ([], "Comma-separated host names panel answers to; a request for any other Host gets 400. Empty: the host of SERVER_NAME. Add the name a load balancer's health check uses for /healthz."),
    "COOKIE_SECURE": (True, "Send the session cookie over HTTPS only. `make run` turns this off for its local http demo."),
    "DATABASE_LOCK_TIMEOUT_SECONDS": (5, "How long a save waits for another one holding the database (a SQLite write lock, a PostgreSQL row or table lock) before it gives up with a 503 \"try again\" page, so that a few blocked saves cannot tie up every worker. /healthz waits as long."),
    "PROXY_FIX": (False, "Trust X-Forwarded-* headers from one proxy in front of the app."),
    "LOG_LEVEL": ("INFO", "Logging level."),
    # Notifications (panel/notifications)
    "REMINDER_DAYS": (2, "Days before each deadline that panel members who have not finished are reminded (and again on the day)."),
    "NOTIFY_MAX_ATTEMPTS": (6, "Tries at sending a message before it is marked as not delivered (HR sees it on the vacancy page)."),
    "NOTIFY_RETRY_SECONDS": (60, "Wait before the second try at sending a message; it doubles with each further try."),
    "NOTIFY_POLL_SECONDS": (15, "How often `flask notifications run` looks for messages that are due."),
    "NOTIFY_LEASE_SECONDS": (300, "How long a worker holds a message it is sending; after that another worker may take it over."),
    "NOTIFY_API_KEY": ("", "GOV.UK Notify API key. Set: email and text messages go through Notify; empty: email goes by SMTP (or instance/outbox/) and no text messages are sent."),
    "NOTIFY_EMAIL_TEMPLATE_ID": ("", "The Notify email template to use: one generic template whose subject is ((subject)) and body ((body))."),
    "NOTIFY_SMS_TEMPLATE_ID": ("", "The Notify text message template to use: one generic template whose text is ((body))."),
    "NOTIFY_BASE_URL": ("", "Notify API address. Empty: the client library's default (https://api.notifications.service.gov.uk); set only for a test or fake server."),
    "CANDIDATE_CONTACT": ("", "Who candidates contact about their interview, their booking or feedback (shown on the booking page and in every message to candidates). Empty: MAIL_FROM."),
    "BOOKING_MAX_REQUESTS": (120, "Requests to the candidates' booking pages from one address in 10 minutes before it gets a 429 \"too many requests\" page. Set PROXY_FIX behind a proxy, or every visitor shares one address."),
    "SUPPORT_CONTACT": ("", "Who panel members contact for support (shown in their messages). Empty: MAIL_FROM."),
    # PDF packs (panel/packs)
    "PACK_TIMEOUT_SECONDS": (60, "A pack that takes longer than this to make is stopped and reported."),
    "PACK_MEMORY_MB": (1024, "Address-space limit (RLIMIT_AS) of a pack render process, in megabytes."),
    "PACK_WORKERS": (1, "Pack render processes per web process (kept warm between renders)."),
    "PACK_WORKER_MAX_RENDERS": (50, "A render process is replaced after this many packs."),
    "PACK_CACHE_HOURS": (24, "Cached packs (instance/pack-cache/) unused for longer than this are deleted."),
    "PACK_RENDER_PROCESSES": (0, "Render processes the pack worker (`flask packs-worker`) runs at once for the parts of a large pack. 0: one per CPU core."),
    "PACK_PARALLEL_MIN_SHEETS": (24, "A pack with at least this many candidate sheets is rendered in parts in parallel and joined."),
    "PACK_SHEETS_PER_PART": (10, "Candidate sheets per part of a large pack (the time limit applies to each part)."),
    "PACK_JOB_KEEP_DAYS": (30, "The pack worker deletes the record of a pack job (made or failed) this many days after it finished; the PDF itself follows PACK_CACHE_HOURS."),
    "PACK_JOB_LEASE_SECONDS": (120, "A pack worker renews its claim on a job this often (a third of it); a job whose worker died is taken up again once its claim is this old."),
    # Records and data protection (panel/records)
    "RETENTION_UNSUCCESSFUL_DAYS": (183, "Days after a vacancy closes before `flask purge` deletes unsuccessful candidates' personal data and application files (about 6 months)."),
    "RETENTION_APPOINTED_DAYS": (365, "Days after a vacancy closes before `flask purge` deletes the appointed candidate's recruitment record (12 months)."),
    "INVOLVEMENT_RETENTION_DAYS": (2190, "Days (6 years) that `flask purge` keeps a panel member's involvement records: check-in answers after interview days, debriefs offered and concerns raised, counted from when each was made. Six years is how long NHS bodies usually keep records of volunteers' and staff's time with them (and a claim about it can be brought), so a certificate or reference can still be backed up."),
    "FINANCE_RETENTION_DAYS": (2192, "Days a claim for involvement payment or expenses is kept after it is paid (or rejected) before `flask purge` deletes its receipts and the free text in it (places, questions, answers), keeping the amounts for the ledger: 6 years, what HMRC and NHS finance expect of payment records. Separate from the candidate retention periods."),
    "DATA_CONTROLLER": ("", "The organisation legally responsible for the data (shown on the privacy notice). Empty: ORGANISATION_NAME."),
    "DPO_CONTACT": ("", "How to contact the Data Protection Officer (shown on the privacy notice)."),
    "PRIVACY_CONTACT_EMAIL": ("", "Email address for privacy questions and subject access requests (privacy notice)."),
    "ACCESSIBILITY_CONTACT": ("", "Who to contact about an accessibility problem: email or phone (accessibility statement)."),
    # The involvement record (panel/profiles)
    "PROFILE_RETENTION_DAYS": (730, "Days after a person was last active (signed in, added to a panel, changed their profile) before `flask purge` deletes their involvement profile, what they agreed to share, and their training and shadowing records (2 years)."),
    "COMPOSITION_MIN_PATIENTS": (1, "Panel rule: at least this many patient panelists on every panel (0: no rule). Breaking a rule needs an override with a reason."),
    "COMPOSITION_TRAINED_MEMBER": (True, "Panel rule: at least one panel member with in-date recruitment and selection training."),
    "COMPOSITION_TRAINED_CHAIR": (True, "Panel rule: the chair has in-date chairing training."),
    "ACCESSIBILITY_LAST_REVIEWED": ("", "When the accessibility statement was last reviewed, e.g. 1 March 2026."),
}


def _parse(value: str, default: Any) -> Any:
    if isinstance(default, bool):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    if isinstance(default, list):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def load_config(app, test_config: dict | None = None) -> None:
    """Fill app.config: defaults, then instance/config.py, then PANEL_* environment."""
    for key, (default, _doc) in DEFAULTS.items():
        app.config[key] = list(default) if isinstance(default, list) else default
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_NAME"] = "panel_session"
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # token lives as long as the session
    app.config.from_pyfile("config.py", silent=True)
    for key, (default, _doc) in DEFAULTS.items():
        env = os.environ.get(f"PANEL_{key}")
        if env is not None:
            app.config[key] = _parse(env, default)
    if test_config:
        app.config.update(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'panel.db'}"
    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = str(instance / "uploads")
    if not app.config["OUTBOX_FOLDER"]:
        app.config["OUTBOX_FOLDER"] = str(instance / "outbox")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    _links_and_hosts(app)
    app.config["MAX_CONTENT_LENGTH"] = (max(app.config["MAX_UPLOAD_MB"], app.config["IMPORT_MAX_MB"]) + 1) * 1024 * 1024
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["COOKIE_SECURE"]) and not app.debug


def _links_and_hosts(app) -> None:
    """SERVER_NAME and PREFERRED_URL_SCHEME are where emailed links point: SERVER_NAME is
    required outside debug and test runs, the scheme is https there unless set. TRUSTED_HOSTS
    (Flask answers 400 to any other Host) defaults to the host of SERVER_NAME."""

    if not app.config.get("PREFERRED_URL_SCHEME"):
        app.config["PREFERRED_URL_SCHEME"] = "http" if (app.debug or app.testing) else "https"
    name = (app.config.get("SERVER_NAME") or "").strip().lower()
    if not name:
        app.config["SERVER_NAME"] = None
        if not (app.debug or app.testing):
            raise RuntimeError(
                "PANEL_SERVER_NAME is not set. Set it to the host name people use to reach panel "
                "(with the port if it is not 443 or 80), e.g. PANEL_SERVER_NAME=panel.example.nhs.uk: "
                "links in emails are built from it. Only debug and test runs may leave it out."
            )
        app.config["TRUSTED_HOSTS"] = list(app.config.get("TRUSTED_HOSTS") or []) or None
        return
    if not host_is_trusted(name, None):
        raise RuntimeError(f"PANEL_SERVER_NAME must be a host name with an optional port, like "
                           f"panel.example.nhs.uk or 127.0.0.1:5000, not {name!r}")
    app.config["SERVER_NAME"] = name
    hosts = [h.strip().lower() for h in app.config.get("TRUSTED_HOSTS") or [] if h.strip()]
    app.config["TRUSTED_HOSTS"] = hosts or [name.rsplit(":", 1)[0] if not name.endswith("]") else name]


def _instance_secret(path: Path) -> str:
    """Read the generated secret key, creating it (mode 0600) the first time."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()
