"""Reading a file of candidates (CSV, or an Excel .xlsx workbook): every problem found, with its
line number, or the rows.

Pure functions (no database): the service adds the checks that need the vacancy
(criteria numbers, emails already on the vacancy) and saves all or nothing.
Every problem in the file is found in one pass (a problem with the column names does not stop
the lines being checked). Two ways in:

- ``parse``: a CSV file in panel's own columns (first_name, ... evidence_1; "Forename" and the like
  are understood too). Columns we do not know are ignored and listed, never refused.
- ``read_file`` + ``guess_mapping`` + ``parse_mapped``: any export (NHS Jobs, Trac ...). HR sees the
  file's columns beside panel's fields, panel guesses which is which from the column names, and
  HR corrects the guess (a mapping: column index -> field, "ignore" for the rest).
The columns are documented in the README ("Importing candidates from a CSV file").
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

MAX_BYTES = 20 * 1024 * 1024  # the default of the setting IMPORT_MAX_MB
MAX_COLUMNS = 300  # an export with equality monitoring has about 60
MAX_ROWS = 1000
MAX_PROBLEMS = 500
# An .xlsx file is a zip of XML: a small upload can unpack to gigabytes, or to millions of empty
# rows or cells that take openpyxl minutes to walk (a 100 KB file took five minutes). Before the
# workbook is opened its unpacked size and the tags of its sheets are counted, and the walk stops
# after the rows a file of MAX_ROWS candidates could hold with blank rows between them.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a full NHS Jobs export of 1000 candidates is under 20 MB
MAX_SHEET_TAGS = 500_000  # 1000 candidates with 120 filled columns (an NHS Jobs export has about 60)
MAX_SHEET_ROWS = 2 * MAX_ROWS + 1  # blank rows count too

LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "supporting_information": 50000,  # empty is allowed: the application is then a PDF file
    "disability_confident": 200,  # an export may say "Yes - I wish to be considered under the scheme"
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
    word: str = "Line"  # "Row" in a spreadsheet

    def __str__(self) -> str:
        return f"{self.word} {self.line}: {self.message}" if self.line else self.message


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
    word: str = "Line"  # how the file's lines are called: "Row" in a spreadsheet

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, line: int | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, message, self.word))
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


@dataclass
class Table:
    """A file's column names and its lines (blank lines left out), before they mean anything."""
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line or row number, values)
    sheets: list[str] = field(default_factory=list)  # a workbook's sheets (one chosen: ``sheet``)
    sheet: str | None = None
    strict_width: bool = True  # CSV: a line with more or fewer values than column names is a problem


NOT_CSV = "The selected file is not a CSV file. Save the spreadsheet as 'CSV UTF-8 (comma delimited)' and try again"
NOT_CSV_OR_XLSX = ("The selected file is not a CSV file or an Excel workbook (.xlsx). Save the spreadsheet as "
                   "'Excel Workbook (.xlsx)' or 'CSV UTF-8 (comma delimited)' and try again")


def too_big(max_bytes: int) -> str:
    return (f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB. "
            "Split it into smaller files and import each one")


def is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


TOO_BIG_UNPACKED = ("The selected workbook is much bigger inside than a file of {rows} candidates can be. Open it in "
                    "Excel, delete the empty rows and columns after the candidates, save it and try again")


def _unpacks_too_big(data: bytes) -> bool:
    """True for a workbook whose parts unpack to more than MAX_UNZIPPED_BYTES, or whose sheets
    hold more than MAX_SHEET_TAGS XML tags (each a cell, row or value openpyxl would walk).
    Counted as it is unpacked, a megabyte at a time, so nothing big is ever held."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = z.infolist()
        if sum(p.file_size for p in parts) > MAX_UNZIPPED_BYTES:
            return True
        tags = 0
        for part in parts:
            if not part.filename.startswith("xl/worksheets/"):
                continue
            with z.open(part) as stream:
                while chunk := stream.read(1024 * 1024):
                    tags += chunk.count(b"<")
                    if tags > MAX_SHEET_TAGS:
                        return True
    return False


def decode(data: bytes, result: ParseResult, max_bytes: int = MAX_BYTES, not_csv: str = NOT_CSV) -> str | None:
    if not data or not data.strip(b" \t\r\n\xef\xbb\xbf"):
        result.add(None, "The selected file is empty")
        return None
    if len(data) > max_bytes:
        result.add(None, too_big(max_bytes))
        return None
    if b"\x00" in data[:65536] or data.startswith(b"%PDF") or data.startswith(b"PK\x03\x04"):
        result.add(None, not_csv)
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.add(line, "this line has characters that are not UTF-8. Save the spreadsheet as "
                         "'CSV UTF-8 (comma delimited)' and try again")
        return None
    return text


def read_csv(data: bytes, result: ParseResult, max_bytes: int = MAX_BYTES, not_csv: str = NOT_CSV) -> Table | None:
    """The column names and lines of a CSV file; None (and a problem) if it cannot be read at all.
    A line that cannot be read is a problem and ends the reading (the lines before it are kept)."""
    text = decode(data, result, max_bytes, not_csv)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        result.add(None, "The selected file is empty")
        return None
    except csv.Error as exc:
        result.add(1, f"the column names could not be read ({exc})")
        return None
    table = Table(header=header)
    start = reader.line_num + 1
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
        if len(table.rows) >= MAX_ROWS:
            result.add(line, f"a file can have at most {MAX_ROWS} candidates. Split it into smaller files")
            break
        table.rows.append((line, values))
    return table


def _cell_text(value) -> str:
    """A spreadsheet cell as the text HR sees in it (numbers without ".0", dates as 2026-11-30)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx(data: bytes, result: ParseResult, max_bytes: int, sheet: str | None = None) -> Table | None:
    """The column names and rows of one sheet of an Excel workbook (values only). A workbook with
    several sheets answers a Table with only ``sheets`` until one is chosen. A cell holding a
    formula is refused: what it shows depends on Excel having calculated it, and an export
    should hold values (HR copies the sheet and pastes values only)."""
    import openpyxl  # only imports of spreadsheets pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    result.word = "Row"
    if len(data) > max_bytes:
        result.add(None, too_big(max_bytes))
        return None
    try:
        if _unpacks_too_big(data):
            result.add(None, TOO_BIG_UNPACKED.format(rows=MAX_ROWS))
            return None
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, TypeError, OSError,
            EOFError, NotImplementedError, RuntimeError):
        result.add(None, "The selected file could not be read as an Excel workbook. Open it in Excel, save it "
                         "again as 'Excel Workbook (.xlsx)' and try again")
        return None
    try:
        names = list(book.sheetnames)
        if sheet is None and len(names) == 1:
            sheet = names[0]
        if sheet is None:
            return Table(header=[], sheets=names)
        if sheet not in names:
            result.add(None, "Choose one of the workbook's sheets")
            return Table(header=[], sheets=names)
        table = Table(header=[], sheets=names, sheet=sheet, strict_width=False)
        header_seen = False
        formulas: list[str] = []
        for walked, cells in enumerate(book[sheet].iter_rows(max_col=MAX_COLUMNS), start=1):
            if walked > MAX_SHEET_ROWS:
                result.add(None, TOO_BIG_UNPACKED.format(rows=MAX_ROWS))
                return None
            values = []
            number = None
            for cell in cells:
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(cell.coordinate)
                values.append(_cell_text(getattr(cell, "value", None)).strip() if getattr(cell, "data_type", None) != "f" else "")
                number = number or getattr(cell, "row", None)
            if not any(values):
                continue
            if not header_seen:
                table.header = values
                header_seen = True
                continue
            if len(table.rows) >= MAX_ROWS:
                result.add(number, f"a file can have at most {MAX_ROWS} candidates. Split it into smaller files")
                break
            table.rows.append((number, values))
        if formulas:
            shown = ", ".join(formulas[:5]) + (f" and {len(formulas) - 5} more" if len(formulas) > 5 else "")
            result.add(None, f"The sheet '{sheet}' has formulas (in {shown}). Panel reads values only: copy the "
                             "sheet, paste it as values only (Paste Special, Values), save and upload it again")
            return None
        if not header_seen:
            result.add(None, f"The sheet '{sheet}' is empty")
            return None
        while table.header and not table.header[-1]:
            table.header.pop()
        width = len(table.header)
        table.rows = [(n, (v + [""] * width)[:width]) for n, v in table.rows]
        return table
    finally:
        book.close()


def read_file(data: bytes, result: ParseResult, max_bytes: int, sheet: str | None = None) -> Table | None:
    """A CSV file or an Excel workbook, told apart by their content (never by the file's name)."""
    if is_xlsx(data):
        return read_xlsx(data, result, max_bytes, sheet)
    return read_csv(data, result, max_bytes, NOT_CSV_OR_XLSX)


def parse(data: bytes, max_bytes: int = MAX_BYTES) -> ParseResult:
    """Read the whole CSV file in panel's own columns: every problem, and the rows that have none
    (the service saves them only if the whole file has none)."""
    result = ParseResult()
    table = read_csv(data, result, max_bytes)
    if table is None:
        return result
    columns = _read_header(table.header, result)
    if columns is None:
        return result
    return check_rows(table, columns, result)


def check_rows(table: Table, columns: dict[int, str], result: ParseResult) -> ParseResult:
    """Check every line against the columns (index -> field) and keep the good ones."""
    header = table.header
    unnamed = [i for i, raw in enumerate(header) if not normalise_header(raw)]
    unnamed_used: set[int] = set()
    seen_emails: dict[str, int] = {}
    for line, values in table.rows:
        unnamed_used.update(i for i in unnamed if i < len(values) and values[i].strip())
        row = _read_row(line, values, header, columns, result, seen_emails, table.strict_width)
        if row is not None:
            result.rows.append(row)
    if not table.rows and result.ok:
        result.add(None, "The file has column names but no candidates")
    # a column with no name is only worth a mention if something is written in it
    result.ignored_columns += [f"column {i + 1} (it has no name)" for i in sorted(unnamed_used)]
    result.problems.sort(key=lambda p: p.line or 0)
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
              seen_emails: dict[str, int], strict_width: bool = True) -> Row | None:
    before = len(result.problems) + result.more_problems
    if strict_width and len(values) != len(header):
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
    # "Yes", or an export's "Yes - I wish to be considered under the guaranteed interview scheme"
    dc_raw = re.split(r"[\s,.:;()\-\u2013\u2014]+", data.get("disability_confident", "").strip().lower(), maxsplit=1)[0]
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


# --- any export: HR maps the file's columns to panel's fields -------------------------------

IGNORE = "ignore"
FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email address",
    "phone": "Phone number",
    "supporting_information": "Supporting information",
    "disability_confident": "Disability Confident (guaranteed interview)",
}
MAPPING_REQUIRED = ("first_name", "last_name", "email", "supporting_information")

# what the column names of NHS Jobs, Trac and hand-made spreadsheets say, normalised
# (normalise_header: lower case, no spaces or punctuation); the first rule that matches wins
_GUESSES: tuple[tuple[str, re.Pattern], ...] = (
    ("disability_confident", re.compile(r"confident|guaranteedinterview|^gis(applicant|scheme)?$|"
                                        r"twoticks|interviewscheme")),
    ("email", re.compile(r"^(applicant|candidate|contact|personal|preferred)?e?mail(address)?$|emailaddress$")),
    ("first_name", re.compile(r"^(applicant|candidate|legal)?(first|fore|given|christian)(names?)$|forenames?$|"
                              r"^firstname")),
    ("last_name", re.compile(r"^(applicant|candidate|legal)?(last|sur|family)(names?)$|surname$|lastname$")),
    ("phone", re.compile(r"^(applicant|candidate|contact|preferred|home|daytime|work)?(tel|telephone|phone|mobile|"
                         r"mobilephone|mobiletelephone|contactnumber|telephonenumber|phonenumber|mobilenumber)"
                         r"(number|no)?$")),
    ("supporting_information", re.compile(r"supportinginf|supportingstatement|personalstatement|statementinsupport|"
                                          r"statementofsuitability|^supportinginformation")),
)
_EVIDENCE_GUESS = re.compile(r"(?:criterion|criteria|evidence|question)(?:no|number)?(\d{1,3})")


def field_choices(criteria: list[tuple[int, str]]) -> list[tuple[str, str]]:
    """(value, label) of every field a column can be mapped to; ``criteria``: (number, text) of the
    vacancy's criteria assessed at application."""
    choices = [(IGNORE, "Do not import (ignore this column)")]
    choices += [(k, v) for k, v in FIELD_LABELS.items()]
    choices += [(f"evidence:{n}", f"Evidence for criterion {n}: {text[:60]}") for n, text in criteria]
    return choices


def guess_field(name: str, criteria: list[tuple[int, str]]) -> str:
    key = normalise_header(name)
    if not key:
        return IGNORE
    for field_name, pattern in _GUESSES:
        if pattern.search(key):
            return field_name
    numbers = {n for n, _ in criteria}
    m = _EVIDENCE_GUESS.search(key)
    if m and int(m.group(1)) in numbers:
        return f"evidence:{int(m.group(1))}"
    for n, text in criteria:  # "Evidence: Experience of CBT" for the criterion "Experience of CBT"
        wanted = normalise_header(text)
        if len(wanted) >= 8 and wanted in key:
            return f"evidence:{n}"
    return IGNORE


def guess_mapping(header: list[str], criteria: list[tuple[int, str]],
                  profile: dict[str, str] | None = None) -> dict[int, str]:
    """Column index -> field for every column: a saved profile's choice for a column of that
    name, else a guess from the name. A field goes to the first column that claims it; a later
    column that looks the same is left out ("Mobile" after "Telephone")."""
    allowed = {value for value, _ in field_choices(criteria)}
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for i, name in enumerate(header):
        chosen = (profile or {}).get(normalise_header(name))
        if chosen not in allowed:
            chosen = guess_field(name, criteria)
        if chosen != IGNORE and chosen in taken:
            chosen = IGNORE
        taken.add(chosen)
        mapping[i] = chosen
    return mapping


def header_problems(header: list[str]) -> list[str]:
    """What makes the first line unusable as column names: none at all, a line that looks like a
    candidate rather than names, or two columns with the same name."""
    named = [(i, h.strip()) for i, h in enumerate(header) if normalise_header(h)]
    if not named:
        return ["The first row of the file must be the column names (such as 'Forename' and 'Email address'), "
                "but it is empty"]
    if any("@" in h and valid_email(h) for _, h in named) or any(len(h) > 200 for _, h in named):
        return ["The first row of the file must be the column names (such as 'Forename' and 'Email address'), "
                "but it looks like a candidate. Add a row of column names at the top and upload the file again"]
    seen: dict[str, int] = {}
    problems = []
    for i, h in named:
        key = normalise_header(h)
        if key in seen:
            problems.append(f"Columns {seen[key] + 1} and {i + 1} are both called '{h[:60]}'. Give each column its "
                            "own name and upload the file again")
        else:
            seen[key] = i
    return problems


def mapping_problems(header: list[str], mapping: dict[int, str]) -> dict[str, str]:
    """Problems with HR's mapping, keyed by where they belong: "column-<i>" (a column mapped to a
    field another column has) or "mapping" (a required field no column gives)."""
    problems: dict[str, str] = {}
    first: dict[str, int] = {}
    for i in sorted(mapping):
        value = mapping[i]
        if value == IGNORE:
            continue
        if value in first:
            problems[f"column-{i}"] = (f"'{header[first[value]][:60]}' is already imported as "
                                       f"{_field_label(value).lower()}. Choose another field or ignore this column")
        else:
            first[value] = i
    missing = [FIELD_LABELS[f].lower() for f in MAPPING_REQUIRED if f not in first]
    if missing:
        problems["mapping"] = (f"Choose the column that holds the {_list(missing)}"
                               + (" (a column whose values may be empty when the application is a PDF file)"
                                  if "supporting information" in missing else ""))
    return problems


def _field_label(value: str) -> str:
    if value.startswith("evidence:"):
        return f"Evidence for criterion {value.split(':')[1]}"
    return FIELD_LABELS.get(value, value)


def parse_mapped(table: Table, mapping: dict[int, str], result: ParseResult | None = None) -> ParseResult:
    """Every line of the file read through HR's mapping (which mapping_problems found good): the
    same checks, with line (or row) numbers, as a file in panel's own columns."""
    result = result or ParseResult(word="Row" if not table.strict_width else "Line")
    columns: dict[int, str] = {}
    for i, value in mapping.items():
        if value == IGNORE or i >= len(table.header):
            continue
        columns[i] = f"evidence:{value.split(':')[1]}" if value.startswith("evidence:") else value
    result.evidence_columns = sorted(int(v.split(":")[1]) for v in columns.values() if v.startswith("evidence:"))
    return check_rows(table, columns, result)


def profile_columns(header: list[str], mapping: dict[int, str]) -> dict[str, str]:
    """A mapping as a saved profile keeps it: normalised column name -> field."""
    return {normalise_header(header[i]): value for i, value in sorted(mapping.items())
            if i < len(header) and normalise_header(header[i])}


def known_column(name: str) -> bool:
    """A column of panel's own CSV (or a spelling of one that ``parse`` understands)."""
    key = normalise_header(name)
    m = EVIDENCE_RE.match(key)
    return key in CANONICAL or bool(m and int(m.group(1)) > 0)


def preview_rows(table: Table, mapping: dict[int, str], count: int) -> list[dict]:
    """The first lines as panel will read them: [{"line": n, "fields": [(label, value), ...]}]."""
    order = [value for value, _ in field_choices([])] + sorted(
        {v for v in mapping.values() if v.startswith("evidence:")}, key=lambda v: int(v.split(":")[1]))
    by_field = {v: i for i, v in mapping.items() if v != IGNORE}
    rows = []
    for line, values in table.rows[:count]:
        fields = [(_field_label(f), values[by_field[f]] if by_field[f] < len(values) else "")
                  for f in order if f in by_field]
        rows.append({"line": line, "fields": fields})
    return rows
