from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from panel.forms import DatePartsField, max_length, strip
from panel.models import DEFAULT_SCALE
from panel.plans import invitations, timetable
from panel.questions.forms import ChoiceField, MultiChoiceField


class WholeNumberField(IntegerField):
    """A whole number with a message people understand when they type something else."""

    def __init__(self, label=None, validators=None, what: str = "This", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(f"{self.what} must be a whole number, like 5")


class PlanQuestionForm(FlaskForm):
    text = TextAreaField("Question", filters=[strip],
                         validators=[DataRequired("Enter the question"), max_length(1000, "The question")])
    criteria = MultiChoiceField("Which criteria does it assess?",
                                message="Choose criteria from this vacancy's person specification that are assessed at interview")
    guidance = TextAreaField("A good answer may include (optional)", filters=[strip],
                             validators=[Optional(), max_length(3000, "A good answer may include")])
    follow_ups = TextAreaField("Follow-up questions (optional)", filters=[strip],
                               validators=[Optional(), max_length(2000, "Follow-up questions")])
    content_note = TextAreaField("Content note (optional)", filters=[strip],
                                 validators=[Optional(), max_length(500, "The content note")])
    minutes = WholeNumberField("Minutes allowed", what="Minutes allowed",
                               validators=[InputRequired("Enter how many minutes the question takes"),
                                           NumberRange(1, 60, "Minutes allowed must be between 1 and 60")])
    asker_id = ChoiceField("Who asks it?", validators=[Optional()],
                           message="Choose a member of this vacancy's panel to ask the question")
    offer_to_bank = BooleanField("Offer this question to the question bank")

    def validate_criteria(self, field):
        if not field.data:
            raise ValidationError("Choose at least one criterion the question assesses")


def scale_form_class(levels=DEFAULT_SCALE):
    """A form with a label and a descriptor for each point of the scale."""

    class ScaleForm(FlaskForm):
        pass

    for score, _label, _descriptor in levels:
        setattr(ScaleForm, f"label_{score}", StringField(
            f"Name for {score}", filters=[strip],
            validators=[DataRequired(f"Enter a name for score {score}"), max_length(60, f"The name for score {score}")]))
        setattr(ScaleForm, f"descriptor_{score}", TextAreaField(
            f"What {score} means", filters=[strip],
            validators=[DataRequired(f"Say what score {score} means"), max_length(300, f"What score {score} means")]))
    return ScaleForm


def _time_check(field):
    if field.data:
        try:
            timetable.parse_time(field.data)
        except timetable.TimetableError as exc:
            raise ValidationError(str(exc))


class _StartEndForm(FlaskForm):
    """A start and an end time (fields ``starts`` and ``ends``), the end after the start."""
    what = "slot"

    def validate_starts(self, field):
        _time_check(field)

    def validate_ends(self, field):
        _time_check(field)
        if field.data and self.starts.data:
            try:
                if timetable.parse_time(field.data) <= timetable.parse_time(self.starts.data):
                    raise ValidationError(f"The {self.what} must end after it starts")
            except timetable.TimetableError:
                return


class DayForm(_StartEndForm):
    date = DatePartsField("Interview date", required=True)
    starts = StringField("Start time", filters=[strip], validators=[DataRequired("Enter the start time, like 9:30")])
    ends = StringField("End time", filters=[strip], validators=[DataRequired("Enter the end time, like 16:30")])
    slot_minutes = WholeNumberField("Length of each interview, in minutes", what="The length of each interview",
                                    validators=[InputRequired("Enter how long each interview lasts"),
                                                NumberRange(5, 240, "Each interview must last between 5 and 240 minutes")])
    gap_minutes = WholeNumberField("Gap between interviews, in minutes", what="The gap",
                                   validators=[InputRequired("Enter the gap between interviews (0 for none)"),
                                               NumberRange(0, 120, "The gap must be between 0 and 120 minutes")])
    breaks = StringField("Breaks (optional)", filters=[strip], validators=[Optional(), max_length(300, "Breaks")])
    default_location = StringField("Room or video link", filters=[strip],
                                   validators=[Optional(), max_length(300, "Room or video link")])

    what = "day"

    def validate_breaks(self, field):
        try:
            timetable.parse_breaks(field.data or "")
        except timetable.TimetableError as exc:
            raise ValidationError(str(exc))

    def settings(self) -> timetable.DaySettings:
        """The day as the timetable module sees it (call after validate)."""
        return timetable.DaySettings(
            date=self.date.data, starts=timetable.parse_time(self.starts.data), ends=timetable.parse_time(self.ends.data),
            slot_minutes=self.slot_minutes.data, gap_minutes=self.gap_minutes.data,
            breaks=tuple(timetable.parse_breaks(self.breaks.data or "")))


class SlotForm(_StartEndForm):
    date = DatePartsField("Date", required=True)
    starts = StringField("Start time", filters=[strip], validators=[DataRequired("Enter the start time, like 9:30")])
    ends = StringField("End time", filters=[strip], validators=[DataRequired("Enter the end time, like 10:15")])
    candidate_id = ChoiceField("Candidate", validators=[Optional()],
                               message="Choose one of the shortlisted candidates, or no candidate")
    location = StringField("Room or video link", filters=[strip],
                           validators=[Optional(), max_length(500, "Room or video link")])



def _placeholder_check(field):
    unknown = invitations.unknown_placeholders(field.data or "")
    if unknown:
        names = ", ".join("{" + u + "}" for u in unknown)
        raise ValidationError(f"{names} is not a placeholder we can fill in. Use only the placeholders listed")


class InvitationTemplateForm(FlaskForm):
    subject = StringField("Subject", filters=[strip],
                          validators=[DataRequired("Enter the subject of the email"), max_length(300, "The subject")])
    body = TextAreaField("Message", filters=[strip],
                         validators=[DataRequired("Enter the message"), max_length(10000, "The message")])

    def validate_subject(self, field):
        _placeholder_check(field)

    def validate_body(self, field):
        _placeholder_check(field)


class InvitationForm(FlaskForm):
    """One candidate's invitation, filled in and editable before it is sent."""

    subject = StringField("Subject", filters=[strip],
                          validators=[DataRequired("Enter the subject of the email"), max_length(300, "The subject")])
    body = TextAreaField("Message", filters=[strip],
                         validators=[DataRequired("Enter the message"), max_length(10000, "The message")])


class BookingCutoffForm(FlaskForm):
    """Until when candidates may book, change or cancel through their link."""

    hours = WholeNumberField("Hours before the interview day starts", what="The number of hours",
                             validators=[InputRequired("Enter a number of hours, like 48"),
                                         NumberRange(0, 336, "Enter a number of hours between 0 and 336 (two weeks)")])
