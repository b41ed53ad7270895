"""Independent awaits at once, with no write left running behind an error.

A consumer batch waits for its database round trips one after another; steps that
neither read what the other writes can wait together (one wait, not two). With
``asyncio.gather``'s default, the first error is raised while the other steps run on,
so the batch's retry could overlap a write still under way; and a ``TaskGroup``
cancels them, which stops the client waiting but not the server writing. Here every
step ends first, then the first error (in argument order) is raised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

__all__ = ["side_by_side"]


async def side_by_side(*steps: Awaitable[Any]) -> list[Any]:
    """The steps' results in argument order, once all of them have ended."""
    results = await asyncio.gather(*steps, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results
