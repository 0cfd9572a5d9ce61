from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

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
    large_print = BooleanField("Print my packs in large print")
