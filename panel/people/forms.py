from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField
from wtforms.validators import DataRequired, Email

from panel.forms import max_length, strip
from panel.models import PanelRole, Role


ROLE_HINTS = {
    "hr": "Creates vacancies, adds candidates, invites people and runs the process.",
    "chair": "Chairs panels: moderates shortlisting, sets the interview plan and records decisions.",
    "panelist": "A voice2change member who shortlists, sets questions and interviews.",
}


class PersonForm(FlaskForm):
    name = StringField("Full name", filters=[strip], validators=[DataRequired("Enter their full name"), max_length(120, "Full name")])
    role = RadioField("Role", choices=[(r.value, r.label) for r in Role], validators=[DataRequired("Choose their role")])


class InviteForm(PersonForm):
    email = EmailField("Email address", filters=[strip], validators=[
        DataRequired("Enter their email address"),
        Email("Enter an email address in the correct format, like name@example.com", check_deliverability=False),
        max_length(254, "Email address"),
    ])
    # Only asked when inviting from a vacancy's panel page; checked in the view.
    panel_role = RadioField("Their role on this panel", choices=[(r.value, r.label) for r in PanelRole],
                            validate_choice=False)
