"""Tracing: the W3C trace context rides on the envelope from a request's span to what each
consumer stages, and costs nothing when off."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_span_id, format_trace_id
from pydantic import ValidationError

from shared import tracing
from shared.contracts.envelope import Envelope
from shared.contracts.matching import ProgramClosed
from shared.contracts.registry import PROGRAMS, ParsedEvent, parse_event
from shared.kafka.producer import OutgoingMessage
from shared.middleware import RequestMetrics
from shared.outbox_staging import PENDING, stage_event
from shared.service import batch_handler
from shared.settings import ServiceSettings
from shared.unit_of_work import UnitOfWork

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
TRACE_A = "0af7651916cd43dd8448eb211c80319c"
TRACE_B = "4bf92f3577b34da6a3ce929d0e0e4736"


def unit() -> UnitOfWork[None, None]:
    return UnitOfWork(store=None, settings=None, source="urn:test", now=NOW)


def staged(uow: UnitOfWork[None, None], program_id: str = "p1") -> Envelope:
    doc = uow.stage({"_id": program_id}, PROGRAMS, ProgramClosed(program_id=program_id))
    return Envelope.from_bytes(doc[PENDING][-1]["value"])


def event_in(trace_id: str, program_id: str = "p1") -> ParsedEvent:
    envelope = Envelope.wrap(
        ProgramClosed(program_id=program_id),
        source="urn:test",
        subject=program_id,
        traceparent=f"00-{trace_id}-00f067aa0ba902b7-01",
        tracestate="vendor=1",
    )
    return parse_event(PROGRAMS.name, envelope.to_bytes())


def test_with_tracing_off_an_envelope_carries_no_trace_attributes_at_all() -> None:
    envelope = staged(unit())
    assert envelope.traceparent is None
    assert b"traceparent" not in envelope.to_bytes()
    assert b"tracestate" not in envelope.to_bytes()


def test_an_event_without_trace_attributes_stays_valid_and_one_with_them_round_trips() -> None:
    old = Envelope.wrap(ProgramClosed(program_id="p1"), source="urn:test", subject="p1")
    assert Envelope.from_bytes(old.to_bytes()) == old
    traced = event_in(TRACE_A).envelope
    again = Envelope.from_bytes(traced.to_bytes())
    assert (again.traceparent, again.tracestate) == (traced.traceparent, "vendor=1")


def test_a_malformed_traceparent_is_refused() -> None:
    with pytest.raises(ValidationError, match="traceparent"):
        Envelope.wrap(
            ProgramClosed(program_id="p1"), source="s", subject="p1", traceparent="not-a-trace"
        )


def test_an_event_staged_inside_a_span_carries_that_spans_traceparent(
    spans: InMemorySpanExporter,
) -> None:
    with tracing.following("work", SpanKind.INTERNAL, [], {}) as span:
        envelope = staged(unit())
    assert span is not None
    context = span.get_span_context()
    assert envelope.traceparent == (
        f"00-{format_trace_id(context.trace_id)}-{format_span_id(context.span_id)}"
        f"-{context.trace_flags:02x}"
    )


def test_the_outbox_stages_any_envelope_in_the_current_trace_but_keeps_one_it_already_has(
    spans: InMemorySpanExporter,
) -> None:
    own = Envelope.wrap(ProgramClosed(program_id="p1"), source="urn:test", subject="p1")
    carried = event_in(TRACE_B).envelope
    with tracing.following("work", SpanKind.INTERNAL, [(carried.traceparent, None)], {}):
        doc = stage_event(stage_event({"_id": "p1"}, PROGRAMS.name, own), PROGRAMS.name, carried)
    first, second = (Envelope.from_bytes(entry["value"]) for entry in doc[PENDING])
    assert first.traceparent is not None and first.traceparent.split("-")[1] == TRACE_B
    assert first.traceparent != carried.traceparent, "the current span, not the event's parent"
    assert second.traceparent == carried.traceparent


def test_an_event_published_straight_not_through_the_outbox_carries_the_trace_too(
    spans: InMemorySpanExporter,
) -> None:
    envelope = Envelope.wrap(ProgramClosed(program_id="p1"), source="urn:test", subject="p1")
    with tracing.following(
        "import", SpanKind.INTERNAL, [(event_in(TRACE_A).envelope.traceparent, None)], {}
    ):
        message = OutgoingMessage.for_event(PROGRAMS.name, envelope)
    published = Envelope.from_bytes(message.value).traceparent
    assert published is not None and published.split("-")[1] == TRACE_A


def test_tracing_off_by_default_installs_no_sdk_provider() -> None:
    tracing.configure_tracing(ServiceSettings())
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)
    assert tracing.current_trace() == (None, None)


async def test_a_consumer_continues_its_events_trace_into_what_it_stages(
    spans: InMemorySpanExporter,
) -> None:
    out: list[Envelope] = []

    async def closed(uow: UnitOfWork[None, None], events: object) -> None:
        out.append(staged(uow, "p2"))

    await batch_handler({ProgramClosed: closed})(unit(), [event_in(TRACE_A)])
    [consume] = spans.get_finished_spans()
    assert (consume.kind, consume.name) == (SpanKind.CONSUMER, "process mentoring.program.closed")
    assert format_trace_id(consume.context.trace_id) == TRACE_A
    assert consume.parent is not None and format_span_id(consume.parent.span_id) == (
        "00f067aa0ba902b7"
    )
    assert out[0].traceparent is not None and out[0].traceparent.split("-")[1] == TRACE_A
    assert out[0].tracestate == "vendor=1"


async def test_a_handler_call_over_events_of_several_traces_links_to_each(
    spans: InMemorySpanExporter,
) -> None:
    async def whole_batch(uow: UnitOfWork[None, None], events: object) -> None:
        return None

    await batch_handler(whole_batch)(unit(), [event_in(TRACE_A, "p1"), event_in(TRACE_B, "p2")])
    [consume] = spans.get_finished_spans()
    assert consume.parent is None
    assert sorted(format_trace_id(link.context.trace_id) for link in consume.links) == sorted(
        [TRACE_A, TRACE_B]
    )


def test_the_relays_publish_span_continues_the_staged_events_trace(
    spans: InMemorySpanExporter,
) -> None:
    envelope = event_in(TRACE_A).envelope
    entries = [{"topic": PROGRAMS.name, "value": envelope.model_dump_json()}]
    with tracing.publishing(entries):
        pass
    [publish] = spans.get_finished_spans()
    assert (publish.kind, publish.name) == (SpanKind.PRODUCER, f"publish {PROGRAMS.name}")
    assert format_trace_id(publish.context.trace_id) == TRACE_A


def test_a_request_runs_in_a_server_span_named_by_its_route_continuing_the_callers_trace(
    spans: InMemorySpanExporter,
) -> None:
    seen: list[str | None] = []
    app = FastAPI()

    @app.post("/programs/{program_id}/close")
    async def close(program_id: str) -> dict[str, str]:
        seen.append(staged(unit(), program_id).traceparent)
        return {}

    app.add_middleware(RequestMetrics, service="test")
    caller = f"00-{TRACE_B}-00f067aa0ba902b7-01"
    answer = TestClient(app).post("/programs/p9/close", headers={"traceparent": caller})
    assert answer.status_code == 200
    [request] = spans.get_finished_spans()
    assert (request.kind, request.name) == (SpanKind.SERVER, "POST /programs/{program_id}/close")
    assert request.attributes is not None and request.attributes["http.response.status_code"] == 200
    assert format_trace_id(request.context.trace_id) == TRACE_B
    assert seen[0] is not None and seen[0].split("-")[2] == format_span_id(request.context.span_id)
