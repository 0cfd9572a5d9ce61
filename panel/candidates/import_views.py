"""Importing any export (HR): the file's columns beside panel's fields, a guess HR corrects, saved
column mappings ("NHS Jobs long export"), a preview, then the same all-or-nothing import.

Between the steps the uploaded file is kept in the store (panel/storage.py), under a random name
that includes the vacancy and the person who uploaded it, never in the session; it is deleted
after the import, and files left behind are deleted after a day.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Optional

from panel import permissions
from panel.candidates import importing, services
from panel.candidates.views import bp
from panel.converters import posted_number
from panel.db import db, utcnow
from panel.forms import max_length, strip
from panel.loaders import vacancy_view
from panel.models import ImportProfile, Vacancy
from panel.storage import get_store

IMPORTS = "imports/"
KEEP_FOR = dt.timedelta(days=1)
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
PREVIEW_ROWS = 3
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _key(vacancy: Vacancy, token: str) -> str:
    return f"{IMPORTS}{vacancy.id}/{current_user.id}/{token}"


def _criteria(vacancy: Vacancy) -> list[tuple[int, str]]:
    return [(c.position, c.text) for c in services.scored_criteria(vacancy)]


def first_look(vacancy: Vacancy, data: bytes, max_bytes: int) -> tuple[importing.ParseResult | None, str | None]:
    """What to do with an uploaded file: (problems, None) when it cannot be read at all,
    (None, None) when it is a CSV in panel's own columns (imported at once, as before), or
    (None, token) when HR should map its columns (the file is kept for the next step)."""
    result = importing.ParseResult()
    if len(data) > max_bytes:
        result.add(None, importing.too_big(max_bytes))
        return result, None
    xlsx = importing.is_xlsx(data)
    if xlsx:
        table = importing.read_xlsx(data, result, max_bytes)
    else:
        table = importing.read_csv(data, result, max_bytes, importing.NOT_CSV_OR_XLSX)
    if table is None:
        return result, None
    if not xlsx:
        known = [importing.known_column(h) for h in table.header if importing.normalise_header(h)]
        guessed = importing.guess_mapping(table.header, _criteria(vacancy))
        if all(known) or not any(v != importing.IGNORE for v in guessed.values()):
            return None, None  # panel's own columns, or nothing we can map: the import as before
    for message in importing.header_problems(table.header) if table.header else []:
        result.add(None, message)
    if not result.ok:
        return result, None
    store = get_store()
    store.delete_older(IMPORTS, utcnow() - KEEP_FOR)
    token = secrets.token_hex(16)
    store.put(_key(vacancy, token), data, XLSX_TYPE if xlsx else "text/csv")
    return None, token


class SheetForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    sheet = SelectField("Which sheet holds the candidates?", choices=[])


def mapping_form(header: list[str], choices: list[tuple[str, str]], mapping: dict[int, str], **kwargs) -> FlaskForm:
    """One select per column of the file (``column-<i>``), set to the mapping given."""

    class _Form(FlaskForm):
        profile_name = StringField("Save these choices for next time (optional)", filters=[strip],
                                   validators=[Optional(), max_length(100, "The name")])

    for i, _ in enumerate(header):
        setattr(_Form, f"column-{i}", SelectField(f"Column {i + 1}", choices=choices, default=mapping.get(i)))
    return _Form(**kwargs)


def _load(vacancy: Vacancy, token: str) -> bytes:
    if not TOKEN_RE.match(token):
        abort(404)
    data = get_store().get(_key(vacancy, token))
    if data is None:
        abort(404)
    return data


@bp.route("/import/<token>", methods=["GET", "POST"])
@vacancy_view(permissions.can_add_candidates)
def import_columns(vacancy: Vacancy, token: str):
    """Step 2: the columns (and the sheet of a workbook), a preview, then the import."""
    data = _load(vacancy, token)
    max_bytes = current_app.config["IMPORT_MAX_MB"] * 1024 * 1024
    sheet = request.args.get("sheet") or None
    result = importing.ParseResult()
    table = importing.read_file(data, result, max_bytes, sheet)
    page = {"vacancy": vacancy, "token": token}
    if table is not None and table.sheets and table.sheet is None:
        sheet_form = SheetForm(request.args if sheet else None)
        sheet_form.sheet.choices = [(name, name) for name in table.sheets]
        if sheet:
            sheet_form.sheet.errors = ["Choose one of the workbook's sheets"]
        return render_template("candidates/import_sheet.html", sheet_form=sheet_form, **page)
    if table is None or not result.ok:
        return render_template("candidates/import_columns.html", file_problems=result, form=None, **page), 400
    header_problems = importing.header_problems(table.header)
    if header_problems:
        for message in header_problems:
            result.add(None, message)
        return render_template("candidates/import_columns.html", file_problems=result, form=None, **page), 400

    criteria = _criteria(vacancy)
    profiles = services.import_profiles(db())
    profile = None
    if profile_id := posted_number(request.args.get("profile")):
        profile = db().get(ImportProfile, profile_id)
    guess = importing.guess_mapping(table.header, criteria, services.profile_mapping(profile))
    choices = importing.field_choices(criteria)
    form = mapping_form(table.header, choices, guess, data=None if request.method == "POST" else {})
    preview = outcome = None
    mapping_error = None
    status = 200
    if form.validate_on_submit():
        mapping = {i: form[f"column-{i}"].data for i in range(len(table.header))}
        problems = importing.mapping_problems(table.header, mapping)
        for name, message in problems.items():
            if name.startswith("column-"):
                form[name].errors = [message]
        mapping_error = problems.get("mapping")
        if problems:
            status = 400
        else:
            action = request.form.get("action", "preview")
            preview = importing.preview_rows(table, mapping, PREVIEW_ROWS)
            outcome = services.import_mapped(db(), current_user, vacancy, table, mapping, save=(action == "import"))
            if outcome.ok and action == "import":
                if form.profile_name.data:
                    services.save_import_profile(db(), current_user, form.profile_name.data, table.header, mapping)
                get_store().delete(_key(vacancy, token))
                flash(f"{len(outcome.rows)} candidates imported.", "success")
                notice = importing.without_statement_notice(outcome)
                if notice:
                    flash(notice, "info")
                return redirect(url_for("candidates.index", vacancy_id=vacancy.id))
            if not outcome.ok:
                status = 400
    elif request.method == "POST":
        status = 400
    columns = [{"index": i, "name": name, "field": form[f"column-{i}"],
                "samples": [values[i] for _, values in table.rows[:PREVIEW_ROWS] if i < len(values) and values[i]]}
               for i, name in enumerate(table.header)]
    return render_template("candidates/import_columns.html", form=form, columns=columns, table=table,
                           profiles=profiles, profile=profile, preview=preview, outcome=outcome,
                           mapping_error=mapping_error, file_problems=None, sheet=sheet, **page), status
