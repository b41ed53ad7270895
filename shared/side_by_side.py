"""Independent awaits at once, with no write left running behind an error.

A consumer batch waits for its database round trips one after another; steps that
neither read what the other writes can wait together (one wait, not two). With
``asyncio.gather``'s default, the first error is raised while the other steps run on,
so the batch's retry could overlap a write still under way; and a ``TaskGroup``
cancels them, which stops the client waiting but not the server writing. Here every
step ends first, then the first error in argument order is raised (the others are
logged). A step that was cancelled while its caller was not raises ``StepCancelled``,
an ordinary error that the consumer retries, not a ``CancelledError`` that would pass
its retries by. A caller that is itself cancelled (a shutdown) cancels the steps, as
``gather`` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from shared.logging import get_logger

__all__ = ["StepCancelled", "side_by_side"]

log = get_logger(__name__)


class StepCancelled(RuntimeError):
    """One of the steps was cancelled, its caller was not."""


async def side_by_side(*steps: Awaitable[Any]) -> list[Any]:
    """The steps' results in argument order, once all of them have ended."""
    results = await asyncio.gather(*steps, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if not errors:
        return results
    for other in errors[1:]:
        log.warning("side_by_side_further_error", error=repr(other))
    if isinstance(errors[0], asyncio.CancelledError):
        raise StepCancelled("a step was cancelled while its caller was not") from errors[0]
    raise errors[0]
