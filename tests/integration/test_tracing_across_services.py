"""One trace across the platform: the matcher API request that activates a match, the
sessions worker that starts the relationship, the notifications worker that plans the
notification it causes and the dispatcher that delivers it, carried by the envelope's
W3C ``traceparent`` (and by the planned item in the due queue).

Real processes over the real broker and database; each exports its finished spans as
JSON lines to a file of its own (``otel_exporter=jsonfile``), which the test reads.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.auth import bearer
from tests.support.processes import running
from tests.support.waiting import eventually
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

#: Two peers a self-match can pair: only who they are and one shared skill.
PEERS = [
    {"person_id": f"tr-{name}", "display_name": name, "email": f"{name}@example.com"}
    | {"level": 5, "department": "ops", "time_zone": "Europe/Paris", "languages": ["en"]}
    | {"skills": [{"name": "coaching", "proficiency": 4}]}
    for name in ("ana", "ben")
]
#: (service, role) of every process the test runs, each tracing to its own file.
PROCESSES = [
    ("matcher", "api"),
    ("matcher", "worker"),
    ("sessions", "worker"),
    ("notifications", "worker"),
    ("notifications", "dispatcher"),
]
#: Settings of a process beyond tracing: the dispatcher looks at its queue every second.
EXTRA = {("notifications", "dispatcher"): {"dispatch_interval_s": "1"}}


@contextmanager
def traced_platform(
    stack: LocalStack, database_name: str, log_dir: Path
) -> Iterator[tuple[str, Path]]:
    """The processes, tracing; yields the matcher API's URL and the spans' directory."""
    spans_dir = log_dir / "spans"
    spans_dir.mkdir()
    with ExitStack() as processes:
        api: dict[str, object] = {}
        for service, role in PROCESSES:
            started = processes.enter_context(
                running(
                    stack,
                    service,
                    role,
                    database=f"{database_name}_{service}",
                    log_dir=log_dir,
                    kafka_consumer_group=f"{service}-{database_name}",
                    otel_exporter="jsonfile",
                    otel_jsonfile_path=str(spans_dir / f"{service}-{role}.jsonl"),
                    **EXTRA.get((service, role), {}),
                )
            )
            api = started if role == "api" else api
        yield f"http://127.0.0.1:{api['port']}", spans_dir


def all_spans(spans_dir: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in spans_dir.glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]


def spans_of(spans_dir: Path, trace_id: str) -> list[dict[str, Any]]:
    """The spans in the trace, and those linked to it (a batch of several traces)."""
    return [s for s in all_spans(spans_dir) if s["trace_id"] == trace_id or trace_id in s["links"]]


async def active_match(client: httpx.AsyncClient, traceparent: str) -> str:
    """Two peers in a self-match program; ana requests ben, and ben's acceptance (the
    request traced with ``traceparent``) activates the match. Returns its id."""
    assert (await client.post("/people/import", json=PEERS)).status_code < 300

    async def both_known() -> bool:
        codes = [(await client.get(f"/people/{p['person_id']}")).status_code for p in PEERS]
        return codes == [200, 200]

    await eventually(both_known, what="the imported people in the matcher")
    program = await client.post(
        "/programs",
        json={"name": "Traced", "kind": "peer_coaching", "matching_mode": "self_match"},
    )
    program_id = program.json()["id"]
    for peer in PEERS:
        enrolled = await client.post(
            f"/programs/{program_id}/enrollments",
            json={"person_id": peer["person_id"], "role": "peer", "goals": ["coaching"]},
        )
        assert enrolled.status_code == 201, enrolled.text
    requested = await client.post(
        f"/programs/{program_id}/requests", headers=bearer("tr-ana"), json={"partner_id": "tr-ben"}
    )
    assert requested.status_code == 201, requested.text
    answered = await client.post(
        f"/matches/{requested.json()['id']}/answer",
        json={"accept": True},
        headers={**bearer("tr-ben"), "traceparent": traceparent},
    )
    assert answered.json()["state"] == "active", answered.text
    return str(answered.json()["id"])


async def test_one_trace_spans_the_matcher_request_the_sessions_worker_and_the_notifier(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    trace_id = secrets.token_hex(16)
    with traced_platform(stack, database_name, log_dir) as (base, spans_dir):
        async with httpx.AsyncClient(
            base_url=base, timeout=60, headers=bearer("admin-1", "program_admin")
        ) as client:
            await active_match(client, f"00-{trace_id}-{secrets.token_hex(8)}-01")

        def consumed_by(service: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [
                s
                for s in spans
                if s["service"] == service and s["kind"] == "CONSUMER" and s["trace_id"] == trace_id
            ]

        async def delivered_after_sessions_and_notifier() -> list[dict[str, Any]]:
            spans = spans_of(spans_dir, trace_id)
            sessions_consumes = {s["span_id"] for s in consumed_by("sessions", spans)}
            notifier_consumes = consumed_by("notifications", spans)
            after_sessions = [
                s for s in notifier_consumes if s["parent_span_id"] in sessions_consumes
            ]
            # planned in the trace, or in a batch linked to it (events of several requests)
            planned_in = {
                s["span_id"]
                for s in spans
                if s["service"] == "notifications" and s["kind"] == "CONSUMER"
            }
            deliveries = [
                s
                for s in all_spans(spans_dir)
                if s["name"].startswith("deliver ") and s["parent_span_id"] in planned_in
            ]
            return spans if after_sessions and deliveries else []

        spans = await eventually(
            delivered_after_sessions_and_notifier,
            timeout_s=40,
            what="the notifier consuming after the sessions worker, and a delivery it planned",
        )

    [request] = [s for s in spans if s["service"] == "matcher" and s["kind"] == "SERVER"]
    assert request["name"] == "POST /matches/{match_id}/answer"
    [activation] = [
        s for s in consumed_by("sessions", spans) if "mentoring.match.activated" in s["name"]
    ]
    assert activation["parent_span_id"] == request["span_id"], (
        "the event the sessions worker consumed carried the request's span as its traceparent"
    )
    assert any(s["service"] == "matcher" and s["kind"] == "PRODUCER" for s in spans), (
        "the matcher's relay published in the trace, or linked to it"
    )
