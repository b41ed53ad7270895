"""The unit of work and the handler table, as every service relies on them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from shared.auth import Principal, Role
from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonDeparted, PersonErased, PersonUpserted
from shared.contracts.matching import ProgramClosed
from shared.contracts.registry import HR_PEOPLE, PROGRAMS, parse_event
from shared.outbox_staging import FLAG, PENDING, PENDING_AUDIT
from shared.service import (
    ServiceDefinition,
    Timer,
    batch_handler,
    handled_types,
    replay_safe,
    replay_safe_types,
)
from shared.settings import ServiceSettings
from shared.unit_of_work import UnitOfWork

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
ADMIN = Principal("adm-1", frozenset({Role.PROGRAM_ADMIN}))


def unit(caller: Principal | None = ADMIN) -> UnitOfWork[None, None]:
    nudges: list[int] = []
    uow: UnitOfWork[None, None] = UnitOfWork(
        store=None, settings=None, source="urn:test", now=NOW, caller=caller
    )
    uow.on_commit = lambda: nudges.append(1)
    uow.nudges = nudges  # type: ignore[attr-defined]  # the test's own counter
    return uow


def test_a_staged_event_carries_the_units_source_time_and_the_documents_id() -> None:
    doc = unit().stage({"_id": "p1"}, PROGRAMS, ProgramClosed(program_id="p1"), event_id="e1")
    [entry] = doc[PENDING]
    envelope = Envelope.from_bytes(entry["value"])
    assert doc[FLAG] is True
    assert (entry["topic"], entry["key"]) == ("mentoring.programs.v1", "p1")
    assert (envelope.id, envelope.source, envelope.time, envelope.subject) == (
        "e1",
        "urn:test",
        NOW,
        "p1",
    )


def test_an_audit_entry_rides_on_the_changed_document_with_the_caller() -> None:
    doc = unit().audit({"_id": "p1"}, "program.closed", target="p1", details={"why": "end"})
    [entry] = doc[PENDING_AUDIT]
    assert doc[FLAG] is True
    assert (entry["actor"], entry["roles"], entry["at"]) == ("adm-1", ["program_admin"], NOW)
    assert (entry["action"], entry["target"], entry["details"]) == (
        "program.closed",
        "p1",
        {"why": "end"},
    )


def test_an_audit_needs_a_caller() -> None:
    with pytest.raises(RuntimeError, match="needs a caller"):
        unit(caller=None).audit({"_id": "p1"}, "program.closed", target="p1")


async def test_the_relay_is_nudged_when_staging_work_succeeds_and_not_when_it_fails() -> None:
    ok, failed = unit(), unit()
    async with ok:
        ok.stage({"_id": "p1"}, PROGRAMS, ProgramClosed(program_id="p1"))
    with pytest.raises(ValueError):
        async with failed:
            failed.stage({"_id": "p1"}, PROGRAMS, ProgramClosed(program_id="p1"))
            raise ValueError("refused")
    assert (ok.committed, ok.nudges) == (True, [1])  # type: ignore[attr-defined]
    assert (failed.committed, failed.nudges) == (False, [])  # type: ignore[attr-defined]


async def test_work_that_staged_nothing_commits_without_a_relay_pass() -> None:
    quiet = unit()
    async with quiet:
        pass
    assert (quiet.committed, quiet.nudges) == (True, [])  # type: ignore[attr-defined]


async def test_an_audit_or_staging_on_a_copy_of_the_unit_nudges_the_relay() -> None:
    audited, copied = unit(), unit()
    async with audited:
        audited.audit({"_id": "p1"}, "program.closed", target="p1")
    async with copied:
        replace(copied, caller=None).stage({"_id": "p1"}, PROGRAMS, ProgramClosed(program_id="p1"))
    assert audited.nudges == [1]  # type: ignore[attr-defined]
    assert copied.nudges == [1]  # type: ignore[attr-defined]


def _hr_event(kind: type, person_id: str) -> object:
    fields = {"departed_on": "2027-02-28"} if kind is PersonDeparted else {}
    data = kind(person_id=person_id, **fields)
    envelope = Envelope.wrap(data, source="urn:hr", subject=person_id)
    return parse_event(HR_PEOPLE.name, envelope.to_bytes())


async def test_the_table_hands_each_type_to_its_handler_keeping_each_aggregates_order() -> None:
    calls: list[tuple[str, list[str]]] = []

    def recorder(name: str):  # type: ignore[no-untyped-def]
        async def handle(_uow: object, events: list) -> None:  # type: ignore[type-arg]
            calls.append((name, [e.data.person_id for e in events]))

        return handle

    dispatch = batch_handler(
        {PersonDeparted: recorder("departed"), PersonErased: recorder("erased")}
    )
    batch = [
        _hr_event(PersonDeparted, "a"),
        _hr_event(PersonDeparted, "b"),
        _hr_event(PersonErased, "c"),
        _hr_event(PersonDeparted, "d"),
        _hr_event(PersonErased, "a"),  # after a's departure, whatever else comes between
        _hr_event(PersonErased, "e"),
    ]
    await dispatch(unit(), batch)  # type: ignore[arg-type]
    # Different people's events need no order among them: one call per handler...
    # ...but a's erasure comes after a's departure.
    assert calls == [
        ("departed", ["a", "b", "d"]),
        ("erased", ["c", "e"]),
        ("erased", ["a"]),
    ]


async def test_one_handler_for_two_types_gets_an_aggregates_events_in_one_call() -> None:
    calls: list[list[tuple[str, str]]] = []

    async def departed_or_erased(_uow: object, events: list) -> None:  # type: ignore[type-arg]
        calls.append([(type(e.data).__name__, e.data.person_id) for e in events])

    dispatch = batch_handler({PersonDeparted: departed_or_erased, PersonErased: departed_or_erased})
    batch = [
        _hr_event(PersonDeparted, "a"),
        _hr_event(PersonDeparted, "b"),
        _hr_event(PersonErased, "a"),
        _hr_event(PersonErased, "b"),
    ]
    await dispatch(unit(), batch)  # type: ignore[arg-type]
    assert calls == [
        [
            ("PersonDeparted", "a"),
            ("PersonDeparted", "b"),
            ("PersonErased", "a"),
            ("PersonErased", "b"),
        ]
    ]


async def test_event_types_the_table_does_not_name_are_skipped() -> None:
    seen: list[object] = []

    async def departed(_uow: object, events: list) -> None:  # type: ignore[type-arg]
        seen.extend(events)

    await batch_handler({PersonDeparted: departed})(unit(), [_hr_event(PersonErased, "x")])  # type: ignore[arg-type]
    assert seen == []


def test_a_timer_interval_may_name_a_settings_field() -> None:
    class Settings(ServiceSettings):
        sweep_interval_s: float = 42.0

    async def run(_uow: object) -> None:
        return None

    settings = Settings(service_name="t")
    assert Timer("sweep", "sweep_interval_s", run).interval(settings) == 42.0
    assert Timer("fixed", 5, run).interval(settings) == 5.0


def test_a_definitions_runtime_carries_its_store_indexes_and_outbox() -> None:
    definition = ServiceDefinition(
        name="t", settings=lambda: ServiceSettings(service_name="t"), store=dict
    )
    runtime = definition.runtime(consumes=True)
    assert runtime.consumes and runtime.outbox_collections == [] and runtime.indexes == []


def test_a_topics_handled_types_are_its_tables_and_a_whole_batch_handler_takes_every_type() -> None:
    async def handler(uow: object, events: object) -> None:
        return None

    table = {PersonDeparted: handler, PersonErased: handler}
    assert handled_types(table) == {PersonDeparted.event_type, PersonErased.event_type}
    assert handled_types(handler) is None


def test_a_topics_replay_safe_types_are_those_whose_handler_says_so() -> None:
    async def ends_matches(uow: object, events: object) -> None:
        return None

    @replay_safe
    async def keeps_newest(uow: object, events: object) -> None:
        return None

    table = {PersonUpserted: keeps_newest, PersonDeparted: ends_matches}
    assert replay_safe_types(table) == {PersonUpserted.event_type}
    assert replay_safe_types(keeps_newest) is None  # a whole-batch handler: every type
    assert replay_safe_types(ends_matches) == frozenset()
