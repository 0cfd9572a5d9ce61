"""Long lists in pages (a vacancy can have hundreds of candidates): which items a page shows,
and the page numbers the NHS.UK pagination links to (templates/_pagination.html)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

T = TypeVar("T")


@dataclass
class ListPage(Generic[T]):
    """One page of a list: ``size`` items at a time."""

    shown: list[T]  # this page's items
    matching: int  # how many items in all (those matching a search, if there is one)
    page: int
    pages: int
    first: int  # the position of the page's first item in the whole list (1-based)

    @property
    def numbers(self) -> list[int | None]:
        """The page numbers the pagination links to: the first, the last and those next to this
        one, with None where others are left out (an ellipsis)."""
        keep = sorted({1, self.pages, self.page - 1, self.page, self.page + 1} & set(range(1, self.pages + 1)))
        out: list[int | None] = []
        for n in keep:
            if out and n - out[-1] == 2:
                out.append(n - 1)
            elif out and n - out[-1] > 2:
                out.append(None)
            out.append(n)
        return out


def page_of(items: Sequence[T], page: int, size: int) -> ListPage[T]:
    """Page ``page`` (kept between the first and the last) of ``items``, ``size`` a page."""
    pages = max(1, math.ceil(len(items) / size))
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    return ListPage(shown=list(items[start:start + size]), matching=len(items), page=page, pages=pages, first=start + 1)
