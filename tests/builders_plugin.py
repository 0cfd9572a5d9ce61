"""A pytest plugin (registered in tests/conftest.py): the `build` fixture, a panel.builders.Builder
on the test's session, so test data goes through the services like the demo's and the benchmark's."""
from __future__ import annotations

import pytest

from panel.builders import Builder


@pytest.fixture()
def build(app, session) -> Builder:
    return Builder(session, app=app)
