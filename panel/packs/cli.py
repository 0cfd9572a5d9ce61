"""flask --app panel pack VACANCY_REF --kind panel|panelist|shortlisting|results
[--large-print] [--panelist EMAIL] -o FILE.pdf"""
from __future__ import annotations

import shutil

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from panel.db import db
from panel.models import InterviewSignOff, User, Vacancy
from panel.packs import jobs, render, service
from panel.packs import context as pack_context
from panel.permissions import member_of, results_signed_off


def register(app: Flask) -> None:
    @app.cli.command("pack")
    @click.argument("vacancy_ref")
    @click.option("--kind", type=click.Choice(["panel", "panelist", "shortlisting", "results"]), required=True,
                  help="Which pack to make")
    @click.option("--large-print", is_flag=True, help="Body text of at least 16 point")
    @click.option("--panelist", "panelist_email", help="The panel member (email) for --kind panelist")
    @click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="Where to write the PDF")
    def pack_command(vacancy_ref, kind, large_print, panelist_email, output):
        """Make a PDF pack for a vacancy (the same pack the web page gives; audit-logged)."""
        vacancy_id = db().scalar(select(Vacancy.id).where(Vacancy.reference == vacancy_ref))
        if vacancy_id is None:
            raise click.ClickException(f"No vacancy has the reference {vacancy_ref}")
        vacancy = pack_context.load_vacancy(vacancy_id)
        panelist_id = None
        if kind == "panelist":
            if not panelist_email:
                raise click.ClickException("--kind panelist needs --panelist EMAIL")
            panelist_id = db().scalar(select(User.id).where(func.lower(User.email) == panelist_email.strip().lower()))
            if panelist_id is None or member_of(vacancy, panelist_id) is None:
                raise click.ClickException(f"{panelist_email} is not on the panel of {vacancy_ref}")
        elif panelist_email:
            raise click.ClickException("--panelist is only for --kind panelist")
        if kind == "results":
            signoff = db().scalar(select(InterviewSignOff).where(InterviewSignOff.vacancy_id == vacancy.id))
            if not results_signed_off(signoff):
                raise click.ClickException("The interview results have not been signed off yet.")
        try:
            pack, result = service.make(None, vacancy, kind, large_print=large_print, panelist_user_id=panelist_id,
                                        via="command line")
        except pack_context.NotReady as exc:
            db().rollback()
            raise click.ClickException("The pack cannot be made yet:\n- " + "\n- ".join(exc.problems))
        except render.RenderError as exc:
            db().rollback()
            raise click.ClickException(str(exc))
        shutil.copyfile(result.path, output)
        db().commit()
        click.echo(f"Wrote {output} ({'from the cache' if result.cached else f'{result.pages} pages'}).")

    @app.cli.command("packs-worker")
    @click.option("--once", is_flag=True, help="Render the jobs waiting now, then stop")
    @click.option("--poll", default=1.0, show_default=True, help="Seconds between looks for new jobs")
    def packs_worker(once, poll):
        """Render the packs people ask for (run alongside the web server; any number of these
        may run, on any host sharing the database)."""
        app = current_app._get_current_object()
        if not once:  # a large pack's parts start at once, on render processes already running
            render.warm_workers(jobs.render_processes(app.config), config=app.config)
        handled = jobs.work(app, once=once, poll_seconds=poll)
        if once:
            click.echo(f"Made {handled} pack{'s' if handled != 1 else ''}.")
