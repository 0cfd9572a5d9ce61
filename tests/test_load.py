"""A short version of `make load`: concurrent score saves under gunicorn lose nothing."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))


@pytest.mark.skipif(bool(os.environ.get("PANEL_TEST_DATABASE_URL")), reason="run by make load against PostgreSQL")
def test_short_load_run_loses_nothing():
    import load

    result = load.run(argparse.Namespace(users=6, seconds=3, workers=3, candidates=3, questions=4, pause_ms=0))
    assert result["requests"] > 0
    assert result["errors"] == 0, result
    assert result["lost_writes"] == 0, result


def test_default_pause_is_the_scoring_pages_own_wait():
    """`make load` paces each member like the real page: it reads the page's TYPING_MS."""
    import re

    import load

    script = (Path(__file__).resolve().parent.parent / "static/js/scoring.js").read_text()
    assert load.page_typing_ms() == int(re.search(r"const TYPING_MS = (\d+);", script).group(1))
