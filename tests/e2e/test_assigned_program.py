"""A program whose matches start on publish (``matches_start: on_publish``), through the
running platform: the admin creates it, enrolls people, previews and publishes; the
matches are active at once, sessions starts the relationships and both members are
introduced, nobody answering anything; a member's early end still frees the mentor for
the next round."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.settings import DEV_ISSUER_DIR
from tests.e2e.test_program_lifecycle import (
    ADMIN,
    Users,
    _inbox_of_type,
    _person,
    events_of,
    import_people,
    member_ids,
    until,
)
from tests.support.platform import RunningPlatform, running_platform
from tools.platform_client import PlatformClient

pytestmark = pytest.mark.e2e

TAG = uuid.uuid4().hex[:6]
MENTORS = [f"{TAG}-as-m1", f"{TAG}-as-m2"]
MENTEES = [f"{TAG}-as-s1", f"{TAG}-as-s2", f"{TAG}-as-s3"]


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with running_platform(tmp_path_factory.mktemp("assigned"), trust_test_issuer=False) as up:
        yield up


def test_an_on_publish_program_starts_its_matches_without_anyone_answering(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    asyncio.run(_assign_and_end_early(platform, tmp_path))


async def _assign_and_end_early(platform: RunningPlatform, workdir: Path) -> None:
    rows = [_person(p, mentor=True, zone="UTC") for p in MENTORS]
    rows += [_person(p, mentor=False, zone="UTC") for p in MENTEES]
    assert "imported 5 people" in import_people(platform, workdir, rows)
    async with PlatformClient(DEV_ISSUER_DIR) as api:
        users = Users(platform, api)
        await until(lambda: users.known(*MENTORS, *MENTEES), "the matcher's projection")
        program_id = await _on_publish_program(users)
        pair, other = await _published_round(users, platform, program_id)
        await _early_end_frees_the_mentor(users, program_id, pair, other)


async def _on_publish_program(users: Users) -> str:
    program = await users.admin(
        "POST",
        "matcher",
        "/programs",
        json={
            "name": f"Assigned mentoring {TAG}",
            "kind": "reverse_mentoring",
            "admin_ids": [ADMIN],
            "matches_start": "on_publish",
        },
        expect=201,
    )
    assert program["matches_start"] == "on_publish"
    for person in MENTORS:
        body = {"person_id": person, "role": "mentor", "goals": ["generative-ai"]}
        await users.admin(
            "POST", "matcher", f"/programs/{program['id']}/enrollments", json=body, expect=201
        )
    for person in MENTEES:
        body = {"person_id": person, "role": "mentee", "skills_wanted": ["generative-ai"]}
        await users.admin(
            "POST", "matcher", f"/programs/{program['id']}/enrollments", json=body, expect=201
        )
    return str(program["id"])


async def _published_round(
    users: Users, platform: RunningPlatform, program_id: str
) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """Preview (two pairs locked, the third mentee left over), publish: active at once."""
    draft = await users.admin("POST", "matcher", f"/programs/{program_id}/rounds", expect=201)
    pairs = [{"first": m, "second": s} for m, s in zip(MENTORS, MENTEES, strict=False)]
    draft = await users.admin(
        "POST", "matcher", f"/rounds/{draft['id']}/adjustments", json={"lock": pairs}
    )
    assert draft["proposal_count"] == 2
    await users.admin("POST", "matcher", f"/rounds/{draft['id']}/publish")
    matches = await users.matches(program_id)
    first, second = (matches[frozenset({m, s})] for m, s in zip(MENTORS, MENTEES, strict=False))
    for match in (first, second):
        assert match["state"] == "active"
        assert set(match["responses"].values()) == {"assigned"}
        await until(lambda m=match: users.relationship_is(m["id"], "active"), "sessions starts it")
        for person in member_ids(match):
            [intro] = await until(
                lambda p=person: _inbox_of_type(users, p, "match_activated"), "introduced"
            )
            assert "administrators have matched you" in intro["body"]
            assert not await _inbox_of_type(users, person, "match_proposed")  # nobody asked
        assert await events_of(platform, "mentoring.matches.v1", {match["id"]}) == [
            f"{match['id']}:mentoring.match.activated"
        ]
    refused = await users.api.send(
        "POST",
        f"{platform.api('matcher')}/matches/{first['id']}/answer",
        first["members"][1]["person_id"],
        "employee",
        json={"accept": False},
    )
    assert refused.status_code == 409  # an assigned match has nothing to answer
    return first, second


async def _early_end_frees_the_mentor(
    users: Users,
    program_id: str,
    pair: dict,  # type: ignore[type-arg]
    other: dict,  # type: ignore[type-arg]
) -> None:
    """The mentee ends the relationship early; the matcher ends the match and the mentor
    is matched with the mentee left over in the next round, again without answers."""
    mentor, mentee = member_ids(pair)
    ended = await users.employee(
        mentee, "POST", "sessions", f"/relationships/rel-{pair['id']}/end", json={}
    )
    assert ended["end_reason"] == "ended_early"

    async def match_ended() -> bool:
        return (await users.matches(program_id))[frozenset({mentor, mentee})]["state"] == "ended"

    await until(match_ended, "the matcher ends the match")
    draft = await users.admin("POST", "matcher", f"/programs/{program_id}/rounds", expect=201)
    proposals = await users.admin("GET", "matcher", f"/rounds/{draft['id']}/proposals")
    assert [member_ids(p) for p in proposals["items"]] == [[mentor, MENTEES[2]]]
    await users.admin("POST", "matcher", f"/rounds/{draft['id']}/publish")
    again = (await users.matches(program_id))[frozenset({mentor, MENTEES[2]})]
    await until(lambda: users.relationship_is(again["id"], "active"), "round two's relationship")
    assert (await users.relationship_is(other["id"], "active")) is not None
