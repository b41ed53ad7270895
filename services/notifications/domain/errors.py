"""The notification domain's refusals are the shared ones (``shared.errors``), which
every API maps alike (``InvalidInput`` is 422)."""

from __future__ import annotations

from shared.errors import InvalidInput

__all__ = ["InvalidInput"]
