from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from panel.converters import posted_number
from panel.forms import max_length, strip
from panel.models import ShortlistOutcome
from panel.shortlisting import scoring, walk
from panel.shortlisting.services import COMMENT_LIMIT, REASON_LIMIT


class ScoreField(RadioField):
    """0, 1 or 2, or nothing yet. Anything else is refused with a plain message."""

    def pre_validate(self, form):
        if self.data in (None, "", "None"):
            return
        if self.data not in {value for value, _label in self.choices}:

            raise ValidationError("Choose no evidence, some evidence or clear evidence")


# Asked about an anonymised application: the panel member can only go by what the candidate wrote.
QUESTION = "Do you think you know this person from what they wrote?"


class ConflictForm(FlaskForm):
    knows = RadioField(QUESTION, choices=[("no", "No"), ("yes", "Yes, I think I know this person")],
                       validators=[DataRequired("Choose no, or yes if you think you know this person")])


class ScoreForm(FlaskForm):
    """One radio group (0, 1, 2) and one optional comment per answer: per criterion assessed at
    application on a candidate's page (score_form), per candidate on a criterion's page
    (criterion_score_form). Empty scores are allowed (saved as you go)."""

    answer_fields: list = []

    def entries(self, formdata) -> dict[int, dict]:
        """answer id (criterion or candidate) -> {"score": 0-2 or None, "comment": text}, with only
        the keys that were posted: a radio group nobody has chosen is not sent, so it leaves the
        saved score alone."""
        out: dict[int, dict] = {}
        for answer_id, score_name, comment_name in self.answer_fields:
            entry = {}
            if score_name in formdata:
                raw = getattr(self, score_name).data
                entry["score"] = int(raw) if raw not in (None, "", "None") else None
            if comment_name in formdata:
                entry["comment"] = getattr(self, comment_name).data or ""
            if entry:
                out[answer_id] = entry
        return out


def answer_form(answers, *args, **kwargs) -> ScoreForm:
    """A ScoreForm for ``answers``: (id, what it is called, e.g. "criterion 2" or "Candidate 07")."""
    class _Form(ScoreForm):
        pass

    fields = []
    for answer_id, name in answers:
        score_name, comment_name = f"score_{answer_id}", f"comment_{answer_id}"
        setattr(_Form, score_name, ScoreField(
            name[:1].upper() + name[1:], choices=[(str(k), v) for k, v in scoring.SCALE.items()],
            validators=[Optional()]))
        setattr(_Form, comment_name, TextAreaField(
            f"Comment on {name} (optional)", filters=[strip],
            validators=[Optional(), max_length(COMMENT_LIMIT, f"Comment on {name}")]))
        fields.append((answer_id, score_name, comment_name))
    _Form.answer_fields = fields
    return _Form(*args, **kwargs)


def score_form(criteria, *args, **kwargs) -> ScoreForm:
    """A candidate's page: one answer per criterion assessed at application."""
    return answer_form([(c.id, f"criterion {c.position}") for c in criteria], *args, **kwargs)


def criterion_score_form(candidates, *args, **kwargs) -> ScoreForm:
    """A criterion's page: one answer per candidate on the page."""
    return answer_form([(c.id, c.label) for c in candidates], *args, **kwargs)


CHOOSE_MODE = "Choose one candidate at a time or one criterion at a time"


class ReviewModeForm(FlaskForm):
    mode = RadioField("How do you want to score?", choices=list(walk.MODES.items()), validate_choice=False,
                      validators=[DataRequired(CHOOSE_MODE)])

    def validate_mode(self, field):
        if field.data not in walk.MODES:
            raise ValidationError(CHOOSE_MODE)


class SubmitForm(FlaskForm):
    pass


class DecisionForm(FlaskForm):
    outcome = RadioField("Decision", choices=[(o.value, o.label) for o in ShortlistOutcome],
                         validators=[DataRequired("Choose shortlist, reserve or do not shortlist")])
    reason = TextAreaField("Reason", filters=[strip], validators=[Optional(), max_length(REASON_LIMIT, "Reason")])
    version = HiddenField()

    def validate_reason(self, field):
        if self.outcome.data == ShortlistOutcome.REJECT.value and not field.data:
            raise ValidationError("Give a reason for not shortlisting this candidate")


class AllocationForm(FlaskForm):
    """How many panel members read each application (checked by the allocation service)."""

    readers = StringField("How many panel members should read each application?", filters=[strip],
                          validators=[DataRequired("Enter how many panel members should read each application")])


def _user_id(value) -> int | None:
    return posted_number(value)


class ReleaseReaderForm(FlaskForm):
    """A panel member who stops reading; the choices are the vacancy's readers."""

    member = RadioField("Who has stopped reading?", coerce=_user_id, validate_choice=False,
                        validators=[DataRequired("Choose the panel member who has stopped reading")])


class ResumeReaderForm(FlaskForm):
    """Undo a reading-stop; the choices are the vacancy's panel members who stopped reading."""

    member = RadioField("Who reads again?", coerce=_user_id, validate_choice=False,
                        validators=[DataRequired("Choose the panel member who reads again")])
