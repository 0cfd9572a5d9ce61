"""CSV import of candidates: all or nothing, every problem listed with its line number."""
from __future__ import annotations

import io
import os
import random
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from panel.candidates import importing
from panel.models import AuditEvent, Candidate, CandidateEvidence
from tests.builders_plugin import sl, url  # noqa: F401

SAMPLE = Path(__file__).parent / "data" / "candidates.csv"
HEADER = "first_name,last_name,email,phone,supporting_information,disability_confident,evidence_1\r\n"
GOOD = "Aoife,O'Connor,aoife@example.com,07700 900101,I run groups.,no,Two years in a CMHT\r\n"


def upload(client, v, data: bytes, filename="candidates.csv"):
    return client.post_form(url(v, "candidates/import"), {"file": (io.BytesIO(data), filename)},
                            content_type="multipart/form-data")


def problems(response) -> list[str]:
    import re

    page = response.get_data(as_text=True)
    block = page.split('id="import-problems"', 1)[1].split("</ul>", 1)[0] if 'id="import-problems"' in page else ""
    return [re.sub(r"\s+", " ", p).strip().replace("&#39;", "'") for p in re.findall(r"<li>(.*?)</li>", block, re.S)]


def count(session, v) -> int:
    session.expire_all()
    return len(list(session.scalars(select(Candidate).where(Candidate.vacancy_id == v.id))))


def test_the_sample_file_imports(as_user, sl, session):
    from panel.models import AssessedAt

    sl.v.criteria[2].assessed_at = AssessedAt.BOTH  # the sample has evidence for criteria 1 to 3
    session.commit()
    hr = as_user(sl.hr)
    before = count(session, sl.v)
    r = upload(hr, sl.v, SAMPLE.read_bytes())
    assert r.status_code == 302, problems(r)
    assert count(session, sl.v) == before + 6
    new = list(session.scalars(select(Candidate).where(Candidate.vacancy_id == sl.v.id, Candidate.number > before)
                               .order_by(Candidate.number)))
    assert [c.number for c in new] == list(range(before + 1, before + 7))
    names = {c.full_name for c in new}
    assert "Ciarán O'Sullivan" in names and "Hélène Lefèvre-D'Arcy" in names and "يوسف المصري" in names
    ciaran = new[0]
    assert "\n" in ciaran.supporting_information  # a quoted field over two lines
    zainab = next(c for c in new if c.first_name == "Zainab")
    assert zainab.disability_confident and zainab.phone == "+44 7700 900202"
    evidence = list(session.scalars(select(CandidateEvidence).where(CandidateEvidence.candidate_id == ciaran.id)))
    by_position = {e.criterion.position: e.text for e in evidence}
    assert by_position[1] == "BSc (Hons) Psychology, 2:1." and by_position[2] == "I have not yet started PWP training."
    assert by_position[3].startswith("Three years in a crisis house")
    page = hr.get(url(sl.v, "candidates")).get_data(as_text=True)
    assert "6 candidates imported." in page
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "import")).summary == "6 candidates imported from a CSV file"


def test_a_bom_and_header_spelling_are_tolerated(as_user, sl, session):
    data = ("\ufeffFirst Name,Last-Name,EMAIL,Phone,Supporting Information\r\n"
            "Zoë,Brontë,zoe.bronte@example.com,,I have led groups.\r\n\r\n").encode("utf-8")
    r = upload(as_user(sl.hr), sl.v, data)
    assert r.status_code == 302, problems(r)
    c = session.scalar(select(Candidate).where(Candidate.email == "zoe.bronte@example.com"))
    assert c.first_name == "Zoë" and c.last_name == "Brontë" and not c.disability_confident


CASES = [
    ("missing required column",
     b"first_name,last_name,phone,supporting_information\r\nA,B,0770,Info\r\n",
     ["Line 1: there is no email column",  # and the lines are still checked
      "Line 2: '0770' is not a phone number (use digits, spaces and + only)"]),
    ("two missing columns",
     b"first_name,email\r\nA,a@example.com\r\n",
     ["Line 1: there is no last_name column", "Line 1: there is no supporting_information column (leave its "
      "values empty for candidates whose application is a PDF file)"]),
    ("a column twice, and a bad line",
     b"first_name,last_name,email,Email,supporting_information\r\nA,B,a@example.com,x,Info\r\nC,D,bad,y,Info\r\n",
     ["Line 1: the column 'Email' appears more than once. Keep one of them",
      "Line 3: 'bad' is not a valid email address"]),
    ("bad email on two lines",
     (HEADER + GOOD + "Bea,Smith,not-an-email,,Info,no,\r\nCal,Jones,cal@@example,,Info,,\r\n").encode(),
     ["Line 3: 'not-an-email' is not a valid email address", "Line 4: 'cal@@example' is not a valid email address"]),
    ("duplicate email within the file",
     (HEADER + GOOD + "Aoife,Other,AOIFE@example.com,,Info,no,\r\n").encode(),
     ["Line 3: the email AOIFE@example.com is also on line 2. Each candidate needs their own email"]),
    ("field too long",
     (HEADER + "A" * 101 + ",B,b@example.com,,Info,no,\r\n" + "C,D,d@example.com,,Info,no," + "e" * 10001 + "\r\n").encode(),
     ["Line 2: the first name is longer than 100 characters",
      "Line 3: the evidence for criterion 1 is longer than 10,000 characters"]),
    ("statement too long",
     (HEADER + "A,B,b@example.com,," + "s" * 50001 + ",no,\r\n").encode(),
     ["Line 2: the supporting information is longer than 50,000 characters"]),
    ("empty required values",
     (HEADER + "A,,a@example.com,,Info,,\r\n" + "B,C,,,,,\r\n").encode(),
     ["Line 2: the last name is empty", "Line 3: the email is empty"]),
    ("wrong number of values",
     (HEADER + GOOD + "A,B,b@example.com\r\n").encode(),
     ["Line 3: this line has 3 values but the first line has 7 column names. Check for a missing or extra comma"]),
    ("bad phone and yes/no",
     (HEADER + "A,B,b@example.com,call me,Info,maybe,\r\n").encode(),
     ["Line 2: 'call me' is not a phone number (use digits, spaces and + only)",
      "Line 2: disability confident must be yes or no, not 'maybe'"]),
    ("line numbers count lines inside quotes",
     (HEADER + 'A,B,a@example.com,,"Line one\r\nline two\r\nline three",no,\r\n' + "C,D,bad,,Info,no,\r\n").encode(),
     ["Line 5: 'bad' is not a valid email address"]),
    ("unclosed quotation mark",
     (HEADER + GOOD + 'B,C,c@example.com,,"Never closed,no,\r\n').encode(),
     ["Line 3: this line could not be read as CSV (a quotation mark is not closed). Nothing after it was read"]),
    ("evidence column for no criterion",
     b"first_name,last_name,email,supporting_information,evidence_9\r\nA,B,a@example.com,Info,x\r\n",
     ["Line 1: the column evidence_9 does not match a criterion: this vacancy's person specification has 4 criteria"]),
    ("evidence column for an interview-only criterion",
     b"first_name,last_name,email,supporting_information,evidence_3\r\nA,B,a@example.com,Info,x\r\n",
     ["Line 1: the column evidence_3 is for criterion 3, which is assessed at interview only. Remove the column"]),
    ("not UTF-8",
     HEADER.encode() + GOOD.encode() + "Zoë,Brontë,z@example.com,,Info,no,\r\n".encode("latin-1"),
     ["Line 3: this line has characters that are not UTF-8. Save the spreadsheet as 'CSV UTF-8 (comma delimited)' and try again"]),
    ("not a CSV: a PDF",
     b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n",
     [importing.NOT_CSV_OR_XLSX]),
    ("not a CSV: a zip that is not a workbook",
     b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200,
     [importing.NOT_CSV_OR_XLSX]),
    ("not a CSV: prose",
     b"Dear HR,\nplease find the candidates attached.\n",
     ["Line 1: the file is not a CSV of candidates: the first line must be the column names (first_name, last_name, email, phone, supporting_information, ...)"]),
    ("empty file", b"", ["The selected file is empty"]),
    ("only a BOM and blank lines", b"\xef\xbb\xbf\r\n\r\n", ["The selected file is empty"]),
    ("header but no candidates", HEADER.encode(), ["The file has column names but no candidates"]),
]


@pytest.mark.parametrize("name,data,expected", CASES, ids=[c[0] for c in CASES])
def test_a_bad_file_imports_nothing_and_lists_every_problem(as_user, sl, session, name, data, expected):
    before = count(session, sl.v)
    r = upload(as_user(sl.hr), sl.v, data)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Nothing was imported" in page
    assert "The file was not imported" in page  # in the error summary, linked to the field
    assert problems(r) == expected
    assert count(session, sl.v) == before


def test_a_duplicate_of_a_candidate_already_on_the_vacancy(as_user, sl, session):
    data = (HEADER + GOOD + "Aoife,O'Connor,Aoife.OConnor@example.net,,Info,no,\r\n").encode()
    r = upload(as_user(sl.hr), sl.v, data)
    assert problems(r) == ["Line 3: a candidate with the email Aoife.OConnor@example.net is already on this vacancy "
                           "(Candidate 01)"]
    # the same email on another vacancy is fine
    assert count(session, sl.v) == 3


def test_five_megabytes_of_junk(as_user, sl, session):
    rng = random.Random(3)
    junk = rng.randbytes(5 * 1024 * 1024)
    r = upload(as_user(sl.hr), sl.v, junk)
    assert r.status_code == 200
    assert problems(r) == [importing.NOT_CSV_OR_XLSX]
    assert count(session, sl.v) == 3


def test_a_file_over_the_import_limit(app, as_user, sl, session):
    """PANEL_IMPORT_MAX_MB (20 by default; 1 here to keep the test quick), for CSV and Excel alike."""
    app.config["IMPORT_MAX_MB"] = 1
    big = (HEADER + GOOD).encode() + b"x" * (1024 * 1024)
    r = upload(as_user(sl.hr), sl.v, big)
    assert problems(r) == ["The selected file must be smaller than 1 MB. Split it into smaller files and import each one"]
    assert count(session, sl.v) == 3


def test_three_megabytes_of_junk_text_is_not_a_csv(as_user, sl, session):
    rng = random.Random(4)
    alphabet = b"abcdefghij ,;\"\n"
    junk = rng.randbytes(3 * 1024 * 1024).translate(bytes(alphabet[i % len(alphabet)] for i in range(256)))
    r = upload(as_user(sl.hr), sl.v, junk)
    assert r.status_code == 200
    found = problems(r)
    assert found and all(p.startswith("Line ") for p in found)
    assert count(session, sl.v) == 3


def test_three_megabytes_of_random_bytes_is_not_utf8(as_user, sl, session):
    junk = os.urandom(3 * 1024 * 1024).replace(b"\x00", b"\x01")
    r = upload(as_user(sl.hr), sl.v, junk)
    assert r.status_code == 200 and len(problems(r)) == 1
    assert count(session, sl.v) == 3


def test_no_file_chosen(as_user, sl):
    r = as_user(sl.hr).post_form(url(sl.v, "candidates/import"), {})
    assert r.status_code == 200 and "Choose a CSV or Excel file to import" in r.get_data(as_text=True)


def test_many_problems_are_capped_but_counted():
    body = HEADER + "".join(f"A,B,bad{i},,Info,no,\r\n" for i in range(importing.MAX_PROBLEMS + 20))
    result = importing.parse(body.encode())
    assert len(result.problems) == importing.MAX_PROBLEMS and result.more_problems == 20
    assert not result.rows


def test_parse_unit():
    result = importing.parse((HEADER + GOOD).encode())
    assert result.ok and len(result.rows) == 1
    row = result.rows[0]
    assert (row.line, row.first_name, row.last_name, row.email, row.evidence) == \
        (2, "Aoife", "O'Connor", "aoife@example.com", {1: "Two years in a CMHT"})
    assert result.evidence_columns == [1]


# --- issue 12, walk: unknown columns are ignored, every problem in one pass -----------------

NOTES_HEADER = "first_name,last_name,email,phone,supporting_information,Notes,disability_confident?\r\n"


def chosen_columns(page: str) -> dict[str, str]:
    """The columns page's selects: name -> the field chosen (panel's guess, or a saved profile's)."""
    found = {}
    for name, body in re.findall(r'<select[^>]*name="(column-\d+)"[^>]*>(.*?)</select>', page, re.S):
        m = re.search(r'<option value="([^"]*)"\s+selected', body) or re.search(r'<option value="([^"]*)"', body)
        found[name] = m.group(1)
    return found


def through_the_columns_page(client, response, action="import", **changes):
    """Follow an upload to the columns page and send panel's guess (with ``changes``)."""
    assert response.status_code == 302 and "/candidates/import/" in response.headers["Location"], problems(response)
    location = response.headers["Location"]
    page = client.get(location)
    assert page.status_code == 200
    data = {**chosen_columns(page.get_data(as_text=True)), **changes, "action": action}
    return client.post_form(location, data), location


def test_an_unknown_column_no_longer_hides_every_other_problem(as_user, sl, session):
    """The walk: an extra Notes column and bad lines reported "1 problem" (the column only).
    Now a file with a column panel does not know goes to the columns page; HR leaves Notes out."""
    data = (NOTES_HEADER
            + "Aoife,Byrne,aoife.byrne@example.com,,I run groups.,called twice,yes\r\n"
            + "Bea,Smith,not-an-email,,Info,,no\r\n"
            + "Cal,,cal@example.com,call me,Info,,maybe\r\n"
            + "Dee,Jones,AOIFE.OCONNOR@example.net,,Info,,\r\n").encode()
    hr = as_user(sl.hr)
    r, _ = through_the_columns_page(hr, upload(hr, sl.v, data))
    assert r.status_code == 400
    assert problems(r) == [
        "Line 3: 'not-an-email' is not a valid email address",
        "Line 4: the last name is empty",
        "Line 4: 'call me' is not a phone number (use digits, spaces and + only)",
        "Line 4: disability confident must be yes or no, not 'maybe'",
        "Line 5: a candidate with the email AOIFE.OCONNOR@example.net is already on this vacancy (Candidate 01)",
    ]
    page = r.get_data(as_text=True)
    assert "We found 5 problems" in page and "Nothing was imported" in page
    assert count(session, sl.v) == 3  # still all or nothing


def test_unknown_columns_are_left_out_on_the_columns_page(as_user, sl, session):
    data = (NOTES_HEADER.replace("\r\n", ",,Referee\r\n")
            + "Aoife,Byrne,aoife.byrne@example.com,,I run groups.,called twice,yes,,\r\n"
            + "Bea,Smith,bea@example.com,,Info,,no,stray,Dr Who\r\n").encode()
    hr = as_user(sl.hr)
    first = upload(hr, sl.v, data)
    page = hr.get(first.headers["Location"]).get_data(as_text=True)
    assert chosen_columns(page) == {"column-0": "first_name", "column-1": "last_name", "column-2": "email",
                                    "column-3": "phone", "column-4": "supporting_information", "column-5": "ignore",
                                    "column-6": "disability_confident", "column-7": "ignore", "column-8": "ignore"}
    r, _ = through_the_columns_page(hr, first)
    assert r.status_code == 302, problems(r)
    assert count(session, sl.v) == 5
    aoife = session.scalar(select(Candidate).where(Candidate.email == "aoife.byrne@example.com"))
    assert aoife.disability_confident  # "disability_confident?" is still that column
    assert "2 candidates imported." in hr.get(r.headers["Location"]).get_data(as_text=True)
    assert "called twice" not in str(aoife.supporting_information)


def test_a_blank_column_with_nothing_in_it_is_not_mentioned(as_user, sl, session):
    data = (HEADER.replace("\r\n", ",\r\n") + GOOD.replace("\r\n", ",\r\n")).encode()
    hr = as_user(sl.hr)
    r = upload(hr, sl.v, data)
    assert r.status_code == 302, problems(r)
    assert "ignored" not in hr.get(r.headers["Location"]).get_data(as_text=True)


# --- issue 12, walk: an application that is only a PDF; long statements --------------------

def test_a_candidate_whose_application_is_a_pdf_imports_with_an_empty_statement(app, as_user, sl, session):
    from panel.models import VacancyStatus
    from tests.test_hardening_uploads import make_pdf

    sl.v.status = VacancyStatus.DRAFT
    session.commit()
    data = (HEADER + GOOD + "Bea,Smith,bea@example.com,,,no,\r\n").encode()
    hr = as_user(sl.hr)
    r = upload(hr, sl.v, data)
    assert r.status_code == 302, problems(r)
    bea = session.scalar(select(Candidate).where(Candidate.email == "bea@example.com"))
    assert bea.supporting_information == "" and bea.label == "Candidate 05"
    page = hr.get(r.headers["Location"]).get_data(as_text=True)
    assert ("Candidate 05 has no supporting information in the file. Upload each one&#39;s application PDF "
            "before shortlisting starts.") in page
    # shortlisting cannot start while the panel would have nothing to read for Bea
    vacancy_page = hr.get(url(sl.v, "")[:-1]).get_data(as_text=True)
    message = ("Add the supporting information or upload the application PDF of Candidate 05 before shortlisting "
               "starts: the panel has nothing to read for this candidate")
    assert message in vacancy_page
    moved = hr.post_form(url(sl.v, "status"), {"from": "draft"})
    assert moved.status_code == 400 and message in moved.get_data(as_text=True)
    # with the file uploaded, it can
    r = hr.post_form(url(sl.v, "candidates", bea.id, "application"),
                     {"file": (io.BytesIO(make_pdf()), "cv.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 302
    assert message not in hr.get(url(sl.v, "")[:-1]).get_data(as_text=True)
    assert hr.post_form(url(sl.v, "status"), {"from": "draft"}).status_code == 302
    # the panel is told where the application is
    page = as_user(sl.panelist).get(url(sl.v, "shortlisting/candidates", bea.id)).get_data(as_text=True)
    assert "This application is in the attached file." in page and "None given." not in page
    assert "Download the anonymised application (PDF)" in page
    assert "This application is in the attached file." in hr.get(url(sl.v, "candidates", bea.id)).get_data(as_text=True)


def test_the_form_takes_an_empty_statement_and_goes_on_to_the_upload(as_user, sl, session):
    hr = as_user(sl.hr)
    r = hr.post_form(url(sl.v, "candidates/new"), {"first_name": "Bea", "last_name": "Smith",
                                                   "email": "bea@example.com", "supporting_information": ""})
    assert r.status_code == 302
    bea = session.scalar(select(Candidate).where(Candidate.email == "bea@example.com"))
    assert r.headers["Location"].endswith(url(sl.v, "candidates", bea.id, "application"))
    assert bea.supporting_information == ""
    # and an edit can empty it too
    c = sl.candidates[0]
    r = hr.post_form(url(sl.v, "candidates", c.id, "edit"), {
        "first_name": c.first_name, "last_name": c.last_name, "email": c.email, "supporting_information": ""})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(Candidate, c.id).supporting_information == ""


def long_statement(n: int = 50000) -> str:
    """About n characters: numbered sentences, in paragraphs of 20 and one paragraph of 20,000 characters."""
    sentences = [f"Sentence {i:05d} tells the panel about my work." for i in range(1, n // 46 + 2)]
    paragraphs = ["\n".join([" ".join(sentences[:430])])]
    rest = sentences[430:]
    paragraphs += [" ".join(rest[i:i + 20]) for i in range(0, len(rest), 20)]
    text = "\n".join(paragraphs)[:n]
    return text[:text.rindex(".") + 1]


def test_a_50000_character_statement_imports_shows_and_prints_on_as_many_pages_as_it_needs(as_user, world, session):
    from panel.models import VacancyStatus
    from tests.builders_plugin import page_texts, pdf
    from tests.test_packs import check_running_header_and_footer, get_pdf

    b = world["b"]
    b.status = VacancyStatus.SHORTLISTING
    session.commit()
    statement = long_statement()
    assert 49000 < len(statement) <= 50000
    csv_text = ("first_name,last_name,email,supporting_information\r\n"
                f'Long,Writer,long@example.com,"{statement}"\r\nSam,Writer,short@example.com,A short one.\r\n')
    r = upload(as_user(world["hr"]), b, csv_text.encode())
    assert r.status_code == 302, problems(r)
    c = session.scalar(select(Candidate).where(Candidate.email == "long@example.com"))
    assert c.supporting_information == statement
    numbers = [f"Sentence {i:05d}" for i in range(1, statement.count("Sentence ") + 1)]
    # the panel's page shows all of it
    page = as_user(world["other"]).get(url(b, "shortlisting/candidates", c.id)).get_data(as_text=True)
    assert all(n in page for n in numbers)
    # the shortlisting pack prints all of it, page after page, each with its header and footer
    texts = page_texts(pdf(get_pdf(as_user(world["other"]), f"/vacancies/{b.id}/packs/shortlisting.pdf")))
    check_running_header_and_footer(texts, "B-1")
    # the text without the running header and footer, so that a sentence split by a page break reads on
    body = [line for t in texts for line in t.splitlines()
            if "OFFICIAL-SENSITIVE" not in line and not re.fullmatch(r"Page \d+ of \d+", line.strip())]
    joined = " ".join(" ".join(body).split())
    missing = [n for n in numbers if n not in joined]
    assert not missing, missing[:5]
    pages_with_statement = [i for i, t in enumerate(texts) if "Sentence " in t]
    assert len(pages_with_statement) >= 8
    assert pages_with_statement == list(range(pages_with_statement[0], pages_with_statement[-1] + 1))
    assert "A short one." in joined and "Scores for Candidate 01" in joined


def test_the_import_audit_keeps_a_digest_and_length_of_each_statement_not_the_text(as_user, sl, session):
    """Issue 14 item 7: audit_events was the largest table because each import copied every
    statement. The audit entry of each imported candidate records the statement and evidence as
    a SHA-256 and a length; the candidate row holds the text; the audit log page, its CSV and the
    subject access export still read."""
    import csv
    import hashlib
    import json

    from panel.builders import statement

    long_texts = [statement(n, 3000) for n in (1, 2)]
    evidence = "Three years in a crisis house supporting people with anxiety and low mood. " * 5
    body = HEADER + "".join(
        f'{first},Tester,{first.lower()}@example.com,,"{text}",no,"{evidence}"\r\n'
        for first, text in zip(["Alys", "Bryn"], long_texts))
    hr = as_user(sl.hr)
    assert upload(hr, sl.v, body.encode()).status_code == 302
    session.expire_all()
    alys = session.scalar(select(Candidate).where(Candidate.email == "alys@example.com"))
    assert alys.supporting_information == long_texts[0]  # the candidate row holds the text
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.vacancy_id == sl.v.id,
                                                           AuditEvent.action.in_(["create", "import"]))))
    stored = json.dumps([e.changes for e in events], ensure_ascii=False)
    for text in long_texts:
        assert text not in stored and text[:200] not in stored
    assert evidence.strip() not in stored
    created = next(e for e in events if e.action == "create" and e.entity_id == alys.id)
    digest = hashlib.sha256(alys.supporting_information.encode()).hexdigest()
    assert created.changes["supporting_information"] == {
        "before": None, "after": f"sha256:{digest} ({len(long_texts[0])} characters)"}
    ev = alys.evidence[0]
    assert created.changes[f"evidence_{ev.criterion_id}"]["after"] == (
        f"sha256:{hashlib.sha256(ev.text.encode()).hexdigest()} ({len(ev.text)} characters)")
    assert created.changes["first_name"] == {"before": None, "after": "Alys"}  # short fields as they are
    assert len(json.dumps(created.changes)) < 1000

    # a changed statement shows as a changed digest
    response = hr.post_form(url(sl.v, f"candidates/{alys.id}/edit"), {
        "first_name": "Alys", "last_name": "Tester", "email": "alys@example.com", "phone": "",
        "supporting_information": long_texts[0] + " I also speak Welsh."})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    session.expire_all()
    update = session.scalar(select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.entity_id == alys.id))
    change = update.changes["supporting_information"]
    assert change["before"] == f"sha256:{digest} ({len(long_texts[0])} characters)"
    assert change["after"].endswith(f"({len(long_texts[0]) + 20} characters)") and change["after"] != change["before"]

    # the audit log page and its CSV read; the subject access export still gives the full text
    page = hr.get(f"/audit?vacancy={sl.v.id}")
    assert page.status_code == 200 and f"sha256:{digest}" in page.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(hr.get(f"/audit/export.csv?vacancy={sl.v.id}").get_data(as_text=True))))
    assert any(f"sha256:{digest}" in row[-1] for row in rows[1:])
    assert not any(long_texts[0][:200] in row[-1] for row in rows[1:])
    sar = hr.get(url(sl.v, f"candidates/{alys.id}/subject-access.json"))
    assert sar.status_code == 200
    assert sar.get_json()["application"]["supporting_information"] == long_texts[0] + " I also speak Welsh."
