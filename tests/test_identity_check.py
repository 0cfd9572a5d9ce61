"""The identity check (issue 19 item 2): hits listed for HR with context, removed from the panel's
copy (the original stays for HR) or marked as fine, a rescan when the text changes, and the gate:
shortlisting cannot open while any candidate has a hit nobody has reviewed."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from panel.candidates import screening
from panel.models import AuditEvent, Candidate, IdentityHit, VacancyStatus
from tests.builders_plugin import sl, url  # noqa: F401

NAMED = ("I am Aoife O\u2019Connor and I have run groups for two years. Ring me on 07911 123456 "
         "or see www.aoife-therapy.co.uk for my work.")


def to_draft(session, sl, text=NAMED):
    """Vacancy SL-1 back at draft, its first candidate's statement naming her (through the
    service, so it is scanned as an edit by HR would be)."""
    from panel.candidates import services

    sl.v.status = VacancyStatus.DRAFT
    aoife = sl.candidates[0]
    services.update_candidate(session, sl.hr, aoife, {"supporting_information": text})
    session.commit()
    return aoife


def hits(session, candidate):
    session.expire_all()
    return list(session.scalars(select(IdentityHit).where(IdentityHit.candidate_id == candidate.id)
                                .order_by(IdentityHit.start)))


def test_hr_sees_each_hit_in_context_and_shortlisting_waits_for_them(as_user, sl, session):
    aoife = to_draft(session, sl)
    found = hits(session, aoife)
    assert [(h.kind, h.text) for h in found] == [
        ("name", "Aoife"), ("name", "O\u2019Connor"), ("phone", "07911 123456"), ("url", "www.aoife-therapy.co.uk")]
    hr = as_user(sl.hr)
    page = hr.get(url(sl.v, "candidates/identity-check")).get_data(as_text=True)
    assert "4 details to review." in page
    assert "I am <mark>Aoife</mark> O\u2019Connor and I have run groups" in page
    assert "The candidate&#39;s name in the supporting information" in page
    # the candidates page says so, and the gate holds
    assert "may say who a candidate is" in hr.get(url(sl.v, "candidates")).get_data(as_text=True)
    moved = hr.post_form(url(sl.v, "status"), {"from": "draft"})
    assert moved.status_code == 400
    assert ("Review the identity check before shortlisting starts: Candidate 01 (4 details) may say who the candidate "
            "is") in moved.get_data(as_text=True)
    session.expire_all()
    assert session.get(type(sl.v), sl.v.id).status == VacancyStatus.DRAFT


def test_redacted_for_the_panel_original_for_hr_and_then_shortlisting_opens(as_user, sl, session):
    aoife = to_draft(session, sl)
    hr = as_user(sl.hr)
    for written in ("Aoife", "O\u2019Connor", "07911 123456"):
        # the list is scanned again after each removal (the places move): find it again
        hit = next(h for h in hits(session, aoife) if h.text == written)
        r = hr.post_form(url(sl.v, "candidates", aoife.id, "identity-check", hit.id, "remove"), {})
        assert r.status_code == 302
    (web,) = hits(session, aoife)
    r = hr.post_form(url(sl.v, "candidates", aoife.id, "identity-check", web.id, "fine"), {})
    assert r.status_code == 302
    session.expire_all()
    aoife = session.get(Candidate, aoife.id)
    assert aoife.supporting_information == NAMED  # the original, for HR
    assert aoife.text_for_panel == ("I am [removed] [removed] and I have run groups for two years. Ring me on "
                                    "[removed] or see www.aoife-therapy.co.uk for my work.")
    assert [(h.kind, h.fine) for h in hits(session, aoife)] == [("url", True)]
    # every decision is in the audit log, without the words removed
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.action.in_(["redact", "identity_fine"]))
                                  .order_by(AuditEvent.id)))
    assert [e.action for e in events] == ["redact", "redact", "redact", "identity_fine"]
    assert events[0].summary == ("Identity check: the candidate's name removed from the panel's copy of Candidate 01's "
                                 "supporting information")
    assert all("Aoife" not in e.summary and "07911" not in str(e.changes) for e in events)
    assert events[-1].actor_id == sl.hr.id
    # HR's page shows the original and says the panel reads a copy
    page = hr.get(url(sl.v, "candidates", aoife.id)).get_data(as_text=True)
    assert "07911 123456" in page and 'id="redacted-note"' in page
    # the gate opens
    assert "Nothing to review" in hr.get(url(sl.v, "candidates/identity-check")).get_data(as_text=True)
    assert hr.post_form(url(sl.v, "status"), {"from": "draft"}).status_code == 302
    # the panel reads the redacted copy, on screen and in the pack
    panel_page = as_user(sl.panelist).get(url(sl.v, "shortlisting/candidates", aoife.id)).get_data(as_text=True)
    assert "I am [removed] [removed] and I have run groups" in panel_page
    assert "07911" not in panel_page and "Aoife" not in panel_page
    from panel.packs.context import shortlisting_pack

    with as_user(sl.panelist).application.app_context():
        from panel.models import Vacancy
        from panel.db import db

        pack = shortlisting_pack(db().get(Vacancy, sl.v.id))
    text = " ".join(" ".join(c["paragraphs"]) for c in pack["candidates"])
    assert "[removed] [removed]" in text and "Aoife" not in text and "07911" not in text


def test_a_fine_hit_stays_fine_when_other_text_changes_and_an_edit_starts_the_panel_copy_again(as_user, sl, session):
    from panel.candidates import services

    aoife = to_draft(session, sl, "Aoife here. I ran groups.")
    hr = as_user(sl.hr)
    (name,) = hits(session, aoife)
    hr.post_form(url(sl.v, "candidates", aoife.id, "identity-check", name.id, "fine"), {})
    session.expire_all()
    aoife = session.get(Candidate, aoife.id)
    services.update_candidate(session, sl.hr, aoife, {"supporting_information": "Aoife here. I ran many groups. "
                                                                               "Call 07911 123456."})
    session.commit()
    assert [(h.kind, h.fine) for h in hits(session, aoife)] == [("name", True), ("phone", False)]
    phone = hits(session, aoife)[1]
    hr.post_form(url(sl.v, "candidates", aoife.id, "identity-check", phone.id, "remove"), {})
    session.expire_all()
    aoife = session.get(Candidate, aoife.id)
    assert aoife.panel_supporting_information.endswith("Call [removed].")
    # HR changes the original: the panel's copy starts again from it, and is scanned again
    services.update_candidate(session, sl.hr, aoife, {"supporting_information": "Aoife here. Call 07911 123456 now."})
    session.commit()
    session.expire_all()
    aoife = session.get(Candidate, aoife.id)
    assert aoife.panel_supporting_information is None
    assert [(h.kind, h.fine) for h in hits(session, aoife)] == [("name", True), ("phone", False)]


def test_a_redaction_that_empties_the_evidence_asks_first(as_user, sl, session):
    from panel.candidates import services

    sl.v.status = VacancyStatus.DRAFT
    aoife = sl.candidates[0]
    crit = sl.criteria[0]
    services.update_candidate(session, sl.hr, aoife, {}, {crit.id: "O'Connor."})
    session.commit()
    (hit,) = [h for h in hits(session, aoife) if h.source == f"evidence:{crit.id}"]
    hr = as_user(sl.hr)
    r = hr.post_form(url(sl.v, "candidates", aoife.id, "identity-check", hit.id, "remove"), {})
    assert r.status_code == 200
    assert "Remove it and leave nothing for the panel to read?" in r.get_data(as_text=True)
    session.expire_all()
    assert session.get(Candidate, aoife.id).evidence[0].panel_text is None  # nothing changed yet
    r = hr.post_form(url(sl.v, "candidates", aoife.id, "identity-check", hit.id, "remove"), {"confirm": "yes"})
    assert r.status_code == 302
    session.expire_all()
    ev = session.get(Candidate, aoife.id).evidence[0]
    assert ev.text == "O'Connor." and ev.panel_text == "[removed]."


def test_a_name_in_the_application_pdf_is_a_hit_to_mark_fine_or_replace(as_user, sl, session):
    from tests.test_hardening_uploads import make_pdf

    sl.v.status = VacancyStatus.DRAFT
    session.commit()
    aoife = sl.candidates[0]
    hr = as_user(sl.hr)
    r = hr.post_form(url(sl.v, "candidates", aoife.id, "application"),
                     {"file": (io.BytesIO(make_pdf("Written by Aoife OConnor, aoife@example.net")), "cv.pdf")},
                     content_type="multipart/form-data")
    assert r.status_code == 302
    pdf_hits = [h for h in hits(session, aoife) if h.source == screening.APPLICATION]
    assert [(h.kind, h.text) for h in pdf_hits] == [("name", "Aoife"), ("name", "OConnor"), ("email", "aoife@example.net")]
    page = hr.get(url(sl.v, "candidates/identity-check")).get_data(as_text=True)
    assert "Application PDF (the panel&#39;s copy)".lower() in page.lower()
    assert "A PDF cannot be changed here" in page
    # a PDF's hit cannot be "removed" here (the file is as uploaded)
    r = hr.post_form(url(sl.v, "candidates", aoife.id, "identity-check", pdf_hits[0].id, "remove"), {})
    assert r.status_code == 302
    assert len([h for h in hits(session, aoife) if not h.fine]) == 3
    # a clean copy replaces them
    hr.post_form(url(sl.v, "candidates", aoife.id, "application"),
                 {"file": (io.BytesIO(make_pdf("I have run groups.")), "cv.pdf")}, content_type="multipart/form-data")
    assert hits(session, aoife) == []


def test_candidates_never_checked_are_checked_when_shortlisting_is_asked_to_open(as_user, sl, session):
    """Candidates from before the identity check (or written straight to the database) have
    never been scanned: moving on scans them, and holds the move if anything is found."""
    sl.v.status = VacancyStatus.DRAFT
    for c in sl.candidates:
        c.identity_checked_at = None
    sl.candidates[1].supporting_information = "José here."
    session.commit()
    hr = as_user(sl.hr)
    assert "3 candidates have not been checked yet." in hr.get(url(sl.v, "candidates/identity-check")).get_data(as_text=True)
    moved = hr.post_form(url(sl.v, "status"), {"from": "draft"})
    assert moved.status_code == 400 and "Candidate 02 (1 detail)" in moved.get_data(as_text=True)
    # the refused move changed nothing; HR runs the check to see the list
    hr.post_form(url(sl.v, "candidates/identity-check/run"), {})
    page = hr.get(url(sl.v, "candidates/identity-check")).get_data(as_text=True)
    assert "<mark>José</mark> here." in page and "not been checked yet" not in page
    session.expire_all()
    assert all(c.identity_checked_at is not None for c in session.scalars(
        select(Candidate).where(Candidate.vacancy_id == sl.v.id)))
    # with Candidate 02's name marked fine, the move scans nobody again and goes through
    (hit,) = session.scalars(select(IdentityHit).where(IdentityHit.candidate_id == sl.candidates[1].id))
    hr.post_form(url(sl.v, "candidates", sl.candidates[1].id, "identity-check", hit.id, "fine"), {})
    assert hr.post_form(url(sl.v, "status"), {"from": "draft"}).status_code == 302


def test_check_again_scans_everyone_and_is_audited(as_user, sl, session):
    sl.candidates[2].supporting_information = "مريم الحسن كتبت هذا"
    session.commit()
    hr = as_user(sl.hr)
    r = hr.post_form(url(sl.v, "candidates/identity-check/run"), {})
    assert r.status_code == 302
    page = hr.get(r.headers["Location"]).get_data(as_text=True)
    assert "Every candidate checked. 2 details to review." in page
    assert re.search(r"<mark>مريم</mark>", page)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "identity_check"))
    assert event.summary == "Identity check run on 3 candidates: 2 details to review"


def test_a_hit_of_another_vacancy_or_candidate_is_404(as_user, sl, session):
    aoife = to_draft(session, sl)
    hit = hits(session, aoife)[0]
    hr = as_user(sl.hr)
    other = sl.candidates[1]
    assert hr.post_form(url(sl.v, "candidates", other.id, "identity-check", hit.id, "fine"), {}).status_code == 404
    assert hr.post_form(url(sl.elsewhere, "candidates", aoife.id, "identity-check", hit.id, "fine"), {}).status_code == 404
    assert as_user(sl.panelist).post_form(url(sl.v, "candidates", aoife.id, "identity-check", hit.id, "fine"),
                                          {}).status_code == 404
    assert not hits(session, aoife)[0].fine


def test_the_demo_shortlisting_vacancy_shows_a_cleared_identity_check(app, session):
    from panel.models import User, Vacancy
    from tests.conftest import login

    result = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    vacancy = session.scalar(select(Vacancy).where(Vacancy.status == VacancyStatus.SHORTLISTING))
    found = list(session.scalars(select(IdentityHit).join(Candidate).where(Candidate.vacancy_id == vacancy.id)))
    assert [(h.kind, h.text, h.fine) for h in found] == [("phone", "0300 123 3393", True)]
    chloe = session.scalar(select(Candidate).where(Candidate.email == "chloe.dubois@example.net"))
    assert chloe.supporting_information.endswith("Best wishes, Chloé")
    assert chloe.text_for_panel.endswith("Best wishes, [removed]")
    hr = session.scalar(select(User).where(User.email == "priya.shah@example.org"))
    password = next(line.split()[-1] for line in open(app.instance_path + "/demo-logins.txt") if hr.email in line)
    client = app.test_client()
    login(client, hr.email, password)
    page = client.get(f"/vacancies/{vacancy.id}/candidates/identity-check").get_data(as_text=True)
    assert "Nothing to review: the identity check is clear." in page and "1 marked as fine" in page
    assert "Every candidate has been checked" in client.get(f"/vacancies/{vacancy.id}/candidates").get_data(as_text=True)


def test_the_purge_deletes_the_hits_and_the_panel_copy(app, session, world, monkeypatch):
    """The hits quote the candidate's text: the retention purge deletes them with it."""
    from tests.builders_plugin import CLOSED_AT, closed_world
    from tests.test_records_retention import DAY, run_purge

    rw = closed_world(app, session, world)
    a2 = session.get(Candidate, rw["a2"].id)
    a2.panel_supporting_information = "[removed] wrote this"
    session.add(IdentityHit(candidate_id=a2.id, source="supporting_information", kind="name", start=0, end=4,
                            text=a2.first_name, key="name:x", before="", after=" wrote this", fine=True))
    session.commit()
    run_purge(app, monkeypatch, CLOSED_AT + 184 * DAY)
    session.expire_all()
    assert session.get(Candidate, a2.id).panel_supporting_information is None
    assert list(session.scalars(select(IdentityHit).where(IdentityHit.candidate_id == a2.id))) == []


def test_an_import_scans_every_candidate_without_a_query_per_candidate(app, sl, session):
    """The scan of new candidates reads no hits back from the database (N+1 guard)."""
    from panel.candidates import services
    from panel.db import counted_queries

    rows = "".join(f"Cand{i},Person{i},c{i}@example.org,,I ran groups. Call 07911 12345{i % 10}.\r\n"
                   for i in range(12))
    data = ("first_name,last_name,email,phone,supporting_information\r\n" + rows).encode()
    with counted_queries(app) as statements:
        result = services.import_csv(session, sl.hr, sl.v, data)
    assert result.ok and len(result.rows) == 12
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "identity_hits" in s]
    assert reads == []
    session.commit()
    assert len(list(session.scalars(select(IdentityHit).join(Candidate).where(Candidate.email.like("c%@example.org"))))) == 12


def test_an_application_added_during_shortlisting_is_held_back_until_hr_reviews_it(as_user, sl, session):
    """Shortlisting is open; HR adds a late application that names the candidate. Until HR has
    reviewed what the identity check found, no panel member can read or score it, on any page or
    in the pack; once reviewed, it is an application like the others."""
    from tests.builders_plugin import declare, get_pack_pdf, page_texts, pdf

    v = sl.v
    hr = as_user(sl.hr)
    r = hr.post_form(url(v, "candidates/new"), {
        "first_name": "Siân", "last_name": "O'Brien", "email": "sian.late@example.com", "phone": "01205 123456",
        "supporting_information": "Siân O'Brien here: I ran stress control groups for two years.",
        f"evidence_{sl.criteria[0].id}": "Two years in primary care."})
    assert r.status_code == 302
    late = session.scalar(select(Candidate).where(Candidate.email == "sian.late@example.com"))
    assert late.identity_open == 2  # her first and last name
    shown = hr.get(r.headers["Location"]).get_data(as_text=True)
    assert "The panel cannot read it until you review them in the identity check" in shown
    assert "The panel cannot read this application until you review them" in hr.get(url(v, "candidates")).get_data(
        as_text=True)

    john = as_user(sl.panelist)
    listing = john.get(url(v, "shortlisting")).get_data(as_text=True)
    assert "Being checked by HR" in listing
    assert f'href="/vacancies/{v.id}/shortlisting/candidates/{late.id}"' not in listing
    page = john.get(url(v, "shortlisting/candidates", late.id)).get_data(as_text=True)
    assert "HR is checking Candidate 04" in page
    assert "stress control" not in page and "primary care" not in page and "O&#39;Brien" not in page
    assert declare(john, v, late).status_code == 409  # "Do you know this person?" cannot be answered yet
    r = john.post(url(v, "shortlisting/candidates", late.id, "scores", sl.criteria[0].id),
                  json={"score": 2, "notes": "", "version": 0}, headers={"X-CSRFToken": john.csrf_token()})
    assert r.status_code == 409 and "HR is checking" in r.get_json()["error"]
    john.post_form(url(v, "shortlisting/review-mode"), {"mode": "criterion"})
    by_criterion = john.get(url(v, "shortlisting/criteria", sl.criteria[0].id)).get_data(as_text=True)
    assert "HR is checking Candidate 04" in by_criterion and "primary care" not in by_criterion
    texts = " ".join(page_texts(pdf(get_pack_pdf(john, url(v, "packs/shortlisting.pdf")))))
    assert "stress control" not in texts and "1 application is not in this pack yet" in texts

    # interviews cannot start while the panel has not been able to read it
    moved = hr.post_form(url(v, "status"), {"from": "shortlisting"})
    assert moved.status_code == 400
    assert "Review the identity check for Candidate 04: the panel cannot read this application" in moved.get_data(
        as_text=True)

    # HR removes one name and marks the other as fine: the panel reads the application
    first, second = hits(session, late)
    assert hr.post_form(url(v, "candidates", late.id, "identity-check", first.id, "remove")).status_code == 302
    second = next(h for h in hits(session, late) if not h.fine)
    assert hr.post_form(url(v, "candidates", late.id, "identity-check", second.id, "fine")).status_code == 302
    session.expire_all()
    assert session.get(Candidate, late.id).identity_open == 0
    page = john.get(url(v, "shortlisting/candidates", late.id)).get_data(as_text=True)
    assert "stress control" in page and "HR is checking" not in page
    assert declare(john, v, late).status_code == 302
