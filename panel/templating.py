"""Jinja filters and globals shared by every page."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from panel import deadlines, permissions, stages
from panel.payments.money import money

LONDON = ZoneInfo("Europe/London")


def london(value: dt.datetime | None, fmt: str = "datetime") -> str:
    """A UTC datetime shown in Europe/London, the way people write it: 3 March 2026 at 2:05pm."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    local = value.astimezone(LONDON)
    date_part = f"{local.day} {local:%B %Y}"
    if fmt == "date":
        return date_part
    hour = local.hour % 12 or 12
    time_part = f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
    if fmt == "time":
        return time_part
    return f"{date_part} at {time_part}"


def long_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


# --- Right-to-left text (Arabic, Hebrew, Urdu names and notes) inside English pages ----------
# A value people typed is isolated from the English around it, so the Unicode bidi algorithm
# cannot move the surrounding words and punctuation: `<bdi>` for a value inside a sentence,
# `dir="auto"` on a field or block that holds only their text. In plain text (a <title>, an
# <option>, an email) the same isolation is FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE.

FSI, PDI = "\u2068", "\u2069"
_RTL = {"R", "AL"}
_DIGITS = {"EN", "AN"}
_SEPARATORS = {"ES", "ET", "CS"}
_OPENERS = {"LRE", "RLE", "LRO", "RLO", "LRI", "RLI"}  # embeddings, overrides, isolates typed in
_REORDERING = _RTL | {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
_BDI_ELEMENT = re.compile(r"<bdi>(.*?)</bdi>", re.S)


def needs_isolation(text: str) -> bool:
    """Whether text could be reordered, or reorder what is around it: it has right-to-left
    letters or bidi control characters."""
    return any(unicodedata.bidirectional(ch) in _REORDERING for ch in text)


def bdi(value) -> Markup | str:
    """`{{ name | bdi }}`: the value escaped inside <bdi>. Nothing for None or an empty value.
    Only our own tags are marked safe; the value itself is escaped first."""
    if value is None or value == "":
        return ""
    return Markup("<bdi>%s</bdi>") % value


def print_bdi(value) -> Markup | str:
    """`{{ name | print_bdi }}`, for the PDF packs: <bdi> with the direction dir="auto" would
    choose written out, because WeasyPrint ignores dir="auto" and lays out each inline box with
    its own base direction. Text that could not be reordered (no right-to-left letters, no
    bidi controls) is only escaped: each extra inline box costs WeasyPrint time on every
    scoring sheet (the 307-page benchmark pack went from 16 to 21 ms a page with a <bdi>
    around every name and label)."""
    if value is None or value == "":
        return ""
    if not needs_isolation(str(value)):
        return escape(value)
    return Markup('<bdi dir="%s">%s</bdi>') % (text_dir(value), value)


def isolate(value) -> str:
    """`{{ name | isolate }}`: the value between FSI and PDI, for places that hold plain text only
    (<option>, <title>), when it holds right-to-left letters or bidi controls (left-to-right text
    in an English line cannot be reordered, so it is left as it is)."""
    if value is None or value == "":
        return ""
    return f"{FSI}{value}{PDI}" if needs_isolation(str(value)) else str(value)


def text_dir(value) -> str:
    """"rtl" when the first letter with a direction is Arabic, Hebrew etc., else "ltr": the
    direction dir="auto" would choose. For the PDF packs (WeasyPrint ignores dir="auto")."""
    for ch in str(value or ""):
        kind = unicodedata.bidirectional(ch)
        if kind in _RTL:
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _joined_end(text: str, end: int) -> int:
    """Past the marks and numbers written onto a right-to-left word without a space."""
    n = len(text)
    while end < n and unicodedata.bidirectional(text[end]) == "NSM":
        end += 1
    while True:
        k = end
        while k < n and unicodedata.bidirectional(text[k]) in _SEPARATORS:
            k += 1
        if k < n and unicodedata.bidirectional(text[k]) in _DIGITS:
            while k < n and unicodedata.bidirectional(text[k]) in _DIGITS:
                k += 1
            end = k
        else:
            return end


def _control_end(text: str, i: int) -> int:
    """The end of what a typed embedding, override or isolate (say U+202E) covers: up to its
    closing character, else to the end of the word, so it cannot turn the English after it round."""
    closer = PDI if unicodedata.bidirectional(text[i]) in ("LRI", "RLI") else "\u202c"
    k = text.find(closer, i + 1)
    if k >= 0:
        return k + 1
    space = re.compile(r"\s").search(text, i + 1)
    return space.start() if space else len(text)


def _rtl_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of right-to-left words in text: from a right-to-left letter to
    the last right-to-left letter before the next left-to-right letter, with marks and digits
    joined to it without a space (وظيفة-12); and of each typed bidi control with what it covers."""
    runs = []
    i, n = 0, len(text)
    while i < n:
        kind = unicodedata.bidirectional(text[i])
        if kind in _OPENERS:
            end = _control_end(text, i)
            runs.append((i, end))
            i = end
            continue
        if kind not in _RTL:
            i += 1
            continue
        start = end = i
        j = i
        while j < n:
            kind = unicodedata.bidirectional(text[j])
            if kind == "L" or kind in _OPENERS or text[j] in (FSI, PDI):
                break
            if kind in _RTL:
                end = _joined_end(text, j + 1)
            j += 1
        runs.append((start, end))
        i = max(end, i + 1)
    return runs


def isolate_rtl(value) -> Markup | str:
    """`{{ message | isolate_rtl }}`, for English sentences the app wrote around people's words
    (flash messages, audit summaries, listed problems): escaped, with FSI...PDI pairs and runs
    of right-to-left words each put inside <bdi>."""
    if value is None or value == "":
        return ""
    if isinstance(value, Markup):
        return value
    text = str(value)
    if not needs_isolation(text):
        return escape(text)
    out: list[Markup | str] = []
    pos = 0
    while pos < len(text):
        start = text.find(FSI, pos)
        stop = text.find(PDI, start + 1) if start >= 0 else -1
        plain = text[pos:start] if stop >= 0 else text[pos:]
        last = 0
        for a, b in _rtl_runs(plain):
            out.append(escape(plain[last:a]))
            out.append(bdi(plain[a:b]))
            last = b
        out.append(escape(plain[last:]))
        if stop < 0:
            break
        out.append(bdi(text[start + 1:stop]))
        pos = stop + 1
    return Markup("").join(out)


def bdi_to_plain(value) -> Markup:
    """For <title>: the page's own title markup (escaped text with <bdi> from the bdi filter)
    turned into plain text, each <bdi>...</bdi> becoming FSI...PDI where it holds right-to-left
    text (else just its text)."""
    if not isinstance(value, Markup):
        value = escape(value)

    def plain(match: re.Match) -> str:
        inner = match.group(1)
        return f"{FSI}{inner}{PDI}" if needs_isolation(inner) else inner

    # bandit B704 (Markup on a variable): value is escaped markup (escaped above if it was not);
    # swapping our own <bdi> tags for two plain characters, or dropping them, cannot make it unsafe.
    return Markup(_BDI_ELEMENT.sub(plain, str(value)))  # nosec B704 (escaped above)


def navigation_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    path = request.path
    items = [{"href": url_for("main.home"), "text": "Home", "current": path == "/"}]
    items.append({"href": url_for("vacancies.index"), "text": "Vacancies", "active": path.startswith("/vacancies")})
    if permissions.can_view_question_bank(current_user):
        items.append({"href": url_for("questions.index"), "text": "Question bank", "active": path.startswith("/questions")})
    if permissions.can_manage_users(current_user):
        items.append({"href": url_for("people.index"), "text": "People", "active": path.startswith("/people")})
    # the involvement: whoever runs it has one entry (profiles, training, check-ins, concerns, claims to
    # approve); everyone else has their own record (profile, certificates, claims). Few items, so the
    # header fits a 320px phone without a "More" menu.
    if permissions.can_manage_involvement(current_user):
        items.append({"href": url_for("profiles.lead_home"), "text": "Involvement",
                      "active": path.startswith(("/involvement", "/claims"))})
    elif permissions.can_view_own_involvement(current_user):
        items.append({"href": url_for("involvement.mine"), "text": "My involvement",
                      "active": path.startswith(("/me/", "/claims")) or path == "/profile"})
    if permissions.can_view_audit_log(current_user):
        items.append({"href": url_for("main.audit_log"), "text": "Audit log", "active": path.startswith("/audit")})
    return items


def vacancy_tabs(vacancy) -> list[stages.TabLink]:
    """One vacancy's sub-navigation: its stage's tabs that the signed-in user may open."""
    return stages.tabs_for(current_user, vacancy)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = money  # pence as £12.50: the one way money is shown
    app.jinja_env.filters["london"] = london
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["bdi"] = bdi
    app.jinja_env.filters["print_bdi"] = print_bdi
    app.jinja_env.filters["isolate"] = isolate
    app.jinja_env.filters["isolate_rtl"] = isolate_rtl
    app.jinja_env.filters["text_dir"] = text_dir
    app.jinja_env.filters["bdi_to_plain"] = bdi_to_plain
    app.jinja_env.globals["vacancy_tabs"] = vacancy_tabs  # a global: imported macros (_nav.html) see it
    app.jinja_env.globals["deadline_sentences"] = deadlines.shown  # vacancies/_deadlines.html

    @app.context_processor
    def _globals():
        return {
            "navigation_items": navigation_items,
            "organisation_name": app.config["ORGANISATION_NAME"],
            "session_idle_seconds": app.config["SESSION_IDLE_MINUTES"] * 60,
            "session_warning_seconds": app.config["SESSION_WARNING_MINUTES"] * 60,
        }
