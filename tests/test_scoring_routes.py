"""The scoring blueprint, split by page family into panel/scoring/views/, keeps every
endpoint name, URL rule and method it had as one module (so every url_for still works)."""
from panel import permissions

ROUTES = [
    ('scoring.candidate_results', '/vacancies/<int:vacancy_id>/results/<int:candidate_id>', ('GET',)),
    ('scoring.export', '/vacancies/<int:vacancy_id>/interviews/export.csv', ('GET',)),
    ('scoring.feedback', '/vacancies/<int:vacancy_id>/feedback/<int:candidate_id>', ('GET', 'POST')),
    ('scoring.feedback_download', '/vacancies/<int:vacancy_id>/feedback/<int:candidate_id>/download', ('GET',)),
    ('scoring.feedback_index', '/vacancies/<int:vacancy_id>/feedback', ('GET',)),
    ('scoring.feedback_send', '/vacancies/<int:vacancy_id>/feedback/<int:candidate_id>/send', ('POST',)),
    ('scoring.interviews', '/vacancies/<int:vacancy_id>/interviews', ('GET',)),
    ('scoring.moderate', '/vacancies/<int:vacancy_id>/results/<int:candidate_id>/moderate/<int:question_id>', ('GET', 'POST')),
    ('scoring.offline_key', '/vacancies/interviews-offline-key', ('GET',)),
    ('scoring.offline_worker', '/vacancies/interviews-offline.js', ('GET',)),
    ('scoring.outcome', '/vacancies/<int:vacancy_id>/results/<int:candidate_id>/outcome', ('GET', 'POST')),
    ('scoring.paper', '/vacancies/<int:vacancy_id>/interviews/<int:candidate_id>/paper/<int:user_id>', ('GET', 'POST')),
    ('scoring.paper_save_answer', '/vacancies/<int:vacancy_id>/interviews/<int:candidate_id>/paper/<int:user_id>/score/<int:question_id>', ('POST',)),
    ('scoring.paper_submit', '/vacancies/<int:vacancy_id>/interviews/<int:candidate_id>/paper/<int:user_id>/submit', ('GET', 'POST')),
    ('scoring.reopen', '/vacancies/<int:vacancy_id>/results/reopen', ('GET', 'POST')),
    ('scoring.results', '/vacancies/<int:vacancy_id>/results', ('GET',)),
    ('scoring.save_answer', '/vacancies/<int:vacancy_id>/interviews/<int:candidate_id>/score/<int:question_id>', ('POST',)),
    ('scoring.score', '/vacancies/<int:vacancy_id>/interviews/<int:candidate_id>/score', ('GET', 'POST')),
    ('scoring.sign_off', '/vacancies/<int:vacancy_id>/results/sign-off', ('GET', 'POST')),
    ('scoring.submit', '/vacancies/<int:vacancy_id>/interviews/<int:candidate_id>/submit', ('GET', 'POST')),
]


def test_scoring_routes_are_unchanged_by_the_split(app):
    rules = sorted((r.endpoint, r.rule, tuple(sorted(r.methods - {"HEAD", "OPTIONS"})))
                   for r in app.url_map.iter_rules() if r.endpoint.startswith("scoring."))
    assert rules == ROUTES


def test_no_scoring_views_module_is_over_300_lines():
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "panel" / "scoring" / "views"
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py")}
    assert sizes and all(n <= 300 for n in sizes.values()), sizes


def test_who_sees_which_interview_results_is_a_permission_rule(app, world, session):
    """The rule _results_page used to decide in the view: HR sees every candidate's scores, a
    panel member only those they have submitted their own for, anyone else none; nobody any
    before interviews start. The rule is given the facts (who submitted what): no query."""
    from panel.models import VacancyStatus

    a, ids = world["a"], [101, 102]
    with app.app_context():
        assert all(permissions.visible_interview_result_ids(world[u], a, ids, ids) == set() for u in world
                   if u not in ("a", "b"))  # still in draft
        a.status = VacancyStatus.INTERVIEWING
        session.commit()
        _check(world, a, ids)


def _check(world, a, ids):
    assert permissions.visible_interview_result_ids(world["hr"], a, ids, set()) == {101, 102}
    assert permissions.visible_interview_result_ids(world["chair"], a, ids, set()) == set()
    assert permissions.visible_interview_result_ids(world["chair"], a, ids, {102}) == {102}
    assert permissions.visible_interview_result_ids(world["panelist"], a, ids, set()) == set()
    assert permissions.visible_interview_result_ids(world["panelist"], a, ids, {101, 102}) == {101, 102}
    assert permissions.visible_interview_result_ids(world["other"], a, ids, {101}) == set()
    assert permissions.visible_interview_result_ids(world["spare"], a, ids, {101}) == set()
