"""The pack render worker: a separate process that turns pack HTML into a PDF with WeasyPrint.

Run as a script (``python panel/packs/worker.py MEMORY_MB STATIC_ROOT``) by panel.packs.render;
it imports nothing from the app, so it starts small. It limits its own address space
(RLIMIT_AS) before importing WeasyPrint, warms WeasyPrint's fonts up, says it is ready, then
renders one job at a time. Protocol: one JSON object per line on stdin (a job) and on stdout
(the answer). The PDF is written straight to the file the job names.

The URL fetcher given to WeasyPrint serves files under static/ only, addressed as
``https://static.panel.invalid/<path>`` (a reserved, never-resolving host), and refuses
every other URL: file://, http(s):// elsewhere, data:, anything.
"""
from __future__ import annotations

import gc
import json
import logging
import mimetypes
import os
import resource
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

STATIC_HOST = "static.panel.invalid"
STATIC_URL = f"https://{STATIC_HOST}/"

#: Kinds of file the packs may load from static/.
ALLOWED_SUFFIXES = {".css", ".png", ".jpg", ".jpeg", ".svg", ".woff", ".woff2", ".ttf", ".otf"}


class FetchRefused(ValueError):
    """A pack asked for a URL outside static/ (or for something that is not an asset)."""


def static_path(url: str, static_root: Path) -> Path | None:
    """The file under ``static_root`` that ``url`` names, or None if it names anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme != "https" or parts.netloc != STATIC_HOST or parts.username or parts.port:
        return None
    rel = unquote(parts.path).lstrip("/")
    if not rel or "\\" in rel or "\x00" in rel:
        return None
    root = static_root.resolve()
    try:
        path = (root / rel).resolve()
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or not path.is_file() or path.suffix.lower() not in ALLOWED_SUFFIXES:
        return None
    return path


def make_fetcher(static_root: str | Path):
    """A WeasyPrint URL fetcher that serves static/ files only and refuses every other URL.

    Refused URLs are kept in ``fetcher.refused`` so the caller can report them."""
    # WeasyPrint is imported only in the render process, after it has limited its memory
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = Path(static_root)

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"https"}, allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            path = static_path(url, root)
            if path is None:
                self.refused.append(url[:200])
                raise FetchRefused(f"packs may only load files from static/: {url[:200]!r} refused")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher()


_FONT_CONFIG = None


def font_config():
    """One WeasyPrint font configuration for every render of this process. Making one loads
    fontconfig's configuration and a Pango font map again (about 20 ms, which each part of a
    large pack paid); the packs load no web fonts, so nothing of one render stays in it for the
    next but the system fonts."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration  # render process only (see make_fetcher)

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def render_to_file(html: str, target: str | Path, static_root: str | Path, options: dict | None = None) -> dict:
    """Render ``html`` to a PDF file with the static-only fetcher; return what happened."""
    from weasyprint import HTML  # render process only (see make_fetcher)

    fetcher = make_fetcher(static_root)
    start, cpu_start = time.perf_counter(), time.process_time()
    document = HTML(string=html, base_url=STATIC_URL, url_fetcher=fetcher).render(font_config=font_config(),
                                                                                   **(options or {}))
    document.write_pdf(target, **(options or {}))
    return {"pages": len(document.pages), "seconds": round(time.perf_counter() - start, 4),
            "cpu_seconds": round(time.process_time() - cpu_start, 4),
            "bytes": os.path.getsize(target), "refused": fetcher.refused}


def _peak_rss_kib() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak_rss() -> None:
    try:  # Linux: writing 5 resets VmHWM, so each job reports its own peak
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def main(argv: list[str]) -> int:
    memory_mb = int(argv[1]) if len(argv) > 1 else 0
    static_root = argv[2] if len(argv) > 2 else str(Path(__file__).resolve().parents[2] / "static")
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the protocol stream

    def send(message: dict) -> None:
        out.write(json.dumps(message).encode() + b"\n")
        out.flush()

    try:
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        from weasyprint import HTML  # after RLIMIT_AS is set above

        HTML(string="<p>ready</p>").render(font_config=font_config()).write_pdf()  # load fonts and caches once
    except MemoryError:
        send({"ready": False, "error": "memory"})
        return 1
    # WeasyPrint makes millions of small objects; the default cyclic GC rescans them all
    # again and again (about a tenth of a big render). Freeze what is loaded now, collect
    # rarely during a render and fully after each one.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50000, 50, 100)
    send({"ready": True, "pid": os.getpid()})
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        job = json.loads(line)
        _reset_peak_rss()
        try:
            result = render_to_file(job["html"], job["target"], static_root, job.get("options"))
        except MemoryError:
            send({"ok": False, "error": "memory"})
            return 1  # the heap may be in a bad state: let the parent start a fresh worker
        except Exception as exc:  # reported to the parent, which logs and tells the user
            send({"ok": False, "error": "failed", "detail": f"{type(exc).__name__}: {str(exc)[:300]}"})
            continue
        result.update(ok=True, peak_rss_kib=_peak_rss_kib())
        send(result)
        gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
