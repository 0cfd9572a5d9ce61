from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Optional

from panel.booking.services import MESSAGE_MAX
from panel.forms import max_length, strip
from panel.models import ADJUSTMENTS
from panel.questions.forms import ChoiceField, MultiChoiceField


class BookForm(FlaskForm):
    slot = ChoiceField("Choose a time for your interview", validators=[InputRequired("Choose a time for your interview")],
                       message="Sorry, that time has just been taken. Choose another time")
    adjustments = MultiChoiceField("Do you need anything to take part in the interview?", coerce=str,
                                   choices=ADJUSTMENTS, message="Choose from the list of adjustments")
    adjustments_other = TextAreaField("Anything else we can do to help (optional)", filters=[strip],
                                      validators=[Optional(), max_length(MESSAGE_MAX, "What you tell us")])


class CannotComeForm(FlaskForm):
    choice = ChoiceField("What would you like to do?", coerce=str,
                         choices=[("other_time", "I would like a different time"),
                                  ("decline", "I cannot come to the interview")],
                         validators=[InputRequired("Choose whether you need a different time or cannot come")],
                         message="Choose whether you need a different time or cannot come")
    message = TextAreaField("Your message (needed if you would like a different time)", filters=[strip],
                            validators=[Optional(), max_length(MESSAGE_MAX, "Your message")])
