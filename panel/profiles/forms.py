from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from panel import permissions
from panel.forms import DatePartsField, max_length, strip
from panel.models import TrainingKind
from panel.profiles import items


class ProfileForm(FlaskForm):
    contact_by_phone = BooleanField("By phone call")
    phone = StringField("Phone number for calls", filters=[strip], validators=[Optional(), max_length(40, "Phone number")])
    contact_by_post = BooleanField("By post")
    postal_address = TextAreaField("Postal address", filters=[strip], validators=[Optional(), max_length(500, "Postal address")])
    easy_read = BooleanField("Easy read papers")
    large_print = BooleanField("Large print")
    needs = SelectMultipleField("What do you need on the day?", validate_choice=True,
                                choices=[(k, items.ITEMS[k].label) for k in items.ACCESS_NEEDS])
    break_every = StringField("How often do you need a break?", filters=[strip],
                              validators=[Optional(), max_length(60, "How often you need a break")])
    other_needs = TextAreaField("Anything else we should arrange?", filters=[strip],
                                validators=[Optional(), max_length(500, "Anything else")])
    share = SelectMultipleField("What may the chair of your panel see?", validate_choice=True,
                                choices=[(k, items.ITEMS[k].label) for k in permissions.SHAREABLE_ITEMS])
    preferred_sites = SelectMultipleField("Where would you like to help?", validate_choice=True)
    travel = StringField("How far can you travel?", filters=[strip], validators=[Optional(), max_length(200, "How far you can travel")])
    availability = TextAreaField("When are you usually free?", filters=[strip],
                                 validators=[Optional(), max_length(500, "When you are usually free")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred_sites.choices = [(s, s) for s in current_app.config["SITES"]]

    def validate_phone(self, field):
        if field.data and sum(ch.isdigit() for ch in field.data) < 10:
            raise ValidationError("Enter a phone number, like 01205 445 000 or 07700 900 123")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # asked for a way of contact without saying where: the message goes next to the empty box
        if self.contact_by_phone.data and not self.phone.data and not self.phone.errors:
            self.phone.errors = list(self.phone.errors) + ["Enter a phone number to be called on"]
            ok = False
        if self.contact_by_post.data and not self.postal_address.data and not self.postal_address.errors:
            self.postal_address.errors = list(self.postal_address.errors) + ["Enter your postal address to get letters"]
            ok = False
        return ok

    def data_for_service(self) -> dict:
        data = {f: getattr(self, f).data for f in ("phone", "postal_address", "contact_by_phone", "contact_by_post",
                                                   "easy_read", "large_print", "break_every", "other_needs",
                                                   "travel", "availability")}
        data.update({k: k in (self.needs.data or []) for k in items.ACCESS_NEEDS})
        data["preferred_sites"] = ",".join(s for s in (self.preferred_sites.data or []) if "," not in s)
        return data


class TrainingForm(FlaskForm):
    kind = RadioField("Training", validators=[DataRequired("Choose the training")], validate_choice=True,
                      choices=[(k.value, k.label) for k in TrainingKind])
    completed_on = DatePartsField("Date done", required=True)
    expires_on = DatePartsField("Expires on")


class ShadowingForm(FlaskForm):
    held_on = DatePartsField("Date of the session", required=True)
    chair_name = StringField("Who they shadowed", filters=[strip], validators=[Optional(), max_length(120, "Name")])


class OverrideForm(FlaskForm):
    reason = TextAreaField("Why go ahead with this panel?", filters=[strip],
                           validators=[max_length(1000, "The reason")])


class LeadForm(FlaskForm):
    lead = BooleanField("This person is the involvement lead")

