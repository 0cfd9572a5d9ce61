"""Reading a CSV file of candidates: every problem found, with its line number, or the rows.

Pure functions (no database): the service adds the checks that need the vacancy
(criteria numbers, emails already on the vacancy) and saves all or nothing.
Every problem in the file is found in one pass (a problem with the column names does not stop
the lines being checked). Columns we do not know are ignored and listed, never refused.
The columns are documented in the README ("Importing candidates from a CSV file").
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

MAX_BYTES = 4 * 1024 * 1024  # 4 MB: about 400 long applications
MAX_ROWS = 1000
MAX_PROBLEMS = 500

LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "supporting_information": 50000,  # empty is allowed: the application is then a PDF file
    "disability_confident": 10,
}
EVIDENCE_LIMIT = 10000
REQUIRED = ("first_name", "last_name", "email", "supporting_information")  # columns the file must have
NOT_EMPTY = ("first_name", "last_name", "email")  # values every line must have
OPTIONAL = ("phone", "disability_confident")
LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "email",
    "phone": "phone",
    "supporting_information": "supporting information",
    "disability_confident": "disability confident",
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
PHONE_RE = re.compile(r"^[0-9+()\-. ]{6,40}$")
EVIDENCE_RE = re.compile(r"^(?:evidence|criterion)(\d{1,3})$")


@dataclass
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


@dataclass
class Row:
    line: int
    first_name: str
    last_name: str
    email: str
    phone: str
    supporting_information: str
    disability_confident: bool
    evidence: dict[int, str] = field(default_factory=dict)  # criterion number -> text


@dataclass
class ParseResult:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    evidence_columns: list[int] = field(default_factory=list)  # criterion numbers with a column
    more_problems: int = 0  # problems found beyond MAX_PROBLEMS
    ignored_columns: list[str] = field(default_factory=list)  # columns we do not know, as written in the file
    without_statement: list[str] = field(default_factory=list)  # labels of imported candidates with no statement

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, line: int | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, message))
        else:
            self.more_problems += 1


def normalise_header(name: str) -> str:
    """"First name", "first_name", "FIRST-NAME", "Disability confident?" -> "firstname", ..."""
    return re.sub(r"[\W_]+", "", (name or "").strip().lower())


CANONICAL = {normalise_header(k): k for k in REQUIRED + OPTIONAL}
CANONICAL.update({"forename": "first_name", "surname": "last_name", "emailaddress": "email",
                  "phonenumber": "phone", "telephone": "phone", "supportinginfo": "supporting_information",
                  "supportingstatement": "supporting_information", "personalstatement": "supporting_information"})


def valid_email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def decode(data: bytes, result: ParseResult) -> str | None:
    if not data or not data.strip(b" \t\r\n\xef\xbb\xbf"):
        result.add(None, "The selected file is empty")
        return None
    if len(data) > MAX_BYTES:
        result.add(None, f"The selected file must be smaller than {MAX_BYTES // (1024 * 1024)} MB. "
                         "Split it into smaller files and import each one")
        return None
    if b"\x00" in data[:65536] or data.startswith(b"%PDF") or data.startswith(b"PK\x03\x04"):
        result.add(None, "The selected file is not a CSV file. Save the spreadsheet as 'CSV UTF-8 (comma delimited)' and try again")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.add(line, "this line has characters that are not UTF-8. Save the spreadsheet as "
                         "'CSV UTF-8 (comma delimited)' and try again")
        return None
    return text


def parse(data: bytes) -> ParseResult:
    """Read the whole file: every problem, and the rows that have none (the service saves them
    only if the whole file has none)."""
    result = ParseResult()
    text = decode(data, result)
    if text is None:
        return result
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        result.add(None, "The selected file is empty")
        return result
    except csv.Error as exc:
        result.add(1, f"the column names could not be read ({exc})")
        return result
    columns = _read_header(header, result)
    if columns is None:
        return result
    unnamed = [i for i, raw in enumerate(header) if not normalise_header(raw)]
    unnamed_used: set[int] = set()
    seen_emails: dict[str, int] = {}
    start = reader.line_num + 1
    count = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.add(start, f"this line could not be read as CSV ({_csv_reason(exc)}). Nothing after it was read")
            break
        line = start
        start = reader.line_num + 1
        if not any(v.strip() for v in values):
            continue  # a blank line
        count += 1
        if count > MAX_ROWS:
            result.add(line, f"a file can have at most {MAX_ROWS} candidates. Split it into smaller files")
            break
        unnamed_used.update(i for i in unnamed if i < len(values) and values[i].strip())
        row = _read_row(line, values, header, columns, result, seen_emails)
        if row is not None:
            result.rows.append(row)
    if count == 0 and result.ok:
        result.add(None, "The file has column names but no candidates")
    # a column with no name is only worth a mention if something is written in it
    result.ignored_columns += [f"column {i + 1} (it has no name)" for i in sorted(unnamed_used)]
    return result


def _csv_reason(exc: csv.Error) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        return "a value is far too long"
    if "unexpected end of data" in message or "EOF" in message:
        return "a quotation mark is not closed"
    if "quotechar" in message or "delimiter" in message:
        return "a quotation mark is in the wrong place"
    return "the file is not valid CSV"


def _read_header(header: list[str], result: ParseResult) -> dict[int, str] | None:
    """Column index -> field name ("first_name", ... or "evidence:<n>"); None if the file is not a
    CSV of candidates at all. Unknown columns are ignored (and listed); a missing or repeated
    column is a problem, but the lines are still checked."""
    columns: dict[int, str] = {}
    for i, raw in enumerate(header):
        key = normalise_header(raw)
        if not key:
            continue
        name = CANONICAL.get(key)
        if name is None:
            m = EVIDENCE_RE.match(key)
            if m and int(m.group(1)) > 0:
                name = f"evidence:{int(m.group(1))}"
        if name is None:
            result.ignored_columns.append(raw.strip()[:60])
            continue
        if name in columns.values():
            result.add(1, f"the column '{raw.strip()[:60]}' appears more than once. Keep one of them")
            continue
        columns[i] = name
    if not columns:
        result.add(1, "the file is not a CSV of candidates: the first line must be the column names "
                      "(first_name, last_name, email, phone, supporting_information, ...)")
        return None
    for name in REQUIRED:
        if name not in columns.values():
            result.add(1, f"there is no {name} column" + (
                " (leave its values empty for candidates whose application is a PDF file)"
                if name == "supporting_information" else ""))
    result.evidence_columns = sorted(int(n.split(":")[1]) for n in columns.values() if n.startswith("evidence:"))
    return columns


def _read_row(line: int, values: list[str], header: list[str], columns: dict[int, str], result: ParseResult,
              seen_emails: dict[str, int]) -> Row | None:
    before = len(result.problems) + result.more_problems
    if len(values) != len(header):
        result.add(line, f"this line has {len(values)} values but the first line has {len(header)} column names. "
                         "Check for a missing or extra comma")
        return None
    data: dict[str, str] = {}
    evidence: dict[int, str] = {}
    for i, name in columns.items():
        value = values[i].strip()
        if name.startswith("evidence:"):
            number = int(name.split(":")[1])
            if len(value) > EVIDENCE_LIMIT:
                result.add(line, f"the evidence for criterion {number} is longer than {EVIDENCE_LIMIT:,} characters")
            elif value:
                evidence[number] = value
            continue
        data[name] = value
        if len(value) > LIMITS[name]:
            result.add(line, f"the {LABELS[name]} is longer than {LIMITS[name]:,} characters")
    for name in NOT_EMPTY:
        if name in data and not data[name]:
            result.add(line, f"the {LABELS[name]} is empty")
    email = data.get("email", "")
    if email and len(email) <= LIMITS["email"]:
        if not valid_email(email):
            result.add(line, f"'{email[:80]}' is not a valid email address")
        else:
            key = email.lower()
            if key in seen_emails:
                result.add(line, f"the email {email} is also on line {seen_emails[key]}. Each candidate needs their own email")
            else:
                seen_emails[key] = line
    phone = data.get("phone", "")
    if phone and len(phone) <= LIMITS["phone"] and not PHONE_RE.match(phone):
        result.add(line, f"'{phone[:40]}' is not a phone number (use digits, spaces and + only)")
    dc_raw = data.get("disability_confident", "").lower()
    if dc_raw not in YES | NO:
        result.add(line, f"disability confident must be yes or no, not '{data.get('disability_confident', '')[:20]}'")
    if len(result.problems) + result.more_problems > before:
        return None
    if any(name not in data for name in REQUIRED):
        return None  # the line is checked, but a file without a required column imports nothing
    return Row(line=line, first_name=data["first_name"], last_name=data["last_name"], email=email, phone=phone,
               supporting_information=data["supporting_information"], disability_confident=dc_raw in YES,
               evidence=evidence)


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def ignored_notice(result: ParseResult) -> str | None:
    """Which columns of the file were left out, for the page after the import (or its problems)."""
    if not result.ignored_columns:
        return None
    names = [name if name.startswith("column ") else f"'{name}'" for name in result.ignored_columns]
    one = len(names) == 1
    return (f"{'This column was' if one else 'These columns were'} ignored, because {'it is' if one else 'they are'} "
            f"not {'one' if one else 'ones'} we know: {_list(names)}. Nothing in {'it' if one else 'them'} was "
            "imported. If something there should be in panel, add it to each candidate's page, or rename the "
            "column (the columns are listed on the import page) before you import another file.")


def without_statement_notice(result: ParseResult) -> str | None:
    labels = result.without_statement
    if not labels:
        return None
    return (f"{_list(labels)} {'has' if len(labels) == 1 else 'have'} no supporting information in the file. "
            "Upload each one's application PDF before shortlisting starts.")
