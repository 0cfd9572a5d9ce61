"""Uploaded files: PDF only (checked by content), size-limited, kept in the shared store
(panel/storage.py: the database, or S3) under random names, never under static/, and served
only after a permission check by the caller.

Each PDF is kept twice: the original, for HR only, and a cleaned copy for everyone else
(the panel, the chair included). The cleaned copy has no document properties (author,
title, ...), no XMP metadata, no attachments, no JavaScript or other actions, and its form
fields are flattened into the page, so that nothing hidden in the file can name a candidate
during shortlisting. The copy is made at upload, and again on first download for files
uploaded before copies existed (or restored from a backup, which holds originals only)."""
from __future__ import annotations

import io
import logging
import re
import secrets
import unicodedata
import zlib
from pathlib import Path

import pikepdf
from flask import current_app
from werkzeug.datastructures import FileStorage

from panel.errors import ServiceError
from panel.storage import PDF, Store, StoredObject, StoreError, file_response, get_store, sha256

PDF_MAGIC = b"%PDF-"
CLEAN_FOLDER = "panel-copies"  # the cleaned copies, same names as the originals

log = logging.getLogger(__name__)


class UploadError(ServiceError):
    """An upload that is refused (not a PDF, too big ...)."""


def read_upload(file: FileStorage) -> bytes:
    """The bytes of an uploaded file within MAX_UPLOAD_MB, or UploadError (empty, too big)."""
    limit = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    data = file.stream.read(limit + 1)
    if not data:
        raise UploadError("The selected file is empty")
    if len(data) > limit:
        raise UploadError(f"The selected file must be smaller than {current_app.config['MAX_UPLOAD_MB']} MB")
    return data


def is_pdf(data: bytes) -> bool:
    """True if the bytes look like a whole PDF (by content, never by the file's name)."""
    return data[:1024].lstrip().startswith(PDF_MAGIC) and b"%%EOF" in data[-2048:]


def read_pdf(file: FileStorage) -> bytes:
    """The bytes of an uploaded PDF, or UploadError with a message for the user."""
    data = read_upload(file)
    if not is_pdf(data):
        raise UploadError("The selected file must be a PDF")
    return data


# PDF actions that run script when the file is opened (ISO 32000 names /JS and /JavaScript).
_SCRIPT_RE = re.compile(rb"/(?:JavaScript|JS)(?![A-Za-z0-9])")

SCRIPT_WARNING = ("This PDF contains JavaScript. The panel gets a copy with the JavaScript removed; panel keeps the "
                  "original for HR only and only ever offers it as a download. Ask the candidate or the recruitment "
                  "system for a plain copy if you are unsure about it.")

JD_SCRIPT_WARNING = ("This job description PDF contains JavaScript. The panel gets a copy with the JavaScript removed; "
                     "panel keeps the original for HR only and only ever offers it as a download. If you are unsure "
                     "about it, upload a plain copy instead (for example, one saved again with \"Print to PDF\").")


def pdf_has_script(data: bytes) -> bool:
    """True if the PDF names a JavaScript action. Such files are accepted (CVs exported from
    some form tools carry harmless scripts) but the uploader is told: see the README's
    "Reliability and security" section."""
    return _SCRIPT_RE.search(data) is not None


# --- the cleaned copy -----------------------------------------------------------

UNREADABLE = ("This PDF could not be read. Open it and save it again (for example with \"Print to PDF\"), "
              "then upload the new copy")
PROTECTED = "This PDF is protected by a password. Ask for a copy without a password, then upload that"

# Keys removed wherever they appear: page-piece data of the program that made the file,
# XMP metadata streams, additional actions (run on open, close, focus ...), script, associated
# files (PDF 2.0) and embedded-file streams of file specifications. (Not /Next: bookmarks use it.)
_DROP_EVERYWHERE = ("/Metadata", "/PieceInfo", "/AA", "/JS", "/AF", "/EF")
_DROP_FROM_CATALOG = ("/AcroForm", "/OpenAction", "/Perms", "/Collection", "/SpiderInfo", "/Threads", "/URI",
                      "/Legal", "/Requirements")
_DROP_FROM_NAMES = ("/EmbeddedFiles", "/JavaScript", "/AlternatePresentations", "/Renditions")


def _walk(obj, seen: set, visit) -> None:
    """Call visit(dictionary) on every dictionary (and stream dictionary) reachable from obj."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
            if item.is_indirect:
                key = item.objgen
                if key in seen:
                    continue
                seen.add(key)
            if isinstance(item, pikepdf.Array):
                stack.extend(item)
            else:
                visit(item)
                stack.extend(item.values())


def _strip_actions(d) -> None:
    for key in _DROP_EVERYWHERE:
        if key in d:
            del d[key]
    action = d.get("/A")
    # an action other than "go to a page of this document": script, launch, web link (which
    # would tell the site who opened it), form submission, another file ...
    if isinstance(action, pikepdf.Dictionary):
        if action.get("/S") != pikepdf.Name.GoTo:
            del d["/A"]
        elif "/Next" in action:  # a chain of further actions after the jump
            del action["/Next"]


def clean_pdf(data: bytes) -> bytes:
    """A copy of the PDF with nothing hidden in it (see the module notes); UploadError if unreadable."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise UploadError(PROTECTED) from None
    except (pikepdf.PdfError, ValueError, RuntimeError):
        raise UploadError(UNREADABLE) from None
    try:
        with pdf:
            try:  # form fields: their values drawn into the page, then the fields removed
                pdf.generate_appearance_streams()
                pdf.flatten_annotations("all")
            except (pikepdf.PdfError, RuntimeError, ValueError):
                pass  # the fields are removed below all the same
            root = pdf.Root
            for key in _DROP_FROM_CATALOG:
                if key in root:
                    del root[key]
            names = root.get("/Names")
            if isinstance(names, pikepdf.Dictionary):
                for key in _DROP_FROM_NAMES:
                    if key in names:
                        del names[key]
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for page in pdf.pages:
                annots = page.obj.get("/Annots")
                if annots is not None:
                    # only links stay (their actions are reduced to "go to a page" below); comments with
                    # their authors, file attachments, leftover form fields, media ... all go
                    links = [a for a in annots if isinstance(a, pikepdf.Dictionary) and a.get("/Subtype") == pikepdf.Name.Link]
                    if links:
                        page.obj.Annots = pikepdf.Array(links)
                    else:
                        del page.obj["/Annots"]
                if "/Thumb" in page.obj:
                    del page.obj["/Thumb"]
            seen: set = set()
            _walk(pdf.trailer, seen, _strip_actions)
            out = io.BytesIO()
            pdf.save(out, encryption=False)
    except UploadError:
        raise
    except (pikepdf.PdfError, ValueError, RuntimeError, KeyError, TypeError):
        raise UploadError(UNREADABLE) from None
    return out.getvalue()


# --- does the file name the candidate? -------------------------------------------

def _fold(text: str) -> str:
    """Case, accents, curly apostrophes and dashes folded away; runs of space made one."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[\u2018\u2019\u02bc\u0060\u00b4]", "'", text)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return re.sub(r"\s+", " ", text)


_PHONE_IN_TEXT = re.compile(r"\+?[0-9(][0-9 ()\-.]{5,}[0-9]")


def _phone_key(text: str) -> str:
    digits = re.sub(r"\D", "", text or "")
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("44"):
        digits = digits[2:]
    digits = digits.lstrip("0")
    return digits if len(digits) >= 6 else ""


def _name_parts(*names: str) -> set[str]:
    parts = set()
    for name in names:
        folded = _fold(name).strip()
        if len(folded) >= 2:
            parts.add(folded)
        parts.update(p for p in re.split(r"[\s\-]+", folded) if len(p) >= 2)
    return parts


def _names_in(text: str, parts: set[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(part)}(?!\w)", text) for part in parts)


def identity_findings(text: str, *, first_name: str, last_name: str, email: str, phone: str) -> list[str]:
    """What of the candidate's identity appears in the text: "first name", "last name", "email
    address", "phone number" (case- and accent-insensitive, whole words)."""
    folded = _fold(text)
    found = []
    if _names_in(folded, _name_parts(first_name)):
        found.append("first name")
    if _names_in(folded, _name_parts(last_name)):
        found.append("last name")
    if email and _fold(email).strip() in folded:
        found.append("email address")
    key = _phone_key(phone)
    if key and any(_phone_key(m.group(0)) == key for m in _PHONE_IN_TEXT.finditer(text or "")):
        found.append("phone number")
    return found


def pdf_text(data: bytes, max_pages: int = 50) -> str:
    """The text a reader of the PDF sees (pypdf), page by page; "" if it cannot be read. Only the
    first ``max_pages`` pages (about 35 ms a page): an application is rarely longer, and the upload
    must not keep a worker busy for long."""
    # imported on first use: pypdf takes about 0.18 s to import, only PDF uploads need it
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join((page.extract_text() or "") for page in list(reader.pages)[:max_pages])
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return ""


HIDDEN_STREAM_BYTES = 1_000_000  # read of each metadata or attached file: plenty for a name


def _first_bytes(stream: pikepdf.Stream, limit: int = HIDDEN_STREAM_BYTES) -> bytes:
    """The first ``limit`` bytes of a stream's content, never more held: a megabyte upload can
    hold a gigabyte of zeros compressed (read_bytes would unpack all of it, minutes and gigabytes
    of memory). Unfiltered and Flate streams (what metadata and attachments use) are read;
    anything else is left unread."""
    filters = stream.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        filters = filters[0] if len(filters) == 1 else None
    raw = stream.read_raw_bytes()
    if filters is None and "/Filter" not in stream:
        return raw[:limit]
    if filters == pikepdf.Name.FlateDecode:
        try:
            return zlib.decompressobj().decompress(raw, limit)
        except zlib.error:
            return b""
    return b""


def pdf_hidden_text(data: bytes) -> str:
    """Every string hidden in the file's structure (document properties, XMP, form field values,
    comment authors, bookmark titles, attachment names and text attachments)."""
    strings: list[str] = []

    def visit(d) -> None:
        for value in d.values():
            if isinstance(value, pikepdf.String):
                strings.append(str(value))
        if isinstance(d, pikepdf.Stream) and d.get("/Type") in (pikepdf.Name.Metadata, pikepdf.Name.EmbeddedFile):
            try:
                strings.append(_first_bytes(d).decode("utf-8", "ignore"))
            except pikepdf.PdfError:
                pass

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            _walk(pdf.trailer, set(), visit)
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return ""
    return "\n".join(strings)


def identity_warning(original: bytes, cleaned: bytes, *, first_name: str, last_name: str, email: str,
                     phone: str) -> str | None:
    """A warning for HR when the candidate's name, email or phone is in the PDF, or None."""
    who = {"first_name": first_name, "last_name": last_name, "email": email, "phone": phone}
    visible = identity_findings(pdf_text(cleaned), **who)
    hidden = [f for f in identity_findings(pdf_hidden_text(original), **who) if f not in visible]
    if not visible and not hidden:
        return None
    parts = []
    if visible:
        parts.append(f"the candidate's {_and(visible)} in the text the panel will read")
    if hidden:
        parts.append(f"their {_and(hidden)} in the file's hidden details (such as its author or title), "
                     "which are removed from the panel's copy")
    message = f"This PDF may tell the panel who the candidate is: it has {' and '.join(parts)}."
    if visible:
        message += (" Shortlisting is anonymous, so upload a copy with these details removed "
                    "(or covered) if the panel should not see them.")
    return message


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- storing and serving --------------------------------------------------------
# Through the store (panel/storage.py: the database by default, or S3), so every app server
# sees the same files. Files an older panel wrote into UPLOAD_FOLDER are still read from there
# until `flask db-upgrade` (move_folder_into_store) has moved them into the store.

ORIGINALS = "uploads/"
COPIES = f"uploads/{CLEAN_FOLDER}/"
SAVE_FAILED = "The file could not be saved. Try again, or tell your recruitment team."


def _legacy(name: str, cleaned: bool = False) -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    return folder / CLEAN_FOLDER / name if cleaned else folder / name


def _legacy_bytes(name: str, cleaned: bool = False) -> bytes | None:
    try:
        return _legacy(name, cleaned).read_bytes()
    except OSError:  # not there (the usual case), or not a readable file
        return None


def save_pdf(data: bytes, cleaned: bytes | None = None, *, store: Store | None = None) -> str:
    """Store the original and its cleaned copy (made here unless given) under a new random name;
    return that name. UploadError if the PDF cannot be read or the files cannot be stored. With
    the database store the files are written in the request's transaction (kept when it commits)."""
    if cleaned is None:
        cleaned = clean_pdf(data)
    store = store or get_store()
    name = f"{secrets.token_hex(16)}.pdf"
    try:
        store.put(COPIES + name, cleaned, PDF)
        store.put(ORIGINALS + name, data, PDF)
    except StoreError as exc:
        log.error("could not store an uploaded PDF: %s", exc)
        delete_file(name, store=store)
        raise UploadError(SAVE_FAILED) from exc
    return name


def delete_file(name: str | None, *, store: Store | None = None) -> bool:
    """Remove a stored PDF and its cleaned copy (from the store, and from UPLOAD_FOLDER if an older
    panel left them there); True if the original was there."""
    if not (name and _is_safe_name(name)):
        return False
    store = store or get_store()
    existed = False
    try:
        store.delete(COPIES + name)
        existed = store.delete(ORIGINALS + name)
    except StoreError as exc:
        log.error("could not delete stored PDF %s: %s", name, exc)
    for cleaned in (True, False):
        path = _legacy(name, cleaned)
        try:
            if path.is_file():
                path.unlink()
                existed = existed or not cleaned
        except OSError:
            pass
    return existed


def _is_safe_name(name: str) -> bool:
    return len(name) == 36 and name.endswith(".pdf") and all(c in "0123456789abcdef" for c in name[:32])


def original_pdf(name: str, *, store: Store | None = None) -> StoredObject | None:
    """The PDF as uploaded (HR only: the caller decides), or None."""
    if not _is_safe_name(name):
        return None
    found = (store or get_store()).open(ORIGINALS + name)
    if found is None:
        data = _legacy_bytes(name)
        if data is not None:
            found = StoredObject(data, PDF, sha256(data), None)
    return found


def cleaned_pdf(name: str, *, store: Store | None = None) -> StoredObject:
    """The cleaned copy of a stored PDF, made now (and stored) if it is missing: files uploaded
    before copies existed, or restored from a backup. FileNotFoundError if there is no such file
    or it cannot be cleaned (the original is never served in its place)."""
    if not _is_safe_name(name):
        raise FileNotFoundError(name)
    store = store or get_store()
    found = store.open(COPIES + name)
    if found is not None:
        return found
    legacy = _legacy_bytes(name, cleaned=True)
    if legacy is not None:
        return StoredObject(legacy, PDF, sha256(legacy), None)
    original = original_pdf(name, store=store)
    if original is None:
        raise FileNotFoundError(name)
    try:
        data = clean_pdf(original.data)
    except UploadError as exc:
        log.warning("stored PDF %s could not be cleaned for the panel: %s", name, exc)
        raise FileNotFoundError(name) from exc
    try:
        store.put(COPIES + name, data, PDF)  # once: the next download is served from the store
    except StoreError as exc:
        log.warning("the cleaned copy of %s could not be stored (it is made again next time): %s", name, exc)
    return StoredObject(data, PDF, sha256(data), None)


def send_pdf(name: str, download_name: str, *, original: bool):
    """Send the stored PDF: the original (HR only: the caller decides) or the cleaned copy.
    FileNotFoundError if there is none."""
    found = original_pdf(name) if original else cleaned_pdf(name)
    if found is None:
        raise FileNotFoundError(name)
    return file_response(found, download_name)


def move_folder_into_store(session) -> dict:
    """Move the PDFs an older panel kept in UPLOAD_FOLDER (originals, and cleaned copies in
    panel-copies/) into the store, then remove them from the folder. Idempotent: a file already
    in the store with the same content is only removed from the folder; one with different
    content is left where it is and reported. ``session`` is committed here before any file is
    removed, so nothing is lost if the run stops half way."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    counts = {"moved": 0, "already": 0, "conflicts": 0}
    if not folder.is_dir():
        return counts
    store = get_store(session)
    done: list[Path] = []
    for prefix, sub in ((ORIGINALS, folder), (COPIES, folder / CLEAN_FOLDER)):
        if not sub.is_dir():
            continue
        for path in sorted(sub.iterdir()):
            if not (path.is_file() and _is_safe_name(path.name)):
                continue  # temporary files of an interrupted write, anything else: left alone
            data = path.read_bytes()
            there = store.open(prefix + path.name)
            if there is None:
                store.put(prefix + path.name, data, PDF)
                counts["moved"] += 1
            elif there.sha256 == sha256(data):
                counts["already"] += 1
            else:
                log.warning("%s differs from the stored file of the same name; left in %s", path.name, sub)
                counts["conflicts"] += 1
                continue
            done.append(path)
    session.commit()
    for path in done:
        path.unlink(missing_ok=True)
    return counts


def safe_download_name(text: str, fallback: str = "document") -> str:
    cleaned = "".join(c if c.isalnum() or c in " -_." else "-" for c in text).strip(" .-")
    return (cleaned or fallback)[:80] + ".pdf"
