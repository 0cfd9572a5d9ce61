"""From a pack's plain-data context to a PDF file: Jinja (autoescaped) to HTML, WeasyPrint in a
separate worker process with a time limit and a memory limit, and a cache on disk.

- The cache key is a hash of the context, the template version (the pack templates, the print
  CSS, the worker and WeasyPrint's version) and the render options, so an unchanged pack is
  served from ``instance/pack-cache/`` and any change to its inputs makes a new one.
- Workers (panel/packs/worker.py) are long-lived child processes, started on first use (or
  beforehand, by the pack worker: warm_workers) and kept warm; at most PACK_WORKERS per web process. A render that runs past
  PACK_TIMEOUT_SECONDS is killed (with its worker) and reported as RenderTimeout; one that
  needs more than PACK_MEMORY_MB fails inside the worker and is reported as RenderFailed. The
  web process never holds WeasyPrint's layout in its own memory.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template

from panel import storage
from panel.packs import join

log = logging.getLogger("panel.packs")

WORKER_SCRIPT = Path(__file__).resolve().parent / "worker.py"
STATIC_ROOT = Path(__file__).resolve().parents[2] / "static"
TEMPLATE_ROOT = Path(__file__).resolve().parents[2] / "templates" / "packs"
TEMPLATE_VERSION_SALT = "packs-1"  # bump to throw away every cached pack

#: WeasyPrint options for every pack. Tagged PDF (for screen readers) costs time and
#: size; it is on for the packs one person reads (per-panelist, shortlisting, results)
#: and for any large-print pack, and chosen per render via ``tagged``.
BASE_OPTIONS: dict = {}
TAGGED_OPTIONS: dict = {"pdf_tags": True}

READY_TIMEOUT = 30.0


class RenderError(Exception):
    """The pack could not be made. ``str()`` is a message for the person who asked."""


class RenderTimeout(RenderError):
    pass


class RenderFailed(RenderError):
    pass


@dataclass
class RenderResult:
    path: Path
    pages: int
    seconds: float
    peak_rss_kib: int
    cached: bool
    key: str
    refused: list[str]
    cpu_seconds: float = 0.0


# --- the worker processes ---------------------------------------------------

class Worker:
    """One long-lived render process, spoken to over pipes, one job at a time."""

    def __init__(self, memory_mb: int, static_root: Path):
        self.memory_mb = memory_mb
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER_SCRIPT), str(memory_mb), str(static_root)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True, close_fds=True,
        )
        self.renders = 0
        self._buffer = b""
        try:
            ready = self._read(time.monotonic() + READY_TIMEOUT)
        except RenderError:
            ready = {}
        if not ready.get("ready"):
            code = self.proc.poll()
            self.kill()
            log.warning("pack render worker could not start (exit code %s, memory limit %s MB)", code, memory_mb)
            raise RenderFailed(f"The pack maker could not start within its {memory_mb} MB memory limit. "
                               "Tell your recruitment team.")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read(self, deadline: float) -> dict:
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RenderTimeout("timeout")
            readable, _, _ = select.select([fd], [], [], remaining)
            if not readable:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RenderFailed("worker ended")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def run(self, job: dict, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        try:
            self.proc.stdin.write(json.dumps(job).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise RenderFailed("worker ended") from exc
        self.renders += 1
        return self._read(deadline)

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - the kernel is slow to reap
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


class WorkerPool:
    """Up to ``size`` warm workers per (memory limit) for this process."""

    def __init__(self):
        self._cond = threading.Condition()
        self._idle: dict[int, list[Worker]] = {}
        self._busy = 0

    def acquire(self, memory_mb: int, size: int, wait: float) -> Worker:
        deadline = time.monotonic() + wait
        with self._cond:
            while True:
                idle = self._idle.setdefault(memory_mb, [])
                while idle:
                    worker = idle.pop()
                    if worker.alive():
                        self._busy += 1
                        return worker
                    worker.kill()
                if self._busy + sum(len(v) for v in self._idle.values()) < max(1, size):
                    self._busy += 1
                    break
                spare = next((ws for ws in self._idle.values() if ws), None)
                if spare:  # an idle worker with another memory limit makes room
                    spare.pop().kill()
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RenderTimeout("busy")
                self._cond.wait(remaining)
        try:
            return Worker(memory_mb, STATIC_ROOT)
        except BaseException:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise

    def release(self, worker: Worker, healthy: bool, max_renders: int) -> None:
        with self._cond:
            self._busy -= 1
            if healthy and worker.alive() and worker.renders < max_renders:
                self._idle.setdefault(worker.memory_mb, []).append(worker)
                worker = None
            self._cond.notify()
        if worker is not None:
            worker.kill()

    def shutdown(self) -> None:
        with self._cond:
            workers = [w for ws in self._idle.values() for w in ws]
            self._idle.clear()
        for w in workers:
            w.kill()

    def warm(self, memory_mb: int, count: int) -> int:
        """Start workers (all at once, each in its own thread) until ``count`` of this memory
        limit are idle, so the next renders pay no start-up (importing WeasyPrint, loading the
        fonts: about a second each). Returns how many were started."""
        with self._cond:
            missing = max(0, count - len(self._idle.setdefault(memory_mb, [])) - self._busy)
            self._busy += missing
        started: list[Worker] = []

        def start():
            try:
                started.append(Worker(memory_mb, STATIC_ROOT))
            except RenderError:
                pass

        threads = [threading.Thread(target=start, daemon=True) for _ in range(missing)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with self._cond:
            self._busy -= missing
            self._idle[memory_mb].extend(started)
            self._cond.notify_all()
        return len(started)

    def idle_pids(self) -> list[int]:
        with self._cond:
            return [w.pid for ws in self._idle.values() for w in ws]


POOL = WorkerPool()
atexit.register(POOL.shutdown)


def render_html_to_pdf(html: str, target: Path, *, tagged: bool = False, timeout: float | None = None,
                       memory_mb: int | None = None, workers: int | None = None, config=None) -> dict:
    """Render in a worker process; write the PDF to ``target`` (atomically). Raises RenderError.

    ``workers``: how many render processes this process may run at once (PACK_WORKERS);
    ``config``: the app's config, for threads that have no app context."""
    config = config if config is not None else current_app.config
    timeout = float(timeout if timeout is not None else config["PACK_TIMEOUT_SECONDS"])
    memory_mb = int(memory_mb if memory_mb is not None else config["PACK_MEMORY_MB"])
    workers = int(workers if workers is not None else config["PACK_WORKERS"])
    options = dict(BASE_OPTIONS, **(TAGGED_OPTIONS if tagged else {}))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        worker = POOL.acquire(memory_mb, workers, wait=timeout)
    except RenderTimeout:
        log.warning("pack render waited %.1f s for a free worker", timeout)
        raise RenderTimeout("The pack maker is busy with other packs. Try again in a minute.")
    healthy = False
    try:
        answer = worker.run({"html": html, "target": str(tmp), "options": options}, timeout)
        healthy = bool(answer.get("ok"))
    except RenderTimeout:
        log.warning("pack render stopped after %.1f s (time limit); worker %s killed", timeout, worker.pid)
        raise RenderTimeout(
            f"Making this pack took longer than the {timeout:g} second limit, so it was stopped. "
            "Try again in a few minutes; if it keeps happening, tell your recruitment team.")
    except RenderFailed:
        # A C library that cannot allocate under RLIMIT_AS aborts the process (GLib does),
        # rather than raising MemoryError, so a worker that vanishes mid-render most
        # likely hit the memory limit.
        code = worker.proc.poll()
        log.warning("pack render worker %s ended during a render (exit code %s, memory limit %s MB)",
                    worker.pid, code, memory_mb)
        raise RenderFailed(f"The pack could not be made: the pack maker stopped, most likely because the pack "
                           f"needed more than its {memory_mb} MB memory limit. Tell your recruitment team.")
    finally:
        POOL.release(worker, healthy, int(config["PACK_WORKER_MAX_RENDERS"]))
        if not healthy:
            tmp.unlink(missing_ok=True)
    if not answer.get("ok"):
        if answer.get("error") == "memory":
            log.warning("pack render ran out of memory (limit %s MB)", memory_mb)
            raise RenderFailed(f"This pack needed more than the {memory_mb} MB memory limit, so it was stopped. "
                               "Tell your recruitment team.")
        log.warning("pack render failed: %s", answer.get("detail", ""))
        raise RenderFailed("The pack could not be made. Try again; if it keeps happening, tell your recruitment team.")
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    if answer.get("refused"):
        log.warning("pack render refused %d URL(s) outside static/", len(answer["refused"]))
    return answer


def warm_workers(processes: int, *, memory_mb: int | None = None, config=None) -> int:
    """Have ``processes`` render processes started and idle (the pack worker does this when it
    starts, so a large pack's parts all begin at once instead of waiting for cold starts)."""
    config = config if config is not None else current_app.config
    memory_mb = int(memory_mb if memory_mb is not None else config["PACK_MEMORY_MB"])
    return POOL.warm(memory_mb, processes)


# --- HTML, versions and the cache --------------------------------------------

TEMPLATES = {"panel": "packs/panel.html", "panelist": "packs/panel.html",
             "shortlisting": "packs/shortlisting.html", "results": "packs/results.html",
             # a person's own documents, about no vacancy and no candidate (panel/involvement/documents.py)
             "certificate": "packs/certificate.html", "reference": "packs/reference.html"}


def template_version() -> str:
    """A hash of everything besides the data that shapes a pack's PDF."""
    import weasyprint  # the web process loads WeasyPrint only when it needs its version

    digest = hashlib.sha256(f"{TEMPLATE_VERSION_SALT}|{weasyprint.__version__}".encode())
    files = sorted(TEMPLATE_ROOT.glob("*.html")) + sorted((STATIC_ROOT / "css").glob("packs*.css")) + [
        WORKER_SCRIPT]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(context: dict, options: dict) -> str:
    payload = json.dumps({"context": context, "template": template_version(), "options": options},
                         sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def cache_folder() -> Path:
    folder = Path(current_app.instance_path) / "pack-cache"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def render_html(context: dict, version: str) -> str:
    return render_template(TEMPLATES[context["kind"]], pack=context, pack_version=version)


def is_tagged(context: dict) -> bool:
    """Tag the packs a screen reader user would open: their own, and every large-print pack."""
    return context["kind"] != "panel" or bool(context.get("large_print"))


def pack_key(context: dict) -> str:
    """The pack's cache key: its data, templates and render options."""
    return cache_key(context, {"tagged": is_tagged(context)})


def _from_store(key: str, path: Path, session=None) -> bool:
    """Copy a finished pack (made by any host's worker) from the shared store into this host's
    cache; False if the store has none."""
    try:
        data = storage.get_pack(key, session)
    except storage.StoreError as exc:
        log.warning("the finished pack %s could not be read from the store: %s", key[:8], exc)
        return False
    if data is None:
        return False
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def cached_pack(context: dict, session=None) -> RenderResult | None:
    """The finished PDF of exactly this pack, if it has been made (and marks it recently used):
    from this host's cache, else from the shared store (panel/storage.py), where the worker that
    made it put it. The cache is only a cache: every host finds every finished pack."""
    key = pack_key(context)
    path = cache_folder() / f"{key}.pdf"
    try:
        os.utime(path)  # recently used: kept by prune_cache
    except FileNotFoundError:  # not on this host (made by another, pruned, or never made)
        if not _from_store(key, path, session):
            return None
    return RenderResult(path=path, pages=0, seconds=0.0, peak_rss_kib=0, cached=True, key=key, refused=[])


def make_pack(context: dict, *, use_cache: bool = True, timeout: float | None = None,
              memory_mb: int | None = None, processes: int | None = None, parallel_min_sheets: int = 0,
              sheets_per_part: int = 10, progress=None, session=None) -> RenderResult:
    """The PDF for this context: from the cache if its inputs have not changed, else rendered.

    With ``processes`` (the pack worker), a pack of at least ``parallel_min_sheets``
    candidate sheets is rendered in parts on that many render processes and joined
    (render_in_parts); ``progress`` is told as parts finish."""
    tagged = is_tagged(context)
    key = pack_key(context)
    path = cache_folder() / f"{key}.pdf"
    if use_cache:
        cached = cached_pack(context, session)
        if cached is not None:
            return cached
    html = render_html(context, key[:8])
    if not use_cache:
        path = path.with_name(f"{key}.uncached.pdf")
    if processes and parallel_min_sheets and sheet_count(html) >= parallel_min_sheets:
        answer = render_in_parts(context, html, path, tagged=tagged, processes=processes,
                                 sheets_per_part=sheets_per_part, timeout=timeout, memory_mb=memory_mb,
                                 progress=progress)
    else:
        answer = render_html_to_pdf(html, path, tagged=tagged, timeout=timeout, memory_mb=memory_mb,
                                    workers=processes)
    if use_cache:
        prune_cache(keep=path)
    return RenderResult(path=path, pages=answer["pages"], seconds=answer["seconds"],
                        peak_rss_kib=answer.get("peak_rss_kib", 0), cached=False, key=key,
                        refused=answer.get("refused", []), cpu_seconds=answer.get("cpu_seconds", 0.0))


# --- large packs: parts rendered in parallel, joined into one PDF ------------

SHEET_MARK = '<section class="sheet">'


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (every character that could end it escaped)."""
    return '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text) + '"'


def split_html(html: str, reference: str, sheets_per_part: int) -> list[str]:
    """The pack's HTML as documents of one part each: the cover, then groups of
    ``sheets_per_part`` sheets (each candidate's sheet starts a page anyway, so the pages
    are the same as the whole document's). Parts carry the running header's reference
    themselves and no footer: "Page X of Y" is stamped after the join (join.py)."""
    body_start = html.index("<body>") + len("<body>")
    body_end = html.rindex("</body>")
    prefix, body, suffix = html[:body_start], html[body_start:body_end], html[body_end:]
    style = ("<style>@page { @top-center { content: \"OFFICIAL-SENSITIVE \\b7  \" " + css_string(reference)
             + " } @bottom-center { content: none } }</style>")
    prefix = prefix.replace("</head>", style + "</head>", 1)
    cover, *sheets = body.split(SHEET_MARK)
    groups = [cover] + ["".join(SHEET_MARK + s for s in sheets[i:i + sheets_per_part])
                        for i in range(0, len(sheets), max(1, sheets_per_part))]
    return [prefix + group + suffix for group in groups]


def sheet_count(html: str) -> int:
    return html.count(SHEET_MARK)


def render_in_parts(context: dict, html: str, target: Path, *, tagged: bool, processes: int, sheets_per_part: int,
                    timeout: float | None = None, memory_mb: int | None = None, progress=None) -> dict:
    """Render the pack's parts in up to ``processes`` render processes at once (the time
    limit applies to each part) and join them into ``target``. ``progress(parts_done,
    parts_total, pages_done)`` is called as parts finish. Raises RenderError, saying which
    part failed."""
    config = dict(current_app.config)
    parts = split_html(html, context["vacancy"]["reference"], sheets_per_part)
    folder = target.with_name(f".{target.name}.{os.getpid()}.parts")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths = [folder / f"{i:05d}.pdf" for i in range(len(parts))]
    start, cpu = time.perf_counter(), 0.0
    done_pages = 0
    try:
        with ThreadPoolExecutor(max_workers=max(1, processes)) as pool:
            futures = {pool.submit(render_html_to_pdf, part, path, tagged=tagged, timeout=timeout,
                                   memory_mb=memory_mb, workers=processes, config=config): i
                       for i, (part, path) in enumerate(zip(parts, paths))}
            pending, finished = set(futures), 0
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in done:
                    exc = future.exception()
                    if exc is not None:
                        for other in pending:
                            other.cancel()
                        number = futures[future] + 1
                        if isinstance(exc, RenderError):
                            raise type(exc)(f"Part {number} of {len(parts)} of the pack could not be made. {exc}") \
                                from exc
                        raise exc
                    answer = future.result()
                    finished += 1
                    done_pages += answer["pages"]
                    cpu += answer.get("cpu_seconds", 0.0)
                    if progress is not None:
                        progress(finished, len(parts), done_pages)
        large = bool(context.get("large_print"))
        pages = join.join(paths, target, title=context["title"], lang=context["lang"],
                          footer_size=16 if large else 9, footer_bottom_mm=18 if large else 17, tagged=tagged)
    finally:
        for path in folder.glob("*"):
            path.unlink(missing_ok=True)
        folder.rmdir()
    return {"pages": pages, "seconds": round(time.perf_counter() - start, 4), "cpu_seconds": round(cpu, 4),
            "parts": len(parts), "refused": []}


def prune_cache(keep: Path | None = None) -> int:
    """Delete cached packs older than PACK_CACHE_HOURS (they hold personal data)."""
    folder = cache_folder()
    # never a pack used in the last minute: another request may be sending it right now
    cutoff = min(time.time() - float(current_app.config["PACK_CACHE_HOURS"]) * 3600, time.time() - 60)
    removed = 0
    for path in folder.iterdir():
        if path == keep:
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed
