from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Optional

from panel.forms import max_length, strip
from panel.models import Outcome


class ScoresForm(FlaskForm):
    """The scoring page. Its fields (score-<question id>, notes-<question id> and
    version-<question id>) depend on the plan, so the view reads them with read_answers()."""


def read_answers(formdata, questions) -> dict[int, dict]:
    """{question id: {"score": str, "notes": str, "version": int | None}} for the questions sent."""
    answers = {}
    for q in questions:
        if f"score-{q.id}" not in formdata and f"notes-{q.id}" not in formdata:
            continue
        try:
            version = int(formdata.get(f"version-{q.id}", ""))
        except ValueError:
            version = None
        answers[q.id] = {"score": formdata.get(f"score-{q.id}", ""), "notes": formdata.get(f"notes-{q.id}", ""),
                         "version": version}
    return answers


class SubmitForm(FlaskForm):
    confirm_blank = BooleanField("I want to submit without a score for these questions")


class ModerateForm(FlaskForm):
    score = RadioField("Agreed score", validators=[DataRequired("Choose the agreed score")])
    reason = TextAreaField("Why the panel agreed this score", filters=[strip],
                           validators=[DataRequired("Give the reason for the agreed score"), max_length(2000, "The reason")])


class OutcomeForm(FlaskForm):
    outcome = RadioField("Outcome", choices=[(o.value, o.label) for o in Outcome],
                         validators=[DataRequired("Choose the outcome")])
    rationale = TextAreaField("Reasons for this outcome", filters=[strip],
                              validators=[DataRequired("Give the reasons for this outcome"), max_length(2000, "The reasons")])
    version = IntegerField(validators=[Optional()], default=0)


class SignOffForm(FlaskForm):
    patient_view_note = TextAreaField("Why the decision differs from the patient panelists' ranking", filters=[strip],
                                      validators=[Optional(), max_length(2000, "The explanation")])


class ReopenForm(FlaskForm):
    reason = TextAreaField("Why the results need to be reopened", filters=[strip],
                           validators=[DataRequired("Give the reason for reopening the results"),
                                       max_length(2000, "The reason")])


class FeedbackForm(FlaskForm):
    text = TextAreaField("Feedback for the candidate", filters=[strip],
                         validators=[DataRequired("Enter the feedback"), max_length(20000, "Feedback")])
    include_scores = BooleanField("Add the candidate's interview scores below the feedback")
    version = HiddenField(default="0")
