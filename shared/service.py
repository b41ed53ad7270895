"""A service declared once, and the one entry point that runs any declared service.

Each service's ``bootstrap.py`` declares a ``ServiceDefinition``: its settings, its
store, its indexes and outbox collections, its handler table ``{topic: handlers}``
and its timers, where its API is built and which extra commands it has. Then
``python -m services.<name> api|worker|<timer role>|<command>`` runs it through ``main``.

The handler table is the one place that says which events a service reacts to: a
topic maps either to ``{EventType: handler}`` (dispatched here, by type, each
aggregate's events in order) or
to one handler that takes the whole batch (where planning a mixed batch at once
saves round trips). A handler is ``async def handle(uow, events)``; event types a
topic's table does not name are skipped on purpose.

A handler declared ``@replay_safe`` is one whose events, applied again, change nothing:
the consumer neither looks them up among the applied events nor records them
(``shared.kafka.consumer``), which is two of the four database round trips of a batch
and one written document per event.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from shared.contracts.envelope import EventData
from shared.contracts.registry import ParsedEvent, Topic
from shared.mongo import IndexSpec
from shared.settings import ServiceSettings
from shared.tracing import configure_tracing, consuming
from shared.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from shared.runtime import Runtime

__all__ = [
    "EventHandler",
    "ServiceDefinition",
    "Timer",
    "TopicHandlers",
    "batch_handler",
    "handled_types",
    "main",
    "replay_safe",
    "replay_safe_types",
]

EventHandler = Callable[[UnitOfWork[Any, Any], Sequence[ParsedEvent]], Awaitable[None]]
TopicHandlers = Mapping[type[EventData], EventHandler] | EventHandler
TimerTask = Callable[[UnitOfWork[Any, Any]], Awaitable[object]]
HandlerT = TypeVar("HandlerT", bound=Callable[..., Awaitable[None]])
REPLAY_SAFE = "replay_safe"


def replay_safe(handler: HandlerT) -> HandlerT:
    """Declare that applying ``handler``'s events again changes nothing: delivered twice,
    replayed from an older offset after the events that followed them, or copied late by
    a producer's retry. A newest-wins projection (each row written only over an older
    one) or a create-if-absent is; anything that counts, appends or sends is not. Its
    events are then not remembered as applied (``replay_safe_types``)."""
    setattr(handler, REPLAY_SAFE, True)
    return handler


@dataclass(frozen=True)
class Timer:
    """A periodic task of the worker. ``interval_s`` is seconds, or the name of the
    settings field that holds them. A tick that fails is logged; the next one retries."""

    name: str
    interval_s: float | str
    run: TimerTask

    def interval(self, settings: ServiceSettings) -> float:
        if isinstance(self.interval_s, str):
            return float(getattr(settings, self.interval_s))
        return float(self.interval_s)


@dataclass(frozen=True)
class ServiceDefinition:
    """What the shared entry point needs to run a service's API, worker and commands."""

    name: str
    settings: Callable[[], ServiceSettings]
    store: Callable[[Any], Any]
    indexes: Sequence[IndexSpec] = ()
    outbox_collections: Sequence[str] = ()
    handlers: Mapping[Topic, TopicHandlers] = field(default_factory=dict)
    timers: Sequence[Timer] = ()
    #: Processes of their own that run only timers, ``{role: timers}``: run as
    #: ``python -m services.<name> <role>`` so that their work never shares an event
    #: loop with the consumers (the notifier's dispatcher).
    timer_roles: Mapping[str, Sequence[Timer]] = field(default_factory=dict)
    #: ``"module:function"`` building the FastAPI app from settings (imported lazily,
    #: so a worker never imports the web stack and bootstrap never imports routes).
    api: str = ""
    #: Extra ``python -m services.<name> <command>`` entries: ``"module:function"``
    #: taking the remaining arguments and returning an exit code.
    commands: Mapping[str, str] = field(default_factory=dict)

    def runtime(
        self, settings: ServiceSettings | None = None, *, consumes: bool = False
    ) -> Runtime:
        from shared.runtime import Runtime

        return Runtime(
            settings or self.settings(),
            indexes=self.indexes,
            outbox_collections=self.outbox_collections,
            store=self.store,
            consumes=consumes,
        )


def batch_handler(handlers: TopicHandlers) -> EventHandler:
    """One handler for a topic's batch: the batch handler itself, or a dispatcher that
    hands the events to their types' handlers in as few calls as order allows
    (``calls_in_order``). Each handler call runs in a consumer span (``consuming``): the
    child of its events' trace when they share one, else linked to each, so what the call
    stages carries the trace onward."""
    if not isinstance(handlers, Mapping):
        whole_batch = handlers

        async def handle(uow: UnitOfWork[Any, Any], events: Sequence[ParsedEvent]) -> None:
            with consuming(events):
                await whole_batch(uow, events)

        return handle
    table = dict(handlers)

    async def dispatch(uow: UnitOfWork[Any, Any], events: Sequence[ParsedEvent]) -> None:
        for handler, run in calls_in_order(table, events):
            with consuming(run):
                await handler(uow, run)

    return dispatch


def handled_types(handlers: TopicHandlers) -> frozenset[str] | None:
    """The event types (CloudEvents ``type``) a topic's handlers react to; ``None`` for a
    handler that takes the whole batch (it decides per event itself)."""
    if not isinstance(handlers, Mapping):
        return None
    return frozenset(kind.event_type for kind in handlers)


def replay_safe_types(handlers: TopicHandlers) -> frozenset[str] | None:
    """The event types (CloudEvents ``type``) of a topic whose handler is ``@replay_safe``;
    ``None`` (every type) for a replay-safe handler that takes the whole batch."""
    if not isinstance(handlers, Mapping):
        return None if getattr(handlers, REPLAY_SAFE, False) else frozenset()
    return frozenset(
        kind.event_type
        for kind, handler in handlers.items()
        if getattr(handler, REPLAY_SAFE, False)
    )


def calls_in_order(
    table: Mapping[type[EventData], EventHandler], events: Sequence[ParsedEvent]
) -> list[tuple[EventHandler, list[ParsedEvent]]]:
    """The handler calls for a batch: each handler gets its events in batch order, and
    each aggregate's events reach their handlers in order.

    Order is only promised per aggregate (the envelope's subject is the message key), so
    the batch is cut in waves: an aggregate moves to the next wave when its next event
    goes to another handler; within a wave, events are grouped by handler. A batch of
    interleaved activations, flags and ends is two calls, not one per change of type (a
    handler applies several events of one aggregate in order, as it would in one call).
    Event types the table does not name are skipped."""
    waves: dict[int, dict[EventHandler, list[ParsedEvent]]] = {}
    last: dict[str, tuple[int, EventHandler]] = {}
    for event in events:
        handler = table.get(type(event.data))
        if handler is None:
            continue
        wave, previous = last.get(event.envelope.subject, (0, handler))
        if previous is not handler:
            wave += 1
        last[event.envelope.subject] = (wave, handler)
        waves.setdefault(wave, {}).setdefault(handler, []).append(event)
    return [call for wave in sorted(waves) for call in waves[wave].items()]


def _load(reference: str) -> Any:
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def main(definition: ServiceDefinition, argv: Sequence[str] | None = None) -> None:
    """``python -m services.<name> [api|worker|<timer role>|<command>] [args...]``
    (default: api)."""
    args = list(sys.argv[1:] if argv is None else argv)
    role = args[0] if args else "api"
    if role in definition.commands:
        sys.exit(_load(definition.commands[role])(args[1:]))
    roles = ["api", "worker", *definition.timer_roles, *definition.commands]
    if role not in roles:
        sys.exit(f"usage: python -m services.{definition.name} {'|'.join(roles)} (got {role!r})")
    settings = definition.settings()
    configure_tracing(settings)
    if role == "api":
        from shared.serve import serve_api

        serve_api(_load(definition.api)(settings), settings)
    elif role == "worker":
        from shared.worker import ServiceWorker

        sys.argv = sys.argv[:1]  # faust reads the command line
        ServiceWorker(definition, settings).run()
    else:
        from shared.worker import TimerWorker

        TimerWorker(definition, settings, role).run()
