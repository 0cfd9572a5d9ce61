"""Forms of the involvement pages (issue 17)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Optional

from panel.forms import max_length, strip
from panel.involvement.services import CHECK_IN_FEELINGS, MAX_CONCERN, MAX_TROUBLES


class RevealForm(FlaskForm):
    """"Do you know any of these people?": tick those you know (none ticked: you know nobody)."""

    known = SelectMultipleField("I know this person", coerce=int, validate_choice=False)


class SupportContactForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired("Enter the name of the support contact"),
                                                           max_length(120, "Name")])
    phone = StringField("Phone number", filters=[strip], validators=[Optional(), max_length(40, "Phone number")])
    email = StringField("Email address", filters=[strip],
                        validators=[Optional(), max_length(254, "Email address"),
                                    Email("Enter an email address in the correct format, like name@example.nhs.uk")])


class AskingPreferenceForm(FlaskForm):
    avoid = RadioField("Would you rather not ask a question that has a content note?",
                       choices=[("yes", "Yes, I would rather not ask those questions"),
                                ("no", "No, I am happy to ask any question")],
                       validators=[DataRequired("Choose yes or no")])


class CheckInForm(FlaskForm):
    how_it_went = RadioField("How did the interview day go for you?", choices=list(CHECK_IN_FEELINGS.items()),
                             validators=[DataRequired("Choose how the interview day went for you")])
    wants_call = RadioField("Would you like someone to call you for a chat about it?",
                            choices=[("yes", "Yes, please call me"), ("no", "No, thank you")],
                            validators=[DataRequired("Choose yes or no")])
    troubles = TextAreaField("Did anything trouble you? (optional)", filters=[strip],
                             validators=[Optional(), max_length(MAX_TROUBLES, "Your answer")])


class DebriefForm(FlaskForm):
    user_id = HiddenField(validators=[DataRequired()])


class ConcernForm(FlaskForm):
    text = TextAreaField("What is your concern?", filters=[strip],
                         validators=[DataRequired("Tell us what your concern is"), max_length(MAX_CONCERN, "Your concern")])
    wants_reply = BooleanField("I would like someone to contact me about it")
    vacancy = HiddenField()


class HoursForm(FlaskForm):
    key = HiddenField(validators=[DataRequired()])
    hours = StringField("Hours", filters=[strip], validators=[DataRequired("Enter the hours, like 2.5")])
