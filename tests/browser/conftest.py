"""Fixtures for the browser tests: the app served on a real port, Debian's Chromium
driven by Playwright, and an axe-core check for every page.

Every test here is marked ``browser`` and skipped when /usr/bin/chromium is missing
(`.ci/run` installs it with apt). Playwright's own browser downloads are never used."""
from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest
from flask import Flask
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import WSGIRequestHandler, make_server

from panel.cli import upgrade_database
from tests.conftest import TEST_HASH, make_app

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (install Debian's chromium; .ci/run does)")
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)


class LiveServer(NamedTuple):
    url: str
    app: Flask

    def session(self):
        """A database session for arranging data (no app context is pushed, so the
        server's requests never share flask.g with the test). Close it when done. The builders
        (tests.builders_plugin) find the app through ``info["app"]``."""
        s = self.app.extensions["panel.sessionmaker"]()
        s.info["app"] = self.app
        return s

    @contextmanager
    def db(self):
        s = self.session()
        try:
            yield s
        finally:
            s.close()


#: where the live server hands out axe-core, so each browser context fetches it once and keeps it
#: in its cache (injecting the 550 KB script's text through Playwright costs about 150 ms a page)
AXE_PATH = "/__tests__/axe.min.js"


def _with_axe(app):
    body = AXE.read_bytes() if AXE.exists() else b""
    headers = [("Content-Type", "text/javascript; charset=utf-8"), ("Content-Length", str(len(body))),
               ("Cache-Control", "public, max-age=86400, immutable")]

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == AXE_PATH:
            start_response("200 OK", headers)
            return [body]
        return app(environ, start_response)

    return wsgi


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # no access log lines in the test output
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(tmp_path: Path, database_url: str | None = None, **overrides) -> Iterator[LiveServer]:
    """Serve the app on 127.0.0.1 in a daemon thread, on database_url (already migrated) or
    else on a fresh SQLite file migrated here."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'browser.db'}",
        "OUTBOX_FOLDER": str(tmp_path / "outbox"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "PASSWORD_HASH_METHOD": TEST_HASH,
        "COOKIE_SECURE": False,
        "SERVER_NAME": None,
        "LOG_LEVEL": "WARNING",
        **overrides,
    }
    app = make_app(config)
    if database_url is None:
        with app.app_context():
            upgrade_database()
    server = make_server("127.0.0.1", _free_port(), _with_axe(app), threaded=True, request_handler=_QuietHandler)
    # emailed links are built from configuration, never from the request: point them here
    app.config["PREFERRED_URL_SCHEME"] = "http"
    app.config["SERVER_NAME"] = f"127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="panel-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["panel.engine"].dispose()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, migrated_databases) -> Iterator[LiveServer]:
    """The app on a real port, one per test module (its database is shared by the
    module's tests, so they use their own email addresses and references)."""
    folder = tmp_path_factory.mktemp("live")
    with serve(folder, migrated_databases.sqlite(folder / "browser.db")) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def new_context(browser):
    """new_context(**options) -> a fresh browser context (its own cookies); closed after the test."""
    contexts = []

    def _make(**options):
        options.setdefault("bypass_csp", True)  # lets axe be injected under the strict CSP
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield _make
    for context in contexts:
        context.close()


@pytest.fixture()
def page(new_context):
    return new_context().new_page()


class Visits:
    """Remembers every page a browser page lands on, so a test can prove that
    assert_accessible ran on each of them (error pages and redirects included)."""

    def __init__(self, page):
        self.page = page
        self.pending: str | None = None
        self.missed: list[str] = []
        self.checked: list[str] = []
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame) -> None:
        if frame is not self.page.main_frame:
            return
        if self.pending is not None:
            self.missed.append(self.pending)
        self.pending = frame.url

    def check(self) -> None:
        """Wait for the page to load, then run axe on it."""
        self.page.wait_for_load_state("load")
        assert_accessible(self.page)
        self.checked.append(self.page.url)
        self.pending = None

    def assert_all_checked(self) -> None:
        missed = self.missed + ([self.pending] if self.pending else [])
        assert not missed, f"pages visited without an axe check: {missed}"


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    target: {json.dumps(node['target'])}")
            lines.append(f"    html:   {node['html'][:300]}")
            if node.get("failureSummary"):
                lines.append("    " + node["failureSummary"].replace("\n", "\n    "))
    return "\n".join(lines)


# The page's structure: every element with its attributes (digits and long tokens such as the
# CSRF token left out) and whether it holds text, but not the words. Two pages with the same
# structure (the same page for another candidate, the same form after another save) are the
# same page to axe-core's WCAG rules, which look at elements, roles, names' presence, ids,
# references and styles, so each distinct page is checked once per test process.
STRUCTURE = """() => {
    const norm = v => v.replace(/[A-Za-z0-9_.\\-]{24,}/g, "~").replace(/[0-9]+/g, "#");
    let h1 = 0xdeadbeef, h2 = 0x41c6ce57;  // cyrb53: a 53-bit hash, so only a number crosses over
    const add = text => {
        for (let i = 0; i < text.length; i++) {
            const c = text.charCodeAt(i);
            h1 = Math.imul(h1 ^ c, 2654435761);
            h2 = Math.imul(h2 ^ c, 1597334677);
        }
    };
    if (!document.documentElement || document.readyState !== "complete") return null;  // mid-navigation
    add(String(window.innerWidth));
    const walk = el => {
        if (el.hasAttribute("data-test-axe")) return;  // axe-core itself, once injected
        let line = "<" + el.tagName;
        for (const a of el.attributes) {
            if (a.name !== "nonce") line += " " + a.name + "=" + norm(a.value);  // a new nonce each time
        }
        for (const n of el.childNodes) {
            if (n.nodeType === 3 && n.nodeValue.trim()) { line += " T"; break; }
        }
        add(line);
        for (const child of el.children) walk(child);
        add(">");
    };
    walk(document.documentElement);
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return String(4294967296 * (2097151 & h2) + (h1 >>> 0));
}"""
_ACCESSIBLE: set[str] = set()  # structures axe found no violation on, in this test process


def page_structure(page) -> str | None:
    """The page's structure hash, or None while a navigation is replacing the document."""
    return page.evaluate(STRUCTURE)


def _interrupted_by_navigation(error: PlaywrightError) -> bool:
    text = str(error)
    return any(sign in text for sign in ("Execution context was destroyed", "navigation",
                                         "Cannot find context", "Target page, context or browser"))


def axe_violations(page, attempts: int = 6) -> list[dict]:
    """axe-core's WCAG 2.2 A and AA violations on the page ([] at once if a page of the same
    structure has already passed). A click that starts a navigation returns before the new
    document exists, so the check waits for a loaded document and starts again if a
    navigation replaces the page while it runs."""
    for attempt in range(attempts):
        try:
            page.wait_for_load_state("load")
            result = _axe_once(page)
        except PlaywrightError as error:
            if attempt + 1 == attempts or not _interrupted_by_navigation(error):
                raise
            page.wait_for_timeout(100)
            continue
        if result is not None:
            return result
        page.wait_for_timeout(100)
    raise AssertionError(f"the page at {page.url} never settled long enough for axe-core to run")


def _inject_axe(page) -> None:
    """Load axe-core into the page: from the live server (cached by the browser) when the page
    is one of its pages (and the browser is online), else as the script's text."""
    origin = page.evaluate("() => navigator.onLine ? location.origin : ''")
    tag = None
    if origin.startswith("http://127.0.0.1:"):
        try:
            tag = page.add_script_tag(url=origin + AXE_PATH)
        except PlaywrightError as error:
            if _interrupted_by_navigation(error):
                raise
    if tag is None:
        tag = page.add_script_tag(path=str(AXE))
    tag.evaluate("e => e.setAttribute('data-test-axe', '')")


def _axe_once(page) -> list[dict] | None:
    structure = page_structure(page)
    if structure is None:
        return None
    if structure in _ACCESSIBLE:
        return []
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        _inject_axe(page)
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return {violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                      helpUrl: v.helpUrl, nodes: v.nodes.map(n => ({target: n.target, html: n.html,
                      failureSummary: n.failureSummary}))})),
                    passes: r.passes.length};
        }""",
        WCAG_TAGS,
    )
    assert result["passes"] > 0, "axe ran no rules"
    if not result["violations"] and page_structure(page) == structure:  # unchanged while axe ran
        _ACCESSIBLE.add(structure)
    return result["violations"]


def assert_accessible(page) -> None:
    """Run axe-core's WCAG 2.2 A and AA rules on the page and fail on any violation."""
    violations = axe_violations(page)
    if violations:
        report = format_violations(violations)
        print(f"axe violations on {page.url}:\n{report}")
        pytest.fail(f"axe found {len(violations)} WCAG 2.2 A/AA violation(s) on {page.url}:\n{report}", pytrace=False)
