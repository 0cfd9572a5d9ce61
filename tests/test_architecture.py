"""The shape issue 13 asked for, held: small views, no status strings compared in templates or
views, imports at the top (except where a cycle or an optional heavy library needs them), and
one order of where a panel member is with a candidate."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from panel.models import CheckIn
from panel.scorecore import MyState

ROOT = Path(__file__).resolve().parents[1]
PANEL = ROOT / "panel"


def _views() -> list[Path]:
    return sorted([*PANEL.glob("*/views.py"), *PANEL.glob("*/views/*.py"), *PANEL.glob("*/*_views.py")])


def test_every_views_module_is_under_300_lines():
    long = {str(p.relative_to(ROOT)): n for p in _views() if (n := len(p.read_text().splitlines())) > 300}
    assert not long, f"split these views by page family: {long}"


STATUS_COMPARISON = re.compile(
    r"""status\s*(==|!=)|status\.value\s*(==|!=|in\b)|\[\s*[\w.]*\.status\s*\]|\.state\s*(==|!=|in\b|not in\b)"""
    r"""|\bstate\s*(==|!=)\s*["']|==\s*["'](submitted|queued|running|done|failed|approved|queried|paid)["']""")


@pytest.mark.parametrize("folder", ["templates", "panel"])
def test_no_template_or_view_compares_a_status_string(folder):
    paths = sorted((ROOT / "templates").rglob("*.html")) if folder == "templates" else _views()
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in paths
             for n, line in enumerate(p.read_text().splitlines(), start=1)
             if STATUS_COMPARISON.search(line) and "STALE_EDIT_STATUS" not in line]
    assert not found, "ask the model or the stage by meaning (claim.is_paid, job.ready, state.submitted):\n" + \
        "\n".join(found)


# imports that stay inside a function, and why
LATE_IMPORTS = {
    "panel/__init__.py": None,  # the application factory imports the app's modules as it builds it
    "panel/models/vacancies.py": {"panel.stages"},  # the stage table's readiness checks query the models
    "panel/permissions.py": {"panel.stages"},  # type only
    "panel/shortlisting/walk.py": {"panel.models", "panel.shortlisting.queries", "panel.shortlisting.services"},  # types
    "panel/notifications/services.py": {"panel.notifications"},  # summary uses this module's enqueue
    "panel/storage.py": {"boto3", "botocore.config", "botocore.exceptions",  # only S3 deployments load them
                         "sqlalchemy.dialects.postgresql", "sqlalchemy.dialects.sqlite"},  # per database
    "panel/candidates/importing.py": {"openpyxl", "openpyxl.utils.exceptions"},  # spreadsheet imports only
    "panel/packs/render.py": {"weasyprint"},  # the web process loads WeasyPrint only for its version
    "panel/packs/bench.py": {"weasyprint"},
    "panel/packs/worker.py": {"weasyprint", "weasyprint.urls", "weasyprint.text.fonts"},  # the render process, once it starts
    "panel/passwords.py": {"zxcvbn.frequency_lists"},  # on first use
    "panel/uploads.py": {"pypdf", "pypdf.errors"},
}


def test_imports_are_at_the_top_unless_a_cycle_or_a_heavy_library_needs_them():
    late = []
    for path in sorted(PANEL.rglob("*.py")):
        name = str(path.relative_to(ROOT))
        allowed = LATE_IMPORTS.get(name, set())
        if allowed is None:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.If)):
                for inner in ast.walk(node):
                    if isinstance(inner, (ast.Import, ast.ImportFrom)) and inner.col_offset > 0:
                        modules = [inner.module] if isinstance(inner, ast.ImportFrom) else [a.name for a in inner.names]
                        late += [f"{name}:{inner.lineno} {m}" for m in modules if m not in allowed]
    assert not sorted(set(late)), sorted(set(late))


def test_where_a_panel_member_is_with_a_candidate_has_one_order():
    assert MyState.of(stepped_aside=True, submitted=True, started=True, withdrawn=True).stepped_aside
    assert MyState.of(stepped_aside=False, submitted=True, started=True, withdrawn=True).submitted
    assert MyState.of(stepped_aside=False, submitted=False, started=True, withdrawn=True).withdrawn
    started = MyState.of(stepped_aside=False, submitted=False, started=True)
    fresh = MyState.of(stepped_aside=False, submitted=False, started=False)
    assert started.started and started.needs_work and started.counts and started.label == "In progress"
    assert fresh.not_started and fresh.needs_work and fresh.label == "Not started"
    aside = MyState.of(stepped_aside=True, submitted=False, started=False)
    assert not aside.counts and not aside.needs_work and aside.label == "Stepped aside"


def test_a_check_in_says_where_it_is():
    import datetime as dt

    now = dt.datetime(2026, 3, 3, tzinfo=dt.timezone.utc)
    assert CheckIn(wants_call=True).status_text == "waiting for a reply"
    asked = CheckIn(answered_at=now, wants_call=True)
    assert asked.call_requested and asked.status_text == "call requested"
    called = CheckIn(answered_at=now, wants_call=True, call_done_at=now)
    assert not called.call_requested and called.status_text == "check-in done"
