"""Packs as background jobs (issue 14).

A pack request (the download link) builds the pack's plain data, and either serves the PDF
at once from the cache or records a render job in the same transaction and answers with a
progress page: no request waits on a render. A separate process (``flask --app panel
packs-worker``, started by ``make run`` and ``make serve``) claims queued jobs and renders
them, a large pack in parts on several render processes at once (render.render_in_parts).

Claiming is one UPDATE ... WHERE status is queued (or running with an expired lease) that
sets a random claim token and a lease; only the process whose token is on the row may
report progress or finish it, and it renews the lease while it works. A job whose worker
died is claimed again once its lease runs out (at most MAX_ATTEMPTS times). The same
inputs (the pack's cache key: its data, templates and options) never render twice at
once: ``active_key`` is unique while a job is queued or running, so a second request
joins the running job. Works the same on SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import threading
import time

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from panel import storage
from panel.db import utcnow
from panel.models import PackJob, PackRequest, User, Vacancy
from panel.packs import render

log = logging.getLogger("panel.packs.jobs")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
MAX_ATTEMPTS = 3


def estimate_pages(context: dict) -> int:
    """A rough page count for the progress page before the first part is done."""
    per_sheet = {"panel": 3, "panelist": 3, "shortlisting": 3, "results": 1}.get(context["kind"], 1)
    sheets = sum(len(s.get("candidates", [])) for s in context.get("sheets", [])) or len(context.get("candidates", []))
    return 2 + per_sheet * sheets * (2 if context.get("large_print") else 1)


def start_or_join(session, user: User, vacancy: Vacancy | None, context: dict, *,
                  panelist_user_id: int | None = None) -> PackJob:
    """The queued or running job for this pack's inputs, or a new one; this person is
    recorded as asking for it. Flushes, in the caller's transaction. ``vacancy`` None: a
    person's own document about no vacancy (a certificate of involvement, panel/involvement)."""
    vacancy_id = vacancy.id if vacancy is not None else None
    key = render.pack_key(context)
    job = session.scalar(select(PackJob).where(PackJob.active_key == key))
    if job is None:
        job = PackJob(vacancy_id=vacancy_id, kind=context["kind"], large_print=bool(context.get("large_print")),
                      key=key, active_key=key, status=QUEUED, context=json.dumps(context),
                      pages_estimate=estimate_pages(context), attempts=0, parts_total=0, parts_done=0,
                      pages_done=0, pages=0, error="")
        try:
            with session.begin_nested():
                session.add(job)
                session.flush()
        except IntegrityError:  # another request queued the same inputs this instant: join it
            job = session.scalar(select(PackJob).where(PackJob.active_key == key))
            if job is None:
                raise
    mine = session.scalar(select(PackRequest).where(PackRequest.job_id == job.id, PackRequest.user_id == user.id))
    if mine is not None:
        mine.notified_at = None
        session.flush()
        return job
    try:
        with session.begin_nested():
            session.add(PackRequest(job_id=job.id, user_id=user.id, vacancy_id=vacancy_id,
                                    panelist_user_id=panelist_user_id))
            session.flush()
    except IntegrityError:  # their other tab asked for it this instant: one request is enough
        pass
    return job


def requests_of(session, user: User, vacancy: Vacancy, limit: int = 10) -> list[tuple[PackRequest, PackJob]]:
    """This person's recent pack requests on this vacancy, newest first ("your packs")."""
    rows = session.execute(
        select(PackRequest, PackJob).join(PackJob, PackJob.id == PackRequest.job_id)
        .where(PackRequest.user_id == user.id, PackRequest.vacancy_id == vacancy.id)
        .order_by(PackRequest.id.desc()).limit(limit))
    return [(r, j) for r, j in rows]


def finished_unnotified(session, user_id: int) -> list[tuple[PackRequest, PackJob]]:
    rows = session.execute(
        select(PackRequest, PackJob).join(PackJob, PackJob.id == PackRequest.job_id)
        .where(PackRequest.user_id == user_id, PackRequest.notified_at.is_(None),
               PackJob.status.in_([DONE, FAILED])))
    return [(r, j) for r, j in rows]


def pending_count(session, user_id: int) -> int:
    return len(session.execute(
        select(PackRequest.id).join(PackJob, PackJob.id == PackRequest.job_id)
        .where(PackRequest.user_id == user_id, PackRequest.notified_at.is_(None))).all())


# --- the worker side -----------------------------------------------------------

def claim(session, lease_seconds: float) -> tuple[PackJob, str] | None:
    """Claim the oldest queued job (or one whose lease ran out): one conditional UPDATE, so
    two workers never both get it. Commits."""
    now = utcnow()
    claimable = or_(PackJob.status == QUEUED, and_(PackJob.status == RUNNING, PackJob.lease_until < now))
    for _ in range(5):
        job_id = session.scalar(select(PackJob.id).where(claimable).order_by(PackJob.id).limit(1))
        if job_id is None:
            session.rollback()
            return None
        token = secrets.token_hex(16)
        claimed = session.execute(
            update(PackJob).where(PackJob.id == job_id, claimable)
            .values(status=RUNNING, claim_token=token, lease_until=now + dt.timedelta(seconds=lease_seconds),
                    attempts=PackJob.attempts + 1, started_at=now)
            .execution_options(synchronize_session=False)).rowcount
        session.commit()
        if claimed == 1:
            return session.get(PackJob, job_id, populate_existing=True), token
    return None


def _owned(job_id: int, token: str):
    return and_(PackJob.id == job_id, PackJob.claim_token == token, PackJob.status == RUNNING)


def report(session, job_id: int, token: str, lease_seconds: float, **values) -> bool:
    """Renew the lease (and record progress); False when the job is no longer ours."""
    values["lease_until"] = utcnow() + dt.timedelta(seconds=lease_seconds)
    ok = session.execute(update(PackJob).where(_owned(job_id, token)).values(**values)
                         .execution_options(synchronize_session=False)).rowcount == 1
    session.commit()
    return ok


def finish(session, job_id: int, token: str, *, error: str = "", pages: int = 0, **progress) -> bool:
    values = {**progress, "status": FAILED if error else DONE, "active_key": None, "context": None, "claim_token": None,
              "lease_until": None, "finished_at": utcnow(), "error": error[:500]}
    if pages:
        values.update(pages=pages, pages_done=pages)
    ok = session.execute(update(PackJob).where(_owned(job_id, token)).values(**values)
                         .execution_options(synchronize_session=False)).rowcount == 1
    session.commit()
    return ok


def render_processes(config) -> int:
    return int(config["PACK_RENDER_PROCESSES"]) or os.cpu_count() or 1


def run_job(app, session, job: PackJob, token: str) -> str:
    """Render one claimed job; returns its final status."""
    config = app.config
    lease = float(config["PACK_JOB_LEASE_SECONDS"])
    if job.attempts > MAX_ATTEMPTS:
        finish(session, job.id, token, error=f"The pack maker stopped {MAX_ATTEMPTS} times while making this pack. "
                                             "Tell your recruitment team.")
        return FAILED
    context = json.loads(job.context)
    key = job.key
    stop = threading.Event()
    lost = threading.Event()
    progress_values: dict = {}
    lock = threading.Lock()

    def heartbeat():
        own = app.extensions["panel.sessionmaker"]()
        try:
            while not stop.wait(min(2.0, lease / 3)):  # progress every 2 s; the lease renewed with it
                with lock:
                    values = dict(progress_values)
                if not report(own, job.id, token, lease, **values):
                    lost.set()
                    return
        finally:
            own.close()

    beat = threading.Thread(target=heartbeat, daemon=True)
    beat.start()

    def progress(parts_done, parts_total, pages_done):
        with lock:
            progress_values.update(parts_done=parts_done, parts_total=parts_total, pages_done=pages_done,
                                   pages_estimate=max(pages_done, round(pages_done * parts_total / parts_done)))

    try:
        result = render.make_pack(context, processes=render_processes(config),
                                  parallel_min_sheets=int(config["PACK_PARALLEL_MIN_SHEETS"]),
                                  sheets_per_part=int(config["PACK_SHEETS_PER_PART"]), progress=progress,
                                  session=session)
    except Exception as exc:  # RenderError says why; anything else is a bug, logged in full
        stop.set()
        beat.join()
        if isinstance(exc, render.RenderError):
            log.warning("pack job %s failed: %s", job.id, exc)
            message = str(exc)
        else:
            log.exception("pack job %s failed", job.id)
            message = "The pack could not be made because of a fault in panel. Tell your recruitment team."
        session.rollback()
        finish(session, job.id, token, error=message)
        return FAILED
    stop.set()
    beat.join()
    try:  # where every host finds it; with the database store, kept by finish's commit below
        storage.put_pack(result.key, result.path.read_bytes(), session)
    except (storage.StoreError, OSError) as exc:
        log.error("pack job %s: the finished pack could not be stored: %s", job.id, exc)
        session.rollback()
        finish(session, job.id, token, error="The pack was made but could not be stored. Try again, or tell your "
                                             "recruitment team.")
        return FAILED
    if result.key != key:  # the templates changed while the job waited: the newer file is what people get
        log.info("pack job %s made version %s (queued as %s)", job.id, result.key[:8], key[:8])
    if lost.is_set() or not finish(session, job.id, token, pages=result.pages, **progress_values):
        log.warning("pack job %s: lease lost to another worker; its result is kept in the cache", job.id)
        return "lost"
    return DONE


def work(app, *, once: bool = False, poll_seconds: float = 1.0, stop: threading.Event | None = None) -> int:
    """Claim and render jobs until stopped (or, with ``once``, until none is left). Returns
    the number of jobs handled."""
    handled = 0
    with app.app_context():
        session = app.extensions["panel.sessionmaker"]()
        pruned_at = time.monotonic()
        prune_finished_jobs(app, session)
        try:
            while stop is None or not stop.is_set():
                claimed = claim(session, float(app.config["PACK_JOB_LEASE_SECONDS"]))
                if claimed is None:
                    if once:
                        break
                    if time.monotonic() - pruned_at > PRUNE_EVERY_SECONDS:  # idle: now and then
                        pruned_at = time.monotonic()
                        prune_finished_jobs(app, session)
                    time.sleep(poll_seconds)
                    continue
                job, token = claimed
                run_job(app, session, job, token)
                handled += 1
                prune_stored_packs(app, session)
        finally:
            session.close()
    return handled


def prune_stored_packs(app, session) -> int:
    """Delete finished packs kept in the store for longer than PACK_CACHE_HOURS (they hold
    personal data); a later request makes them again. Commits."""
    before = utcnow() - dt.timedelta(hours=float(app.config["PACK_CACHE_HOURS"]))
    try:
        removed = storage.prune_packs(before, session)
        session.commit()
    except storage.StoreError as exc:
        session.rollback()
        log.warning("old finished packs could not be pruned from the store: %s", exc)
        return 0
    return removed


PRUNE_EVERY_SECONDS = 600


def prune_finished_jobs(app, session) -> int:
    """Delete the rows of jobs that finished (made or failed) more than PACK_JOB_KEEP_DAYS ago,
    with the requests that point at them ("your packs" lists only recent ones). The PDFs
    themselves follow PACK_CACHE_HOURS (prune_stored_packs); a later request makes a pack
    again. Queued and running jobs are never touched. Commits; returns how many went."""
    before = utcnow() - dt.timedelta(days=float(app.config["PACK_JOB_KEEP_DAYS"]))
    old = select(PackJob.id).where(PackJob.status.in_([DONE, FAILED]), PackJob.finished_at < before)
    session.execute(delete(PackRequest).where(PackRequest.job_id.in_(old)).execution_options(synchronize_session=False))
    removed = session.execute(delete(PackJob).where(PackJob.id.in_(old))
                              .execution_options(synchronize_session=False)).rowcount
    session.commit()
    if removed:
        log.info("%s finished pack jobs older than %s days pruned", removed, app.config["PACK_JOB_KEEP_DAYS"])
    return removed


def run_pending(app=None) -> int:
    """Render every queued job now, in this process (the tests, and the command's --once)."""
    return work(app or current_app._get_current_object(), once=True)


def mark_notified(session, user_id: int, key: str) -> None:
    """They have their pack: no notice about its job on their next page."""
    session.execute(update(PackRequest).where(
        PackRequest.user_id == user_id, PackRequest.notified_at.is_(None),
        PackRequest.job_id.in_(select(PackJob.id).where(PackJob.key == key, PackJob.status == DONE)))
        .values(notified_at=utcnow()).execution_options(synchronize_session=False))
