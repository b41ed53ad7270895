"""Stored documents as API read models and pages (shared by the matcher's routers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.api import PageParams
from shared.mongo import Document


def as_read(doc: Document) -> dict[str, Any]:
    """A stored document as an API read model: ``_id`` becomes ``id``, internals go."""
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if not k.startswith("_")}}


def _same(doc: Document) -> Any:
    return doc


def as_page(
    found: tuple[list[Document], int],
    page: PageParams,
    item: Callable[[Document], Any] = _same,
) -> dict[str, object]:
    """One page of ``shared.api.Page`` from the store's (documents, total)."""
    docs, total = found
    return {
        "items": [item(d) for d in docs],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
    }
