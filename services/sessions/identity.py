"""Who is calling: the verified bearer token's ``Principal`` (subject and roles).

This is the only place that knows how the caller is identified: the routes depend on
``Caller`` and never read headers themselves. ``create_app`` passes
``require_token=True``, so every business route refuses a missing or invalid token
(401) before any route code runs; the transitional ``X-Person-Id`` header is gone.
"""

from __future__ import annotations

from shared.auth import CurrentPrincipal, Principal

Caller = CurrentPrincipal

__all__ = ["Caller", "Principal"]
