"""The privacy notice and accessibility statement show what the trust configures."""
from __future__ import annotations

import pytest

from panel import create_app


@pytest.fixture()
def configured(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "i"), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                      "ORGANISATION_NAME": "Lincolnshire Talking Therapies", "DATA_CONTROLLER": "Example NHS Foundation Trust",
                      "DPO_CONTACT": "dpo@trust.example, 01234 567890", "PRIVACY_CONTACT_EMAIL": "privacy@trust.example",
                      "ACCESSIBILITY_CONTACT": "access@trust.example", "ACCESSIBILITY_LAST_REVIEWED": "1 March 2026",
                      "RETENTION_UNSUCCESSFUL_DAYS": 90})
    yield app.test_client()
    app.extensions["panel.engine"].dispose()


def test_privacy_notice_shows_the_configured_details(configured):
    page = configured.get("/privacy").get_data(as_text=True)
    for text in ["Example NHS Foundation Trust", "dpo@trust.example, 01234 567890", "mailto:privacy@trust.example",
                 "Lincolnshire Talking Therapies", "90 days (about 3 months)", "365 days (about 12 months)",
                 "subject access request", "ico.org.uk"]:
        assert text in page, text


def test_accessibility_statement_shows_the_configured_details(configured):
    page = configured.get("/accessibility").get_data(as_text=True)
    for text in ["access@trust.example", "1 March 2026", "WCAG", "Equality Advisory and Support Service"]:
        assert text in page, text


def test_pages_read_well_without_configuration(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "The data controller (the organisation responsible for your information) is NHS Talking Therapies." in page
    assert "contact the recruitment team" in page
    assert "tell your recruitment team" in client.get("/accessibility").get_data(as_text=True)
