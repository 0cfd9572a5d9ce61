"""The form behind each pack's download buttons: the print size chosen for this download."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired


class PrintSizeForm(FlaskForm):
    large_print = RadioField("Print size", choices=[("0", "Standard print"), ("1", "Large print")],
                             validators=[InputRequired("Choose the print size")])
