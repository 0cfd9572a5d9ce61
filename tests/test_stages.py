"""The stage table (panel/stages.py) is complete and ordered, it is the only place that gives a
stage its meaning (no template or view compares a vacancy's status), and the pages that read it
agree with each other (HR's home page and the vacancy page show the same readiness problems)."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from panel.models import AssessedAt, Criterion, CriterionCategory, Vacancy, VacancyStatus
from panel.stages import STAGES, TABS, Stage, stage_of, statuses_where
from tests.conftest import login, make_user, make_vacancy

ROOT = Path(__file__).resolve().parent.parent
STAGE_NAMES = "|".join(s.value for s in VacancyStatus)

# In templates and views: no status is compared at all (a vacancy's, a bank question's, an
# invitation's) and no stage is named: ask vacancy.stage.<flag>, question.status.approved,
# invitation.was_sent instead.
PAGE_PATTERNS = [
    re.compile(r"VacancyStatus\.[A-Z]"),
    re.compile(r"\bstatus\b(\.value)?\s*(==|!=|in\b|not\s+in\b)"),
    re.compile(r"[\"']\w+[\"']\s*(==|!=)\s*[\w.]*\bstatus\b"),
]
# Everywhere else in panel/: no status compared with a named stage and no tuple of stages.
CODE_PATTERNS = [
    re.compile(r"(==|!=|\bin\b)\s*[(\[]?\s*VacancyStatus\.[A-Z]"),
    re.compile(r"VacancyStatus\.[A-Z]+\s*(==|!=)"),
    re.compile(r"[(\[,]\s*VacancyStatus\.[A-Z]+\s*[,)\]]"),  # a tuple of stages
    re.compile(rf"status(\.value)?\s*(==|!=)\s*[\"']({STAGE_NAMES})[\"']"),
]
# The table itself, the column's model, and the data builders that put a vacancy at a named
# stage to build demo or benchmark data (they set a status; they do not decide what it allows).
NOT_SCANNED = {"panel/stages.py", "panel/models/vacancies.py", "panel/demo.py", "panel/plans/demo.py",
               "panel/shortlisting/demo.py", "panel/involvement/demo.py", "panel/packs/bench.py"}


def status_comparisons(root: Path) -> list[str]:
    """Every line under ``root`` (a checkout) that compares a vacancy's status outside the stage table."""
    found = []
    pages = sorted((root / "templates").rglob("*.html")) + sorted((root / "panel").rglob("views.py"))
    code = [p for p in sorted((root / "panel").rglob("*.py")) if p.name != "views.py"]
    for paths, patterns in ((pages, PAGE_PATTERNS), (code, CODE_PATTERNS)):
        for path in paths:
            rel = path.relative_to(root).as_posix()
            if rel in NOT_SCANNED:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if any(p.search(line) for p in patterns):
                    found.append(f"{rel}:{n}: {line.strip()}")
    return found


def test_no_template_or_view_compares_a_status():
    """Stages, question and invitation states are asked by meaning, so a new stage or state
    is one row (panel/stages.py) or one property, not a hunt through the pages."""
    assert status_comparisons(ROOT) == []


def test_the_scan_finds_the_comparisons_it_is_for(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "panel" / "area").mkdir(parents=True)
    (tmp_path / "templates" / "page.html").write_text(
        '{% if vacancy.status.value == "shortlisting" %}\n{% if v.status.value in ("draft", "closed") %}\n'
        '{% if vacancy.stage.names_shown %}\n{% if question.status.value == "approved" %}\n'
        '{% if question.status.approved %}\n{% if r.status == "sent" %}\n{% if "failed" != inv.status %}\n'
        '{% if value == form.status.data %}\n', encoding="utf-8")
    (tmp_path / "panel" / "area" / "views.py").write_text(
        "if vacancy.status != VacancyStatus.CLOSED:\n    pass\nif vacancy.stage.scoring_open:\n    pass\n",
        encoding="utf-8")
    (tmp_path / "panel" / "area" / "services.py").write_text(
        "OPEN = (VacancyStatus.INTERVIEWING, VacancyStatus.DECISIONS)\nok = vacancy.status in OPEN\n"
        "if vacancy.status == VacancyStatus.DRAFT:\n    pass\nvacancy.status = new.status\n", encoding="utf-8")
    assert [f.split(":")[0] + ":" + f.split(":")[1] for f in status_comparisons(tmp_path)] == [
        "templates/page.html:1", "templates/page.html:2", "templates/page.html:4",
        "templates/page.html:6", "templates/page.html:7", "panel/area/views.py:1",
        "panel/area/services.py:1", "panel/area/services.py:3"]


def test_the_table_has_every_status_once_in_order():
    assert [s.status for s in STAGES] == list(VacancyStatus)
    assert all(isinstance(s, Stage) for s in STAGES)
    for i, stage in enumerate(STAGES):
        assert stage_of(stage.status) is stage
        assert stage_of(stage.status.value) is stage
        assert stage.position == i
        assert stage.previous is (STAGES[i - 1] if i else None)
        assert stage.next is (STAGES[i + 1] if i + 1 < len(STAGES) else None)
        assert stage.label == stage.status.label
        for words in (stage.explanation, stage.next_step_hr, stage.next_step_panel):
            assert words.strip() and words.rstrip().endswith("."), (stage.label, words)
        assert callable(stage.readiness)
        assert stage.tabs[0] == "overview" and stage.tabs[-1] == "packs"
        assert len(set(stage.tabs)) == len(stage.tabs) and set(stage.tabs) <= set(TABS)


def test_the_flags_describe_one_journey():
    first, last = STAGES[0], STAGES[-1]
    assert first.status == Vacancy.__table__.c.status.default.arg  # a new vacancy starts at the first row
    assert [s.setting_up for s in STAGES] == [True] + [False] * (len(STAGES) - 1)
    assert [s.finished for s in STAGES] == [False] * (len(STAGES) - 1) + [True]
    assert last.next is None and not any(dataclasses.asdict(last)[f] for f in (
        "candidates_addable", "candidates_editable", "panel_editable", "shortlisting_open", "plan_editable",
        "scoring_open"))
    flags = [f.name for f in dataclasses.fields(Stage) if f.type == "bool"]
    assert len(flags) >= 10
    for flag in flags:  # each is on for one unbroken run of stages (a permission never comes back)
        run = "".join("1" if getattr(s, flag) else "0" for s in STAGES)
        assert "1" in run and "0" not in run.strip("0"), f"{flag}: {run}"
    for flag in ("names_shown", "shortlisting_done", "interviews_started", "finished"):  # on to the end
        assert getattr(last, flag), flag
    for s in STAGES:
        assert not (s.shortlisting_open and s.names_shown), "names are never shown while shortlisting"
        assert not s.scoring_open or s.interviews_started
        assert ("interviews" in s.tabs) == s.interviews_started
        assert s.home_checklist is None or s.home_checklist.__name__ == "set_up_problems"
    assert statuses_where("scoring_open") == (VacancyStatus.INTERVIEWING, VacancyStatus.DECISIONS)


def test_every_tab_is_a_page(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {tab.endpoint for tab in TABS.values()} <= endpoints


@pytest.mark.parametrize("status", list(VacancyStatus))
def test_a_vacancy_knows_its_stage(session, status):
    vacancy = make_vacancy(session, f"S-{status.value}", status=status)
    assert vacancy.stage is stage_of(status)


def test_hr_home_page_lists_what_the_vacancy_page_says_is_missing(app, client, session):
    """The draft checklist on HR's home page is the readiness check: a person specification
    with criteria assessed only at interview cannot start shortlisting, and both pages say so."""
    hr = make_user(session, "hr", "Priya Shah", "hr@example.org")
    chair = make_user(session, "chair", "Chris Morgan", "chair@example.org")
    panelist = make_user(session, "panelist", "John O'Neill", "panelist@example.org")
    vacancy = make_vacancy(session, "D-1", criteria=0, panel=[(chair, "chair"), (panelist, "patient")])
    vacancy.criteria.append(Criterion(position=1, text="Interview only", category=CriterionCategory.SKILLS,
                                      essential=True, assessed_at=AssessedAt.INTERVIEW))
    session.commit()
    login(client, hr)
    home = client.get("/").get_data(as_text=True)
    page = client.get(f"/vacancies/{vacancy.id}").get_data(as_text=True)
    assert "Add at least one criterion assessed at application before shortlisting starts" in page
    assert "To do: add at least one criterion assessed at application before shortlisting starts." in home
    assert "Finish the person specification and the panel" not in home
