"""The refusals every service's domain can raise, and that every API maps the same way.

They live here, not in each domain, so that one exception handler in ``shared.http``
answers them alike in all three APIs: ``InvalidInput`` 422, ``IllegalTransition`` 409,
``NotAMember`` 403, each with its ``reason``.
"""

from __future__ import annotations

__all__ = ["DomainError", "IllegalTransition", "InvalidInput", "NotAMember"]


class DomainError(Exception):
    """A business rule refused the request; ``reason`` is safe to show to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IllegalTransition(DomainError):
    """The aggregate is in a state that does not allow this move (HTTP 409)."""


class InvalidInput(DomainError, ValueError):
    """A value breaks an invariant: an unknown zone, a naive datetime, a rating outside
    1-5 (HTTP 422). A ``ValueError`` too, so parsers that expect one keep working."""


class NotAMember(DomainError):
    """The acting person does not belong to the relationship or meeting (HTTP 403)."""
