from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from panel.forms import max_length, strip
from panel.models import CriterionCategory

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9 '-]*$")
MAX_TAGS = 10
CATEGORY_CHOICES = [(c.value, c.label) for c in CriterionCategory]


class ChoiceField(SelectField):
    """A select whose wrong or tampered value gets a plain-English message (not "Not a valid choice")."""

    def __init__(self, label=None, validators=None, message: str = "Choose one of the options", **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = self.coerce(valuelist[0]) if valuelist[0] != "" else None
            except (ValueError, TypeError):
                self.data = None
                self._bad = True

    def pre_validate(self, form):
        values = {value for value, *_ in (self.choices or [])}
        if getattr(self, "_bad", False) or (self.data not in (None, 0, "") and self.data not in values):
            raise ValidationError(self.message)


class MultiChoiceField(SelectMultipleField):
    """Checkboxes (a list of ids) with a plain-English message for values not offered."""

    def __init__(self, label=None, validators=None, message: str = "Choose from the options given", **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        self._bad = False
        data = []
        for v in valuelist:
            try:
                data.append(self.coerce(v))
            except (ValueError, TypeError):
                self._bad = True
        self.data = data

    def pre_validate(self, form):
        values = {value for value, *_ in (self.choices or [])}
        if getattr(self, "_bad", False) or any(d not in values for d in (self.data or [])):
            raise ValidationError(self.message)


def split_tags(text: str | None) -> list[str]:
    seen: list[str] = []
    for tag in (text or "").split(","):
        tag = " ".join(tag.strip().lower().split())
        if tag and tag not in seen:
            seen.append(tag)
    return seen


class BankQuestionForm(FlaskForm):
    text = TextAreaField("Question", filters=[strip],
                         validators=[DataRequired("Enter the question"), max_length(1000, "The question")])
    category = RadioField("What does the question find out about?", choices=CATEGORY_CHOICES,
                          validators=[DataRequired("Choose what the question finds out about")])
    tags = StringField("Tags (optional)", filters=[strip], validators=[Optional(), max_length(300, "Tags")])
    guidance = TextAreaField("A good answer may include (optional)", filters=[strip],
                             validators=[Optional(), max_length(3000, "A good answer may include")])
    follow_ups = TextAreaField("Follow-up questions (optional)", filters=[strip],
                               validators=[Optional(), max_length(2000, "Follow-up questions")])
    content_note = TextAreaField("Content note (optional)", filters=[strip],
                                 validators=[Optional(), max_length(500, "The content note")])

    def validate_tags(self, field):
        tags = split_tags(field.data)
        if len(tags) > MAX_TAGS:
            raise ValidationError(f"Use {MAX_TAGS} tags or fewer")
        for tag in tags:
            if len(tag) > 30:
                raise ValidationError("Each tag must be 30 characters or fewer")
            if not TAG_RE.match(tag):
                raise ValidationError("Tags can only contain letters, numbers, spaces and dashes, with commas between them")


class ProposeForm(BankQuestionForm):
    vacancy_id = ChoiceField("Which vacancy is it for? (optional)", validators=[Optional()],
                             message="Choose one of your vacancies, or ‘Any vacancy’")


class ReviewForm(FlaskForm):
    decision = RadioField("Can panels use this question?",
                          choices=[("approve", "Yes, add it to the bank"), ("reject", "No, do not add it")],
                          validators=[DataRequired("Choose whether panels can use this question")])
    note = TextAreaField("A note for the person who proposed it (optional)", filters=[strip],
                         validators=[max_length(500, "The note")])

    def validate_note(self, field):
        if self.decision.data == "reject" and not field.data:
            raise ValidationError("Say briefly why the question is not being added, so the person who proposed it knows")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search the questions", filters=[strip], validators=[Optional(), max_length(200, "The search")])
    category = SelectField("What it finds out about", choices=[("", "Anything")] + CATEGORY_CHOICES,
                           validators=[Optional()])
    tag = SelectField("Tag", validators=[Optional()])
    show = SelectField("Show", validators=[Optional()])
