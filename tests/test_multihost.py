"""Two app servers behind one database, as behind a load balancer (issue 14, item 6): two
`flask run` processes, each with its own instance folder, share the database of the test
(the SQLite file, or PostgreSQL when PANEL_TEST_DATABASE_URL is set) and the store (the
database, or moto's S3 server). What is uploaded through one is downloaded through the other,
and neither keeps a file on its own disk; a pack job asked for through one host is made by the
other's worker and served by both."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from panel.models import Candidate
from tests.builders_plugin import sl, stored_keys, url  # noqa: F401
from tests.conftest import CSRF_RE, PASSWORD, TEST_HASH
from tests.test_storage import dirty_pdf
from tests.s3fake import CREDENTIALS, bucket_keys, free_port, s3_endpoint, s3_url  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
SECRET = "multi-host-test-secret-" + "0" * 40  # every host of one service shares it (README)


class Host:
    """One app server: `flask --app panel run` in a process of its own."""

    def __init__(self, tmp_path: Path, name: str, database_url: str, storage_url: str) -> None:
        self.instance = tmp_path / name
        self.instance.mkdir()
        self.port = free_port()
        self.storage_url = storage_url
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PANEL_")}
        env.update(CREDENTIALS)
        env.update({"PANEL_INSTANCE_PATH": str(self.instance), "PANEL_DATABASE_URL": database_url,
                    "PANEL_STORAGE_URL": storage_url, "PANEL_SECRET_KEY": SECRET,
                    "PANEL_SERVER_NAME": "panel.test", "PANEL_TRUSTED_HOSTS": "panel.test,127.0.0.1",
                    "PANEL_COOKIE_SECURE": "false", "PANEL_PREFERRED_URL_SCHEME": "http",
                    "PANEL_PASSWORD_HASH_METHOD": TEST_HASH})
        self.env = env  # also for a pack worker "on this host"
        self.log = open(tmp_path / f"{name}.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "panel", "run", "--host", "127.0.0.1", "--port", str(self.port),
             "--no-reload", "--no-debugger"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"the host did not start:\n{(self.instance.parent / self.log.name).read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def files_on_disk(self) -> list[str]:
        """Files this host wrote under its instance folder, bar its own secret, logs and caches."""
        return sorted(str(p.relative_to(self.instance)) for p in self.instance.rglob("*")
                      if p.is_file() and p.parts[len(self.instance.parts)] in {"uploads", "pack-cache"})


def token(page: str) -> str:
    match = CSRF_RE.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def sign_in(host: Host, email: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{host.base}/login").text
    answer = browser.post(f"{host.base}/login", data={"email": email, "password": PASSWORD, "csrf_token": token(page)},
                          allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    return browser


@pytest.fixture()
def hosts(request, app, tmp_path):
    """Two hosts on the test's database; the store of request.param ("database" or "s3")."""
    storage_url = request.getfixturevalue("s3_url") if request.param == "s3" else ""
    app.extensions["panel.engine"].dispose()  # the hosts open their own connections
    started = [Host(tmp_path, name, app.config["DATABASE_URL"], storage_url) for name in ("host-a", "host-b")]
    try:
        for host in started:
            host.wait()
        yield started
    finally:
        for host in started:
            host.stop()


@pytest.mark.parametrize("hosts", ["database", "s3"], indirect=True)
def test_an_upload_through_one_host_is_downloaded_through_the_other(app, sl, session, hosts):
    a, b = hosts
    candidate = sl.candidates[0]
    dirty = dirty_pdf()
    # HR uploads through host A ...
    hr_browser = sign_in(a, sl.hr.email)
    upload_url = url(sl.v, "candidates", candidate.id, "application")
    page = hr_browser.get(f"{a.base}{upload_url}").text
    answer = hr_browser.post(f"{a.base}{upload_url}", data={"csrf_token": token(page)},
                             files={"file": ("cv.pdf", dirty, "application/pdf")}, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:1000]
    name = session.scalar(select(Candidate.application_file).where(Candidate.id == candidate.id))
    assert name
    # ... and, signed in once, downloads the original through host B
    download = f"{url(sl.v, 'candidates', candidate.id, 'application.pdf')}"
    original = hr_browser.get(f"{b.base}{download}")
    assert original.status_code == 200 and original.content == dirty
    # a panelist who signs in on host B gets the panel's copy, without the hidden author
    panelist_copy = sign_in(b, sl.panelist.email).get(f"{b.base}{download}")
    assert panelist_copy.status_code == 200 and panelist_copy.content.startswith(b"%PDF")
    assert b"Aoife" not in panelist_copy.content and panelist_copy.content != dirty
    # and someone not on the panel gets a 404 there, as on one host
    assert sign_in(b, sl.other.email).get(f"{b.base}{download}").status_code == 404
    # the file lives in the shared store, on neither host's disk
    assert a.files_on_disk() == [] and b.files_on_disk() == []
    if a.storage_url:
        assert bucket_keys(a.storage_url) == [f"panel-files/uploads/{name}",
                                                     f"panel-files/uploads/panel-copies/{name}"]
    else:
        assert stored_keys(app) == [f"uploads/{name}", f"uploads/panel-copies/{name}"]


@pytest.mark.parametrize("hosts", ["database", "s3"], indirect=True)
def test_a_pack_job_started_on_one_host_is_finished_and_served_by_the_other(app, session, hosts):
    """The HR lead asks for the panel pack through host A (a job is queued: 303 to its progress
    page); host B's pack worker claims and makes it; host B serves the PDF, and so does host A,
    which fetches it from the shared store into its own cache (only a cache)."""
    from panel.models import PackJob
    from panel.packs.bench import generate

    a, b = hosts
    vacancy, hr, members, candidates = generate(session, reference="MH-1", candidates=3, members=2, questions=2,
                                                password=PASSWORD, app=app)
    pack_url = f"/vacancies/{vacancy.id}/packs/panel.pdf?large_print=0"
    browser = sign_in(a, hr.email)
    asked = browser.get(f"{a.base}{pack_url}", allow_redirects=False)
    assert asked.status_code == 303, asked.text[:500]
    progress = browser.get(f"{a.base}{asked.headers['Location']}")
    assert progress.status_code == 200 and "being made" in progress.text
    # host B's worker makes it
    worker = subprocess.run([sys.executable, "-m", "flask", "--app", "panel", "packs-worker", "--once"], cwd=ROOT,
                            env=b.env, capture_output=True, text=True, timeout=300)
    assert worker.returncode == 0 and "Made 1 pack" in worker.stdout, worker.stdout + worker.stderr
    session.expire_all()
    (job,) = session.scalars(select(PackJob)).all()
    assert job.status == "done"
    # the progress page says so on either host, and either host serves the PDF
    assert "ready" in browser.get(f"{b.base}{asked.headers['Location']}").text
    from_b = browser.get(f"{b.base}{pack_url}", allow_redirects=False)
    assert from_b.status_code == 200 and from_b.headers["Content-Type"] == "application/pdf"
    assert from_b.content.startswith(b"%PDF")
    assert a.files_on_disk() == []  # host A has never made or fetched it ...
    from_a = browser.get(f"{a.base}{pack_url}", allow_redirects=False)
    assert from_a.status_code == 200 and from_a.content == from_b.content  # ... and serves it from the store
    assert a.files_on_disk() == [f"pack-cache/{job.key}.pdf"]  # now in its cache too
    session.expire_all()
    assert len(session.scalars(select(PackJob)).all()) == 1  # never rendered twice
    if a.storage_url:
        assert f"panel-files/packs/{job.key}.pdf" in bucket_keys(a.storage_url)
    else:
        assert stored_keys(app, "packs/") == [f"packs/{job.key}.pdf"]
