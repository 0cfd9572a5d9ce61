"""flask --app panel notifications run [--once]"""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from panel.notifications import worker


def register(app: Flask) -> None:
    group = AppGroup("notifications", help="Send the messages waiting in the outbox.")

    @group.command("run")
    @click.option("--once", is_flag=True, help="Send what is due now and stop (for cron)")
    @click.option("--poll", type=float, default=None, help="Seconds between looks (default NOTIFY_POLL_SECONDS)")
    def run(once, poll):
        """Send due messages: in a loop, or once with --once."""
        if once:
            r = worker.run_once()
            click.echo(f"sent {len(r.sent)}, will retry {len(r.retrying)}, could not deliver {len(r.failed)}, "
                       f"not needed {len(r.cancelled)}")
            return
        worker.run_forever(poll)

    app.cli.add_command(group)
