"""A planned notification keeps the trace it was planned in, and its delivery continues
that trace: the trace of an HTTP request or an HR event ends at the notification sent."""

from __future__ import annotations

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.notifications.domain.model import Channel
from services.notifications.mapping import queue_doc
from services.notifications.sending import DeliveryJob, delivering
from shared import tracing

from .builders import NOW, planned


def test_without_tracing_a_queue_item_carries_no_trace() -> None:
    assert "traceparent" not in queue_doc(planned(), now=NOW)


def test_a_queue_item_planned_inside_a_span_and_its_delivery_share_the_trace(
    spans: InMemorySpanExporter,
) -> None:
    with tracing.following("process sessions.meeting.scheduled", SpanKind.CONSUMER, [], {}):
        item = queue_doc(planned(), now=NOW)
    [consume] = spans.get_finished_spans()
    assert item["traceparent"].split("-")[1] == f"{consume.context.trace_id:032x}"

    job = DeliveryJob(item, planned(), Channel.EMAIL, ledger={})
    with delivering(job):
        pass
    delivery = spans.get_finished_spans()[-1]
    assert delivery.name == "deliver meeting_reminder"
    assert delivery.kind is SpanKind.PRODUCER
    assert delivery.context.trace_id == consume.context.trace_id
    assert delivery.parent is not None and delivery.parent.span_id == consume.context.span_id
    assert (
        delivery.attributes is not None and delivery.attributes["notification.channel"] == "email"
    )
