"""Importing any export (issue 19 item 1): the columns page with panel's guess, saved profiles, the
preview, Excel workbooks (values only, one sheet), and bad input that imports nothing."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from panel.candidates import importing
from panel.models import AuditEvent, Candidate, ImportProfile
from tests.builders_plugin import sl, url  # noqa: F401
from tests.test_candidates_import import chosen_columns, count, problems, upload

# the vacancy's criteria assessed at application (tests/builders_plugin.py SPEC): 1, 2 and 4
CRITERIA = [(1, "Experience of working with people with anxiety or depression"),
            (2, "Experience of delivering groups"), (4, "Able to keep accurate, timely records")]

NHS_JOBS_LONG = ["Applicant ID", "Title", "Forename", "Surname", "Preferred name", "Email address",
                 "Home telephone", "Mobile telephone", "Address line 1", "Postcode", "Supporting information",
                 "Do you wish to apply under the Guaranteed Interview Scheme?", "Ethnic origin", "Gender",
                 "Sexual orientation", "Religion or belief", "Do you consider yourself to have a disability?",
                 "Date of birth", "Age band", "Marital status"]
TRAC = ["Candidate Ref", "First Name(s)", "Last Name", "E-mail", "Contact Number", "Supporting Statement",
        "Disability Confident Scheme", "Criterion 1 evidence", "Evidence: Experience of delivering groups",
        "Question 4", "Equal opportunities - ethnicity"]
PLAIN = ["Given name", "Family name", "Personal email", "Mobile", "Personal statement", "GIS"]


@pytest.mark.parametrize("header,expected", [
    (NHS_JOBS_LONG, {"Forename": "first_name", "Surname": "last_name", "Email address": "email",
                     "Home telephone": "phone", "Supporting information": "supporting_information",
                     "Do you wish to apply under the Guaranteed Interview Scheme?": "disability_confident"}),
    (TRAC, {"First Name(s)": "first_name", "Last Name": "last_name", "E-mail": "email", "Contact Number": "phone",
            "Supporting Statement": "supporting_information", "Disability Confident Scheme": "disability_confident",
            "Criterion 1 evidence": "evidence:1", "Evidence: Experience of delivering groups": "evidence:2",
            "Question 4": "evidence:4"}),
    (PLAIN, {"Given name": "first_name", "Family name": "last_name", "Personal email": "email", "Mobile": "phone",
             "Personal statement": "supporting_information", "GIS": "disability_confident"}),
], ids=["NHS Jobs long export", "Trac", "a hand-made sheet"])
def test_mapping_guesses_for_realistic_headers(header, expected):
    mapping = importing.guess_mapping(header, CRITERIA)
    named = {header[i]: field for i, field in mapping.items() if field != importing.IGNORE}
    assert named == expected
    # equality monitoring (and the second phone, the address, the date of birth) is left out
    assert all(mapping[header.index(h)] == importing.IGNORE for h in header if h not in expected)
    assert importing.mapping_problems(header, mapping) == {}


def test_a_saved_profile_wins_over_the_guess():
    header = ["Forename", "Surname", "Email address", "Statement", "Notes"]
    profile = {"statement": "supporting_information", "notes": "evidence:2", "forename": "not-a-field"}
    mapping = importing.guess_mapping(header, CRITERIA, profile)
    assert [mapping[i] for i in range(5)] == ["first_name", "last_name", "email", "supporting_information", "evidence:2"]


def test_mapping_problems():
    header = ["Forename", "Surname", "Email", "Email 2", "Statement"]
    problems_found = importing.mapping_problems(header, {0: "first_name", 1: "ignore", 2: "email", 3: "email",
                                                         4: "ignore"})
    assert problems_found == {
        "column-3": "'Email' is already imported as email address. Choose another field or ignore this column",
        "mapping": "Choose the column that holds the last name and supporting information (a column whose values "
                   "may be empty when the application is a PDF file)"}


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPORT = [["Applicant ID", "Forename", "Surname", "Email address", "Mobile telephone", "Supporting information",
           "Guaranteed interview scheme", "Ethnic origin", "Evidence: Experience of delivering groups"],
          [1001, "Siân", "O\u2019Brien", "sian.obrien+nhs@example.net", "07911 123456",
           "I have run groups =HYPERLINK(\"http://x\") for years.",
           "Yes - I wish to be considered under the scheme", "White Welsh", "Two years of groups"],
          [1002, "Yusuf", "المصري", "yusuf@example.net", None, "", "No", "Arab", None]]


def test_an_excel_export_is_mapped_previewed_and_imported_all_or_nothing(as_user, sl, session):
    hr = as_user(sl.hr)
    r = upload(hr, sl.v, xlsx({"Applicants": EXPORT}), "export.xlsx")
    assert r.status_code == 302
    columns_url = r.headers["Location"]
    page = hr.get(columns_url).get_data(as_text=True)
    chosen = chosen_columns(page)
    assert chosen == {"column-0": "ignore", "column-1": "first_name", "column-2": "last_name", "column-3": "email",
                      "column-4": "phone", "column-5": "supporting_information", "column-6": "disability_confident",
                      "column-7": "ignore", "column-8": "evidence:2"}
    assert "First rows: Siân · Yusuf" in page
    # the preview checks everything and saves nothing
    preview = hr.post_form(columns_url, {**chosen, "action": "preview"})
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "Every line of the file has been checked and can be imported: 2 candidates" in text
    assert "Row 2" in text and "White Welsh" not in text.split('id="preview"')[1].split("<form")[0]
    assert count(session, sl.v) == 3
    # import, saving the choices as a profile
    done = hr.post_form(columns_url, {**chosen, "action": "import", "profile_name": "NHS Jobs long export"})
    assert done.status_code == 302, problems(done)
    assert count(session, sl.v) == 5
    sian = session.scalar(select(Candidate).where(Candidate.email == "sian.obrien+nhs@example.net"))
    assert (sian.first_name, sian.last_name, sian.phone, sian.disability_confident) == (
        "Siân", "O\u2019Brien", "07911 123456", True)
    assert sian.supporting_information == "I have run groups =HYPERLINK(\"http://x\") for years."
    assert [e.text for e in sian.evidence] == ["Two years of groups"]
    # the identity check ran on the new candidates (her email and phone are only in their own fields)
    assert sian.identity_checked_at is not None
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "import")).summary == \
        "2 candidates imported from an Excel file"
    # the file is gone from the store; the columns page of it is 404 now
    assert hr.get(columns_url).status_code == 404
    profile = session.scalar(select(ImportProfile))
    assert profile.name == "NHS Jobs long export" and '"forename": "first_name"' in profile.columns

    # the next export of the same kind: the profile is offered and used
    second = upload(hr, sl.v, xlsx({"Applicants": [EXPORT[0] + ["Referee"], ["9", "Tom", "Ng", "tom@example.net",
                                                                            "", "Info", "no", "", "", "Dr A"]]}))
    page = hr.get(second.headers["Location"] + f"?profile={profile.id}").get_data(as_text=True)
    assert "NHS Jobs long export" in page
    assert chosen_columns(page)["column-4"] == "phone" and chosen_columns(page)["column-9"] == "ignore"


def test_a_workbook_with_several_sheets_asks_which(as_user, sl, session):
    hr = as_user(sl.hr)
    r = upload(hr, sl.v, xlsx({"Notes": [["Read me first"]], "Applicants": EXPORT}))
    page = hr.get(r.headers["Location"]).get_data(as_text=True)
    assert "Which sheet holds the candidates?" in page and "Applicants" in page and "Notes" in page
    bad = hr.get(r.headers["Location"] + "?sheet=Nope")
    assert "Choose one of the workbook&#39;s sheets" in bad.get_data(as_text=True)
    page = hr.get(r.headers["Location"] + "?sheet=Applicants").get_data(as_text=True)
    assert "For each column of the sheet '<bdi>Applicants</bdi>'" in page
    assert chosen_columns(page)["column-1"] == "first_name"


def test_a_workbook_with_formulas_is_refused(as_user, sl, session):
    rows = [row[:] for row in EXPORT]
    rows[2][3] = '=LOWER("YUSUF@EXAMPLE.NET")'
    r = upload(as_user(sl.hr), sl.v, xlsx({"Applicants": rows}))
    assert r.status_code == 200
    assert problems(r) == ["The sheet 'Applicants' has formulas (in D3). Panel reads values only: copy the sheet, "
                           "paste it as values only (Paste Special, Values), save and upload it again"]
    assert count(session, sl.v) == 3


@pytest.mark.parametrize("name,rows,expected", [
    ("no header row", [["Aoife", "Byrne", "aoife@example.net", "I run groups."]],
     "The first row of the file must be the column names (such as 'Forename' and 'Email address'), but it looks "
     "like a candidate. Add a row of column names at the top and upload the file again"),
    ("duplicate headers", [["Forename", "Surname", "Email", "Email", "Statement"], ["A", "B", "a@x.org", "", "S"]],
     "Columns 3 and 4 are both called 'Email'. Give each column its own name and upload the file again"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 30 else "")
def test_bad_headers_in_a_workbook(as_user, sl, session, name, rows, expected):
    r = upload(as_user(sl.hr), sl.v, xlsx({"Sheet1": rows}))
    assert r.status_code == 200 and problems(r) == [expected]
    assert "Nothing was imported" in r.get_data(as_text=True)
    assert count(session, sl.v) == 3


def test_duplicate_headers_in_a_csv_export(as_user, sl, session):
    data = b"Forename,Surname,Email address,Notes,Notes\r\nA,B,a@example.org,x,y\r\n"
    r = upload(as_user(sl.hr), sl.v, data)
    assert problems(r) == ["Columns 4 and 5 are both called 'Notes'. Give each column its own name and upload the "
                           "file again"]


def test_a_column_mapped_twice_or_a_required_field_unmapped_imports_nothing(as_user, sl, session):
    hr = as_user(sl.hr)
    r = upload(hr, sl.v, xlsx({"Applicants": EXPORT}))
    location = r.headers["Location"]
    chosen = chosen_columns(hr.get(location).get_data(as_text=True))
    twice = hr.post_form(location, {**chosen, "column-4": "email", "column-2": "ignore", "action": "import"})
    assert twice.status_code == 400
    page = twice.get_data(as_text=True)
    assert "&#39;Email address&#39; is already imported as email address. Choose another field or ignore this column" in page
    assert "Choose the column that holds the last name" in page
    assert 'href="#column-4"' in page  # the error summary links to the select
    assert count(session, sl.v) == 3


def test_an_export_whose_lines_have_problems_lists_them_with_row_numbers(as_user, sl, session):
    rows = [row[:] for row in EXPORT] + [[1003, "Bea", "", "not-an-email", "", "Info", "maybe", "", ""]]
    hr = as_user(sl.hr)
    r = upload(hr, sl.v, xlsx({"Applicants": rows}))
    location = r.headers["Location"]
    done = hr.post_form(location, {**chosen_columns(hr.get(location).get_data(as_text=True)), "action": "import"})
    assert done.status_code == 400
    assert problems(done) == ["Row 4: the last name is empty", "Row 4: 'not-an-email' is not a valid email address",
                              "Row 4: disability confident must be yes or no, not 'maybe'"]
    assert count(session, sl.v) == 3


def test_the_uploaded_file_is_only_its_uploaders(app, as_user, sl, session):
    from tests.builders_plugin import make_user

    hr = as_user(sl.hr)
    r = upload(hr, sl.v, xlsx({"Applicants": EXPORT}))
    other_hr = make_user(session, "hr", "Sam Jones", "sam@example.org")
    session.commit()
    assert as_user(other_hr).get(r.headers["Location"]).status_code == 404
    assert hr.get(r.headers["Location"].replace(f"/vacancies/{sl.v.id}/", f"/vacancies/{sl.elsewhere.id}/")
                  ).status_code == 404
