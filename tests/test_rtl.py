"""People's own words in an English app: names with apostrophes and accents (O'Neill, Zoë,
Siobhán) and right-to-left text (Arabic, Hebrew, Urdu) in names, vacancy titles and references,
criteria, questions, notes and reasons.

Pages: every such value inside English text is isolated (<bdi>, or an element with dir="auto"),
so the bidi algorithm cannot move the English words and punctuation around it; free-text fields
have dir="auto"; the <title> isolates with FSI/PDI; nothing is garbled (no mojibake).
PDFs: the panel and results packs hold the Arabic, Hebrew and Urdu letters, and no character
falls back to the .notdef box (WeasyPrint warns for each one; the test fails on a warning).
Emails: an RTL name arrives intact in UTF-8.

Set RTL_DUMP=/some/folder to keep the PDFs made here for looking at (pdftoppm -png).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import Markup

from panel import templating
from panel.models import (
    AssessedAt,
    Candidate,
    Criterion,
    CriterionCategory,
    InterviewOutcome,
    InterviewScore,
    InterviewSignOff,
    InterviewSlot,
    InterviewSubmission,
    Outcome,
    PanelMember,
    PanelRole,
    PlanQuestion,
    PlanQuestionCriterion,
    ShortlistDecision,
    ShortlistOutcome,
    Vacancy,
    VacancyStatus,
)
from tests.conftest import make_user, outbox_messages
from tests.builders_plugin import page_texts, pdf
from tests.builders_plugin import fetch_pack
from tests.snapshots import snapshotted

# --- the people's words --------------------------------------------------------------

TITLE = "معالج نفسي للشباب"                    # Arabic vacancy title
REFERENCE = "وظيفة-7"                           # an Arabic reference with a number
CHAIR = "سارة بن علي"                           # Arabic panel chair
PATIENT = "דוד לוי"                             # Hebrew patient panelist
STAFF = "Siobhán O'Neill"                       # accents and an apostrophe
ARABIC = ("محمد", "عبدالله")                    # candidates' first and last names
URDU = ("عائشہ", "خان")                         # ہ (U+06C1, heh goal) is Urdu, not Arabic
HEBREW = ("נועה", "כהן")
LATIN = ("Zoë", "O'Brien")
CRITERION = "ניסיון בעבודה עם צעירים"          # Hebrew criterion
QUESTION_AR = "أخبرنا عن وقت ساعدت فيه شخصًا في أزمة؟"
QUESTION_HE = "ספר לנו על עבודת צוות."
GUIDANCE_UR = "مریض کی بات غور سے سنتے ہیں"    # Urdu, with ے (U+06D2, yeh barree)
NOTES_AR = "أجاب بوضوح وأعطى مثالاً جيداً (٣ أمثلة)."
RATIONALE_AR = "قدّم أمثلة واضحة.\nيلبي جميع المعايير الأساسية."
ROOM = "غرفة 2"


def full(name: tuple[str, str]) -> str:
    return f"{name[0]} {name[1]}"


@pytest.fixture()
@snapshotted
def rtl(app, session):
    """An interviewing vacancy with an Arabic title and reference, an Arabic chair, a Hebrew
    patient panelist, an Irish staff member; Arabic, Urdu, Hebrew and accented candidates, all
    shortlisted with a slot; Arabic and Hebrew questions; submitted scores with Arabic notes;
    outcomes with an Arabic rationale."""
    hr = make_user(session, "hr", "Priya Shah", "hr@example.org")
    chair = make_user(session, "chair", CHAIR, "chair@example.org")
    patient = make_user(session, "panelist", PATIENT, "patient@example.org")
    staff = make_user(session, "chair", STAFF, "staff@example.org")
    vacancy = Vacancy(title=TITLE, reference=REFERENCE, band="Band 5", site="Boston", status=VacancyStatus.INTERVIEWING,
                      team="فريق الشباب", interview_venue=ROOM, description=f"{TITLE}\nA job for {STAFF}.")
    vacancy.criteria.append(Criterion(position=1, text=CRITERION, category=CriterionCategory.EXPERIENCE, essential=True,
                                      assessed_at=AssessedAt.BOTH))
    vacancy.criteria.append(Criterion(position=2, text="Knows CBT", category=CriterionCategory.SKILLS, essential=False,
                                      assessed_at=AssessedAt.BOTH))
    members = [PanelMember(user=chair, panel_role=PanelRole.CHAIR), PanelMember(user=patient, panel_role=PanelRole.PATIENT),
               PanelMember(user=staff, panel_role=PanelRole.STAFF)]
    vacancy.panel_members.extend(members)
    session.add(vacancy)
    session.commit()

    questions = []
    for i, text in enumerate([QUESTION_AR, QUESTION_HE], start=1):
        q = PlanQuestion(vacancy_id=vacancy.id, position=i, text=text, guidance=f"{GUIDANCE_UR}\nGives an example",
                         follow_ups="ماذا تعلمت؟", content_note="يتناول الأزمات" if i == 1 else "", minutes=10,
                         asker_id=members[i % 3].id)
        q.criteria_links.append(PlanQuestionCriterion(criterion_id=vacancy.criteria[0].id))
        session.add(q)
        questions.append(q)

    begins = dt.datetime(2026, 3, 3, 9, 30, tzinfo=dt.timezone.utc)
    candidates = []
    for i, (first, last) in enumerate([ARABIC, URDU, HEBREW, LATIN], start=1):
        c = Candidate(vacancy_id=vacancy.id, number=i, first_name=first, last_name=last,
                      email=f"candidate{i}@candidates.example.org",
                      supporting_information=f"{NOTES_AR}\n\nSecond paragraph by {first}.")
        c.decision = ShortlistDecision(outcome=ShortlistOutcome.SHORTLIST, reason="يلبي المعايير")
        session.add(c)
        candidates.append(c)
    session.flush()
    for k, c in enumerate(candidates):
        s = begins + dt.timedelta(hours=k)
        session.add(InterviewSlot(vacancy_id=vacancy.id, candidate_id=c.id, starts_at=s,
                                  ends_at=s + dt.timedelta(minutes=45), location=ROOM))
    users = [chair, patient, staff]
    for ci, c in enumerate(candidates):
        for ui, u in enumerate(users):
            for qi, q in enumerate(questions):
                session.add(InterviewScore(candidate_id=c.id, plan_question_id=q.id, user_id=u.id,
                                           score=(ci + ui + qi) % 5, notes=NOTES_AR if ui == 0 else f"Notes by {STAFF}"))
            session.add(InterviewSubmission(candidate_id=c.id, user_id=u.id))
        session.add(InterviewOutcome(candidate_id=c.id, outcome=[Outcome.PREFERRED, Outcome.RESERVE][min(ci, 1)],
                                     rationale=RATIONALE_AR, decided_by_id=chair.id))
    session.commit()
    return {"hr": hr, "chair": chair, "patient": patient, "staff": staff, "vacancy": vacancy,
            "candidates": candidates, "questions": questions}


def sign_off(session, rtl):
    session.add(InterviewSignOff(vacancy_id=rtl["vacancy"].id, signed_off_by_id=rtl["chair"].id,
                                 signed_off_at=dt.datetime.now(dt.timezone.utc), patient_view_note="ملاحظة الرئيس"))
    session.commit()


# --- reading pages --------------------------------------------------------------------

class _Isolation(HTMLParser):
    """Each piece of text of a page, with whether an ancestor isolates it (a <bdi>, or any
    element with a dir attribute), and the <title> text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.texts: list[tuple[str, bool]] = []
        self.title = ""
        self.in_title = False
        self.fields: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "textarea"):
            self.fields.append((tag, attrs))
        if tag == "title":
            self.in_title = True
        if tag in self.VOID:
            return
        self.stack.append(tag == "bdi" or "dir" in attrs)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        elif data.strip():
            self.texts.append((data, any(self.stack)))


def parse(html: str) -> _Isolation:
    parser = _Isolation()
    parser.feed(html)
    return parser


def assert_isolated(html: str, *values: str) -> _Isolation:
    """Each value appears on the page, and wherever it appears it is isolated."""
    page = parse(html)
    for value in values:
        found = [isolated for text, isolated in page.texts if value in text]
        assert found, f"{value!r} is not on the page"
        assert all(found), f"{value!r} appears outside a <bdi> or dir element: " + repr(
            [text for text, isolated in page.texts if value in text and not isolated][:3])
    return page


def assert_no_mojibake(html: str):
    # UTF-8 read as Latin-1 or Windows-1252 shows as Ã, Ø, Ù, × followed by another Latin-1 letter
    for bad in ("Ã", "Ø§", "Ù", "×", "Ã«", "\ufffd"):
        assert bad not in html, f"garbled text: {bad!r}"


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "text/html" and "charset=utf-8" in response.content_type.lower()
    html = response.get_data(as_text=True)
    assert_no_mojibake(html)
    return html


# --- the filters ----------------------------------------------------------------------

def test_bdi_escapes_the_value_and_marks_only_its_own_tags_safe():
    assert templating.bdi("O'Neill <b>") == Markup("<bdi>O&#39;Neill &lt;b&gt;</bdi>")
    assert templating.bdi("") == "" and templating.bdi(None) == ""
    assert templating.print_bdi(full(ARABIC)) == Markup(f'<bdi dir="rtl">{full(ARABIC)}</bdi>')
    # left-to-right text cannot be reordered in an English line: only escaped (no extra box to lay out)
    assert templating.print_bdi(STAFF) == Markup("Siobhán O&#39;Neill")
    assert templating.print_bdi("O'Neill \u202e<b>") == Markup('<bdi dir="ltr">O&#39;Neill \u202e&lt;b&gt;</bdi>')
    assert templating.isolate(PATIENT) == f"\u2068{PATIENT}\u2069"


def test_text_dir_is_the_direction_of_the_first_strong_letter():
    assert templating.text_dir(QUESTION_AR) == "rtl"
    assert templating.text_dir("12 " + QUESTION_HE) == "rtl"
    assert templating.text_dir(f"Candidate {full(ARABIC)}") == "ltr"
    assert templating.text_dir("") == "ltr" and templating.text_dir(None) == "ltr"


def test_isolate_rtl_wraps_right_to_left_words_in_an_english_sentence():
    out = templating.isolate_rtl(f"{full(ARABIC)} (Candidate 01) has been withdrawn.")
    assert out == Markup(f"<bdi>{full(ARABIC)}</bdi> (Candidate 01) has been withdrawn.")
    # numbers written onto a right-to-left word belong to it; a full stop after it does not
    assert templating.isolate_rtl(f"Vacancy {REFERENCE} created, {full(HEBREW)}.") == Markup(
        f"Vacancy <bdi>{REFERENCE}</bdi> created, <bdi>{full(HEBREW)}</bdi>.")
    # FSI ... PDI pairs written by the app become <bdi>; everything else is escaped
    assert templating.isolate_rtl("Added \u2068Zoë <b>\u2069 & co") == Markup("Added <bdi>Zoë &lt;b&gt;</bdi> &amp; co")
    assert templating.isolate_rtl("<script>x</script>") == Markup("&lt;script&gt;x&lt;/script&gt;")
    assert templating.isolate_rtl("") == ""
    # a typed right-to-left override cannot turn the rest of the English sentence round
    assert templating.isolate_rtl("Invitation sent to \u202eevil one.") == Markup(
        "Invitation sent to <bdi>\u202eevil</bdi> one.")


def test_plain_text_isolation_only_where_text_could_be_reordered():
    assert templating.isolate(STAFF) == STAFF  # left-to-right text in an English line: left as it is
    assert templating.isolate("a\u202eb") == "\u2068a\u202eb\u2069"
    title = Markup("Panel – ") + templating.bdi(REFERENCE) + Markup(" – ") + templating.bdi(STAFF)
    assert templating.bdi_to_plain(title) == Markup(f"Panel – \u2068{REFERENCE}\u2069 – Siobhán O&#39;Neill")


# --- pages ----------------------------------------------------------------------------

def test_vacancy_pages_isolate_titles_references_names_and_criteria(as_user, rtl):
    v = rtl["vacancy"]
    hr = as_user(rtl["hr"])
    page = assert_isolated(get(hr, f"/vacancies/{v.id}"), TITLE, REFERENCE, CHAIR, PATIENT, STAFF, "فريق الشباب", ROOM)
    # the title is plain text: the reference and title are isolated with FSI ... PDI
    assert f"\u2068{TITLE}\u2069 (\u2068{REFERENCE}\u2069)" in page.title
    assert_isolated(get(hr, "/vacancies"), TITLE, REFERENCE)
    assert_isolated(get(hr, f"/vacancies/{v.id}/criteria"), CRITERION, REFERENCE)
    assert_isolated(get(hr, f"/vacancies/{v.id}/panel"), CHAIR, PATIENT, STAFF)
    assert_isolated(get(hr, f"/vacancies/{v.id}/plan"), QUESTION_AR, QUESTION_HE, GUIDANCE_UR, CRITERION, PATIENT, STAFF)
    assert_isolated(get(hr, f"/vacancies/{v.id}/timetable"), full(ARABIC), full(URDU), full(HEBREW), ROOM)
    assert_isolated(get(hr, "/"), TITLE, REFERENCE)


def test_candidate_pages_isolate_names_and_their_text(as_user, rtl):
    v, c = rtl["vacancy"], rtl["candidates"][0]
    hr = as_user(rtl["hr"])
    assert_isolated(get(hr, f"/vacancies/{v.id}/candidates"), full(ARABIC), full(URDU), full(HEBREW), full(LATIN))
    page = assert_isolated(get(hr, f"/vacancies/{v.id}/candidates/{c.id}"), full(ARABIC), NOTES_AR, CRITERION, "يلبي المعايير")
    assert f"\u2068{REFERENCE}\u2069" in page.title
    # the form: free-text inputs and textareas follow the direction of what is typed in them
    form = parse(get(hr, f"/vacancies/{v.id}/candidates/{c.id}/edit"))
    fields = {a.get("name"): (tag, a) for tag, a in form.fields}
    assert fields["first_name"][1].get("dir") == "auto" and fields["last_name"][1].get("dir") == "auto"
    assert fields["supporting_information"][0] == "textarea" and fields["supporting_information"][1].get("dir") == "auto"
    assert fields["email"][1].get("dir") is None  # an email address is written left to right
    assert f'value="{ARABIC[0]}"' in get(hr, f"/vacancies/{v.id}/candidates/{c.id}/edit")


def test_interview_pages_isolate_questions_notes_and_names(as_user, rtl, session):
    v, c = rtl["vacancy"], rtl["candidates"][0]
    chair = as_user(rtl["chair"])
    assert_isolated(get(chair, f"/vacancies/{v.id}/interviews"), full(ARABIC), full(URDU), CHAIR, PATIENT, STAFF)
    assert_isolated(get(chair, f"/vacancies/{v.id}/results"), full(ARABIC), full(HEBREW), "قدّم أمثلة واضحة.")
    assert_isolated(get(chair, f"/vacancies/{v.id}/results/{c.id}"), full(ARABIC), QUESTION_AR, QUESTION_HE,
                    NOTES_AR, CHAIR, PATIENT, STAFF)


def test_a_name_typed_into_a_form_is_kept_and_isolated_in_the_flash_message(as_user, rtl, session):
    v, c = rtl["vacancy"], rtl["candidates"][3]
    hr = as_user(rtl["hr"])
    response = hr.post_form(f"/vacancies/{v.id}/candidates/{c.id}/edit", {
        "first_name": "יעל", "last_name": "אבו-חסן", "email": c.email,
        "supporting_information": "שלום. I worked with young people."})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.expire_all()
    saved = session.get(Candidate, c.id)
    assert (saved.first_name, saved.last_name) == ("יעל", "אבו-חסן")
    assert_isolated(get(hr, response.headers["Location"]), "יעל אבו-חסן", "שלום. I worked with young people.")
    # "{name} (Candidate 04) has been withdrawn." is written by the app: the name is isolated in it
    response = hr.post_form(f"/vacancies/{v.id}/candidates/{c.id}/withdraw")
    assert response.status_code == 302
    html = get(hr, response.headers["Location"])
    assert "<bdi>יעל אבו-חסן</bdi> (Candidate 04) has been withdrawn." in html


def test_audit_log_isolates_names_and_changed_values(as_user, rtl):
    v, c = rtl["vacancy"], rtl["candidates"][0]
    hr = as_user(rtl["hr"])
    response = hr.post_form(f"/vacancies/{v.id}/candidates/{c.id}/edit", {
        "first_name": ARABIC[0], "last_name": "الحسيني", "email": c.email, "supporting_information": "نص جديد"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    html = get(hr, "/audit")
    assert_isolated(html, "الحسيني")
    # a statement is recorded as its digest and length, never the text (issue 14, item 7)
    assert "نص جديد" not in html and "sha256:" in html
    options = parse(html)
    assert f"\u2068{REFERENCE}\u2069 – \u2068{TITLE}\u2069" in html  # <option> holds text only: FSI ... PDI
    assert options


def test_people_pages_isolate_names_with_accents_and_apostrophes(as_user, rtl):
    hr = as_user(rtl["hr"])
    assert_isolated(get(hr, "/people"), CHAIR, PATIENT, STAFF)
    page = assert_isolated(get(hr, f"/people/{rtl['staff'].id}"), STAFF, TITLE, REFERENCE)
    assert "Siobhán O'Neill" in page.title
    account = assert_isolated(get(as_user(rtl["chair"]), "/account"), CHAIR)
    assert account


# --- PDFs -----------------------------------------------------------------------------

def letters(text: str) -> set[str]:
    """The letters of a text after NFKC normalisation. PDF text extraction of Arabic can give the
    presentation forms (ﻣﺤﻤﺪ, the shapes drawn) instead of the letters, and right-to-left runs in
    visual (reversed) order; NFKC maps presentation forms back to the letters, and comparing sets
    of letters ignores the order. Spaces and marks are left out."""
    return {ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch).startswith("L")}


def dump(name: str, data: bytes) -> None:
    folder = os.environ.get("RTL_DUMP")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(data)


def get_pdf(client, url: str) -> bytes:
    response = fetch_pack(client, url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return response.get_data()


def assert_pdf_has_letters(data: bytes, *values: str) -> str:
    text = "\n".join(page_texts(pdf(data)))
    found = letters(text)
    for value in values:
        missing = letters(value) - found
        assert not missing, f"{value!r}: letters missing from the PDF text: {''.join(sorted(missing))}"
    return text


def _noto_arabic_installed() -> bool:
    if not shutil.which("fc-list"):
        return False
    return "Noto Sans Arabic" in subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout


def render_in_process(app, kind: str, vacancy_id: int, caplog) -> bytes:
    """Render a pack in this process (the worker silences WeasyPrint's warnings) and fail on any
    '.notdef glyph rendered' warning: a character no font in packs.css could draw, printed as a box."""
    from panel.db import db
    from panel.packs import context as pack_context
    from panel.packs import render
    from panel.packs.worker import render_to_file

    with app.test_request_context():
        vacancy = db().get(Vacancy, vacancy_id)
        html = render.render_html(pack_context.build(kind, vacancy), "test")
    target = Path(app.instance_path) / f"{kind}-in-process.pdf"
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_to_file(html, target, render.STATIC_ROOT)
    boxes = [r.getMessage() for r in caplog.records if "notdef" in r.getMessage()]
    if boxes and not _noto_arabic_installed():
        # like the browser tests without Chromium: this machine lacks a font the packs need
        pytest.skip("Noto Sans Arabic is not installed: apt-get install fonts-noto-core (.ci/run does)")
    assert not boxes, boxes
    return target.read_bytes()


def test_panel_pack_prints_arabic_hebrew_and_urdu_without_boxes(app, as_user, rtl, caplog):
    v = rtl["vacancy"]
    data = get_pdf(as_user(rtl["hr"]), f"/vacancies/{v.id}/packs/panel.pdf?large_print=0")
    dump("panel.pdf", data)
    assert_pdf_has_letters(data, TITLE, REFERENCE, CHAIR, PATIENT, full(ARABIC), full(URDU), full(HEBREW), CRITERION,
                           QUESTION_AR, QUESTION_HE, GUIDANCE_UR, ROOM)
    text = "\n".join(page_texts(pdf(data)))
    assert STAFF in text and full(LATIN) in text  # left-to-right names come out exactly
    render_in_process(app, "panel", v.id, caplog)


def test_results_pack_prints_arabic_names_and_rationale_without_boxes(app, as_user, rtl, session, caplog):
    sign_off(session, rtl)
    v = rtl["vacancy"]
    data = get_pdf(as_user(rtl["hr"]), f"/vacancies/{v.id}/packs/results.pdf")
    dump("results.pdf", data)
    assert_pdf_has_letters(data, TITLE, CHAIR, PATIENT, full(ARABIC), full(URDU), full(HEBREW), QUESTION_AR,
                           RATIONALE_AR, "ملاحظة الرئيس")
    assert STAFF in "\n".join(page_texts(pdf(data)))
    render_in_process(app, "results", v.id, caplog)


def test_pack_fonts_cover_every_letter_of_the_test_text(app, rtl, caplog):
    """The fonts packs.css names are installed and between them draw Arabic, Urdu and Hebrew:
    the PDF embeds the font used for the Arabic letters (Noto Sans Arabic where installed,
    else DejaVu Sans)."""
    data = render_in_process(app, "panel", rtl["vacancy"].id, caplog)
    reader = pdf(data)
    fonts = set()
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("Arabic" in f or "DejaVu" in f for f in fonts), fonts


# --- emails ---------------------------------------------------------------------------

def test_an_invitation_email_carries_the_rtl_name_intact(app, as_user, rtl, session):
    v, c = rtl["vacancy"], rtl["candidates"][0]
    hr = as_user(rtl["hr"])
    page = get(hr, f"/vacancies/{v.id}/invitations/{c.id}")
    assert_isolated(page, full(ARABIC))
    form = parse(page)
    values = {a.get("name"): a.get("value") for tag, a in form.fields if tag == "input"}
    body_start = page.index('name="body"')
    body = page[page.index(">", body_start) + 1:page.index("</textarea>", body_start)]
    import html as html_lib

    response = hr.post_form(f"/vacancies/{v.id}/invitations/{c.id}",
                            {"subject": values.get("subject") or "Interview", "body": html_lib.unescape(body)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    messages = [m for m in outbox_messages(app) if c.email in m["To"]]
    assert messages
    message = messages[-1]
    assert message.get_content_charset() == "utf-8"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert ARABIC[0] in text  # "Dear محمد,"
    assert TITLE in text and REFERENCE in text
    # the subject, "Invitation to interview: {job_title} ({reference})", is RFC 2047 encoded UTF-8
    assert message["Subject"] == f"Invitation to interview: {TITLE} ({REFERENCE})"
    assert "=?utf-8?" in message.as_string().lower()
