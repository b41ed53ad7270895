"""Reverse-mentoring safety through the running services (#17): the junior's private pulse
check, and the data firewall.

Sessions and the notifier run as real processes over the real broker and database; the
test publishes what HR and the matcher would. In reverse mentoring the junior is the
mentor (the matcher's rule ``mentor_junior_to_mentee``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from shared.contracts.envelope import Envelope
from shared.contracts.registry import SESSIONS, TOPICS
from tests.integration.firewall_exits import (
    database_dump,
    every_inbox_and_delivery,
    every_report,
    every_topic,
    everything_published,
)
from tests.integration.safety_platform import Cast, SafetyPlatform, cast_of, safety_platform
from tests.support.canaries import as_text, canary, email_text, sightings
from tests.support.waiting import eventually
from tools.localstack import LocalStack
from tools.topics import read_topic

pytestmark = pytest.mark.integration

LOW = {"comfort": 2, "psychological_safety": 4, "would_continue": True}


@pytest.fixture(scope="module")
def platform(
    stack: LocalStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SafetyPlatform]:
    database = f"safety_{uuid.uuid4().hex[:10]}"
    with safety_platform(stack, database, tmp_path_factory.mktemp("safety")) as up:
        yield up


async def pulses_of(platform: SafetyPlatform, person: str) -> list[dict[str, object]]:
    mine = await platform.call("sessions", "GET", "/pulses/mine", person)
    assert mine.status_code == 200, mine.text
    found: list[dict[str, object]] = mine.json()
    return found


async def flagged_on_topic(platform: SafetyPlatform, relationship_id: str) -> list[Envelope]:
    records = await read_topic(platform.stack.bootstrap_servers, SESSIONS.name)
    return [
        e
        for e in (Envelope.from_bytes(r.value) for r in records)
        if e.type == "sessions.pulse.flagged" and e.subject == relationship_id
    ]


async def test_the_junior_is_asked_privately_and_a_low_answer_flags_without_the_answer(
    platform: SafetyPlatform,
) -> None:
    cast = cast_of(f"pulse{uuid.uuid4().hex[:6]}")
    rel = await platform.reverse_pair(cast)
    await platform.hold(cast, await platform.schedule(cast, 3))

    async def both_asked() -> list[dict[str, object]] | None:
        found = await pulses_of(platform, cast.junior)
        return found if len(found) == 2 else None

    asked = await eventually(both_asked, what="the pulses after the first and third meeting")
    assert sorted(p["after_meeting"] for p in asked) == [1, 3]  # type: ignore[type-var]
    first = next(p for p in asked if p["after_meeting"] == 1)
    pulse = f"/pulses/{first['id']}"

    # the senior, and the program's admin, find nothing: not in a list, not by its id
    assert await pulses_of(platform, cast.senior) == []
    for who, role in ((cast.senior, "employee"), (cast.admin, "admin")):
        assert (await platform.call("sessions", "GET", pulse, who, role)).status_code == 404
        refused = await platform.call("sessions", "POST", f"{pulse}/answer", who, role, json=LOW)
        assert refused.status_code == 404

    # the junior's prompts are in their inbox; the senior gets none
    async def prompted() -> list[dict[str, object]] | None:
        items = [m for m in await platform.inbox(cast.junior) if m["type"] == "pulse_check_request"]
        return items if len(items) == 2 else None

    prompts = await eventually(prompted, what="the junior's two pulse prompts")
    assert {m["title"] for m in prompts} == {"A short private check-in about your mentoring"}
    assert any(str(m["action_url"]).endswith(pulse) for m in prompts)
    assert not [m for m in await platform.inbox(cast.senior) if m["type"] == "pulse_check_request"]

    # a low answer, once; the flag on sessions.v1 names the relationship and program only
    answered = await platform.call("sessions", "POST", f"{pulse}/answer", cast.junior, json=LOW)
    assert answered.status_code == 201, answered.text
    again = await platform.call("sessions", "POST", f"{pulse}/answer", cast.junior, json=LOW)
    assert again.status_code == 409

    async def flagged() -> list[Envelope]:
        return await flagged_on_topic(platform, rel)

    [flag] = await eventually(flagged, what="sessions.pulse.flagged on its topic")
    assert flag.data == {"relationship_id": rel, "program_id": cast.program_id}
    assert cast.junior not in flag.model_dump_json()

    # the program's admin learns that the relationship needs a look, and nothing more
    async def alerted() -> list[dict[str, Any]] | None:
        found = [
            m for m in await platform.inbox(cast.admin, "admin") if m["type"] == "pulse_flagged"
        ]
        return found or None

    [alert] = await eventually(alerted, what="the admin's pulse alert in their inbox")
    said = json.dumps(alert).lower()
    assert rel in said and cast.junior not in said and cast.senior not in said
    for answer in ("psychological", "would continue", "would_continue", "2/5", "4/5", "comfort: 2"):
        assert answer not in said, answer


# ---- the data firewall --------------------------------------------------------------

#: What a senior writes about the junior (and the junior's pulse note), one canary each.
PRIVATE_TEXT = (
    "feedback",
    "shared-note",
    "private-note",
    "agenda",
    "journal",
    "shared-journal",
    "goal",
    "action-item",
    "pulse-note",
)


async def senior_writes(platform: SafetyPlatform, cast: Cast, planted: dict[str, str]) -> None:
    """The senior's feedback, notes, agenda, journal, goal and action item, with canaries."""
    rel, senior = cast.relationship_id, cast.senior
    [meeting] = await platform.schedule(cast, 1)
    writes: list[tuple[str, dict[str, object]]] = [
        (f"/meetings/{meeting}/agenda", {"text": planted["agenda"]}),
        (f"/meetings/{meeting}/notes", {"text": planted["shared-note"], "private": False}),
        (f"/meetings/{meeting}/notes", {"text": planted["private-note"], "private": True}),
        ("/journal", {"relationship_id": rel, "kind": "small_win", "text": planted["journal"]}),
        (
            "/journal",
            {
                "relationship_id": rel,
                "kind": "learning",
                "text": planted["shared-journal"],
                "shared": True,
            },
        ),
        (f"/relationships/{rel}/goals", {"title": planted["goal"]}),
        (
            f"/relationships/{rel}/action-items",
            {
                "owner_id": cast.junior,
                "description": planted["action-item"],
                "due_on": "2099-01-01",
            },
        ),
    ]
    for path, body in writes:
        written = await platform.call("sessions", "POST", path, senior, json=body)
        assert written.status_code == 201, f"{path}: {written.text}"
    await platform.hold(cast, [meeting])
    feedback = {"rating": 2, "was_useful": False, "comment": planted["feedback"]}
    given = await platform.call(
        "sessions", "POST", f"/meetings/{meeting}/feedback", senior, json=feedback
    )
    assert given.status_code == 201, given.text


async def junior_answers(platform: SafetyPlatform, cast: Cast, note: str) -> str:
    """The junior's low answer to the pulse after the first meeting, with a note."""

    async def asked() -> list[dict[str, object]]:
        return await pulses_of(platform, cast.junior)

    [pulse] = await eventually(asked, what="the junior's pulse")
    path = f"/pulses/{pulse['id']}"
    answered = await platform.call(
        "sessions", "POST", f"{path}/answer", cast.junior, json={**LOW, "note": note}
    )
    assert answered.status_code == 201, answered.text
    return path


async def test_nothing_a_senior_writes_nor_the_pulse_note_leaves_sessions(
    platform: SafetyPlatform,
) -> None:
    cast = cast_of(f"firewall{uuid.uuid4().hex[:6]}")
    rel = await platform.reverse_pair(cast)
    planted = {kind: canary(kind) for kind in PRIVATE_TEXT}
    await senior_writes(platform, cast, planted)
    pulse = await junior_answers(platform, cast, planted["pulse-note"])

    # it was written, and its authors read it back in sessions (the scanner would see it)
    stored = await database_dump(platform, f"{platform.database}_sessions")
    assert {s.canary for s in sightings({"sessions db": stored}, planted.values())} == set(
        planted.values()
    )
    mine = await platform.call("sessions", "GET", pulse, cast.junior)
    assert mine.json()["answer"]["note"] == planted["pulse-note"]

    await everything_published(platform, cast, rel)
    sources = {
        **await every_topic(platform),
        **await every_report(platform, cast),
        **await every_inbox_and_delivery(platform, cast),
        **{f"mail {n}": email_text(m) for n, m in enumerate(platform.smtp.messages)},
        "notifier db": await database_dump(platform, f"{platform.database}_notifications"),
        **{f"log {p.name}": p.read_text(errors="replace") for p in platform.log_dir.glob("*.log")},
    }
    assert sum(1 for name in sources if name.startswith("topic ")) >= 2 * len(TOPICS)
    # what is read is the real thing: this pair's facts, answers and messages are in it
    for where, fact in (
        ("topic sessions.v1", rel),
        ("topic notifications.deliveries.v1", cast.junior),
        ("report admin iso_week", '"pulse"'),
        (f"/inbox of {cast.junior}", "pulse_check_request"),
        ("notifier db", cast.senior),
        ("log sessions-api", "/pulses"),
    ):
        assert fact in "".join(as_text(v) for k, v in sources.items() if k.startswith(where))
    assert sightings(sources, planted.values()) == []
