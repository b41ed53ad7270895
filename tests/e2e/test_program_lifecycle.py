"""One reverse-mentoring program lived from start to end through the running platform.

The platform runs as ``make run`` starts it; people come in with the command the README
gives; everything else goes through the three public APIs with each user's own token.
Each step is checked in every service that should follow it: the events on the topics,
each service's API, and the members' inboxes.

The cast: two junior mentors (Tokyo, New York) and three senior mentees (New York, Tokyo,
London). Round one pairs Tokyo with New York twice; an HR manager change flags one pair
and the admin keeps it; a member ends the other pair early, which frees its mentor for
round two; closing the program completes every relationship and asks for the survey.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.contracts.envelope import Envelope
from shared.settings import DEV_ISSUER_DIR
from tests.support.platform import RunningPlatform, running_platform
from tests.support.waiting import eventually
from tools.platform import ROOT
from tools.platform_client import PlatformClient
from tools.topics import read_topic

pytestmark = pytest.mark.e2e

TAG = uuid.uuid4().hex[:6]
ADMIN, ANALYST = f"adm-{TAG}", f"hr-{TAG}"
M_TOKYO, M_NEW_YORK = f"{TAG}-m-tokyo", f"{TAG}-m-newyork"
S_NEW_YORK, S_TOKYO, S_LONDON = f"{TAG}-s-newyork", f"{TAG}-s-tokyo", f"{TAG}-s-london"
ZONES = {
    M_TOKYO: "Asia/Tokyo",
    M_NEW_YORK: "America/New_York",
    S_NEW_YORK: "America/New_York",
    S_TOKYO: "Asia/Tokyo",
    S_LONDON: "Europe/London",
}
#: Local working hours wide enough that Tokyo and New York share a few hours a day.
HOURS = {"start": "07:00", "end": "20:00"}


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with running_platform(tmp_path_factory.mktemp("lifecycle"), trust_test_issuer=False) as up:
        yield up


def _csv(rows: list[dict[str, str]]) -> str:
    header = list(rows[0])
    return "\n".join([",".join(header), *(",".join(r[h] for h in header) for r in rows)]) + "\n"


def _person(
    person_id: str, *, mentor: bool, manager_id: str = "", zone: str | None = None
) -> dict[str, str]:
    return {
        "person_id": person_id,
        "display_name": f"Person {person_id}",
        "email": f"{person_id}@example.org",
        "level": "2" if mentor else "9",
        "department": "Engineering" if mentor else "Sales",
        "time_zone": zone or ZONES[person_id],
        "languages": "en",
        "hire_date": "2024-03-01" if mentor else "2010-09-01",
        "skills": "generative-ai:4" if mentor else "",
        "interests": "generative-ai",
        "manager_id": manager_id,
    }


def import_people(platform: RunningPlatform, workdir: Path, rows: list[dict[str, str]]) -> str:
    """``import-people`` the way the README tells a user to run it (its own process, a
    development token it mints itself)."""
    path = workdir / f"people-{uuid.uuid4().hex[:4]}.csv"
    path.write_text(_csv(rows))
    env = {k: v for k, v in os.environ.items() if not k.endswith("_AUTH_JWKS_URL")}
    done = subprocess.run(
        [sys.executable, "-m", "services.matcher", "import-people", str(path)]
        + ["--api", platform.api("matcher"), "--dev-token", ADMIN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def until(check: Callable[[], Awaitable[Any]], what: str, timeout_s: float = 60) -> Any:
    """``tests.support.waiting.eventually`` with the platform's longer patience."""
    return await eventually(check, timeout_s=timeout_s, what=what)


class Users:
    """The platform's APIs, called as its users (program admin, HR analyst, employees)."""

    def __init__(self, platform: RunningPlatform, api: PlatformClient) -> None:
        self.platform, self.api = platform, api

    async def admin(self, method: str, service: str, path: str, **kwargs: Any) -> Any:
        url = self.platform.api(service) + path
        return await self.api.call(method, url, ADMIN, "program_admin", **kwargs)

    async def employee(
        self, person: str, method: str, service: str, path: str, **kwargs: Any
    ) -> Any:
        url = self.platform.api(service) + path
        return await self.api.call(method, url, person, "employee", **kwargs)

    async def analyst(self, path: str, **kwargs: Any) -> Any:
        url = self.platform.api("sessions") + path
        return await self.api.call("GET", url, ANALYST, "hr_analyst", **kwargs)

    async def known(self, *people: str) -> bool:
        """Whether the matcher's projection has every one of them."""
        for person in people:
            url = f"{self.platform.api('matcher')}/people/{person}"
            if (await self.api.send("GET", url, ADMIN, "program_admin")).status_code != 200:
                return False
        return True

    async def matches(self, program_id: str) -> dict[frozenset[str], dict[str, Any]]:
        items = await self.api.all_pages(
            self.platform.api("matcher") + "/matches",
            ADMIN,
            "program_admin",
            {"program_id": program_id},
        )
        return {frozenset(member_ids(m)): m for m in items}

    async def relationship(self, match_id: str) -> dict[str, Any] | None:
        response = await self.api.send(
            "GET",
            f"{self.platform.api('sessions')}/relationships/rel-{match_id}",
            ADMIN,
            "program_admin",
        )
        return response.json() if response.status_code == 200 else None

    async def relationship_is(self, match_id: str, status: str) -> dict[str, Any] | None:
        rel = await self.relationship(match_id)
        return rel if rel is not None and rel["status"] == status else None

    async def inbox(self, person: str) -> list[dict[str, Any]]:
        url = self.platform.api("notifications") + "/inbox"
        return await self.api.all_pages(url, person, "employee")


async def events_of(platform: RunningPlatform, topic: str, subjects: set[str]) -> list[str]:
    records = await read_topic(platform.bootstrap_servers, topic)
    envelopes = [Envelope.from_bytes(r.value) for r in records]
    ordered = sorted((e for e in envelopes if e.subject in subjects), key=lambda e: e.time)
    ids = [e.id for e in ordered]
    assert len(ids) == len(set(ids)), f"an event published twice on {topic}: {ids}"
    return [f"{e.subject}:{e.type}" for e in ordered]


def member_ids(match_or_proposal: dict[str, Any]) -> list[str]:
    return [m["person_id"] for m in match_or_proposal["members"]]


def _local(instant: str, zone: str) -> datetime:
    return datetime.fromisoformat(instant).astimezone(ZoneInfo(zone))


def test_a_program_lived_from_creation_to_its_closing_survey(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    asyncio.run(_live_one_program(platform, tmp_path))


async def _live_one_program(platform: RunningPlatform, workdir: Path) -> None:
    rows = [
        _person(M_TOKYO, mentor=True),
        _person(M_NEW_YORK, mentor=True),
        *(_person(p, mentor=False) for p in (S_NEW_YORK, S_TOKYO, S_LONDON)),
    ]
    assert "imported 5 people" in import_people(platform, workdir, rows)
    async with PlatformClient(DEV_ISSUER_DIR) as api:
        users = Users(platform, api)
        await until(lambda: users.known(*ZONES), "the matcher's projection of the people")
        program_id = await _create_and_match(users)
        pair_a, pair_b = await _first_round(users, program_id)
        await _meeting_across_zones(users, pair_a)
        await _flag_kept(users, platform, workdir, pair_a)
        pair_c = await _early_end_frees_the_mentor(users, program_id, pair_b)
        await _close_and_survey(users, platform, program_id, [pair_a, pair_c], pair_b)


async def _create_and_match(users: Users) -> str:
    program = await users.admin(
        "POST",
        "matcher",
        "/programs",
        json={
            "name": f"Reverse mentoring {TAG}",
            "kind": "reverse_mentoring",
            "admin_ids": [ADMIN],
            "cadence_days": 14,
        },
        expect=201,
    )
    edited = await users.admin(
        "PATCH", "matcher", f"/programs/{program['id']}", json={"description": "AI for leaders"}
    )
    assert edited["description"] == "AI for leaders"
    for person in (M_TOKYO, M_NEW_YORK):
        body = {"person_id": person, "role": "mentor", "goals": ["generative-ai"]}
        await users.admin(
            "POST",
            "matcher",
            f"/programs/{program['id']}/enrollments",
            json={**body, "work_start_hour": 7, "work_end_hour": 20},
            expect=(200, 201),
        )
    for person in (S_NEW_YORK, S_TOKYO, S_LONDON):
        body = {"person_id": person, "role": "mentee", "skills_wanted": ["generative-ai"]}
        await users.admin(
            "POST",
            "matcher",
            f"/programs/{program['id']}/enrollments",
            json={**body, "work_start_hour": 7, "work_end_hour": 20},
            expect=(200, 201),
        )
    return str(program["id"])


async def _first_round(users: Users, program_id: str) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """Preview, lock the two cross-zone pairs, publish; everyone accepts."""
    draft = await users.admin("POST", "matcher", f"/programs/{program_id}/rounds", expect=201)
    pairs = [{"first": M_TOKYO, "second": S_NEW_YORK}, {"first": M_NEW_YORK, "second": S_TOKYO}]
    draft = await users.admin(
        "POST", "matcher", f"/rounds/{draft['id']}/adjustments", json={"lock": pairs}
    )
    assert draft["proposal_count"] == 2
    assert [u["person_id"] for u in draft["unmatched"]] == [S_LONDON]
    await users.admin("POST", "matcher", f"/rounds/{draft['id']}/publish")
    matches = await users.matches(program_id)
    a, b = matches[frozenset({M_TOKYO, S_NEW_YORK})], matches[frozenset({M_NEW_YORK, S_TOKYO})]
    for match in (a, b):
        for person in member_ids(match):
            await users.employee(
                person, "POST", "matcher", f"/matches/{match['id']}/answer", json={"accept": True}
            )
    for match in (a, b):
        rel = await until(
            lambda m=match: users.relationship_is(m["id"], "active"), "relationships started"
        )
        zones = {m["person_id"]: m["time_zone"] for m in rel["members"]}
        assert zones == {p: ZONES[p] for p in member_ids(match)}  # sessions learned them
    return a, b


async def _meeting_across_zones(users: Users, pair: dict) -> None:  # type: ignore[type-arg]
    """Slots inside both members' working hours, each in their own zone; then a meeting."""
    first_day = date.today() + timedelta(days=1)
    slots = await users.employee(
        M_TOKYO,
        "POST",
        "sessions",
        f"/relationships/rel-{pair['id']}/slots",
        json={
            "first_day": first_day.isoformat(),
            "last_day": (first_day + timedelta(days=6)).isoformat(),
            "duration_minutes": 45,
            "working_hours": [{"person_id": p, **HOURS} for p in member_ids(pair)],
        },
    )
    assert slots, "Tokyo and New York share no working hour"
    for slot in slots:
        for person in member_ids(pair):
            start, end = (
                _local(slot["starts_at"], ZONES[person]),
                _local(slot["ends_at"], ZONES[person]),
            )
            assert "07:00" <= start.strftime("%H:%M") and end.strftime("%H:%M") <= "20:00"
    meeting = await users.employee(
        M_TOKYO,
        "POST",
        "sessions",
        f"/relationships/rel-{pair['id']}/meetings",
        json={"starts_at": slots[0]["starts_at"], "duration_minutes": 45},
        expect=201,
    )
    assert meeting["time_zone"] == "Asia/Tokyo"  # the organiser's zone, from HR


async def _flag_kept(
    users: Users,
    platform: RunningPlatform,
    workdir: Path,
    pair: dict,  # type: ignore[type-arg]
) -> None:
    """HR moves the Tokyo mentor under the New York mentee: one reporting chain. The match
    is flagged, the relationship paused; the admin keeps the match and it resumes."""
    import_people(platform, workdir, [_person(M_TOKYO, mentor=True, manager_id=S_NEW_YORK)])

    async def flagged() -> bool:
        return (await users.matches(pair["program_id"]))[frozenset(member_ids(pair))][
            "state"
        ] == "flagged"

    await until(flagged, "the matcher flags the match")
    await until(lambda: users.relationship_is(pair["id"], "paused"), "the relationship paused")
    kept = await users.admin(
        "POST", "matcher", f"/matches/{pair['id']}/resolve", json={"action": "keep"}
    )
    assert kept["state"] == "active"
    await until(lambda: users.relationship_is(pair["id"], "active"), "the relationship resumed")
    for person in member_ids(pair):  # the members are told
        told = await until(lambda p=person: _inbox_of_type(users, p, "match_resumed"), "told")
        assert "continues" in told[0]["body"]
    again = await users.api.send(
        "POST",
        f"{platform.api('matcher')}/matches/{pair['id']}/resolve",
        ADMIN,
        "program_admin",
        json={"action": "keep"},
    )
    assert again.status_code == 409 and "not flagged" in again.json()["detail"]
    assert await events_of(platform, "mentoring.matches.v1", {pair["id"]}) == [
        f"{pair['id']}:mentoring.match.{t}"
        for t in ("proposed", "accepted", "accepted", "activated", "flagged", "resumed")
    ]
    rel = f"rel-{pair['id']}"
    expected = [f"{rel}:sessions.relationship.{t}" for t in ("started", "paused", "resumed")]

    async def lifecycle() -> list[str]:  # sessions' outbox relay publishes after its write
        found = await events_of(platform, "sessions.v1", {rel})
        return [e for e in found if ".relationship." in e]

    async def all_published() -> bool:
        return len(await lifecycle()) >= len(expected)

    await until(all_published, "sessions publishes the pause and the resume")
    assert await lifecycle() == expected


async def _early_end_frees_the_mentor(
    users: Users,
    program_id: str,
    pair: dict,  # type: ignore[type-arg]
) -> dict:  # type: ignore[type-arg]
    """The Tokyo mentee ends the relationship; the matcher ends the match and frees the
    New York mentor, who is matched with the London mentee in round two."""
    ended = await users.employee(
        S_TOKYO, "POST", "sessions", f"/relationships/rel-{pair['id']}/end", json={}
    )
    assert ended["end_reason"] == "ended_early"

    async def match_ended() -> bool:
        return (await users.matches(program_id))[frozenset(member_ids(pair))]["state"] == "ended"

    await until(match_ended, "the matcher ends the match")
    told = await until(lambda: _inbox_of_type(users, M_NEW_YORK, "match_ended"), "told")
    assert "the other member ended it" in told[0]["body"]
    assert not await _inbox_of_type(users, S_TOKYO, "match_ended")  # they know already
    draft = await users.admin("POST", "matcher", f"/programs/{program_id}/rounds", expect=201)
    proposals = await users.admin("GET", "matcher", f"/rounds/{draft['id']}/proposals")
    assert [sorted(member_ids(p)) for p in proposals["items"]] == [
        sorted([M_NEW_YORK, S_LONDON])
    ]  # never the same pair again; the Tokyo mentor is still taken
    await users.admin("POST", "matcher", f"/rounds/{draft['id']}/publish")
    pair_c = (await users.matches(program_id))[frozenset({M_NEW_YORK, S_LONDON})]
    for person in member_ids(pair_c):
        await users.employee(
            person, "POST", "matcher", f"/matches/{pair_c['id']}/answer", json={"accept": True}
        )
    await until(lambda: users.relationship_is(pair_c["id"], "active"), "round two's relationship")
    return pair_c


async def _close_and_survey(
    users: Users,
    platform: RunningPlatform,
    program_id: str,
    live: list[dict],  # type: ignore[type-arg]
    ended_early: dict,  # type: ignore[type-arg]
) -> None:
    """Closing completes every live relationship and asks every member for the survey;
    one answer reaches the HR report, suppressed below five answers."""
    closed = await users.admin("POST", "matcher", f"/programs/{program_id}/close")
    assert closed["status"] == "closed"
    for pair in live:
        rel = await until(
            lambda p=pair: users.relationship_is(p["id"], "ended"), "relationships completed"
        )
        assert rel["end_reason"] == "completed"
        for person in member_ids(pair):
            told = await until(
                lambda p=person: _inbox_of_type(users, p, "match_ended"), f"{person} told"
            )
            assert any("the program has come to its end" in m["body"] for m in told)
    for pair in [*live, ended_early]:  # one request per member and relationship
        for person in member_ids(pair):
            requests = await until(
                lambda p=person, r=f"rel-{pair['id']}": _survey_requests(users, p, r),
                f"a survey request in {person}'s inbox",
            )
            assert len(requests) == 1
            assert requests[0]["action_url"].endswith(f"/relationships/rel-{pair['id']}/survey")
    answer = {
        "overall": 5,
        "partner_helpfulness": 4,
        "goals_met": "yes",
        "would_recommend": True,
        "would_continue": True,
        "private_note": "stays with me",
    }
    rel_a = f"/relationships/rel-{live[0]['id']}/survey"
    await users.employee(S_NEW_YORK, "POST", "sessions", rel_a, json=answer, expect=201)
    twice = await users.api.send(
        "POST", platform.api("sessions") + rel_a, S_NEW_YORK, "employee", json=answer
    )
    assert twice.status_code == 409
    today = datetime.now(UTC).date()
    report = await users.analyst(
        f"/hr/programs/{program_id}/aggregates",
        params={
            "first_day": (today - timedelta(days=1)).isoformat(),
            "last_day": today.isoformat(),
        },
    )
    assert report["survey"]["answers"] == {"value": None, "suppressed": True}
    assert "stays with me" not in str(report)

    ends = await events_of(platform, "mentoring.matches.v1", {p["id"] for p in live})
    assert sorted(e for e in ends if e.endswith(".ended")) == sorted(
        f"{p['id']}:mentoring.match.ended" for p in live
    )
    programs = await events_of(platform, "mentoring.programs.v1", {program_id})
    assert programs == [
        f"{program_id}:mentoring.program.{t}" for t in ("opened", "updated", "closed")
    ]
    survey = await events_of(platform, "sessions.v1", {f"rel-{live[0]['id']}"})
    assert survey[-3:] == [
        f"rel-{live[0]['id']}:sessions.relationship.ended",
        f"rel-{live[0]['id']}:sessions.relationship.closing_survey_requested",
        f"rel-{live[0]['id']}:sessions.survey.answered",
    ]


async def _inbox_of_type(users: Users, person: str, kind: str) -> list[dict[str, Any]]:
    return [m for m in await users.inbox(person) if m["type"] == kind]


async def _survey_requests(users: Users, person: str, relationship_id: str) -> list[dict[str, Any]]:
    return [
        m
        for m in await users.inbox(person)
        if m["type"] == "closing_survey_request" and m["subject_id"] == relationship_id
    ]
