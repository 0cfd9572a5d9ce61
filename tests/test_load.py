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

    result = load.run(argparse.Namespace(users=6, seconds=3, workers=3, candidates=3, questions=4))
    assert result["requests"] > 0
    assert result["errors"] == 0, result
    assert result["lost_writes"] == 0, result
