"""How a program matches people (``matching_mode``) and when its published matches
start (``matches_start``): the program settings the request models share."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from shared.contracts.matching import ProgramKind

__all__ = ["MATCHES_START", "MatchStart", "MatchingMode", "refuse_start_without_rounds"]


class MatchingMode(StrEnum):
    AUTOMATIC = "automatic"
    CURATED = "curated"
    SELF_MATCH = "self_match"


class MatchStart(StrEnum):
    """When a published round's matches start: once their members accept, or at once."""

    WHEN_ACCEPTED = "when_accepted"
    ON_PUBLISH = "on_publish"


MATCHES_START: Any = Field(
    default=MatchStart.WHEN_ACCEPTED,
    description="When a published round's matches start. `when_accepted` (the default): "
    "each match is proposed and starts once its members accept it (a circle at its "
    "quorum). `on_publish`: the admins assign the matches, which start as the round is "
    "published; nobody is asked, and a member who cannot take part ends their match "
    "early. Not for self-match programs (a request is the partner's to accept) nor flash "
    "programs (no rounds). It may change until the program's first round is published.",
)


def refuse_start_without_rounds(start: MatchStart, mode: MatchingMode, kind: ProgramKind) -> None:
    """Only the matches of rounds an admin publishes may start on publish (422)."""
    if start is MatchStart.ON_PUBLISH and (
        mode is MatchingMode.SELF_MATCH or kind is ProgramKind.FLASH
    ):
        raise ValueError(
            "matches_start on_publish needs rounds an admin publishes: a self-match "
            "request is the partner's to accept and a flash program has no rounds"
        )
