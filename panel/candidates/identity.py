"""The identity check: what in a candidate's text could tell the panel who they are.

Pure functions (no Flask, no database): ``scan`` finds the candidate's own names (every part, with
accents, apostrophes, dashes, case and invisible direction marks folded away, so O'Brien, OBrien
and O’Brien, or Siân and Sian, are one name), any email address, UK phone numbers (the
``phonenumbers`` library's matcher), UK postcodes, dates of birth (a full date near "born",
"DOB", "date of birth" or "birthday"), NHS numbers (10 digits passing the modulus 11 check),
web addresses and social media handles. Each hit has its place in the text, so HR can see it
in context and ``redact`` can replace it with ``REDACTED``.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

REDACTED = "[removed]"

KINDS = {
    "name": "the candidate's name",
    "email": "an email address",
    "phone": "a phone number",
    "postcode": "a postcode",
    "date_of_birth": "a date of birth",
    "nhs_number": "an NHS number",
    "url": "a web address",
    "handle": "a social media handle",
}

# removed before names are compared: invisible direction marks and zero-width characters (a
# right-to-left name is often wrapped in them); every apostrophe is made one, and a name matches
# with or without it (O'Brien, OBrien, O’Brien, O'Brien's)
_IGNORED = set("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff") \
    | {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)}
_SAME = {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"} | {c: "'" for c in "\u2018\u2019\u02bc\u0060\u00b4\u2032"}

# name parts that are also everyday words count only when written with a capital letter
_EVERYDAY = {"will", "may", "june", "hope", "grace", "joy", "faith", "rose", "young", "green", "white", "brown",
             "black", "hill", "wood", "page", "long", "best", "bright", "love", "king", "rich", "sunny", "summer",
             "dawn", "mark", "bill", "pat", "sue", "art", "carer", "nurse", "care", "ward", "mann", "gay",
             "cook", "baker", "hall", "day", "well", "price", "may", "park", "stone", "lee", "head", "bell", "moss"}

EMAIL_RE = re.compile(r"[\w.!#$%&*+/=?^{|}~'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL_RE = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"')\]]+|\b(?:[a-z0-9-]+\.)+(?:com|co\.uk|org\.uk|org|net|uk|io|me|"
                    r"info|ly)/[^\s<>\"')\]]*", re.IGNORECASE)
HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
POSTCODE_RE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9ABEHJKMNPRSTUVWXY]? ?[0-9][ABD-HJLNP-UW-Z]{2})\b",
                         re.IGNORECASE)
NHS_NUMBER_RE = re.compile(r"(?<![\d])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
DATE_RE = re.compile(
    rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)?\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+(?:19|20)\d{{2}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    rf"|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}})\b", re.IGNORECASE)
BIRTH_RE = re.compile(r"\b(?:born|birth|birthday|d\.?\s?o\.?\s?b\.?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    kind: str   # a key of KINDS
    start: int  # where it is in the text scanned (text[start:end])
    end: int
    text: str   # as written

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def key(self) -> str:
        """What the hit is, independent of where: a hit marked fine stays fine when the text around it changes."""
        return f"{self.kind}:{fold(self.text)}"


def fold(text: str) -> str:
    """Case, accents, apostrophes, dashes and invisible marks folded away (for comparing names)."""
    return _fold_with_map(text)[0].replace("'", "")


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the character it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text or ""):
        if ch in _IGNORED:
            continue
        for c in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(c):
                continue
            for f in c.casefold():
                out.append(_SAME.get(f, f))
                where.append(i)
    return "".join(out), where


def name_parts(*names: str) -> list[str]:
    """The folded parts of the names: "Mary-Jane O'Brien" -> mary-jane, mary, jane, obrien; a name of
    several words ("Ní Dhomhnaill") also as a whole."""
    parts: list[str] = []
    for name in names:
        folded = " ".join(fold(name).split())
        if " " in folded:
            parts.append(folded)
        for piece in folded.split(" "):
            for p in [piece, *piece.split("-")]:
                p = p.strip(".-,")
                if len(p) >= 2 and p not in parts:
                    parts.append(p)
    return sorted(parts, key=len, reverse=True)  # the longest first: "mary-jane" before "mary"


def _initials(first_name: str, last_name: str) -> re.Pattern | None:
    """"J.S." or "J. S." for Jane Smith (dotted initials only: "JS" is too often something else)."""
    a, b = fold(first_name)[:1], fold(last_name)[:1]
    if not (a.isalpha() and b.isalpha()):
        return None
    return re.compile(rf"(?<!\w){re.escape(a)}\.\s?{re.escape(b)}\.", re.IGNORECASE)


def _names(text: str, first_name: str, last_name: str, other_names: Iterable[str]) -> list[Hit]:
    folded, where = _fold_with_map(text)
    hits = []
    for part in name_parts(first_name, last_name, *other_names):
        # an apostrophe may stand between any two letters; spaces and dashes as in the name
        body = "'?".join(r"[\s\-]+" if ch == " " else re.escape(ch) for ch in part)
        pattern = re.compile(rf"(?<![\w']){body}(?!\w)")
        for m in pattern.finditer(folded):
            start, end = where[m.start()], where[m.end() - 1] + 1
            written = text[start:end]
            if part in _EVERYDAY and not written[:1].isupper():
                continue  # "I will", "in May" are not a name
            hits.append(Hit("name", start, end, written))
    initials = _initials(first_name, last_name)
    if initials:
        for m in initials.finditer(text):
            if text[m.start()].isupper():
                hits.append(Hit("name", m.start(), m.end(), m.group(0)))
    return hits


def nhs_number_valid(digits: str) -> bool:
    """The NHS number check digit (modulus 11)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _phones(text: str) -> list[Hit]:
    hits = []
    for m in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        # a real number, or one written like a UK number (0... or +44 ... with 9 or 10 digits after
        # the 0): the ranges kept for films and examples (07700 900xxx) are not "valid" numbers
        written = m.raw_string.lstrip("(")
        uk_shape = written.startswith(("0", "+44", "0044")) and len(str(m.number.national_number)) in (9, 10)
        if phonenumbers.is_valid_number(m.number) or uk_shape:
            hits.append(Hit("phone", m.start, m.end, m.raw_string))
    return hits


def _dates_of_birth(text: str) -> list[Hit]:
    hits = []
    for m in DATE_RE.finditer(text):
        near = text[max(0, m.start() - 40):m.start()] + " " + text[m.end():m.end() + 15]
        if BIRTH_RE.search(near):
            hits.append(Hit("date_of_birth", m.start(), m.end(), m.group(0)))
    return hits


def scan(text: str, *, first_name: str = "", last_name: str = "", other_names: Iterable[str] = ()) -> list[Hit]:
    """Every hit in the text, in order; where hits overlap, the one that starts first (and is the
    longest) is kept, so an email address holding the name is one hit."""
    if not text or not text.strip():
        return []
    found: list[Hit] = []
    found += [Hit("email", m.start(), m.end(), m.group(0)) for m in EMAIL_RE.finditer(text)]
    found += [Hit("url", m.start(), m.end(), m.group(0).rstrip(".,;:")) for m in URL_RE.finditer(text)]
    found += [Hit("handle", m.start(), m.end(), m.group(0)) for m in HANDLE_RE.finditer(text)]
    nhs = [Hit("nhs_number", m.start(), m.end(), m.group(0)) for m in NHS_NUMBER_RE.finditer(text)
           if nhs_number_valid("".join(m.groups()))]
    found += nhs
    found += _dates_of_birth(text)
    found += [h for h in _phones(text) if not any(_overlaps(h, n) for n in nhs)]
    found += [Hit("postcode", m.start(), m.end(), m.group(0)) for m in POSTCODE_RE.finditer(text)]
    found += _names(text, first_name, last_name, other_names)
    found = [Hit(h.kind, h.start, h.start + len(h.text), h.text) if h.kind == "url" else h for h in found]
    found.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[Hit] = []
    for hit in found:
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def _overlaps(a: Hit, b: Hit) -> bool:
    return a.start < b.end and b.start < a.end


def context(text: str, start: int, end: int, width: int = 60) -> tuple[str, str, str]:
    """The words before, the hit, and the words after (for HR's list)."""
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    if start - width > 0:
        before = "…" + before.split(" ", 1)[-1] if " " in before else "…" + before
    if end + width < len(text):
        after = (after.rsplit(" ", 1)[0] if " " in after else after) + "…"
    return before, text[start:end], after


def redact(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text with each span replaced by REDACTED (spans may come in any order, never overlapping)."""
    out = text
    for start, end in sorted(spans, reverse=True):
        out = out[:start] + REDACTED + out[end:]
    return out


def empty_after_redaction(text: str) -> bool:
    """Nothing worth reading is left: only REDACTED marks, spaces and punctuation."""
    return not re.sub(r"[\W_]+", "", text.replace(REDACTED, ""))
