"""Joining a pack rendered in parts (one or more candidates' sheets each) into one PDF with
pikepdf: continuous "Page X of Y" stamped in the footer after the join (the parts are
rendered without a footer, as no part knows its page offset or the total), one outline
(bookmarks) with each part's headings at their joined page, the document's title, language
and metadata, and, when the parts are tagged (PDF/UA-style structure for screen readers),
one structure tree: each part's structure elements under one Document element, the parent
tree renumbered with each part's offset so every marked-content reference still resolves.
"""
from __future__ import annotations

import os
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

MM = 72 / 25.4

#: Helvetica advance widths (1/1000 em) for the characters of "Page 123 of 456"; Liberation
#: Sans, the packs' font, has the same metrics, so the stamped footer is centred like the rest.
_WIDTHS = {" ": 278, "P": 667, "a": 556, "g": 556, "e": 556, "o": 556, "f": 278}


def footer_text(number: int, total: int) -> str:
    return f"Page {number} of {total}"


def text_width(text: str, size: float) -> float:
    return sum(_WIDTHS.get(ch, 556) for ch in text) * size / 1000  # digits are 556 wide


def _flat_nums(tree) -> list:
    """A number tree's [key, value, key, value ...], kids flattened."""
    out = []
    if "/Nums" in tree:
        out.extend(tree.Nums)
    for kid in tree.get("/Kids", []):
        out.extend(_flat_nums(kid))
    return out


def _foreign(out: pikepdf.Pdf, src: pikepdf.Pdf, obj):
    """``obj`` of ``src`` brought into ``out`` in one call to pikepdf's copier, which maps each
    object of a source once (pages included: references to a page already copied point at its
    copy), so a part's whole outline or structure tree comes over with its page references right."""
    return out.copy_foreign(obj if obj.is_indirect else src.make_indirect(obj))


def _siblings(first) -> list:
    """An outline item and the items after it (its /Next chain)."""
    items = []
    while first is not None:
        items.append(first)
        first = first.get("/Next")
    return items


def _outline(out: pikepdf.Pdf, items: list) -> None:
    """One outline of the parts' top-level items (each with its own children and destination,
    which already point at the joined pages), chained in order."""
    if not items:
        return
    root = out.make_indirect(Dictionary(Type=Name.Outlines))
    visible = 0
    for i, item in enumerate(items):
        item.Parent = root
        if i:
            item.Prev = items[i - 1]
        elif "/Prev" in item:
            del item.Prev
        if i + 1 < len(items):
            item.Next = items[i + 1]
        elif "/Next" in item:
            del item.Next
        visible += 1 + max(0, int(item.get("/Count", 0)))
    root.First, root.Last, root.Count = items[0], items[-1], visible
    out.Root.Outlines = root


def join(parts: list[Path], target: Path, *, title: str, lang: str, footer_size: float, footer_bottom_mm: float,
         tagged: bool) -> int:
    """Join ``parts`` (in order) into ``target``; return its page count.

    Each part's outline and structure tree come over whole (one copy each, not object by
    object), then are re-linked: the joined document's cost is the pages', not the bookmarks'."""
    out = pikepdf.new()
    outline: list = []  # the parts' top-level outline items, copied, in order
    document = None  # the Document structure element every part's structure goes under
    nums: list = []
    next_key = 0
    role_map = None
    for part in parts:
        with pikepdf.open(part) as src:
            start = len(out.pages)
            out.pages.extend(src.pages)
            outlines = src.Root.get("/Outlines")
            if outlines is not None and "/First" in outlines:
                outline.extend(_siblings(_foreign(out, src, outlines.First)))
            root = src.Root.get("/StructTreeRoot")
            if not tagged or root is None:
                continue
            root = _foreign(out, src, root)
            offset = next_key
            for page in out.pages[start:]:
                if "/StructParents" in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + offset
                for annot in page.obj.get("/Annots", []):
                    if "/StructParent" in annot:
                        annot.StructParent = int(annot.StructParent) + offset
            flat = _flat_nums(root.ParentTree) if "/ParentTree" in root else []
            for i in range(0, len(flat), 2):
                nums.extend([int(flat[i]) + offset, flat[i + 1]])
            next_key = offset + max([int(flat[i]) for i in range(0, len(flat), 2)] + [-1]) + 1
            kids = root.K if isinstance(root.K, Array) else Array([root.K])
            for kid in kids:
                if document is None:
                    document = kid
                    continue
                grandchildren = kid.get("/K")
                grandchildren = grandchildren if isinstance(grandchildren, Array) else Array([grandchildren])
                if not isinstance(document.K, Array):
                    document.K = Array([document.K])
                for child in grandchildren:
                    if isinstance(child, Dictionary) and "/P" in child:
                        child.P = document
                    document.K.append(child)
            if role_map is None and "/RoleMap" in root:
                role_map = root.RoleMap
    total = len(out.pages)
    font = out.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))
    for number, page in enumerate(out.pages, start=1):
        _stamp(out, page, font, footer_text(number, total), footer_size, footer_bottom_mm, tagged)
    if document is not None:
        tree_root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        if role_map is not None:
            tree_root.RoleMap = role_map
        document.P = tree_root
        tree_root.K = Array([document])
        tree_root.ParentTree = out.make_indirect(Dictionary(Nums=Array(nums)))
        tree_root.ParentTreeNextKey = next_key
        out.Root.StructTreeRoot = tree_root
        out.Root.MarkInfo = Dictionary(Marked=True)
    _outline(out, outline)
    out.Root.Lang = String(lang)
    out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    out.docinfo[Name.Title] = title
    out.docinfo[Name.Creator] = "panel"
    with out.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        meta["dc:language"] = [lang]
    tmp = target.with_name(f".{target.name}.{os.getpid()}.join.tmp")
    out.save(tmp)
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return total


def _stamp(pdf: pikepdf.Pdf, page: pikepdf.Page, font, text: str, size: float, bottom_mm: float, tagged: bool) -> None:
    """Draw ``text`` centred in the page's footer (an artifact for screen readers)."""
    box = page.mediabox
    width = float(box[2]) - float(box[0])
    x = float(box[0]) + (width - text_width(text, size)) / 2
    # the footer box starts 3 mm below the bottom margin's top edge; baseline one ascent lower
    y = float(box[1]) + bottom_mm * MM - 3 * MM - 0.93 * size
    if "/Resources" not in page.obj:
        page.obj.Resources = Dictionary()
    resources = page.obj.Resources
    if "/Font" not in resources:
        resources.Font = Dictionary()
    resources.Font.PanelFooter = font
    mark = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC " if tagged else b""
    end = b" EMC" if tagged else b""
    draw = (mark + b"BT /PanelFooter %.2f Tf 0 g %.2f %.2f Td (%s) Tj ET" % (size, x, y, text.encode("ascii")) + end)
    page.contents_add(pikepdf.Stream(pdf, b"q"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"Q " + draw), prepend=False)
