"""Forms for claims, choices, rates and rules, approval and payroll exports. Money is typed in
pounds (12.50) and parsed into pence here; a bad figure gets a plain message next to its field."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from panel.converters import posted_number
from panel.forms import DatePartsField, max_length, strip
from panel.involvement.activities import LABELS
from panel.payments import money
from panel.payments.services import CHOICES, ClaimData


class PoundsField(StringField):
    """Pounds and pence typed as 12.50 (or £12.50, or 12); .pence holds the amount in pence."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, filters=[strip], **kwargs)
        self.pence = 0

    def pre_validate(self, form):
        try:
            self.pence = money.parse_pounds(self.data)
        except ValueError:
            raise ValidationError(f"{self.label.text} must be an amount in pounds and pence, like 12.50, "
                                  "and not less than zero") from None

    def _value(self):
        return self.data or ""


class TenthsField(StringField):
    """A number of miles like 12 or 12.5; .tenths holds tenths."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, filters=[strip], **kwargs)
        self.tenths = 0

    def pre_validate(self, form):
        try:
            self.tenths = money.parse_tenths(self.data)
        except ValueError:
            raise ValidationError(f"{self.label.text} must be a number like 12 or 12.5, not less than zero") from None


class HoursField(StringField):
    """Hours like 3.5 or 3.25 (quarter hours); .quarters holds quarter hours."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, filters=[strip], **kwargs)
        self.quarters = 0

    def pre_validate(self, form):
        try:
            value = Decimal(self.data or "")
            if not value.is_finite() or value <= 0 or (value * 4) % 1 != 0:
                raise InvalidOperation
        except InvalidOperation:
            raise ValidationError("Enter the hours as a number in quarter hours, like 3.5 or 2.25") from None
        self.quarters = int(value * 4)


class ClaimForm(FlaskForm):
    version = HiddenField()
    hours = HoursField("Hours")
    mileage_from = StringField("From", filters=[strip], validators=[max_length(200, "From")])
    mileage_to = StringField("To", filters=[strip], validators=[max_length(200, "To")])
    miles = TenthsField("Miles, there and back")
    fares = PoundsField("Bus or train fares")
    fares_receipt = FileField("Fares receipt")
    parking = PoundsField("Parking")
    parking_receipt = FileField("Parking receipt")
    care = PoundsField("Carer or childcare")
    care_receipt = FileField("Carer or childcare receipt")

    def data_for_service(self):
        return ClaimData(quarter_hours=self.hours.quarters, mileage_from=self.mileage_from.data or "",
                         mileage_to=self.mileage_to.data or "", tenth_miles=self.miles.tenths,
                         fares_pence=self.fares.pence, parking_pence=self.parking.pence, care_pence=self.care.pence,
                         files={k: self[f"{k}_receipt"].data for k in ("fares", "parking", "care")
                                if getattr(self[f"{k}_receipt"].data, "filename", "")})


class ChoiceForm(FlaskForm):
    choice = RadioField("Choice", choices=list(CHOICES.items()), validate_choice=False)
    effective_from = DatePartsField("Date it applies from")

    def validate_choice(self, field):
        if field.data not in CHOICES:
            raise ValidationError("Choose whether you want to be paid")


class PersonChoiceForm(ChoiceForm):
    payroll_reference = StringField("Payroll or supplier reference", filters=[strip],
                                    validators=[max_length(40, "The reference")])


class RateForm(FlaskForm):
    kind = RadioField("Activity", choices=list(LABELS.items()), validate_choice=False)
    unit = RadioField("Paid", choices=list(money.UNITS.items()), validate_choice=False)
    rate = PoundsField("Rate")
    cost_centre = StringField("Cost centre (optional)", filters=[strip], validators=[max_length(40, "The cost centre")])
    effective_from = DatePartsField("Date it takes effect", required=True)


class RulesForm(FlaskForm):
    mileage_rate = PoundsField("Mileage rate per mile")
    max_miles = TenthsField("Most miles in one claim")
    fares_limit = PoundsField("Most for fares in one claim")
    parking_limit = PoundsField("Most for parking in one claim")
    care_limit = PoundsField("Most for carer or childcare in one claim")
    cost_centre = StringField("Cost centre", filters=[strip], validators=[max_length(40, "The cost centre")])
    tax_note = TextAreaField("Note on tax and benefits", filters=[strip], validators=[max_length(3000, "The note")])
    advice_url = StringField("Link to advice", filters=[strip], validators=[Optional(), max_length(300, "The link")])
    effective_from = DatePartsField("Date it takes effect", required=True)


class DecisionForm(FlaskForm):
    version = HiddenField()
    decision = RadioField("Decision", choices=[("approve", "Approve"), ("query", "Ask the claimant a question"),
                                               ("reject", "Reject")], validate_choice=False)
    text = TextAreaField("Your question, or the reason it is rejected", filters=[strip])


class AnswerForm(FlaskForm):
    version = HiddenField()
    answer = TextAreaField("Your answer", filters=[strip])


class PaidForm(FlaskForm):
    version = HiddenField()
    reference = StringField("Payment reference", filters=[strip])
    paid_on = DatePartsField("Date paid", required=True)


class ExportForm(FlaskForm):
    period_end = DatePartsField("Last day of the pay period", required=True)


def version_of(form) -> int:
    return posted_number(form.version.data, default=0)
