"""The publish phase of ``bench/service_scale.py``: from the publish request until
sessions holds every relationship, with where the time goes (the matcher's request, its
relay to the topic, sessions' consumption; with ``--answers``, the members' acceptances),
followed on the topics (``bench/lib/match_events.py``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from bench.lib.match_events import matches_activated, proposed_matches, relationships_started
from tools.platform_client import PlatformCallFailed

if TYPE_CHECKING:
    from bench.service_scale import Api


def phase(name: str, seconds: float, **extra: object) -> None:
    """A phase's figure as soon as it is known (a run stopped early keeps them)."""
    details = "".join(f" {k}={v}" for k, v in extra.items())
    print(f"phase {name} s={seconds:.1f}{details}", flush=True)


async def publish_until_relationships(
    api: Api, program_id: str, draft: dict[str, Any], *, answers: bool
) -> float:
    """Seconds from the publish request until sessions holds every relationship, with
    where they go: the request (the matcher's bulk insert, each match with its event),
    the relay (until the last activation is on the topic; with ``answers``, the
    proposals, then both members' acceptance of every match as its proposal reaches
    them, one after the other, as people answer), sessions starting them
    (``bench/lib/match_events.py``: the topics, not 250 pages of ``GET /matches``). One
    count through sessions' API after the clock has stopped checks it."""
    matcher, expected = api.platform.matcher, int(draft["proposal_count"])
    bootstrap = api.platform.bootstrap
    assert bootstrap, "the broker's address is needed to follow the round (--bootstrap)"
    started = time.perf_counter()
    relayed = asyncio.create_task(
        until_all(
            "activations_relayed", matches_activated(bootstrap, program_id, expected), started
        )
    )
    await api.admin("POST", f"{matcher}/rounds/{draft['id']}/publish")
    phase("publish_request", time.perf_counter() - started)
    if answers:
        await answer_every_proposal(api, draft["id"], expected, started)
    with tqdm(total=expected, desc="relationships", unit="rel") as bar:
        async for held in relationships_started(bootstrap, program_id, expected):
            bar.update(held - bar.n)
    elapsed = time.perf_counter() - started
    phase("relationships", elapsed, after_relay=f"{elapsed - await relayed:.1f}")
    url = f"{api.platform.sessions}/relationships"
    held = await api.total(url, program_id=program_id)
    assert held == expected, f"sessions holds {held} of {expected} relationships"
    return elapsed


async def until_all(name: str, counts: AsyncIterator[int], started: float) -> float:
    """Seconds from ``started`` until ``counts`` ends (every one seen), told as ``name``."""
    async for _ in counts:
        pass
    phase(name, seconds := time.perf_counter() - started)
    return seconds


async def answer_every_proposal(api: Api, round_id: str, expected: int, started: float) -> None:
    """Both members of every proposal accept it as it reaches them (``--answers``)."""
    bootstrap = api.platform.bootstrap or ""
    with tqdm(total=2 * expected, desc="accept", unit="answer") as bar:
        answering = [
            asyncio.create_task(accept_match(api, match_id, members, bar))
            async for match_id, members in proposed_matches(bootstrap, round_id, expected)
        ]
        phase("proposals_delivered", time.perf_counter() - started)
        await asyncio.gather(*answering)
    phase("accepted", time.perf_counter() - started)


async def accept_match(api: Api, match_id: str, members: list[str], bar: tqdm[Any]) -> None:
    """Each member accepts, one after the other; a dropped connection is retried (a
    repeat is a 409)."""
    url, body = f"{api.platform.matcher}/matches/{match_id}/answer", {"accept": True}
    for person_id in members:
        for attempt in range(3):
            try:
                expect = (200, 409) if attempt else 200
                await api.client.call("POST", url, person_id, "employee", json=body, expect=expect)
                break
            except PlatformCallFailed:
                if attempt == 2:
                    raise
        bar.update()
