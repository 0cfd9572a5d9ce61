"""Security tests (issue 7, ASVS 5 level 2): response headers, sessions, uploads and
user enumeration. Sign-in throttling, lockout, single-use and expiring links, timeouts and
sign-out are in tests/test_auth.py; this file adds what that one leaves out."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from panel.models import AuditEvent, AuthToken, Candidate, User
from panel.db import utcnow
from tests.conftest import PASSWORD, login, make_user, outbox_messages
from tests.builders_plugin import MINIMAL_PDF, sl, store_pdf, stored_bytes, stored_keys, url  # noqa: F401


def _csp_parts(response) -> dict[str, str]:
    csp = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in csp.split(";") if part.strip()}


def _page_urls(sl):
    v, c = sl.v, sl.candidates[0]
    return [
        ("hr", "/"), ("hr", "/vacancies"), ("hr", url(v)), ("hr", url(v, "candidates")),
        ("hr", url(v, "candidates", c.id)), ("hr", "/people"), ("chair", url(v, "shortlisting")),
        ("chair", url(v, "shortlisting/moderation")), ("panelist", url(v, "shortlisting/candidates", c.id)),
        (None, "/login"), (None, "/forgot-password"), (None, "/accessibility"),
    ]


def test_security_headers_on_many_pages(as_user, sl):
    clients = {}
    for who, path in _page_urls(sl):
        client = clients.setdefault(who, as_user(getattr(sl, who) if who else None))
        response = client.get(path)
        assert response.status_code == 200, path
        parts = _csp_parts(response)
        script = parts["script-src"]
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "*" not in script, path
        assert "'unsafe-inline'" not in parts["style-src"], path
        assert parts["object-src"] == "object-src 'none'"
        assert parts["base-uri"] == "base-uri 'none'"
        assert parts["frame-ancestors"] == "frame-ancestors 'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin-when-cross-origin"}
        assert response.headers["Cache-Control"] == "no-store", path
        assert "Strict-Transport-Security" not in response.headers, "HSTS over plain http"
        html = response.get_data(as_text=True)
        # no inline script without the nonce, no inline event handlers, no style attributes
        nonce = script.split("'nonce-", 1)[1].split("'", 1)[0] if "'nonce-" in script else None
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or (nonce and f'nonce="{nonce}"' in tag), (path, tag)
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    hsts = secure.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000


def test_downloads_are_not_cached_and_not_sniffed(app, as_user, sl, session):
    c = sl.candidates[0]
    c.application_file = store_pdf(app)
    c.application_filename = "cv.pdf"
    session.commit()
    hr = as_user(sl.hr)
    for path in (url(sl.v, "candidates", c.id, "application.pdf"), url(sl.v, "shortlisting/export.csv")):
        response = as_user(sl.chair).get(path) if path.endswith(".csv") else hr.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"].startswith("attachment")


def test_set_password_page_names_the_person_so_is_not_cached(app, session):
    from panel.auth.services import issue_link_token
    from panel.db import db

    user = make_user(session, "panelist", "Aoife O'Brien", "aoife@example.org", password=None)
    with app.test_request_context():
        token = issue_link_token(db(), db().get(User, user.id), "invite")
        db().commit()
    response = app.test_client().get(f"/set-password/{token}")
    assert response.status_code == 200 and "Aoife" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


# --- sessions (the rest is in tests/test_auth.py) ----------------------------------------

def test_setting_a_password_through_a_link_ends_every_other_session(app, as_user, session):
    from panel.auth.services import issue_link_token
    from panel.db import db

    user = make_user(session, "hr", email="reset.me@example.org")
    elsewhere = as_user(user)
    assert elsewhere.get("/").status_code == 200
    with app.test_request_context():
        token = issue_link_token(db(), db().get(User, user.id), "reset")
        db().commit()
    visitor = app.test_client()
    page = visitor.get(f"/set-password/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    new = "lantern meadow copper kettle"
    assert visitor.post(f"/set-password/{token}", data={"csrf_token": csrf, "password": new, "confirm": new}).status_code == 302
    assert elsewhere.get("/").status_code == 302  # the old session was ended on the server
    assert login(app.test_client(), user.email, PASSWORD).status_code == 200  # old password gone


def test_session_cookie_is_not_a_readable_store_of_personal_data(as_user, world):
    client = as_user(world["hr"])
    cookie = client.get_cookie("panel_session")
    assert cookie is not None and cookie.http_only
    assert "hr@example.org" not in cookie.value and "Priya" not in cookie.value


# --- user enumeration -------------------------------------------------------------------

def _strip(response) -> str:
    return re.sub(r'value="[^"]*"|nonce="[^"]*"|nonce-[^\']+', "", response.get_data(as_text=True))


def test_a_locked_account_answers_like_a_wrong_password_and_an_unknown_email(app, session):
    user = make_user(session, "panelist", email="locked@example.org")
    from panel.db import utcnow as now
    import datetime as dt

    user.locked_until = now() + dt.timedelta(minutes=10)
    session.commit()
    answers = []
    for email, password in (("locked@example.org", PASSWORD), ("nobody@example.org", PASSWORD),
                            ("locked@example.org", "wrong password here")):
        client = app.test_client()
        response = login(client, email, password)
        answers.append((response.status_code, _strip(response)))
    assert answers[0] == answers[1] == answers[2]


def test_invitation_and_reset_links_all_fail_the_same_way(app, session):
    """A used, expired, forged, or deactivated person's link: the same 404 page, so a link
    tells nobody whether the account exists or what state it is in."""
    from panel.auth.services import issue_link_token
    from panel.db import db

    users = [make_user(session, "panelist", email=f"link{i}@example.org", password=None) for i in range(3)]
    tokens = []
    with app.test_request_context():
        for u, purpose in zip(users, ("invite", "reset", "invite")):
            tokens.append(issue_link_token(db(), db().get(User, u.id), purpose))
        db().commit()
    used, expired, inactive = tokens
    record = session.scalars(select(AuthToken).order_by(AuthToken.id)).all()
    record[0].used_at = utcnow()
    import datetime as dt

    record[1].expires_at = utcnow() - dt.timedelta(seconds=1)
    users[2].active = False
    session.commit()
    forged = used[:-4] + ("AAAA" if not used.endswith("AAAA") else "BBBB")
    pages = []
    for token in (used, expired, inactive, forged, "nonsense"):
        response = app.test_client().get(f"/set-password/{token}")
        pages.append((response.status_code, _strip(response)))
    assert {p[0] for p in pages} == {404}
    assert len({p[1] for p in pages}) == 1


def test_forgot_password_for_a_deactivated_account_answers_like_any_other(app, session):
    make_user(session, "panelist", email="gone@example.org", active=False)
    make_user(session, "panelist", email="here@example.org")
    gone = app.test_client().post_form("/forgot-password", {"email": "gone@example.org"})
    here = app.test_client().post_form("/forgot-password", {"email": "here@example.org"})
    strip = lambda r: re.sub(r"<strong>[^<]*</strong>", "", _strip(r))  # noqa: E731 - the email is echoed back
    assert gone.status_code == here.status_code == 200 and strip(gone) == strip(here)
    assert [m["To"] for m in outbox_messages(app)] == ["here@example.org"]


# --- uploads ----------------------------------------------------------------------------

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + os.urandom(2000)
PE = b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(2000) + b"%%EOF"
JS_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
          b"2 0 obj<</Type/Pages/Kids[4 0 R]/Count 1>>endobj\n3 0 obj<</S/JavaScript/JS(app.alert\\('hi'\\))>>endobj\n"
          b"4 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
          b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _upload(client, sl, data: bytes, filename: str = "application.pdf"):
    c = sl.candidates[0]
    return client.post_form(url(sl.v, "candidates", c.id, "application"),
                            {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data",
                            follow_redirects=True)


def _uploads(app) -> list[str]:
    """The stored uploads (the originals), and the panel's cleaned copies (panel-copies/), in the
    store; and anything written to the old upload folder."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    on_disk = [str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
    return sorted(on_disk + [key[len("uploads/"):] for key in stored_keys(app, "uploads/")])


@pytest.mark.parametrize("data,filename", [(ELF, "cv.pdf"), (PE, "cv.pdf"), (b"<html><script>x</script>", "cv.pdf"),
                                           (b"#!/bin/sh\nrm -rf /\n", "cv.pdf.sh")])
def test_an_executable_renamed_pdf_is_refused(app, as_user, sl, session, data, filename):
    response = _upload(as_user(sl.hr), sl, data, filename)
    assert "The selected file must be a PDF" in response.get_data(as_text=True)
    assert _uploads(app) == []
    session.expire_all()
    assert session.get(Candidate, sl.candidates[0].id).application_file is None


def test_an_oversized_file_is_refused_with_a_message_and_nothing_written(app, as_user, sl, session):
    app.config["MAX_UPLOAD_MB"] = 1
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    big_pdf = MINIMAL_PDF[:-6] + b"%" + b"x" * (1024 * 1024 + 10) + b"\n%%EOF\n"
    hr = as_user(sl.hr)
    response = _upload(hr, sl, big_pdf)
    assert response.status_code == 200
    assert "The selected file must be smaller than 1 MB" in response.get_data(as_text=True)
    huge = _upload(hr, sl, MINIMAL_PDF + b"%" + b"x" * (3 * 1024 * 1024))
    assert huge.status_code == 413
    assert "too big" in huge.get_data(as_text=True).lower() or "too large" in huge.get_data(as_text=True).lower()
    assert _uploads(app) == []
    session.expire_all()
    assert session.get(Candidate, sl.candidates[0].id).application_file is None


def test_a_pdf_with_javascript_is_kept_and_hr_is_told(app, as_user, sl, session):
    response = _upload(as_user(sl.hr), sl, JS_PDF)
    page = response.get_data(as_text=True)
    assert "Application PDF uploaded" in page
    assert "This PDF contains JavaScript" in page
    stored = session.scalar(select(Candidate.application_file).where(Candidate.id == sl.candidates[0].id))
    assert stored_bytes(app, f"uploads/{stored}") == JS_PDF
    plain = _upload(as_user(sl.hr), sl, MINIMAL_PDF).get_data(as_text=True)
    assert "Application PDF uploaded" in plain and "JavaScript" not in plain


def test_pdf_script_detection():
    from panel.uploads import pdf_has_script

    assert pdf_has_script(JS_PDF)
    assert pdf_has_script(b"%PDF-1.7 <</S/JS (x)>> %%EOF")
    assert not pdf_has_script(MINIMAL_PDF)
    assert not pdf_has_script(b"%PDF-1.7 <</JSON 1/JSTOR 2>> %%EOF")


def test_a_path_traversal_filename_is_stored_under_a_random_name(app, as_user, sl, session, tmp_path):
    hr = as_user(sl.hr)
    response = _upload(hr, sl, MINIMAL_PDF, "../../../../etc/passwd.pdf")
    assert "Application PDF uploaded" in response.get_data(as_text=True)
    names = _uploads(app)  # the original and the panel's cleaned copy, under the same random name
    assert len(names) == 2 and re.fullmatch(r"[0-9a-f]{32}\.pdf", names[0]) and names[1] == f"panel-copies/{names[0]}"
    assert not (tmp_path / "etc").exists()
    download = hr.get(url(sl.v, "candidates", sl.candidates[0].id, "application.pdf"))
    assert download.status_code == 200 and download.data == MINIMAL_PDF
    disposition = download.headers["Content-Disposition"]
    assert "/" not in disposition and ".." not in disposition.split("filename", 1)[1]


def test_a_failed_store_leaves_no_half_stored_upload_and_no_row(app, as_user, sl, session, monkeypatch):
    """The cleaned copy is stored, then the store fails on the original: neither is kept."""
    import panel.storage

    real_put = panel.storage.DatabaseStore.put
    calls = []

    def second_fails(self, key, data, content_type="application/octet-stream"):
        calls.append(key)
        if len(calls) == 2:
            raise panel.storage.StoreError("no space left")
        return real_put(self, key, data, content_type)

    monkeypatch.setattr(panel.storage.DatabaseStore, "put", second_fails)
    hr = as_user(sl.hr)
    events = len(session.scalars(select(AuditEvent)).all())
    response = _upload(hr, sl, MINIMAL_PDF)
    assert response.status_code == 200
    assert "The file could not be saved" in response.get_data(as_text=True)
    assert len(calls) == 2 and _uploads(app) == []  # neither the original nor the cleaned copy
    session.expire_all()
    assert session.get(Candidate, sl.candidates[0].id).application_file is None
    assert len(session.scalars(select(AuditEvent)).all()) == events
