"""Issue 12, item 4: nothing hidden in an uploaded PDF can name a candidate to the panel.

The panel (the chair included) downloads a cleaned copy: no document properties, no XMP, no
attachments (embedded files or file-attachment comments), no JavaScript or other actions, and
form fields flattened into the page. HR downloads the original, byte for byte. HR is warned at
upload when the candidate's name, email or phone is in the PDF's text or hidden details."""
from __future__ import annotations

import io

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader
from sqlalchemy import select

from panel.models import Candidate
from tests.builders_plugin import sl, stored_bytes, stored_keys, url  # noqa: F401


def put_original(app, name: str, data: bytes) -> None:
    from panel.db import db
    from panel.storage import get_store

    with app.app_context():
        get_store(db()).put(f"uploads/{name}", data, "application/pdf")
        db().commit()

SECRET = "Aoife O'Connor"  # candidate 1 of the sl fixture
HIDDEN_MARKERS = [b"Aoife", b"Connor", b"aoife.oconnor", b"JavaScript", b"/JS", b"/OpenAction", b"/AA",
                  b"/EmbeddedFile", b"/AcroForm", b"/Metadata", b"/FileAttachment", b"/Launch", b"/URI"]


def _font(pdf):
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))


def make_pdf(text: str = "I have run stress control groups for two years.", *, hidden: bool = False) -> bytes:
    """A one-page PDF showing ``text``; with ``hidden``, also everything that can carry a name out of
    sight: document properties, XMP, an embedded file, a file-attachment comment, a filled-in form
    field (with a hidden one), an open action, page actions, a document script and a web link."""
    pdf = pikepdf.Pdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    font = _font(pdf)
    page.Resources = Dictionary(Font=Dictionary(F1=font))
    page.Contents = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
    if hidden:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:creator"] = [SECRET]
            meta["dc:title"] = f"CV of {SECRET}"
        # after the XMP, which would otherwise overwrite them
        pdf.docinfo["/Author"] = SECRET
        pdf.docinfo["/Title"] = f"CV of {SECRET}"
        pdf.docinfo["/Subject"] = "aoife.oconnor@example.net"
        pdf.docinfo["/Keywords"] = "07700 900101"
        pdf.docinfo["/Creator"] = f"Word for {SECRET}"
        pdf.docinfo["/Producer"] = f"{SECRET}'s PDF maker"
        pdf.attachments["references.txt"] = pikepdf.AttachedFileSpec(pdf, f"Referee for {SECRET}".encode(),
                                                                      mime_type="text/plain")
        appearance = pdf.make_stream(b"/Tx BMC BT /F1 10 Tf 2 4 Td (Ref 12345) Tj ET EMC", Type=Name.XObject,
                                     Subtype=Name.Form, BBox=[0, 0, 200, 20],
                                     Resources=Dictionary(Font=Dictionary(F1=font)))
        field = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("ref"),
                                             V=String("Ref 12345"), TU=String(f"Filled in by {SECRET}"),
                                             Rect=[72, 600, 272, 620], F=4, AP=Dictionary(N=appearance)))
        hidden_field = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx,
                                                    T=String("applicant"), V=String(SECRET),
                                                    Rect=[72, 500, 272, 520], F=2))
        attachment = pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[10, 10, 30, 30], T=String(SECRET),
            Contents=String("my passport"),
            FS=Dictionary(Type=Name.Filespec, F=String("passport.txt"),
                          EF=Dictionary(F=pdf.make_stream(SECRET.encode(), Type=Name.EmbeddedFile)))))
        link = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[10, 50, 100, 60],
                                            A=Dictionary(S=Name.URI, URI=String("https://example.com/aoife-oconnor"))))
        launch = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[10, 70, 100, 80],
                                              A=Dictionary(S=Name.Launch, F=String("calc.exe"))))
        page.Annots = pdf.make_indirect(Array([field, hidden_field, attachment, link, launch]))
        page.AA = Dictionary(O=Dictionary(S=Name.JavaScript, JS=String("app.alert('opened')")))
        pdf.Root.AcroForm = Dictionary(Fields=Array([field, hidden_field]), NeedAppearances=True)
        pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String(f"app.alert('{SECRET}')"))
        pdf.Root.AA = Dictionary(WC=Dictionary(S=Name.JavaScript, JS=String("app.alert('closing')")))
        pdf.Root.Names.JavaScript = Dictionary(Names=Array([String("init"), Dictionary(
            S=Name.JavaScript, JS=String("app.alert('hello')"))]))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def upload(client, sl, data: bytes, candidate=None):
    candidate = candidate or sl.candidates[0]
    return client.post_form(url(sl.v, "candidates", candidate.id, "application"),
                            {"file": (io.BytesIO(data), "CV.pdf")}, content_type="multipart/form-data",
                            follow_redirects=True)


def assert_clean(data: bytes) -> None:
    """Nothing hidden is left: checked on the bytes (all streams uncompressed) and read back."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        raw = io.BytesIO()
        pdf.save(raw, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                 stream_decode_level=pikepdf.StreamDecodeLevel.generalized)
        for marker in HIDDEN_MARKERS:
            assert marker not in raw.getvalue(), marker
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
        assert not pdf.attachments and "/AcroForm" not in pdf.Root and "/OpenAction" not in pdf.Root
        assert "/AA" not in pdf.Root and "/JavaScript" not in pdf.Root.get("/Names", {})
        page = pdf.pages[0]
        assert "/AA" not in page.obj
        for annot in page.obj.get("/Annots", []):
            assert annot.Subtype == Name.Link and "/A" not in annot
    reader = PdfReader(io.BytesIO(data))
    assert not reader.metadata and reader.xmp_metadata is None and not reader.attachments
    assert reader.get_fields() is None
    text = reader.pages[0].extract_text()
    assert "I have run stress control groups" in text  # the application itself is all there
    assert "Ref 12345" in text  # the filled-in form field, flattened into the page


@pytest.fixture()
def dirty():
    return make_pdf(hidden=True)


def test_the_panel_gets_a_cleaned_copy_and_hr_the_original(app, as_user, sl, session, dirty):
    page = upload(as_user(sl.hr), sl, dirty).get_data(as_text=True)
    assert "Application PDF uploaded" in page
    c = sl.candidates[0]
    path = url(sl.v, "candidates", c.id, "application.pdf")
    hr = as_user(sl.hr).get(path)
    assert hr.status_code == 200 and hr.data == dirty  # HR: byte for byte
    for user in (sl.panelist, sl.chair):
        response = as_user(user).get(path)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data != dirty
        assert_clean(response.data)
    from panel.models import AuditEvent

    summaries = [e.summary for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "download"))]
    assert summaries == ["Application PDF of Candidate 01 downloaded (as uploaded)"] + [
        "Application PDF of Candidate 01 downloaded (the panel copy, without hidden details)"] * 2
    # the original is stored as uploaded, beside the cleaned copy
    session.expire_all()
    stored = session.get(Candidate, c.id).application_file
    assert stored_bytes(app, f"uploads/{stored}") == dirty
    assert stored_keys(app) == sorted([f"uploads/{stored}", f"uploads/panel-copies/{stored}"])


def test_a_file_uploaded_before_cleaning_existed_is_cleaned_on_first_download(app, as_user, sl, session, dirty):
    name = "ab" * 16 + ".pdf"
    put_original(app, name, dirty)  # as the old code stored it (and a restore does): the original only
    c = session.get(Candidate, sl.candidates[0].id)
    c.application_file = name
    session.commit()
    path = url(sl.v, "candidates", c.id, "application.pdf")
    first = as_user(sl.panelist).get(path)
    assert first.status_code == 200
    assert_clean(first.data)
    assert stored_bytes(app, f"uploads/panel-copies/{name}") == first.data  # made once, kept in the store
    assert as_user(sl.chair).get(path).data == first.data
    assert as_user(sl.hr).get(path).data == dirty


def test_a_stored_file_that_cannot_be_cleaned_is_never_served_to_the_panel(app, as_user, sl, session):
    name = "cd" * 16 + ".pdf"
    put_original(app, name, b"%PDF-1.4\nnot really a PDF\n%%EOF\n")
    c = session.get(Candidate, sl.candidates[0].id)
    c.application_file = name
    session.commit()
    path = url(sl.v, "candidates", c.id, "application.pdf")
    assert as_user(sl.panelist).get(path).status_code == 404
    assert as_user(sl.hr).get(path).status_code == 200


def test_a_pdf_that_cannot_be_read_is_refused_with_a_message(app, as_user, sl, session):
    page = upload(as_user(sl.hr), sl, b"%PDF-1.4\nnot really a PDF\n%%EOF\n").get_data(as_text=True)
    assert "This PDF could not be read" in page
    encrypted = io.BytesIO()
    with pikepdf.open(io.BytesIO(make_pdf())) as pdf:
        pdf.save(encrypted, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    page = upload(as_user(sl.hr), sl, encrypted.getvalue()).get_data(as_text=True)
    assert "This PDF is protected by a password" in page
    session.expire_all()
    assert session.get(Candidate, sl.candidates[0].id).application_file is None


def test_replacing_an_application_removes_the_old_cleaned_copy_too(app, as_user, sl, session, dirty):
    hr = as_user(sl.hr)
    upload(hr, sl, dirty)
    session.expire_all()
    first = session.get(Candidate, sl.candidates[0].id).application_file
    upload(hr, sl, make_pdf())
    assert not [k for k in stored_keys(app) if first in k]


def test_the_job_description_is_cleaned_for_the_panel_too(app, as_user, sl, session, dirty):
    from tests.builders_plugin import store_pdf

    stored = store_pdf(app, dirty)
    sl.v.job_description_file = stored
    session.add(sl.v)
    session.commit()
    path = url(sl.v, "job-description")
    assert as_user(sl.hr).get(path).data == dirty
    for user in (sl.panelist, sl.chair):
        response = as_user(user).get(path)
        assert response.status_code == 200
        assert_clean(response.data)


# --- the warning to HR -------------------------------------------------------------

def test_hr_is_warned_when_the_text_names_the_candidate(as_user, sl):
    page = upload(as_user(sl.hr), sl, make_pdf("My name is AOIFE OCONNOR, call me on 07700900101")).get_data(as_text=True)
    assert "Application PDF uploaded" in page  # a warning, not a refusal
    assert "This PDF may tell the panel who the candidate is" in page
    assert "first name and phone number in the text the panel will read" in page


def test_names_are_matched_whatever_their_case_and_accents(as_user, sl):
    jose = sl.candidates[1]  # José Martínez-García
    page = upload(as_user(sl.hr), sl, make_pdf("References from Dr Jose MARTINEZ on request"),
                  candidate=jose).get_data(as_text=True)
    assert "first name and last name in the text the panel will read" in page


def test_hr_is_warned_about_the_hidden_details_even_though_the_panel_never_gets_them(as_user, sl, dirty):
    page = upload(as_user(sl.hr), sl, dirty).get_data(as_text=True)
    assert "This PDF may tell the panel who the candidate is" in page
    assert ("their first name, last name, email address and phone number in the file&#39;s hidden details"
            in page), page
    assert "which are removed from the panel&#39;s copy" in page


def test_no_warning_for_a_pdf_that_does_not_name_the_candidate(as_user, sl):
    # "Connor" the town and "aoife" inside another word are not the candidate's name
    page = upload(as_user(sl.hr), sl, make_pdf("Worked in Connorville with the Aoifeton team; tel 01205 123456")
                  ).get_data(as_text=True)
    assert "Application PDF uploaded" in page
    assert "may tell the panel who the candidate is" not in page


def test_identity_findings_unit():
    from panel.uploads import identity_findings

    who = {"first_name": "Siân", "last_name": "O'Brien", "email": "sian.obrien@example.com", "phone": "+44 7700 900123"}
    assert identity_findings("SIAN o\u2019brien", **who) == ["first name", "last name"]
    assert identity_findings("write to Sian.OBrien@Example.com", **who) == ["first name", "email address"]
    assert identity_findings("mobile (07700) 900-123", **who) == ["phone number"]
    assert identity_findings("Obrienne and Siana", **who) == []
    assert identity_findings("", **who) == []
