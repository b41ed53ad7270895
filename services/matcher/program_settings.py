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
    "early. A self-match request still waits for its partner's answer; a flash program "
    "(no rounds) refuses `on_publish`. It may change until the program's first round is "
    "published.",
)


def refuse_start_without_rounds(start: MatchStart, kind: ProgramKind) -> None:
    """Only a program that publishes rounds may start their matches on publish (422)."""
    if start is MatchStart.ON_PUBLISH and kind is ProgramKind.FLASH:
        raise ValueError(
            "matches_start on_publish is for the matches of published rounds: "
            "a flash program has none (people book each other's offered slots)"
        )
