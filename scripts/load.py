"""`make load`: many panel members saving interview scores at once, then a check that
nothing was lost.

Starts the app under gunicorn on a fresh database (SQLite in a temporary folder, or
the PostgreSQL database in PANEL_DATABASE_URL, which is emptied first), signs in N
simulated panel members and has them save scores and notes concurrently for the given
time. Each remembers the last value the server acknowledged; afterwards the database
must hold exactly those values. Prints `name: value` lines.

Pacing: after each save a member pauses for about as long as the scoring page itself waits
before it saves (its TYPING_MS, read from static/js/scoring.js: the page saves notes 700 ms
after the last key press), chosen at random between half and one and a half times that. A
real page never sends one member's saves faster. ``--pause-ms 0`` takes the pause away: a
stress test of how many saves a second the machine can take, where (with 30 members always
waiting) each save's time is simply 30 / throughput.

    python scripts/load.py [--users 30] [--seconds 60] [--workers N] [--pause-ms MS]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import secrets as _secrets

PASSWORD = _secrets.token_urlsafe(18)  # generated per run; the simulated members sign in with it
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def page_typing_ms() -> int:
    """How long the scoring page waits after the last key press before it saves."""
    match = re.search(r"const TYPING_MS = (\d+);", (ROOT / "static/js/scoring.js").read_text())
    return int(match.group(1)) if match else 700


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _environment:
    """Set environment variables for a block, then put the old values back."""

    def __init__(self, env: dict):
        self.env = env

    def __enter__(self):
        self.saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)

    def __exit__(self, *exc):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def build_data(env: dict, users: int, candidates: int, questions: int) -> dict:
    """Create the vacancy, panel, shortlisted candidates and plan through the services (panel.builders)."""
    with _environment(env):
        return _build_data(users, candidates, questions)


def _build_data(users: int, candidates: int, questions: int) -> dict:
    from panel import create_app
    from panel.builders import Builder
    from panel.cli import upgrade_database
    from panel.db import session_scope
    from panel.models import AssessedAt, CriterionCategory, ShortlistOutcome, VacancyStatus

    app = create_app()
    with app.app_context():
        if app.config["DATABASE_URL"].startswith("postgresql"):
            from sqlalchemy import text
            with app.extensions["panel.engine"].begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade_database()
        with session_scope() as s:
            build = Builder(s)
            people = [build.user("panelist", name=f"Member {i:02d}", email=f"member{i:02d}@example.org",
                                 password=PASSWORD) for i in range(users)]
            vacancy = build.vacancy(title="Load test PWP", reference="LOAD-1", site="Boston",
                                    criteria=[("Communication", CriterionCategory.SKILLS, True, AssessedAt.BOTH)],
                                    panel=[(p, "chair" if i == 0 else "patient") for i, p in enumerate(people)])
            cands = [build.candidate(vacancy, first_name=f"Cand{n}", last_name="Idate", email=f"c{n}@example.org")
                     for n in range(1, candidates + 1)]
            build.jump_to(vacancy, VacancyStatus.INTERVIEWING)
            for c in cands:  # the load starts at interviews: the decisions without the shortlisting scores
                build.decided(c, ShortlistOutcome.SHORTLIST, by=people[0])
            plan = [build.plan_question(vacancy, f"Question {q}") for q in range(1, questions + 1)]
            data = {
                "vacancy": vacancy.id,
                "candidates": [c.id for c in cands],
                "questions": [q.id for q in plan],
                "emails": [p.email for p in people],
            }
        app.extensions["panel.engine"].dispose()
    return data


class Member:
    def __init__(self, port: int, email: str):
        self.port = port
        self.email = email
        self.cookie = ""
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = self.cookie
        conn.request(method, path, body=body, headers=h)
        response = conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("panel_session="):
                self.cookie = value.split(";", 1)[0]
        conn.close()
        return response.status, data

    def sign_in(self) -> None:
        status, page = self.request("GET", "/login")
        token = CSRF_RE.search(page.decode()).group(1)
        body = urlencode({"csrf_token": token, "email": self.email, "password": PASSWORD}).encode()
        status, _ = self.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"sign-in failed for {self.email}: {status}")
        status, page = self.request("GET", "/account")
        self.csrf = CSRF_RE.search(page.decode()).group(1)


def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="panel-load-"))
    env = {
        "PANEL_INSTANCE_PATH": str(tmp / "instance"),
        "PANEL_COOKIE_SECURE": "false",
        "PANEL_LOG_LEVEL": "WARNING",
        "PANEL_LOGIN_MAX_ATTEMPTS_PER_CLIENT": "1000",
        "PANEL_SERVER_NAME": "127.0.0.1",  # the port is added once it is chosen
        "PANEL_PREFERRED_URL_SCHEME": "http",
    }
    if os.environ.get("PANEL_DATABASE_URL"):
        env["PANEL_DATABASE_URL"] = os.environ["PANEL_DATABASE_URL"]
    data = build_data(env, args.users, args.candidates, args.questions)
    port = free_port()
    env["PANEL_SERVER_NAME"] = f"127.0.0.1:{port}"
    workers = args.workers or (os.cpu_count() or 1) * 2 + 1
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "panel:create_app()"],
        cwd=ROOT, env={**os.environ, **env}, start_new_session=True,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        members = [Member(port, email) for email in data["emails"]]
        for m in members:
            m.sign_in()
        latencies: list[float] = []
        errors = 0
        requests = 0
        last: dict[tuple, tuple] = {}
        lock = threading.Lock()
        pause = max(0.0, args.pause_ms) / 1000
        deadline = time.monotonic() + args.seconds

        def worker(member: Member, n: int):
            nonlocal errors, requests
            rng = random.Random(n)
            versions: dict[tuple, int] = {}
            i = 0
            while time.monotonic() < deadline:
                i += 1
                cand = rng.choice(data["candidates"])
                question = rng.choice(data["questions"])
                value = rng.randint(0, 4)
                notes = f"{member.email} note {i} – naïve café ‘quote’ العربية"
                payload = {"score": value, "notes": notes}
                if (cand, question) in versions:
                    payload["version"] = versions[(cand, question)]
                started = time.perf_counter()
                try:
                    status, body = member.request(
                        "POST", f"/vacancies/{data['vacancy']}/interviews/{cand}/score/{question}",
                        json.dumps(payload).encode(),
                        {"Content-Type": "application/json", "X-CSRFToken": member.csrf, "Accept": "application/json"})
                except OSError:
                    status, body = 0, b""
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    requests += 1
                    latencies.append(elapsed)
                    if status == 200:
                        versions[(cand, question)] = json.loads(body)["version"]
                        last[(member.email, cand, question)] = (value, notes)
                    else:
                        errors += 1
                if pause:
                    time.sleep(rng.uniform(0.5, 1.5) * pause)

        threads = [threading.Thread(target=worker, args=(m, n)) for n, m in enumerate(members)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        duration = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    lost = check_database(env, last)
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else 0.0

    return {
        "database": "postgresql" if env.get("PANEL_DATABASE_URL", "").startswith("postgresql") else "sqlite",
        "users": args.users,
        "workers": workers,
        "pause_ms": args.pause_ms,
        "seconds": round(duration, 1),
        "requests": requests,
        "errors": errors,
        "lost_writes": lost,
        "throughput_rps": round(requests / duration, 1) if duration else 0,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0,
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
    }


def check_database(env: dict, last: dict) -> int:
    with _environment(env):
        return _check_database(last)


def _check_database(last: dict) -> int:
    from sqlalchemy import select

    from panel import create_app
    from panel.db import session_scope
    from panel.models import InterviewScore, User

    app = create_app()
    lost = 0
    with app.app_context(), session_scope() as s:
        emails = {u.id: u.email for u in s.scalars(select(User))}
        stored = {(emails[r.user_id], r.candidate_id, r.plan_question_id): (r.score, r.notes)
                  for r in s.scalars(select(InterviewScore))}
        for key, value in last.items():
            if stored.get(key) != value:
                lost += 1
    app.extensions["panel.engine"].dispose()
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--candidates", type=int, default=6)
    parser.add_argument("--questions", type=int, default=8)
    parser.add_argument("--pause-ms", type=float, default=None,
                        help="each member's pause between saves (default: the scoring page's own TYPING_MS)")
    args = parser.parse_args()
    if args.pause_ms is None:
        args.pause_ms = page_typing_ms()
    result = run(args)
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
