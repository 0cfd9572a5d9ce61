"""Every page of the demo, as each kind of user, in a real browser: axe-core finds no WCAG 2.2
A or AA violation, nothing answers with a server error, and nothing scrolls sideways on a
320-pixel-wide phone (WCAG 1.4.10 reflow, the same as 400% zoom on a 1280-pixel screen).

The pages are found by following the links a user sees, starting at the home page, on the
demo data that `make run` loads (a vacancy in shortlisting, one interviewing with scores, one
on another panel). Pages whose address differs only in an id are visited once or twice."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser.conftest import axe_violations, format_violations

SKIP = re.compile(r"(/logout|/static/|\.(pdf|csv|json|eml|zip|js)$|/download|/export|/sign-out)", re.I)
PER_ROLE_LIMIT = 70
SAME_SHAPE_LIMIT = 2
VIEWPORT = {"width": 1280, "height": 900}  # new_context's


def _shape(path: str) -> str:
    return re.sub(r"\d+", "#", path)


@pytest.fixture(scope="module")
def demo(live_server):
    """The demo data, loaded into the live server's database as `make run` does."""
    from panel.demo import load_demo

    with live_server.app.app_context():
        load_demo()
    text = (Path(live_server.app.instance_path) / "demo-logins.txt").read_text()
    logins = dict(re.findall(r"(\S+@example\.org)\s+(\S+)", text))
    assert len(logins) >= 6, text
    return logins


def _sign_in(page, url: str, email: str, password: str) -> None:
    page.goto(url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state("load")
    assert "/login" not in page.url, f"sign-in failed for {email}"


def _links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    out = []
    for href in hrefs:
        href, _ = urldefrag(href)
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(parts.path) or parts.query:
            continue
        out.append(parts.path)
    return out


def _overflow_at_320(page) -> int:
    """How far the page scrolls sideways in a window 320 CSS pixels wide: the page is narrowed
    where it stands (the layout, media queries and resize handlers run as on a phone) rather
    than loaded a second time, then widened again."""
    page.set_viewport_size({"width": 320, "height": 700})
    try:
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    finally:
        page.set_viewport_size(VIEWPORT)


@pytest.mark.parametrize("email", ["priya.shah@example.org", "chris.morgan@example.org",
                                   "john.oneill@example.org", "siobhan.kelly@example.org"])
def test_every_page_a_user_can_reach_is_accessible(live_server, demo, new_context, email):
    context = new_context()
    page = context.new_page()
    _sign_in(page, live_server.url, email, demo[email])
    queue, seen, shapes = ["/"], {"/"}, {}
    problems, visited = [], []
    while queue and len(visited) < PER_ROLE_LIMIT:
        path = queue.pop(0)
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        visited.append(path)
        status = response.status if response else 0
        if status >= 500 or status == 0:
            problems.append(f"{path}: status {status}")
            continue
        result = axe_violations(page)  # once per distinct page (see tests/browser/conftest.py)
        if result:
            problems.append(f"{path}:\n{format_violations(result)}")
        overflow = _overflow_at_320(page)
        if overflow > 1:
            problems.append(f"{path}: scrolls sideways by {overflow}px at 320px wide")
        for link in _links(page, live_server.url):
            shape = _shape(link)
            if link in seen or shapes.get(shape, 0) >= SAME_SHAPE_LIMIT:
                continue
            seen.add(link)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(link)
    print(f"{email}: {len(visited)} pages checked")
    assert len(visited) >= 8, visited  # the crawl really went somewhere
    assert not problems, "\n".join(problems)
