"""Making a pack for someone: the plain-data context (context.py), the PDF (render.py, from
the cache when nothing changed), and the audit record of the download."""
from __future__ import annotations

from panel import audit
from panel.db import db
from panel.models import User, Vacancy
from panel.packs import context as pack_context
from panel.packs import render
from panel.uploads import safe_download_name

KIND_LABELS = {
    "panel": "panel pack",
    "panelist": "panel member's pack",
    "shortlisting": "shortlisting pack",
    "results": "results pack",
    "certificate": "certificate of involvement",
    "reference": "draft reference letter",
}


def download_name(pack: dict) -> str:
    ref = pack["vacancy"]["reference"]
    parts = {"panel": f"{ref} interview pack", "shortlisting": f"{ref} shortlisting pack",
             "results": f"{ref} results pack"}
    name = parts.get(pack["kind"]) or f"{ref} interview pack {pack['for_member']['name']}"
    if pack["large_print"]:
        name += " large print"
    return safe_download_name(name, "pack")


def make(actor: User | None, vacancy: Vacancy, kind: str, *, large_print: bool, panelist_user_id: int | None = None,
         for_user_id: int | None = None, via: str = "web") -> tuple[dict, render.RenderResult]:
    """Build (or fetch from the cache) one pack and audit-log the download.

    Raises pack_context.NotReady (what is missing), LookupError (no such panel member) or
    render.RenderError (stopped or failed)."""
    pack = pack_context.build(kind, vacancy, large_print=large_print, panelist_user_id=panelist_user_id,
                              for_user_id=for_user_id)
    result = render.make_pack(pack)
    record_download(actor, vacancy, pack, result, panelist_user_id=panelist_user_id, via=via)
    return pack, result


def record_download(actor: User | None, vacancy: Vacancy, pack: dict, result: render.RenderResult, *,
                    panelist_user_id: int | None = None, via: str = "web") -> None:
    """Audit-log one download of a pack."""
    kind, large_print = pack["kind"], bool(pack["large_print"])
    changes = {"kind": kind, "large_print": bool(large_print), "version": result.key[:8], "via": via}
    if panelist_user_id is not None:
        changes["panel_member_user_id"] = panelist_user_id
    who = f" for {pack['for_member']['name']}" if pack.get("for_member") and kind == "panelist" else ""
    audit.record(db(), actor, "download", entity_type="pack", vacancy_id=vacancy.id,
                 summary=f"Downloaded the {KIND_LABELS[kind]}{who} of {vacancy.reference}"
                         f"{' in large print' if large_print else ''}",
                 changes=changes)


def remember_large_print(user: User, large_print: bool) -> None:
    """The print size chosen for a download becomes the person's preference."""
    if bool(user.large_print) == bool(large_print):
        return
    before = audit.snapshot(user, ["large_print"])
    user.large_print = bool(large_print)
    audit.record(db(), user, "update", user, summary="Pack print size changed",
                 changes=audit.diff(before, audit.snapshot(user, ["large_print"])))
