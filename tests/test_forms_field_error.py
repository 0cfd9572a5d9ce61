"""panel.forms.field_error: one way to put a service's refusal on its form field or in the summary."""
from flask_wtf import FlaskForm
from wtforms import StringField

from panel.errors import ServiceError
from panel.forms import field_error


class _Form(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()
    reason = StringField()


def test_a_refusal_goes_next_to_its_field_or_the_default_or_the_summary(app):
    with app.test_request_context():
        form = _Form()
        form.reason.errors = ["Already here"]
        assert field_error(form, ServiceError("Too long", field="reason")) is None
        assert form.reason.errors == ["Already here", "Too long"]
        assert field_error(form, ServiceError("Taken", field="nonesuch"), "name") is None
        assert field_error(form, ServiceError("Missing"), "name") is None
        assert form.name.errors == ["Taken", "Missing"]
        assert field_error(form, ServiceError("Results are signed off")) == "Results are signed off"
        assert field_error(form, ServiceError("Not a field here", field="nonesuch")) == "Not a field here"
