"""Uploaded files: PDF only (checked by content), size-limited, stored outside static/
under random names, and served only after a permission check by the caller."""
from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from flask import current_app, send_file
from werkzeug.datastructures import FileStorage

from panel.errors import ServiceError

PDF_MAGIC = b"%PDF-"


class UploadError(ServiceError):
    """An upload that is refused (not a PDF, too big ...)."""


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_pdf(file: FileStorage) -> bytes:
    """The bytes of an uploaded PDF, or UploadError with a message for the user."""
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    data = file.stream.read(limit + 1)
    if not data:
        raise UploadError("The selected file is empty")
    if len(data) > limit:
        raise UploadError(f"The selected file must be smaller than {current_app.config['MAX_UPLOAD_MB']} MB")
    if not data[:1024].lstrip().startswith(PDF_MAGIC) or b"%%EOF" not in data[-2048:]:
        raise UploadError("The selected file must be a PDF")
    return data


# PDF actions that run script when the file is opened (ISO 32000 names /JS and /JavaScript).
_SCRIPT_RE = re.compile(rb"/(?:JavaScript|JS)(?![A-Za-z0-9])")

SCRIPT_WARNING = ("This PDF contains JavaScript. panel stores it unchanged and only ever offers it as a download; "
                  "ask the candidate or the recruitment system for a plain copy if you are unsure about it.")

JD_SCRIPT_WARNING = ("This job description PDF contains JavaScript. panel stores it unchanged and only ever offers it "
                     "as a download; if you are unsure about it, upload a plain copy instead (for example, one saved "
                     "again with \"Print to PDF\").")


def pdf_has_script(data: bytes) -> bool:
    """True if the PDF names a JavaScript action. Such files are accepted (CVs exported from
    some form tools carry harmless scripts) but the uploader is told: see the README's
    "Reliability and security" section."""
    return _SCRIPT_RE.search(data) is not None


def save_pdf(data: bytes) -> str:
    """Store the bytes under a new random name; return that name. Written atomically."""
    name = f"{secrets.token_hex(16)}.pdf"
    tmp = None
    try:
        folder = _folder()  # inside the try: a missing, unwritable or misplaced folder is an OSError too
        tmp = folder / f".{name}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / name)
    except OSError as exc:
        if tmp is not None:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
        raise UploadError("The file could not be saved. Try again, or tell your recruitment team.") from exc
    return name


def delete_file(name: str | None) -> None:
    if name and _is_safe_name(name):
        (_folder() / name).unlink(missing_ok=True)


def _is_safe_name(name: str) -> bool:
    return len(name) == 36 and name.endswith(".pdf") and all(c in "0123456789abcdef" for c in name[:32])


def send_pdf(name: str, download_name: str):
    if not _is_safe_name(name):
        raise FileNotFoundError(name)
    path = _folder() / name
    if not path.exists():
        raise FileNotFoundError(name)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=download_name,
                     max_age=0)


def safe_download_name(text: str, fallback: str = "document") -> str:
    cleaned = "".join(c if c.isalnum() or c in " -_." else "-" for c in text).strip(" .-")
    return (cleaned or fallback)[:80] + ".pdf"
