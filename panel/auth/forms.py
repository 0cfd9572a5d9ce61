from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from panel.auth.services import AccountError, uk_mobile
from panel.forms import max_length


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address"), max_length(254, "Email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=256)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.com"),
        max_length(254, "Email address"),
    ])


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("Enter a new password")])
    confirm = PasswordField("Type the new password again", validators=[
        DataRequired("Type the new password again"),
        EqualTo("password", "The two passwords do not match"),
    ])


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired("Enter your current password")])


class PreferencesForm(FlaskForm):
    """How to tell the person about their panels. Large print, easy read and the rest of how
    they take part are on their involvement profile (panel/profiles)."""
    mobile = StringField("Mobile phone number", validators=[Length(max=30, message="Mobile phone number must be 30 characters or fewer")])
    contact_preference = RadioField("How should we tell you about your panels?", default="email", choices=[
        ("email", "By email"), ("text", "By text message"), ("both", "By email and text message"),
        ("essential", "Only essential messages, by email (being added to a panel and the interview day, not reminders)")],
        validate_choice=True)
    message_frequency = RadioField("How often should we send messages that can wait?", default="immediate", choices=[
        ("immediate", "As things happen"),
        ("daily", "One daily digest, at 9am, with everything since the day before")], validate_choice=True)

    def validate_mobile(self, field):
        try:
            field.data = uk_mobile(field.data)
        except AccountError as exc:
            raise ValidationError(str(exc)) from exc

    def validate_contact_preference(self, field):
        if field.data in ("text", "both") and not self.mobile.data:
            raise ValidationError("Enter your mobile phone number to get text messages")
