"""The questions of the pulse check and the closing survey rate from 1 to 5."""

from __future__ import annotations

from .errors import InvalidInput

__all__ = ["rating"]


def rating(value: int, name: str) -> int:
    """``value`` when it is a rating from 1 to 5; the question's ``name`` says which."""
    if not 1 <= value <= 5:
        raise InvalidInput(f"{name} must be between 1 and 5")
    return value
