"""Block and report through the running platform (#17): the real broker and database,
and the matcher, sessions and notifier APIs and workers, as ``make run`` starts them.

Ana and Ben are matched and their relationship starts; Ana blocks Ben. The match ends
with a neutral reason, sessions ends the relationship, and the pair never meets again:
not in the next round of the program, nor in a new program where they are each other's
only partner (until Ana lifts the block). Cleo reports a concern about Ben: both program
admins find a notice in their inbox without its text; so does a low pulse published on
``sessions.v1``. Ben sees no trace of either through any API.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shared.contracts.envelope import Envelope
from shared.contracts.identifiers import relationship_id_for
from shared.contracts.registry import MATCHES, SESSIONS
from shared.contracts.sessions import PulseFlagged
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.support.auth import bearer
from tests.support.platform import RunningPlatform, running_platform
from tests.support.waiting import eventually
from tools.topics import read_topic

pytestmark = pytest.mark.e2e

TAG = uuid.uuid4().hex[:6]
ADMIN, ADMIN_TWO = f"adm-{TAG}", f"adm2-{TAG}"
ANA, BEN, CLEO = f"{TAG}-ana", f"{TAG}-ben", f"{TAG}-cleo"
SECRET = f"secret-text-{TAG}"
NEUTRAL_REASON = "ended_by_member"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with running_platform(tmp_path_factory.mktemp("block")) as up:
        yield up


class Users:
    """The three APIs, each call as one user."""

    def __init__(self, platform: RunningPlatform, http: httpx.AsyncClient) -> None:
        self.platform, self.http = platform, http

    async def call(
        self, who: str, method: str, service: str, path: str, *, expect: int = 200, **kw: Any
    ) -> Any:
        role = "program_admin" if who in (ADMIN, ADMIN_TWO) else "employee"
        url = self.platform.api(service) + path
        response = await self.http.request(method, url, headers=bearer(who, role), **kw)
        assert response.status_code == expect, f"{method} {path}: {response.text[:300]}"
        return response.json() if response.content else None

    async def inbox(self, who: str) -> list[dict[str, Any]]:
        page = await self.call(who, "GET", "notifications", "/inbox", params={"limit": 200})
        items: list[dict[str, Any]] = page["items"]
        return items

    async def program(self, kind: str, *people: str, **rules: Any) -> str:
        body = {"name": f"Safety {TAG}", "kind": kind, "admin_ids": [ADMIN, ADMIN_TWO]}
        body["rules"] = {"min_overlap_hours": 0, **rules}
        program = await self.call(ADMIN, "POST", "matcher", "/programs", json=body, expect=201)
        for person in people:
            enrollment = {"person_id": person, "role": "peer", "goals": ["coaching"]}
            path = f"/programs/{program['id']}/enrollments"
            await self.call(ADMIN, "POST", "matcher", path, json=enrollment, expect=201)
        return str(program["id"])

    async def preview(self, program_id: str) -> dict[str, Any]:
        path = f"/programs/{program_id}/rounds"
        draft: dict[str, Any] = await self.call(ADMIN, "POST", "matcher", path, expect=201)
        return draft


def test_a_block_ends_the_match_quietly_and_the_pair_never_meets_again(
    platform: RunningPlatform,
) -> None:
    asyncio.run(_block_and_report(platform))


async def _block_and_report(platform: RunningPlatform) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        users = Users(platform, http)
        await _people(users)
        program_id, match = await _matched(users)
        await _block(users, platform, match)
        await _never_again(users, program_id)
        concern_id = await _concern(users, program_id)
        relationship_id = relationship_id_for(match["id"])
        await _low_pulse(users, platform, program_id, relationship_id)
        await _no_trace_for_ben(users, program_id, match, concern_id)


async def _people(users: Users) -> None:
    rows = [
        {
            "person_id": p,
            "display_name": p,
            "email": f"{p}@example.org",
            "level": 4,
            "department": f"dept-{p}",
            "time_zone": "UTC",
            "languages": ["en"],
            "interests": ["coaching"],
        }
        for p in (ANA, BEN, CLEO, ADMIN, ADMIN_TWO)
    ]
    await users.call(ADMIN, "POST", "matcher", "/people/import", json=rows, expect=202)

    async def known() -> bool:
        for p in (ANA, BEN, CLEO):
            url = f"{users.platform.api('matcher')}/people/{p}"
            if (await users.http.get(url, headers=bearer(ADMIN, "program_admin"))).is_error:
                return False
        return True

    await eventually(known, timeout_s=60, what="the matcher's projection of the people")


async def _matched(users: Users) -> tuple[str, dict[str, Any]]:
    """Ana and Ben, the program's only two peers, are matched and both accept."""
    program_id = await users.program("peer_coaching", ANA, BEN)
    draft = await users.preview(program_id)
    assert draft["proposal_count"] == 1
    await users.call(ADMIN, "POST", "matcher", f"/rounds/{draft['id']}/publish")
    [match] = (await users.call(ADMIN, "GET", "matcher", f"/matches?program_id={program_id}"))[
        "items"
    ]
    for person in (ANA, BEN):
        path = f"/matches/{match['id']}/answer"
        await users.call(person, "POST", "matcher", path, json={"accept": True})
    await _relationship_is(users, match["id"], "active")
    return program_id, match


async def _relationship_is(users: Users, match_id: str, status: str) -> dict[str, Any]:
    url = f"{users.platform.api('sessions')}/relationships/{relationship_id_for(match_id)}"

    async def reached() -> dict[str, Any] | None:
        response = await users.http.get(url, headers=bearer(ADMIN, "program_admin"))
        body: dict[str, Any] = response.json() if response.status_code == 200 else {}
        return body if body.get("status") == status else None

    return await eventually(reached, timeout_s=60, what=f"the relationship {status}")


async def _block(users: Users, platform: RunningPlatform, match: dict[str, Any]) -> None:
    """Ana blocks Ben: the match ends with the neutral reason a member's early end has,
    and sessions ends the relationship."""
    block = await users.call(
        ANA, "POST", "matcher", "/people/me/blocks", json={"person_id": BEN}, expect=201
    )
    assert block["person_id"] == BEN
    ended = await users.call(ANA, "GET", "matcher", f"/matches/{match['id']}")
    assert ended["state"] == "ended"

    async def reasons() -> list[str]:
        records = await read_topic(platform.bootstrap_servers, MATCHES.name)
        envelopes = [Envelope.from_bytes(r.value) for r in records]
        return [
            e.data["reason_code"]
            for e in envelopes
            if e.type == "mentoring.match.ended" and e.data["match_id"] == match["id"]
        ]

    assert await eventually(reasons, timeout_s=60, what="the match ended") == [NEUTRAL_REASON]
    await _relationship_is(users, match["id"], "ended")
    mine = await users.call(ANA, "GET", "matcher", "/people/me/blocks")
    assert [b["person_id"] for b in mine["items"]] == [BEN]


async def _never_again(users: Users, program_id: str) -> None:
    """The next round of the program proposes nothing; nor does a new program where they
    are each other's only partner, until Ana lifts the block (then it pairs them)."""
    again = await users.preview(program_id)
    assert again["proposal_count"] == 0
    fresh = await users.program("peer_group", ANA, BEN, min_group_size=2, max_group_size=2)
    blocked = await users.preview(fresh)
    assert blocked["proposal_count"] == 0
    assert "block" not in json.dumps(blocked).lower()  # the admin's preview says nothing
    await users.call(ANA, "DELETE", "matcher", f"/people/me/blocks/{BEN}", expect=204)
    lifted = await users.preview(fresh)
    assert lifted["proposal_count"] == 1
    await users.call(
        ANA, "POST", "matcher", "/people/me/blocks", json={"person_id": BEN}, expect=201
    )


async def _concern(users: Users, program_id: str) -> str:
    """Cleo (enrolled) reports a concern about Ben; both admins are told, without it."""
    await users.call(
        ADMIN,
        "POST",
        "matcher",
        f"/programs/{program_id}/enrollments",
        json={"person_id": CLEO, "role": "peer"},
        expect=201,
    )
    body = {"text": SECRET, "about_person_id": BEN}
    path = f"/programs/{program_id}/concerns"
    concern = await users.call(CLEO, "POST", "matcher", path, json=body, expect=201)
    for admin in (ADMIN, ADMIN_TWO):
        notice = await _inbox_item(users, admin, "concern_reported", concern["id"])
        assert program_id in notice["title"] and SECRET not in json.dumps(notice)
        assert CLEO not in json.dumps(notice) and BEN not in json.dumps(notice)
    listed = await users.call(ADMIN, "GET", "matcher", path)
    assert [c["text"] for c in listed["items"]] == [SECRET]
    return str(concern["id"])


async def _inbox_item(users: Users, who: str, type_: str, subject_id: str) -> dict[str, Any]:
    async def arrived() -> dict[str, Any] | None:
        items = await users.inbox(who)
        found = [i for i in items if i["type"] == type_ and i["subject_id"] == subject_id]
        return found[0] if found else None

    return await eventually(arrived, timeout_s=90, what=f"{type_} in {who}'s inbox")


async def _low_pulse(
    users: Users, platform: RunningPlatform, program_id: str, relationship_id: str
) -> None:
    """A ``sessions.pulse.flagged`` on ``sessions.v1`` reaches both admins, content-free."""
    producer = EventProducer(platform.bootstrap_servers, service="test")
    try:
        data = PulseFlagged(relationship_id=relationship_id, program_id=program_id)
        envelope = Envelope.wrap(data, source="/test", subject=relationship_id)
        await producer.publish(OutgoingMessage.for_event(SESSIONS.name, envelope))
    finally:
        producer.close()
    for admin in (ADMIN, ADMIN_TWO):
        notice = await _inbox_item(users, admin, "pulse_flagged", relationship_id)
        assert program_id in notice["title"]
        assert ANA not in json.dumps(notice) and BEN not in json.dumps(notice)


async def _no_trace_for_ben(
    users: Users, program_id: str, match: dict[str, Any], concern_id: str
) -> None:
    """Ben: no block in his list, a match that ended for a neutral reason, no concern,
    and nothing in his inbox that speaks of a block or a concern."""
    assert (await users.call(BEN, "GET", "matcher", "/people/me/blocks"))["items"] == []
    seen = await users.call(BEN, "GET", "matcher", f"/matches/{match['id']}")
    assert seen["state"] == "ended" and "block" not in json.dumps(seen).lower()
    path = f"/programs/{program_id}/concerns"
    assert (await users.call(BEN, "GET", "matcher", path))["items"] == []
    await users.call(BEN, "GET", "matcher", f"{path}/{concern_id}", expect=404)
    told = json.dumps(await users.inbox(BEN)).lower()
    assert "block" not in told and "concern" not in told and SECRET not in told
