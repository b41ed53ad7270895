"""Who is calling. Until the JWT issue lands, the acting person comes from ``X-Person-Id``.

This is the only place that knows how the caller is identified: the routes depend on
``Caller`` and never read headers themselves, so the JWT work replaces this module only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header


async def acting_person(
    x_person_id: Annotated[
        str,
        Header(
            alias="X-Person-Id",
            min_length=1,
            max_length=100,
            description="The acting person's id (replaced by a verified token later).",
        ),
    ],
) -> str:
    return x_person_id


Caller = Annotated[str, Depends(acting_person)]
