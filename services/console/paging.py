"""Long lists a page at a time: which page a query asks for, the pager's offsets and
its links. Plain Python, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

#: Rows of a list on one page.
PAGE_SIZE = 50


def pages(total: int, offset: int, size: int = PAGE_SIZE) -> dict[str, int | None]:
    """The offsets of the previous and next page of a list, ``None`` at either end."""
    return {
        "previous": max(offset - size, 0) if offset > 0 else None,
        "next": offset + size if offset + size < total else None,
        "first_shown": min(offset + 1, total),
        "last_shown": min(offset + size, total),
    }


def pager_base(path: str, params: Mapping[str, str], param: str) -> str:
    """The link of a pager that moves ``param``: the page's other query parameters kept
    (where the page's other lists stand), ending where the new offset is appended."""
    kept = {k: v for k, v in params.items() if k not in (param, "notice", "error")}
    return f"{path}?{urlencode(kept)}&" if kept else f"{path}?"


def offset_of(params: Mapping[str, str], name: str = "offset") -> int:
    """A page's ``offset`` query parameter (or ``name``); anything else is the first page."""
    raw = params.get(name, "0")
    return int(raw) if raw.isdigit() and int(raw) <= 1_000_000 else 0


def pager_of(
    total: int, here: str, params: Mapping[str, str], param: str, size: int = PAGE_SIZE
) -> dict[str, Any]:
    """What ``_list_pager.html`` draws under one list of the page at ``here``, whose
    offset is the query parameter ``param``."""
    offset = offset_of(params, param)
    return {
        "pager": pages(total, offset, size),
        "total": total,
        "base": pager_base(here, params, param),
        "param": param,
    }
