"""What an outside attacker's probing found that the other security tests did not: hostile
numbers posted back in forms and JSON (a version or an id beyond what a column holds,
infinity, a hundred digits) reached the database or the decimal arithmetic and were a 500.
Each is now a clear answer that changes nothing it should not."""
from __future__ import annotations

import io
import re
import zipfile
import zlib

import pytest
from sqlalchemy import select

from panel.candidates import importing

from panel.converters import ID_MAX, posted_number
from panel.models import Claim, ClaimStatus, Concern, InterviewScore
from panel.payments import money
from tests.builders_plugin import interview_world, sl  # noqa: F401  (sl: a vacancy HR imports candidates into)
from tests.test_candidates_import import count, problems, upload
from tests.test_import_mapping import xlsx
from tests.snapshots import snapshotted
from tests.test_payments import people  # noqa: F401  (the fixture: a panelist who sat on an interview day)

HUGE = "9" * 25  # beyond 64 bits: an overflow error in any database


@pytest.fixture()
@snapshotted
def iv(app, session):
    return interview_world(session)


# --- posted numbers -----------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("3", 3), (3, 3), (" 12 ", 12), ("0", 0), (str(ID_MAX), ID_MAX),
    (str(ID_MAX + 1), None), (HUGE, None), ("-1", None), (-5, None), ("1e3", None), ("3.5", None),
    (float("inf"), None), (float("nan"), None), (True, None), ([1], None), ({"a": 1}, None), (None, None), ("", None),
])
def test_a_posted_number_is_a_whole_number_a_column_can_hold_or_nothing(value, expected):
    assert posted_number(value) == expected
    assert posted_number(value, default=-1) == (-1 if expected is None else expected)


def test_a_claim_decided_with_a_version_no_claim_can_have_is_refused_as_out_of_date(as_user, build, session, people):  # noqa: F811
    claim = build.claim(people["john"], people["key"])
    build.commit()
    hr = as_user(people["hr"])
    for version in (HUGE, "-" + HUGE, str(ID_MAX + 1)):
        response = hr.post_form(f"/claims/{claim.id}/decide", {"version": version, "decision": "approve"})
        assert response.status_code == 409, response.get_data(as_text=True)
        assert "Someone else changed this claim first" in response.get_data(as_text=True)
    session.refresh(claim)
    assert claim.status == ClaimStatus.SUBMITTED and claim.version == 1


def test_a_claim_answered_with_a_huge_version_changes_nothing(as_user, build, session, people):  # noqa: F811
    claim = build.claim(people["john"], people["key"])
    build.commit()
    assert as_user(people["hr"]).post_form(f"/claims/{claim.id}/decide", {
        "version": "1", "decision": "query", "text": "Was it 3.5 hours?"}).status_code == 302
    response = as_user(people["john"]).post_form(f"/claims/{claim.id}/answer", {"version": HUGE, "answer": "Yes, 9:30 to 1pm"})
    assert response.status_code == 409
    session.refresh(claim)
    assert claim.status == ClaimStatus.QUERIED


@pytest.mark.parametrize("miles", ["9" * 100, "1e400", "1e-400", "0." + "1" * 60])
def test_miles_with_too_many_digits_are_a_message_not_a_500(as_user, session, people, miles):  # noqa: F811
    with pytest.raises(ValueError):
        money.parse_tenths(miles)
    response = as_user(people["john"]).post_form(f"/claims/new/{people['key']}",
                                                 {"hours": "3.5", "mileage_from": "Home", "mileage_to": "Clinic",
                                                  "miles": miles})
    assert response.status_code == 400
    assert "Miles" in response.get_data(as_text=True)
    assert session.scalars(select(Claim)).all() == []


def test_a_concern_about_a_vacancy_id_no_vacancy_can_have_is_sent_about_no_vacancy(as_user, iv, session):
    john = as_user(iv["p1"])
    for vacancy in (HUGE, "-" + HUGE, str(ID_MAX + 1)):
        assert john.get(f"/concerns/new?vacancy={vacancy}").status_code == 200
        sent = john.post_form("/concerns/new", {"text": "The room was too hot", "vacancy": vacancy})
        assert sent.status_code == 200 and "Your concern has been sent" in sent.get_data(as_text=True)
    assert [c.vacancy_id for c in session.scalars(select(Concern))] == [None, None, None]


@pytest.mark.parametrize("body", [b'{"score": 3, "version": 1e400}', b'{"score": 3, "version": Infinity}',
                                  b'{"score": 3, "version": 99999999999999999999999}', b'{"score": 3, "version": [1]}'])
def test_interview_autosave_with_a_version_no_answer_can_have_saves_as_if_none_was_sent(as_user, iv, session, body):
    client = as_user(iv["p1"])
    candidate, question = iv["candidates"][0], iv["questions"][0]
    response = client.post(f"/vacancies/{iv['vacancy'].id}/interviews/{candidate.id}/score/{question.id}", data=body,
                           content_type="application/json",
                           headers={"X-CSRFToken": client.csrf_token(), "Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["version"] == 1
    saved = session.scalars(select(InterviewScore).where(InterviewScore.user_id == iv["p1"].id)).one()
    assert saved.score == 3


# --- a workbook that is small to upload and huge inside ---------------------------------------------

def bomb(padding: bytes) -> bytes:
    """A real workbook (a header and one candidate) whose sheet has ``padding`` before its end and
    no <dimension> (which would tell openpyxl where the data stops): a few kilobytes zipped."""
    source = zipfile.ZipFile(io.BytesIO(xlsx({"Applicants": [
        ["Forename", "Surname", "Email", "Supporting information"], ["Aoife", "Byrne", "aoife@example.net", "I run groups."]]})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data).replace(b"</sheetData>", padding + b"</sheetData>")
            z.writestr(part.filename, data)
    return out.getvalue()


BIGGER_INSIDE = ("The selected workbook is much bigger inside than a file of 1000 candidates can be. Open it in Excel, "
                 "delete the empty rows and columns after the candidates, save it and try again")


def test_a_workbook_of_endless_empty_rows_is_refused_after_the_rows_a_real_file_could_have(as_user, sl, session):  # noqa: F811
    """Before: every empty row was walked (padded to 300 cells): 140,000 of them, 9 KB zipped, took
    openpyxl 12 seconds of the web request, and 3.5 million (100 KB) five minutes."""
    data = bomb(b"<row><c/></row>" * 20_000)
    assert len(data) < 10_000
    response = upload(as_user(sl.hr), sl.v, data, "applicants.xlsx")
    assert response.status_code == 200 and problems(response) == [BIGGER_INSIDE]
    assert count(session, sl.v) == 3


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_opened(monkeypatch):
    opened = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(1))
    one_row_of_cells = bomb(b"<row>" + b"<c/>" * 60_000 + b"</row>")  # 60,000 tags: openpyxl reads every cell of a row
    monkeypatch.setattr(importing, "MAX_SHEET_TAGS", 50_000)
    result = importing.ParseResult()
    assert importing.read_xlsx(one_row_of_cells, result, importing.MAX_BYTES) is None
    assert [p.message for p in result.problems] == [BIGGER_INSIDE]
    monkeypatch.setattr(importing, "MAX_SHEET_TAGS", 100_000)
    monkeypatch.setattr(importing, "MAX_UNZIPPED_BYTES", 200_000)  # the parts' sizes, as the zip declares them
    result = importing.ParseResult()
    assert importing.read_xlsx(one_row_of_cells, result, importing.MAX_BYTES) is None
    assert [p.message for p in result.problems] == [BIGGER_INSIDE]
    assert opened == []


# --- a PDF that is small to upload and huge inside --------------------------------------------------

def pdf_with_attachment(content: bytes, *, zeros_mb: int = 0) -> bytes:
    """A one-page PDF with an attached file (Flate-compressed): ``content`` then ``zeros_mb``
    megabytes of zeros, which compress a thousandfold."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    packer = zlib.compressobj(9)
    raw = packer.compress(content) + b"".join(packer.compress(b"\0" * (1 << 20)) for _ in range(zeros_mb)) + packer.flush()
    attached = pikepdf.Stream(pdf, b"")
    attached.write(raw, filter=pikepdf.Name.FlateDecode)
    attached.Type = pikepdf.Name.EmbeddedFile
    pdf.Root.Extra = pdf.make_indirect(attached)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def test_the_identity_check_reads_a_megabyte_of_an_attachment_never_all_of_it():
    """Before: a 60 KB upload held 60 MB (and a 1 MB one 1 GB, 7 seconds) in the web request."""
    import tracemalloc

    from panel.uploads import HIDDEN_STREAM_BYTES, pdf_hidden_text

    bomb_pdf = pdf_with_attachment(b"Written by Aoife Byrne ", zeros_mb=60)
    assert len(bomb_pdf) < 100_000
    tracemalloc.start()
    try:
        text = pdf_hidden_text(bomb_pdf)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert text.startswith("Written by Aoife Byrne") and len(text) <= HIDDEN_STREAM_BYTES
    assert peak < 10 * HIDDEN_STREAM_BYTES
    # what is within the first megabyte is still read, whether or not the stream is compressed
    assert "Aoife Byrne" in pdf_hidden_text(pdf_with_attachment(b"Aoife Byrne, 07700 900123"))


# --- guessing a password from a computer the owner once used -------------------------------------

def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_known_device_is_known_only_until_wrong_passwords_come_from_it(app, session, world):
    """A shared computer in a clinic: the chair signed in there once, so it is a known device,
    which the throttles never held back (a stranger must not keep the chair out). Someone else at
    that computer could guess the chair's password without end; now the device waits like a new
    one after LOGIN_MAX_ATTEMPTS wrong passwords in a row from it."""
    from panel.models import SignInAttempt, User
    from panel.db import utcnow
    from tests.conftest import login
    import datetime as dt

    chair = world["chair"]
    shared = _from(app, "10.0.0.40")
    assert login(shared, chair).status_code == 302
    shared.post_form("/logout")
    for _ in range(app.config["LOGIN_MAX_ATTEMPTS"]):
        assert login(shared, chair, "a guess at the password").status_code == 200
    held = login(shared, chair)  # even the right password waits now, as from a new device
    assert held.status_code == 200 and not shared.signed_in
    # the wait is over: the right password gets in again, and the count starts afresh
    session.execute(SignInAttempt.__table__.update().values(at=utcnow() - dt.timedelta(hours=2)))
    session.get(User, chair.id).locked_until = None
    session.commit()
    assert login(shared, chair).status_code == 302
    assert session.query(SignInAttempt).count() == 0


def test_a_stranger_at_another_address_still_cannot_keep_the_chair_out(app, session, world):
    from tests.conftest import login

    chair = world["chair"]
    tablet = _from(app, "10.0.0.41")
    assert login(tablet, chair).status_code == 302
    tablet.post_form("/logout")
    for _ in range(2 * app.config["LOGIN_MAX_ATTEMPTS"]):
        login(_from(app, "203.0.113.9"), chair, "a guess at the password")
    assert login(tablet, chair).status_code == 302


def test_guessing_the_current_password_on_the_change_password_page_ends_the_session(app, as_user, session, world):
    from panel.models import AuditEvent
    from tests.conftest import PASSWORD, login

    client = as_user(world["panelist"])
    tries = app.config["LOGIN_MAX_ATTEMPTS"]
    for _ in range(tries - 1):
        wrong = client.post_form("/account/password", {"current": "a guess", "password": "a new long passphrase 7",
                                                       "confirm": "a new long passphrase 7"})
        assert wrong.status_code == 200 and "Your current password is not correct" in wrong.get_data(as_text=True)
    last = client.post_form("/account/password", {"current": "a guess", "password": "a new long passphrase 7",
                                                  "confirm": "a new long passphrase 7"})
    assert last.status_code == 302 and last.headers["Location"].endswith("/login")
    assert client.get("/account").status_code == 302  # signed out
    assert "your current password was typed wrongly too many times" in client.get("/login").get_data(as_text=True)
    assert session.query(AuditEvent).filter(AuditEvent.action == "sign_out", AuditEvent.entity_id == world["panelist"].id).count() == 1
    # the owner signs in again with the password they had (it was never changed)
    again = app.test_client()
    assert login(again, world["panelist"], PASSWORD).status_code == 302
    ok = again.post_form("/account/password", {"current": PASSWORD, "password": "a new long passphrase 7",
                                               "confirm": "a new long passphrase 7"})
    assert ok.status_code == 302, ok.get_data(as_text=True)


# --- what a candidate is sent ------------------------------------------------------------------------

@pytest.fixture()
@snapshotted
def rw(app, session, world):
    from tests.builders_plugin import closed_world

    return closed_world(app, session, world)


def test_a_subject_access_export_never_names_a_patient_panelist(rw, as_user, world):
    """The export is sent to the candidate, who may have been the therapist of a patient
    panelist: staff are named, a patient panelist is 'Patient panel member 1' (the design's
    rule: their identities are shown to candidates nowhere)."""
    import json

    from pypdf import PdfReader

    hr = as_user(rw["hr"])
    base = f"/vacancies/{rw['a2'].vacancy_id}/candidates/{rw['a2'].id}/subject-access"
    body = hr.get(base + ".json").get_data(as_text=True)
    pdf = hr.get(base + ".pdf").get_data()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    for shown in (body, text):
        assert "O'Neill" not in shown and "O\\u2019Neill" not in shown and world["panelist"].email not in shown
        assert "Patient panel member 1" in shown and "Chris Morgan" in shown
    data = json.loads(body)
    writers = {s["written_by"] for s in data["shortlisting"]["scores"] + data["interview"]["scores"]}
    assert writers == {"Patient panel member 1", "Chris Morgan"}


# --- where a page sends you next ---------------------------------------------------------------------

@pytest.mark.parametrize("next_, lands", [
    ("/vacancies/{a}/%0d%0aX-Evil:%201", "/vacancies/{a}/X-Evil:1"),  # a line break: a 500 before
    ("/vacancies/{a}/shortlisting", "/vacancies/{a}/shortlisting"),
    ("//evil.example/vacancies/{a}/", "/vacancies/{a}/interviews"),
    ("/vacancies/{a}/%5C%5Cevil.example", "/vacancies/{a}/interviews"),
    ("/vacancies/{b}/interviews", "/vacancies/{a}/interviews"),
])
def test_the_do_you_know_page_goes_on_only_to_a_page_of_its_vacancy(as_user, session, world, next_, lands):
    from tests.builders_plugin import ready_for_interviews

    a = world["a"]
    ready_for_interviews(session, a, questions=1, candidates=2)
    ids = {"a": a.id, "b": world["b"].id}
    response = as_user(world["panelist"]).post_form(
        f"/vacancies/{a.id}/interviews/do-you-know?next={next_.format(**ids)}", {})
    assert response.status_code == 303
    assert response.headers["Location"].upper() == lands.format(**ids).upper()
    assert "X-Evil" not in response.headers


@pytest.mark.parametrize("next_, lands", [
    ("/claims/%0d%0aX-Evil:%201", "/claims/X-Evil:1"),
    ("/claims/new/interview_day:1", "/claims/new/interview_day:1"),
    ("/claims//evil.example", "/claims//evil.example"),  # a path on this site, as a browser reads it
    ("/claims/%5Cevil.example", "/claims"),
    ("/account", "/claims"),
])
def test_the_payment_choice_goes_on_only_to_a_claims_page(as_user, world, next_, lands):
    response = as_user(world["panelist"]).post_form(f"/claims/choice?next={next_}", {
        "choice": "none", "effective_from-day": "1", "effective_from-month": "11", "effective_from-year": "2030"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].upper() == lands.upper()
    assert "X-Evil" not in response.headers


# --- numbers that str.isdigit() lets through but int() cannot read (or a column cannot hold) ----------

SUPERSCRIPT_TWO = "\u00b2"  # "²".isdigit() is True, int("²") is a ValueError


@pytest.mark.parametrize("page", [SUPERSCRIPT_TWO, "9" * 48, str(ID_MAX), "0", "-1"])
def test_a_criterion_page_number_nobody_made_is_404(as_user, sl, page):  # noqa: F811
    response = as_user(sl.panelist).get(f"/vacancies/{sl.v.id}/shortlisting/criteria/{sl.criteria[0].id}?page={page}")
    assert response.status_code == 404


@pytest.mark.parametrize("criterion, page", [("{c}", SUPERSCRIPT_TWO), (SUPERSCRIPT_TWO, "1"), ("{c}", "9" * 5000),
                                             ("9" * 30, "1")])
def test_a_conflict_answer_with_a_hostile_return_page_is_saved_and_goes_to_the_candidate(as_user, sl, session,  # noqa: F811
                                                                                        criterion, page):
    from panel.models import ConflictDeclaration

    candidate = sl.candidates[0]
    response = as_user(sl.panelist).post_form(f"/vacancies/{sl.v.id}/shortlisting/candidates/{candidate.id}/conflict", {
        "knows": "no", "criterion": criterion.format(c=sl.criteria[0].id), "page": page})
    assert response.status_code == 302
    assert f"/shortlisting/candidates/{candidate.id}" in response.headers["Location"]
    assert session.scalar(select(ConflictDeclaration).where(ConflictDeclaration.candidate_id == candidate.id,
                                                            ConflictDeclaration.user_id == sl.panelist.id)) is not None


def test_a_shortlist_decision_with_a_version_nobody_made_is_refused_as_out_of_date(as_user, sl, session):  # noqa: F811
    from panel.models import ShortlistDecision

    candidate = sl.candidates[0]
    chair = as_user(sl.chair)
    for version in (SUPERSCRIPT_TWO, "9" * 30):
        response = chair.post_form(f"/vacancies/{sl.v.id}/shortlisting/moderation/{candidate.id}",
                                   {"outcome": "shortlist", "reason": "", "version": version})
        assert response.status_code in (400, 409)
    assert session.scalars(select(ShortlistDecision)).all() == []


@pytest.mark.parametrize("member", [SUPERSCRIPT_TWO, "9" * 30])
def test_stopping_a_reader_nobody_is_refused_with_a_message(as_user, sl, member):  # noqa: F811
    response = as_user(sl.chair).post_form(f"/vacancies/{sl.v.id}/shortlisting/allocation/release", {"member": member})
    assert response.status_code in (400, 404, 409)


@pytest.mark.parametrize("profile", [SUPERSCRIPT_TWO, "9" * 30])
def test_an_import_profile_nobody_made_is_ignored(as_user, sl, profile):  # noqa: F811
    hr = as_user(sl.hr)
    uploaded = upload(hr, sl.v, xlsx({"Applicants": [["Forename", "Surname", "Email", "Supporting information"],
                                                     ["Aoife", "Byrne", "aoife@example.net", "I run groups."]]}),
                      "applicants.xlsx")
    assert uploaded.status_code == 302
    response = hr.get(f"{uploaded.headers['Location']}?profile={profile}")
    assert response.status_code == 200
