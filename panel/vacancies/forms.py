from __future__ import annotations

import re

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from panel.db import db
from panel.forms import DatePartsField, max_length, strip
from panel.models import AssessedAt, CriterionCategory, PanelRole, VacancyStatus
from panel.shortlisting.scoring import GUIDE_LIMIT
from panel.uploads import UploadError, read_pdf
from panel.vacancies import services

BANDS = ["Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7", "Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9"]
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_-]*$")


class VacancyForm(FlaskForm):
    class Meta:
        pass

    title = StringField("Job title", filters=[strip], validators=[DataRequired("Enter the job title"), max_length(200, "Job title")])
    reference = StringField("Reference", filters=[strip], validators=[DataRequired("Enter the vacancy reference"), max_length(40, "Reference")])
    band = SelectField("Agenda for Change band", choices=[("", "Choose a band")] + [(b, b) for b in BANDS],
                       validators=[DataRequired("Choose the band")])
    site = SelectField("Site", validators=[DataRequired("Choose the site")])
    team = StringField("Team", filters=[strip], validators=[Optional(), max_length(200, "Team")])
    hours = StringField("Hours", filters=[strip], validators=[Optional(), max_length(100, "Hours")])
    salary = StringField("Salary", filters=[strip], validators=[Optional(), max_length(200, "Salary")])
    closing_date = DatePartsField("Closing date")
    interview_date = DatePartsField("Interview date")
    interview_venue = StringField("Interview venue", filters=[strip], validators=[Optional(), max_length(300, "Interview venue")])
    description = TextAreaField("Job description", filters=[strip], validators=[Optional(), max_length(20000, "Job description")])
    job_description_file = FileField("Job description PDF (optional)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites = current_app.config["SITES"]
        obj = kwargs.get("obj")
        current = getattr(obj, "site", None)  # the saved site, never the posted value
        choices = [("", "Choose a site")] + [(s, s) for s in sites]
        if current and current not in sites:  # a site later removed from the settings stays valid
            choices.append((current, current))
        self.site.choices = choices
        self.vacancy_id = getattr(obj, "id", None)  # the vacancy being changed (None: a new one)
        self.job_description_pdf: bytes | None = None  # the checked bytes of a chosen PDF

    def validate_reference(self, field):
        if field.data and not REFERENCE_RE.match(field.data):
            raise ValidationError("Reference can only contain letters, numbers, spaces, dots, slashes, dashes and underscores")
        # checked here, not after the form, so every problem on the page is shown at once
        if field.data and services.reference_taken(db(), field.data, exclude_id=self.vacancy_id):
            raise ValidationError(services.DUPLICATE_REFERENCE)

    def validate_job_description_file(self, field):
        file = field.data
        if not file or not getattr(file, "filename", ""):
            return
        try:
            self.job_description_pdf = read_pdf(file)
        except UploadError as exc:
            raise ValidationError(str(exc)) from None

    def validate_interview_date(self, field):
        if field.data and self.closing_date.data and field.data < self.closing_date.data:
            raise ValidationError("Interview date must be on or after the closing date")


class CriterionForm(FlaskForm):
    text = TextAreaField("Criterion", filters=[strip], validators=[DataRequired("Enter the criterion"), max_length(500, "Criterion")])
    category = RadioField("Category", choices=[(c.value, c.label) for c in CriterionCategory],
                          validators=[DataRequired("Choose a category")])
    essential = RadioField("Essential or desirable", choices=[("essential", "Essential"), ("desirable", "Desirable")],
                           validators=[DataRequired("Choose essential or desirable")])
    assessed_at = RadioField("Assessed at", choices=[(a.value, a.label) for a in AssessedAt],
                             validators=[DataRequired("Choose when this is assessed")])
    # the marking guide (optional): what a score of 0, 1 and 2 looks like for this criterion
    guide_0 = TextAreaField("What does a 0 (no evidence) look like?", filters=[strip],
                            validators=[Optional(), max_length(GUIDE_LIMIT, "What a 0 looks like")])
    guide_1 = TextAreaField("What does a 1 (some evidence) look like?", filters=[strip],
                            validators=[Optional(), max_length(GUIDE_LIMIT, "What a 1 looks like")])
    guide_2 = TextAreaField("What does a 2 (clear evidence) look like?", filters=[strip],
                            validators=[Optional(), max_length(GUIDE_LIMIT, "What a 2 looks like")])


class CopyCriteriaForm(FlaskForm):
    source = SelectField("Copy from", coerce=int, validators=[DataRequired("Choose a vacancy to copy from")])


class PanelMemberForm(FlaskForm):
    user_id = SelectField("Person", coerce=int, validators=[DataRequired("Choose a person to add")])
    panel_role = RadioField("Their role on this panel", choices=[(r.value, r.label) for r in PanelRole],
                            validators=[DataRequired("Choose their role on this panel")])


class StatusForm(FlaskForm):
    pass


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField("Stage", choices=[("", "All stages")] + [(s.value, s.label) for s in VacancyStatus],
                         validators=[Optional()])
    site = SelectField("Site", validators=[Optional()])


class DeadlinesForm(FlaskForm):
    shortlisting_deadline = DatePartsField("Shortlisting deadline")
    scoring_deadline = DatePartsField("Interview scoring deadline")
