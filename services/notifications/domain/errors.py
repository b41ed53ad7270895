"""Errors raised by the notification domain."""

from __future__ import annotations

__all__ = ["InvalidInput"]


class InvalidInput(ValueError):
    """An input fact, preference or policy is malformed (e.g. a naive datetime)."""
