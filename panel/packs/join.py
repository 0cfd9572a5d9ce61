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
from pikepdf import Array, Dictionary, Name, OutlineItem, String

MM = 72 / 25.4

#: Helvetica advance widths (1/1000 em) for the characters of "Page 123 of 456"; Liberation
#: Sans, the packs' font, has the same metrics, so the stamped footer is centred like the rest.
_WIDTHS = {" ": 278, "P": 667, "a": 556, "g": 556, "e": 556, "o": 556, "f": 278}


def footer_text(number: int, total: int) -> str:
    return f"Page {number} of {total}"


def text_width(text: str, size: float) -> float:
    return sum(_WIDTHS.get(ch, 556) for ch in text) * size / 1000  # digits are 556 wide


def _outline_items(items, offset: int, page_index) -> list[OutlineItem]:
    """Copies of a part's outline items (and their children) pointing at joined page numbers."""
    copies = []
    for item in items:
        page = None
        dest = item.destination
        if dest is not None and isinstance(dest, Array) and len(dest):
            page = page_index.get(dest[0].objgen)
        copy = OutlineItem(str(item.title), (page or 0) + offset)
        copy.children.extend(_outline_items(item.children, offset, page_index))
        copies.append(copy)
    return copies


def _flat_nums(tree) -> list:
    """A number tree's [key, value, key, value ...], kids flattened."""
    out = []
    if "/Nums" in tree:
        out.extend(tree.Nums)
    for kid in tree.get("/Kids", []):
        out.extend(_flat_nums(kid))
    return out


def _copy(out: pikepdf.Pdf, obj):
    """``obj`` of another PDF, brought into ``out`` (indirect objects through pikepdf's
    copier, which maps each object, pages included, once per source)."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return out.copy_foreign(obj)
    if isinstance(obj, Array):
        return Array([_copy(out, item) for item in obj])
    if isinstance(obj, Dictionary):
        return Dictionary({key: _copy(out, value) for key, value in obj.items()})
    return obj


def join(parts: list[Path], target: Path, *, title: str, lang: str, footer_size: float, footer_bottom_mm: float,
         tagged: bool) -> int:
    """Join ``parts`` (in order) into ``target``; return its page count."""
    out = pikepdf.new()
    outline: list[OutlineItem] = []
    document = None  # the Document structure element every part's structure goes under
    nums: list = []
    next_key = 0
    for part in parts:
        with pikepdf.open(part) as src:
            start = len(out.pages)
            page_index = {p.obj.objgen: i for i, p in enumerate(src.pages)}
            with src.open_outline() as src_outline:
                outline.extend(_outline_items(src_outline.root, start, page_index))
            out.pages.extend(src.pages)
            root = src.Root.get("/StructTreeRoot")
            if not tagged or root is None:
                continue
            offset = next_key
            for page in out.pages[start:]:
                if "/StructParents" in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + offset
                for annot in page.obj.get("/Annots", []):
                    if "/StructParent" in annot:
                        annot.StructParent = int(annot.StructParent) + offset
            flat = _flat_nums(root.ParentTree) if "/ParentTree" in root else []
            for i in range(0, len(flat), 2):
                nums.extend([int(flat[i]) + offset, _copy(out, flat[i + 1])])
            next_key = offset + max([int(flat[i]) for i in range(0, len(flat), 2)] + [-1]) + 1
            kids = root.K if isinstance(root.K, Array) else Array([root.K])
            for kid in kids:
                kid = _copy(out, kid)
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
            if "/RoleMap" in root and "/RoleMap" not in out.Root.get("/StructTreeRoot", {}):
                role_map = _copy(out, root.RoleMap)
            else:
                role_map = None
            if "/StructTreeRoot" not in out.Root:
                out.Root.StructTreeRoot = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
            if role_map is not None:
                out.Root.StructTreeRoot.RoleMap = role_map
    total = len(out.pages)
    font = out.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))
    for number, page in enumerate(out.pages, start=1):
        _stamp(out, page, font, footer_text(number, total), footer_size, footer_bottom_mm, tagged)
    if document is not None:
        tree_root = out.Root.StructTreeRoot
        document.P = tree_root
        tree_root.K = Array([document])
        tree_root.ParentTree = out.make_indirect(Dictionary(Nums=Array(nums)))
        tree_root.ParentTreeNextKey = next_key
        out.Root.MarkInfo = Dictionary(Marked=True)
    with out.open_outline() as joined_outline:
        joined_outline.root.extend(outline)
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
