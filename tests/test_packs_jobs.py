"""Packs as background jobs (issue 14): a pack request serves the PDF at once when it has been
made, or starts (or joins) a render job and answers 303 with a progress page; the pack worker
claims jobs with a lease, so a job whose worker died is taken up again and never rendered
twice at once; a failed job (or part) says why; a large pack is rendered in parts in parallel
and joined with correct "Page X of Y", bookmarks, metadata and tags; each download is checked
for the person downloading."""
from __future__ import annotations

import datetime as dt
import json
import re

import pikepdf
import pytest
from sqlalchemy import func, select

from panel.db import utcnow
from panel.models import AuditEvent, PackJob, PackRequest
from panel.packs import context as pack_context
from panel.packs import jobs, render
from panel.packs.bench import generate
from tests.builders_plugin import fetch_pack, get_pack_pdf, page_texts, pdf
from tests.conftest import PASSWORD
from tests.snapshots import snapshotted


@pytest.fixture()
@snapshotted
def packs(app, session):
    vacancy, hr, members, candidates = generate(session, reference="PJ-1", candidates=3, members=2, questions=2,
                                                password=PASSWORD, app=app)
    return {"vacancy": vacancy, "hr": hr, "members": members, "candidates": candidates,
            "url": f"/vacancies/{vacancy.id}/packs/panel.pdf?large_print=0"}


def _jobs(session) -> list[PackJob]:
    session.expire_all()
    return session.scalars(select(PackJob).order_by(PackJob.id)).all()


def test_a_pack_request_queues_a_job_answers_at_once_and_the_worker_makes_it(app, as_user, packs, session):
    hr, chair = packs["hr"], packs["members"][0]  # members[0] chairs the panel
    client = as_user(hr)
    first = client.get(packs["url"])
    assert first.status_code == 303 and re.fullmatch(r"/vacancies/\d+/packs/jobs/\d+", first.headers["Location"])
    (job,) = _jobs(session)
    assert job.status == "queued" and job.active_key == job.key and job.context
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Your panel pack is being made" in page and "Waiting to start" in page and 'aria-live="polite"' in page
    assert "Check again" in page and 'id="pack-download" hidden' in page
    # the same request again, and the chair's identical request, join the job
    assert client.get(packs["url"]).headers["Location"] == first.headers["Location"]
    chair_client = as_user(chair)
    assert chair_client.get(packs["url"]).headers["Location"] == first.headers["Location"]
    assert len(_jobs(session)) == 1
    assert session.scalar(select(func.count()).select_from(PackRequest)) == 2
    # nothing is downloaded (or audit-logged as a download) until the pack is made
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "download")).all()

    assert jobs.run_pending(app) == 1
    (job,) = _jobs(session)
    assert job.status == "done" and job.active_key is None and job.context is None and job.pages > 5
    status = client.get(first.headers["Location"] + "/status").get_json()
    assert status == {"status": "done", "message": f"The pack is ready: {job.pages} pages."}
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Your panel pack is ready" in page and 'id="pack-download" hidden' not in page
    assert f'href="{packs["url"].replace("&", "&amp;")}"' in page
    # the link gives the PDF at once (from the cache), audit-logged per download
    assert pdf(get_pack_pdf(client, packs["url"])).pages
    assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "download")).all()) == 1
    assert jobs.run_pending(app) == 0  # nothing rendered twice
    # the chair, who asked too, is told on their next page (once)
    home = chair_client.get("/").get_data(as_text=True)
    assert "Your panel pack is ready" in home
    assert "Your panel pack is ready" not in chair_client.get("/").get_data(as_text=True)
    packs_page = chair_client.get(f"/vacancies/{packs['vacancy'].id}/packs").get_data(as_text=True)
    assert "Your packs" in packs_page and first.headers["Location"] in packs_page


def test_progress_says_page_n_of_about_m(app, as_user, packs, session):
    client = as_user(packs["hr"])
    location = client.get(packs["url"]).headers["Location"]
    job = _jobs(session)[0]
    job.status, job.parts_total, job.parts_done, job.pages_done, job.pages_estimate = "running", 41, 12, 340, 1200
    session.commit()
    assert "page 340 of about 1,200 (12 of 41 parts done)" in client.get(location).get_data(as_text=True)
    assert client.get(location + "/status").get_json()["status"] == "running"


def test_a_failed_job_says_why_and_the_next_request_starts_again(app, as_user, packs, session):
    client = as_user(packs["hr"])
    app.config["PACK_TIMEOUT_SECONDS"] = 0.01
    location = client.get(packs["url"]).headers["Location"]
    jobs.run_pending(app)
    (job,) = _jobs(session)
    assert job.status == "failed" and "took longer than the 0.01 second limit" in job.error
    assert job.active_key is None  # a new request starts a new job
    page = client.get(location).get_data(as_text=True)
    assert "Your panel pack could not be made" in page and "took longer than the 0.01 second limit" in page
    app.config["PACK_TIMEOUT_SECONDS"] = 60
    assert pdf(get_pack_pdf(client, packs["url"])).pages
    assert [j.status for j in _jobs(session)] == ["failed", "done"]


def test_a_failed_part_says_which(app, as_user, packs, session, monkeypatch):
    app.config.update(PACK_PARALLEL_MIN_SHEETS=2, PACK_SHEETS_PER_PART=2, PACK_RENDER_PROCESSES=2)
    real = render.render_html_to_pdf

    def fail_third(html, target, **kwargs):
        if target.name == "00002.pdf":
            raise render.RenderFailed("This pack needed more than the 1024 MB memory limit, so it was stopped.")
        return real(html, target, **kwargs)

    monkeypatch.setattr(render, "render_html_to_pdf", fail_third)
    client = as_user(packs["hr"])
    location = client.get(packs["url"]).headers["Location"]
    jobs.run_pending(app)
    (job,) = _jobs(session)
    assert job.status == "failed"
    assert re.match(r"Part 3 of \d+ of the pack could not be made\. This pack needed more than", job.error)
    assert job.error in client.get(location).get_data(as_text=True)


def test_a_job_whose_worker_died_is_claimed_again_never_twice_at_once(app, as_user, packs, session):
    client = as_user(packs["hr"])
    client.get(packs["url"])
    maker = app.extensions["panel.sessionmaker"]
    dead_session, other = maker(), maker()
    with app.app_context():
        claimed = jobs.claim(dead_session, lease_seconds=120)  # this worker is then killed
        assert claimed is not None
        job, dead_token = claimed
        assert job.status == "running" and job.attempts == 1
        # while its lease runs, nobody else may take the job
        assert jobs.claim(other, lease_seconds=120) is None
        assert jobs.run_pending(app) == 0
        # the lease runs out (the dead worker renews it no more)
        other.execute(PackJob.__table__.update().values(lease_until=utcnow() - dt.timedelta(seconds=1)))
        other.commit()
        assert jobs.run_pending(app) == 1
    (job,) = _jobs(session)
    assert job.status == "done" and job.attempts == 2
    # the dead worker, had it come back, can neither report nor finish it
    with app.app_context():
        assert not jobs.report(dead_session, job.id, dead_token, 120, parts_done=1)
        assert not jobs.finish(dead_session, job.id, dead_token, pages=1)
    dead_session.close()
    other.close()
    assert _jobs(session)[0].status == "done"


def test_a_job_that_keeps_killing_its_worker_fails_after_three_attempts(app, as_user, packs, session):
    client = as_user(packs["hr"])
    location = client.get(packs["url"]).headers["Location"]
    job = _jobs(session)[0]
    job.attempts = jobs.MAX_ATTEMPTS
    session.commit()
    jobs.run_pending(app)
    assert _jobs(session)[0].status == "failed"
    assert "stopped 3 times" in client.get(location).get_data(as_text=True)


def test_each_download_is_checked_for_the_person_downloading(app, as_user, packs, session):
    """A job's PDF is reached only through the pack's own link, checked for whoever follows it;
    a job's page is only for the people who asked for it."""
    v, patient = packs["vacancy"], packs["members"][1]
    hr_client, patient_client = as_user(packs["hr"]), as_user(patient)
    location = hr_client.get(packs["url"]).headers["Location"]
    jobs.run_pending(app)
    assert patient_client.get(location).status_code == 404
    assert patient_client.get(location + "/status").status_code == 404
    assert patient_client.get(packs["url"]).status_code == 404  # the whole panel pack: not theirs
    # their own pack is a job of their own, with only their sheets
    own = f"/vacancies/{v.id}/packs/panelist/{patient.id}.pdf"
    texts = page_texts(pdf(get_pack_pdf(patient_client, own)))
    assert not any(f"Scoring sheet of {packs['members'][0].name}" in t for t in texts)
    assert len(_jobs(session)) == 2


def test_a_shortlisting_pack_job_names_no_candidate(app, as_user, world, session):
    """Packs made while names are hidden hold none, and the panel member's pack is their own
    job (it leaves out candidates they stepped aside from), never HR's."""
    from panel.models import VacancyStatus
    from tests.builders_plugin import add_pack_candidates

    b = world["b"]
    b.status = VacancyStatus.SHORTLISTING
    session.commit()
    candidates = add_pack_candidates(session, b, 2, outcome=None, slots=False)
    url = f"/vacancies/{b.id}/packs/shortlisting.pdf"
    hr_text = "\n".join(page_texts(pdf(get_pack_pdf(as_user(world["hr"]), url))))
    other_text = "\n".join(page_texts(pdf(get_pack_pdf(as_user(world["other"]), url))))
    for c in candidates:
        assert c.last_name not in hr_text and c.last_name not in other_text
    assert len({j.key for j in _jobs(session)}) == 2


def _outline(reader: pikepdf.Pdf, where: bool = False) -> list[tuple]:
    """(title, page index) of each bookmark; with ``where``, also the rest of its destination
    (how the viewer shows the page: /XYZ and the heading's position on it)."""
    page_numbers = {p.obj.objgen: i for i, p in enumerate(reader.pages)}
    found = []
    with reader.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            found.append((str(item.title), page_numbers[item.destination[0].objgen])
                         + ((tuple(str(v) for v in item.destination[1:]),) if where else ()))
            stack.extend(item.children)
    return found


def test_a_large_pack_is_rendered_in_parts_and_joined_correctly(app, as_user, session, tmp_path):
    vacancy, hr, members, candidates = generate(session, reference="PJ-2", candidates=7, members=2, questions=2,
                                                password=PASSWORD, app=app)
    app.config.update(PACK_PARALLEL_MIN_SHEETS=4, PACK_SHEETS_PER_PART=3, PACK_RENDER_PROCESSES=2)
    url = f"/vacancies/{vacancy.id}/packs/panel.pdf?large_print=1"  # large print: tagged
    data = get_pack_pdf(as_user(hr), url)
    with app.test_request_context():
        context = pack_context.build("panel", pack_context.load_vacancy(vacancy.id), large_print=True)
        whole = render.make_pack(context, use_cache=False)  # the same pack in one piece
    (job,) = _jobs(session)
    assert job.parts_total == 6 and job.parts_done == 6  # the cover, then 14 sheets in threes
    texts = page_texts(pdf(data))
    assert len(texts) == whole.pages == job.pages
    for number, text in enumerate(texts, start=1):
        assert "OFFICIAL-SENSITIVE" in text and "PJ-2" in text, number
        assert f"Page {number} of {len(texts)}" in text, number
    path = tmp_path / "joined.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as joined:
        # bookmarks: each candidate's sheet (once per panel member), at the page it starts on
        outline = _outline(joined)
        for c in candidates:
            starts = [page for title, page in outline if title.startswith(f"{c.label} – ")]
            assert len(starts) == 2, (c.label, outline)
            assert all(f"{c.label} – " in texts[page] and "Scoring sheet of" in texts[page] for page in starts)
        # the joined bookmarks are the whole pack's: same pages, same spot on the page (the heading);
        # the parts' top-level headings are top-level bookmarks (in one piece, under the cover's title)
        with pikepdf.open(whole.path) as one_piece:
            assert sorted(_outline(joined, where=True)) == sorted(_outline(one_piece, where=True))
        # metadata
        assert str(joined.Root.Lang) == "en-GB"
        assert str(joined.docinfo["/Title"]) == context["title"]
        with joined.open_metadata() as meta:
            assert meta["dc:title"] == context["title"]
        # tags: one structure tree, every page's marked content found through the parent tree
        root = joined.Root.StructTreeRoot
        assert joined.Root.MarkInfo.Marked
        nums = list(root.ParentTree.Nums)
        keys = {int(nums[i]) for i in range(0, len(nums), 2)}
        assert len(root.K) == 1 and root.K[0].S == "/Document"
        for page in joined.pages:
            assert int(page.obj.StructParents) in keys
        values = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for page in joined.pages:
            for element in values[int(page.obj.StructParents)]:
                if isinstance(element, pikepdf.Dictionary) and "/Pg" in element:
                    assert element.Pg.objgen == page.obj.objgen


def test_the_worker_command_makes_waiting_packs(app, as_user, packs, session):
    as_user(packs["hr"]).get(packs["url"])
    result = app.test_cli_runner().invoke(args=["packs-worker", "--once"])
    assert result.exit_code == 0 and "Made 1 pack." in result.output
    assert _jobs(session)[0].status == "done"


def test_the_job_holds_the_context_it_was_asked_for(app, as_user, packs, session):
    as_user(packs["hr"]).get(packs["url"])
    context = json.loads(_jobs(session)[0].context)
    assert context["kind"] == "panel" and context["vacancy"]["reference"] == "PJ-1"


def test_finished_job_rows_are_pruned_after_pack_job_keep_days(app, as_user, packs, session):
    """The worker deletes the rows of jobs finished more than PACK_JOB_KEEP_DAYS ago (and the
    requests for them); recent ones and jobs still waiting are kept. The stored PDF is left to
    its own rule (PACK_CACHE_HOURS)."""
    import time_machine

    from panel import storage

    client = as_user(packs["hr"])
    assert client.get(packs["url"]).status_code == 303
    assert jobs.run_pending(app) == 1  # made now
    made = _jobs(session)[0]
    vid = packs["vacancy"].id
    old = utcnow() - dt.timedelta(days=app.config["PACK_JOB_KEEP_DAYS"], hours=1)
    for status in ("done", "failed"):
        job = PackJob(vacancy_id=vid, kind="panel", key=f"old-{status}", status=status, finished_at=old,
                      created_at=old, error="")
        session.add(job)
        session.flush()
        session.add(PackRequest(job_id=job.id, user_id=packs["hr"].id, vacancy_id=vid))
    session.add(PackJob(vacancy_id=vid, kind="panel", key="running", active_key="running", status="running",
                        claim_token="another-worker", lease_until=utcnow() + dt.timedelta(days=60),
                        created_at=old, started_at=old, error=""))  # old, but still being made: kept
    session.commit()
    assert jobs.run_pending(app) == 0  # the worker starts by pruning: the two old finished ones go
    assert {j.key for j in _jobs(session)} == {made.key, "running"}
    assert session.scalar(select(func.count()).select_from(PackRequest)) == 1
    with app.app_context():
        assert storage.get_pack(made.key, session) is not None  # the PDF follows its own rule
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=app.config["PACK_JOB_KEEP_DAYS"] + 1)
    with time_machine.travel(later, tick=False), app.app_context():
        assert jobs.prune_finished_jobs(app, session) == 1
    assert [j.key for j in _jobs(session)] == ["running"] and session.scalar(select(func.count()).select_from(PackRequest)) == 0


def test_render_processes_can_be_started_before_the_first_render(app, monkeypatch):
    """The pack worker starts its render processes when it starts (render.warm_workers), so the
    parts of the first large pack begin on all of them at once, none waiting for a start-up."""
    render.POOL.shutdown()
    with app.app_context():
        assert render.warm_workers(2) == 2
        assert render.warm_workers(2) == 0  # already running: none more
    pids = render.POOL.idle_pids()
    assert len(set(pids)) == 2

    def no_start(*args, **kwargs):
        raise AssertionError("a render waited for a new render process")

    monkeypatch.setattr(render, "Worker", no_start)
    memory_mb = app.config["PACK_MEMORY_MB"]
    taken = [render.POOL.acquire(memory_mb, 2, wait=1), render.POOL.acquire(memory_mb, 2, wait=1)]
    assert sorted(w.pid for w in taken) == sorted(pids) and all(w.alive() for w in taken)
    for worker in taken:
        render.POOL.release(worker, True, app.config["PACK_WORKER_MAX_RENDERS"])
