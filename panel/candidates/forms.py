from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Optional, Regexp

from panel.candidates import importing
from panel.forms import max_length, strip


class CandidateForm(FlaskForm):
    first_name = StringField("First name", filters=[strip], validators=[
        DataRequired("Enter the candidate's first name"), max_length(100, "First name")])
    last_name = StringField("Last name", filters=[strip], validators=[
        DataRequired("Enter the candidate's last name"), max_length(100, "Last name")])
    email = EmailField("Email address", filters=[strip], validators=[
        DataRequired("Enter the candidate's email address"),
        Email("Enter an email address in the correct format, like name@example.com", check_deliverability=False),
        max_length(254, "Email address")])
    phone = StringField("Phone number (optional)", filters=[strip], validators=[
        Optional(), max_length(40, "Phone number"),
        Regexp(importing.PHONE_RE, message="Enter a phone number, like 01205 123456 or +44 7700 900123")])
    # empty when the application is a PDF file (uploaded on the candidate's page); shortlisting cannot
    # start until every candidate has one or the other (panel/vacancies/readiness.py)
    supporting_information = TextAreaField("Supporting information", filters=[strip], validators=[
        Optional(), max_length(importing.LIMITS["supporting_information"], "Supporting information")])
    disability_confident = BooleanField("Applying under the Disability Confident scheme")

    evidence_fields: list = []

    def evidence(self) -> dict[int, str]:
        return {criterion_id: (getattr(self, name).data or "") for criterion_id, name in self.evidence_fields}

    def data_dict(self) -> dict:
        return {k: getattr(self, k).data for k in ("first_name", "last_name", "email", "phone",
                                                    "supporting_information", "disability_confident")}


def candidate_form(criteria, *args, **kwargs) -> CandidateForm:
    """The candidate form with one optional evidence box per criterion assessed at application."""

    class _Form(CandidateForm):
        pass

    fields = []
    for c in criteria:
        name = f"evidence_{c.id}"
        setattr(_Form, name, TextAreaField(f"Evidence for criterion {c.position}", filters=[strip], validators=[
            Optional(), max_length(importing.EVIDENCE_LIMIT, f"Evidence for criterion {c.position}")]))
        fields.append((c.id, name))
    _Form.evidence_fields = fields
    return _Form(*args, **kwargs)


class ImportForm(FlaskForm):
    file = FileField("CSV file")


class ApplicationForm(FlaskForm):
    file = FileField("Application PDF")


class FindCandidateForm(FlaskForm):
    """The search box of a long candidates list (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("Find a candidate", filters=[strip], validators=[Optional(), max_length(200, "The search")])
