"""Tracing across HTTP and Kafka: OpenTelemetry spans, the W3C trace context in the envelope.

A request's span (``RequestMetrics`` opens it) is current while its unit of work stages
events, so each envelope the outbox stages carries the request's ``traceparent``/``tracestate``
(the CloudEvents distributed-tracing extension). The outbox relay's publish span and
each consumer's process span continue the trace of the events in hand, so what a
consumer stages carries the same trace onward: one trace id from the HTTP request
through every service the event reaches.

Off by default (``otel_exporter=none``): no SDK provider is installed, every helper here
returns at its first test, and envelopes carry no trace attributes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.contracts.envelope import Envelope
from shared.contracts.registry import ParsedEvent

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import SpanExportResult

    from shared.settings import ServiceSettings

__all__ = [
    "TraceContext",
    "configure_tracing",
    "consuming",
    "current_trace",
    "following",
    "in_current_trace",
    "publishing",
    "request_span",
    "use_provider",
]

#: ``(traceparent, tracestate)`` as an envelope carries them; ``(None, None)``: no trace.
TraceContext = tuple[str | None, str | None]

_PROPAGATOR = TraceContextTextMapPropagator()
_tracer: Tracer | None = None  # None: tracing is off


def configure_tracing(settings: ServiceSettings) -> None:
    """Install the SDK provider the settings ask for (``otel_exporter``); ``none`` installs
    nothing, so tracing costs one ``is None`` test per request, batch and staged event."""
    if settings.otel_exporter == "none":
        return
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
    provider.add_span_processor(_processor(settings))
    trace.set_tracer_provider(provider)
    use_provider(provider)


def _processor(settings: ServiceSettings) -> Any:
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )

    if settings.otel_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otel_exporter_otlp_endpoint))
    if settings.otel_exporter == "console":
        return SimpleSpanProcessor(ConsoleSpanExporter())
    return SimpleSpanProcessor(_json_lines_exporter(Path(settings.otel_jsonfile_path)))


def use_provider(provider: TracerProvider | None) -> None:
    """Trace with ``provider`` from now on (``None``: off). Tests pass an SDK provider
    with an in-memory exporter; the global provider can be set only once a process."""
    global _tracer
    _tracer = None if provider is None else provider.get_tracer("mentoring")


def current_trace() -> TraceContext:
    """The current span's W3C trace context, for an envelope staged now."""
    if _tracer is None:
        return None, None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent"), carrier.get("tracestate")


def in_current_trace(envelope: Envelope) -> Envelope:
    """``envelope`` with the current trace context, unless it has one or tracing is off:
    what the outbox stages, however a service wrapped it, carries the work's trace."""
    if _tracer is None or envelope.traceparent is not None:
        return envelope
    traceparent, tracestate = current_trace()
    if traceparent is None:
        return envelope
    return envelope.model_copy(update={"traceparent": traceparent, "tracestate": tracestate})


def _extracted(traceparent: str, tracestate: str | None) -> trace.SpanContext:
    carrier = {"traceparent": traceparent, **({"tracestate": tracestate} if tracestate else {})}
    return trace.get_current_span(_PROPAGATOR.extract(carrier)).get_span_context()


@contextmanager
def following(
    name: str, kind: SpanKind, traces: Iterable[TraceContext], attributes: Mapping[str, Any]
) -> Iterator[Span | None]:
    """A span over work on events of the given traces (``None`` when tracing is off).

    One trace among them: the span is its child, so what the work stages stays in that
    trace. Several (a batch mixes requests): the span starts a trace of its own and links
    to each, as OpenTelemetry's messaging conventions do for a batch."""
    if _tracer is None:
        yield None
        return
    parents = {
        (tp, ts): _extracted(tp, ts) for tp, ts in traces if tp is not None
    }  # one look-up per distinct context, not per event
    valid = [sc for sc in parents.values() if sc.is_valid]
    if len({sc.trace_id for sc in valid}) == 1:
        parent = trace.set_span_in_context(trace.NonRecordingSpan(valid[0]), otel_context.Context())
        links: list[Link] = []
    else:
        parent, links = otel_context.Context(), [Link(sc) for sc in valid]
    with _tracer.start_as_current_span(
        name, context=parent, kind=kind, links=links, attributes=dict(attributes)
    ) as span:
        yield span


@contextmanager
def publishing(entries: Sequence[Mapping[str, Any]]) -> Iterator[None]:
    """The relay's span over publishing outbox entries (their ``value`` is envelope JSON)."""
    if _tracer is None:
        yield
        return
    envelopes = [json.loads(entry["value"]) for entry in entries]
    traces = [(e.get("traceparent"), e.get("tracestate")) for e in envelopes]
    topics = sorted({str(entry["topic"]) for entry in entries})
    attributes = {"messaging.system": "kafka", "messaging.batch.message_count": len(entries)}
    with following(f"publish {' '.join(topics)}", SpanKind.PRODUCER, traces, attributes):
        yield


@contextmanager
def consuming(events: Sequence[ParsedEvent]) -> Iterator[None]:
    """A consumer's span over one handler call on ``events``."""
    if _tracer is None:
        yield
        return
    types = sorted({event.envelope.type for event in events})
    traces = [(e.envelope.traceparent, e.envelope.tracestate) for e in events]
    attributes = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.batch.message_count": len(events),
        "cloudevents.event_type": types,
    }
    with following(f"process {' '.join(types)}", SpanKind.CONSUMER, traces, attributes):
        yield


class RequestSpan:
    """The server span of one HTTP request, current while the app runs (see ``request_span``)."""

    def __init__(self, tracer: Tracer, scope: Mapping[str, Any]) -> None:
        headers = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope.get("headers", [])
            if k in (b"traceparent", b"tracestate")
        }
        self.method = str(scope.get("method", ""))
        self.span = tracer.start_span(
            self.method,
            context=_PROPAGATOR.extract(headers),  # a caller's trace continues here
            kind=SpanKind.SERVER,
            attributes={"http.request.method": self.method, "url.path": str(scope.get("path", ""))},
        )
        self._token = otel_context.attach(trace.set_span_in_context(self.span))

    def end(self, route: str, status: int) -> None:
        otel_context.detach(self._token)
        self.span.update_name(f"{self.method} {route}")
        self.span.set_attribute("http.route", route)
        self.span.set_attribute("http.response.status_code", status)
        if status >= 500:
            self.span.set_status(trace.StatusCode.ERROR)
        self.span.end()


def request_span(scope: Mapping[str, Any]) -> RequestSpan | None:
    """A started request span, or ``None`` when tracing is off."""
    return None if _tracer is None else RequestSpan(_tracer, scope)


def _json_lines_exporter(path: Path) -> Any:
    """Finished spans as JSON lines in ``path``: how a test reads the spans of processes
    it started (an in-memory exporter cannot cross a process boundary)."""
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    class JsonLinesExporter(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            with path.open("a", encoding="utf-8") as out:
                for span in spans:
                    out.write(json.dumps(span_record(span)) + "\n")
            return SpanExportResult.SUCCESS

    return JsonLinesExporter()


def span_record(span: ReadableSpan) -> dict[str, Any]:
    """What a test asks of a finished span, as plain JSON."""
    context = span.get_span_context()
    return {
        "service": span.resource.attributes.get("service.name"),
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": trace.format_trace_id(context.trace_id) if context else "",
        "span_id": trace.format_span_id(context.span_id) if context else "",
        "parent_span_id": trace.format_span_id(span.parent.span_id) if span.parent else None,
        "links": [trace.format_trace_id(link.context.trace_id) for link in span.links],
        "attributes": dict(span.attributes or {}),
    }
