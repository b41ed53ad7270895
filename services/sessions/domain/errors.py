"""Domain errors. Each carries a human-readable reason the API can show (usually as 409)."""

from __future__ import annotations

__all__ = ["DomainError", "IllegalTransition", "InvalidInput", "NotAMember"]


class DomainError(Exception):
    """A business rule refused the request; `reason` is safe to show to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IllegalTransition(DomainError):
    """The aggregate is in a state that does not allow this move (maps to HTTP 409)."""


class InvalidInput(DomainError):
    """A value breaks a domain invariant, e.g. a rating outside 1-5 (maps to HTTP 422)."""


class NotAMember(DomainError):
    """The acting person does not belong to the relationship or meeting (maps to HTTP 403)."""
