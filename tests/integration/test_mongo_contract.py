"""What the code relies on from MongoDB, pinned against the real local server.

If one of these fails on a new server version, the portable subset in
``shared/mongo.py`` (and docs/SERVICE_GUIDE.md) must change with it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient, monitoring
from pymongo.errors import DuplicateKeyError

from shared.contracts.envelope import Envelope
from shared.contracts.matching import ProgramClosed
from shared.contracts.registry import PROGRAMS as PROGRAMS_TOPIC
from shared.kafka.producer import EventProducer
from shared.mongo import ConcurrencyConflict, VersionedCollection, ensure_indexes
from shared.outbox import OutboxRelay, outbox_indexes
from shared.outbox_published import PUBLISHED
from shared.outbox_staging import FLAG, PENDING, stage_event
from tools.localstack import LocalStack
from tools.topics import read_topic

pytestmark = pytest.mark.integration


async def test_versioned_replace_detects_a_concurrent_change(db) -> None:  # type: ignore[no-untyped-def]
    things = VersionedCollection(db["things"])
    doc = await things.insert({"_id": "a", "at": datetime(2027, 1, 4, 9, tzinfo=UTC)})
    first = await things.replace({**doc, "n": 1})
    assert first["version"] == 2
    with pytest.raises(ConcurrencyConflict):
        await things.replace({**doc, "n": 2})  # written over a stale version
    with pytest.raises(DuplicateKeyError):
        await things.insert({"_id": "a"})
    stored = await things.require("a")
    assert stored["n"] == 1
    assert stored["at"] == datetime(2027, 1, 4, 9, tzinfo=UTC)


async def test_in_matches_array_members_and_ranges_compare_datetimes(db) -> None:  # type: ignore[no-untyped-def]
    await db["rels"].create_index([("member_ids", 1)])
    await db["rels"].insert_many(
        [
            {"_id": "r1", "member_ids": ["p1", "p2"], "at": datetime(2027, 1, 1, tzinfo=UTC)},
            {"_id": "r2", "member_ids": ["p3"], "at": datetime(2027, 2, 1, tzinfo=UTC)},
        ]
    )
    found = await db["rels"].find({"member_ids": {"$in": ["p2"]}}).to_list()
    assert [d["_id"] for d in found] == ["r1"]
    later = await db["rels"].find({"at": {"$gt": datetime(2027, 1, 15, tzinfo=UTC)}}).to_list()
    assert [d["_id"] for d in later] == ["r2"]


async def test_an_indexed_field_matches_equal_strings_numbers_or_arrays_holding_one(db) -> None:  # type: ignore[no-untyped-def]
    """The local server answers these by the field's index; MongoDB's answers all the same."""
    kinds = db["kinds"]
    await kinds.create_index([("kind", 1)])
    await kinds.insert_many(
        [
            {"_id": "text", "kind": "x"},
            {"_id": "array", "kind": ["y", "x"]},
            {"_id": "one", "kind": 1},
            {"_id": "one-point-zero", "kind": 1.0},
            {"_id": "true", "kind": True},
            {"_id": "text-one", "kind": "1"},
            {"_id": "object", "kind": {"a": 1}},
            {"_id": "nested", "kind": [["x"]]},
            {"_id": "none"},
        ]
    )

    async def ids(query: dict[str, object]) -> list[str]:
        return sorted(d["_id"] for d in await kinds.find(query).to_list())

    assert await ids({"kind": "x"}) == ["array", "text"]
    assert await ids({"kind": 1}) == ["one", "one-point-zero"]
    assert await ids({"kind": {"$in": ["x", 1]}}) == ["array", "one", "one-point-zero", "text"]
    assert await ids({"kind": '{"a":1}'}) == []  # a string never equals an object
    moved = await kinds.update_many({"kind": "x"}, {"$set": {"seen": 1}})
    assert (moved.matched_count, moved.modified_count) == (2, 2)
    assert len(await kinds.index_information()) == 2  # _id and kind, as MongoDB lists them


async def test_outbox_relay_publishes_then_clears_and_keeps_events_staged_meanwhile(
    stack: LocalStack, db
) -> None:  # type: ignore[no-untyped-def]
    topic = "mentoring.programs.v1"
    producer = EventProducer(stack.bootstrap_servers, service="test")
    programs = VersionedCollection(db["programs"])
    relay = OutboxRelay(db, ["programs"], producer, service="test")
    try:
        first = Envelope.wrap(ProgramClosed(program_id="px"), source="/t", subject="px")
        doc = await programs.insert(stage_event({"_id": "px"}, topic, first))

        # A crash after publishing but before remembering and clearing: the next pass
        # publishes again.
        await producer.publish_many([])
        assert await relay.relay_once() == 1
        await db["programs"].update_one(
            {"_id": "px"}, {"$set": {PENDING: doc[PENDING], FLAG: True}}
        )
        await db[PUBLISHED].delete_many({})
        assert await relay.relay_once() == 1
        ids = [
            Envelope.from_bytes(r.value).id
            for r in await read_topic(stack.bootstrap_servers, topic)
            if r.key == b"px"
        ]
        assert ids == [first.id, first.id]  # at least once; consumers de-duplicate by id

        # An event staged after the relay read the document survives the clearing.
        current = await programs.require("px")
        second = Envelope.wrap(ProgramClosed(program_id="px"), source="/t", subject="px")
        staged = stage_event({**current, PENDING: [*doc[PENDING]], FLAG: True}, topic, second)
        await programs.replace(staged)
        stale_read = await programs.require("px")
        third = Envelope.wrap(ProgramClosed(program_id="px"), source="/t", subject="px")
        await programs.replace(stage_event(stale_read, topic, third))
        await relay._clear(db["programs"], stale_read, {first.id, second.id})
        left = await programs.require("px")
        assert [e["id"] for e in left[PENDING]] == [third.id]
        assert left[FLAG]
    finally:
        producer.close()


async def test_two_relays_never_publish_the_same_events_and_a_dead_relays_lease_lapses(
    stack: LocalStack, db
) -> None:  # type: ignore[no-untyped-def]
    from shared.outbox import LEASES

    topic = "mentoring.programs.v1"
    producer = EventProducer(stack.bootstrap_servers, service="test")
    programs = VersionedCollection(db["relayed"])
    first = OutboxRelay(db, ["relayed"], producer, service="test", batch_size=1000)
    second = OutboxRelay(db, ["relayed"], producer, service="test", batch_size=1000)
    try:
        for i in range(200):
            envelope = Envelope.wrap(
                ProgramClosed(program_id=f"r{i}"), source="/t", subject=f"r{i}"
            )
            await programs.insert(stage_event({"_id": f"r{i}"}, topic, envelope))
        counts = await asyncio.gather(first.relay_once(), second.relay_once())
        assert sum(counts) == 200

        crashed = Envelope.wrap(ProgramClosed(program_id="z"), source="/t", subject="z")
        await programs.insert(stage_event({"_id": "z"}, topic, crashed))
        assert len(await first._claim(db["relayed"])) == 1  # ...then it "dies"
        assert await second.relay_once() == 0, "a live lease is respected"
        await db[LEASES].update_many({}, {"$set": {"expires_ms": 1}})  # the lease lapsed
        assert await second.relay_once() == 1
    finally:
        producer.close()


async def test_a_relay_pass_writes_its_bookkeeping_once_not_once_an_event(
    stack: LocalStack, db
) -> None:  # type: ignore[no-untyped-def]
    """Per event a pass writes only the clearing: one lease for the collection, one record
    of what it published, and the lease is gone when the pass ends."""
    from shared.outbox import LEASES

    topic, name = "mentoring.programs.v1", "bookkept"
    await ensure_indexes(db, outbox_indexes([name]))
    producer = EventProducer(stack.bootstrap_servers, service="test")
    relay = OutboxRelay(db, [name], producer, service="test", batch_size=150)
    staged = [
        stage_event(
            {"_id": f"b{i}"},
            topic,
            Envelope.wrap(ProgramClosed(program_id=f"b{i}"), source="/t", subject=f"b{i}"),
        )
        for i in range(300)
    ]
    await db[name].insert_many(staged)
    try:
        assert [await relay.relay_once() for _ in range(3)] == [150, 150, 0]
    finally:
        producer.close()

    records = await db[PUBLISHED].find({}).to_list()
    assert sorted(len(r["prints"]) for r in records) == [150, 150]  # one record a pass
    assert await db[LEASES].count_documents({}) == 0
    assert await db[name].count_documents({FLAG: True}) == 0


async def test_a_pass_stops_reading_once_it_holds_enough_events(stack: LocalStack, db) -> None:  # type: ignore[no-untyped-def]
    """Documents that carry many events each (a bulk job's reports: a thousand) are
    relayed a few at a time, so a backlog of them never makes one pass outlast its lease;
    the rest wait, still flagged, for the next pass."""
    topic, name = "mentoring.programs.v1", "reports"
    await ensure_indexes(db, outbox_indexes([name]))
    producer = EventProducer(stack.bootstrap_servers, service="test")
    relay = OutboxRelay(db, [name], producer, service="test", max_events=10)
    reports = []
    for r in range(5):
        doc: dict[str, object] = {"_id": f"report-{r}"}
        for e in range(4):
            closed = ProgramClosed(program_id=f"p{r}-{e}")
            doc = stage_event(doc, topic, Envelope.wrap(closed, source="/t", subject=f"p{r}"))
        reports.append(doc)
    await db[name].insert_many(reports)
    try:
        passes = [await relay.relay_once() for _ in range(3)]
    finally:
        producer.close()
    assert passes == [12, 8, 0], "three reports (12 events) reach the cap of 10, then two"
    assert await db[name].count_documents({FLAG: True}) == 0


async def test_clearing_a_claimed_batch_keeps_what_was_staged_after_the_claim(
    stack: LocalStack, db
) -> None:  # type: ignore[no-untyped-def]
    topic, name = "mentoring.programs.v1", "cleared"
    programs = VersionedCollection(db[name])
    for pid in ("c1", "c2"):
        envelope = Envelope.wrap(ProgramClosed(program_id=pid), source="/t", subject=pid)
        await programs.insert(stage_event({"_id": pid}, topic, envelope))
    producer = EventProducer(stack.bootstrap_servers, service="test")
    relay = OutboxRelay(db, [name], producer, service="test")
    claimed = await relay._claim(db[name])
    later = Envelope.wrap(ProgramClosed(program_id="c2"), source="/t", subject="c2")
    await programs.replace(stage_event(await programs.require("c2"), topic, later))

    await relay._clear_all(db[name], claimed)
    producer.close()

    assert not (await programs.require("c1"))[FLAG]
    left = await programs.require("c2")
    assert [e["id"] for e in left[PENDING]] == [later.id]
    assert left[FLAG]


async def test_an_audit_entry_saved_with_its_change_reaches_the_log_once(
    stack: LocalStack, db
) -> None:  # type: ignore[no-untyped-def]
    from shared.audit import COLLECTION, entries_for
    from shared.auth import Principal, Role
    from shared.outbox import PENDING_AUDIT
    from shared.unit_of_work import UnitOfWork

    programs = VersionedCollection(db["audited"])
    uow = UnitOfWork(
        store=programs,
        settings=None,
        source="/t",
        caller=Principal("adm-1", frozenset({Role.PROGRAM_ADMIN})),
    )
    doc = uow.stage({"_id": "p1"}, PROGRAMS_TOPIC, ProgramClosed(program_id="p1"))
    doc = await programs.insert(uow.audit(doc, "program.closed", target="p1"))
    assert await db[COLLECTION].count_documents({}) == 0  # not before the relay's pass

    producer = EventProducer(stack.bootstrap_servers, service="test")
    relay = OutboxRelay(db, ["audited"], producer, service="test")
    try:
        assert await relay.relay_once() == 1
        # A crash after the audit insert but before the clearing: the next pass writes
        # the same entry again, which the log keeps once (the event is not published
        # again: the relay remembers it).
        await db["audited"].update_one(
            {"_id": "p1"},
            {"$set": {PENDING: doc[PENDING], PENDING_AUDIT: doc[PENDING_AUDIT], FLAG: True}},
        )
        assert await relay.relay_once() == 0
    finally:
        producer.close()

    entries, total = await entries_for(db, target="p1", limit=10, offset=0)
    assert total == 1
    assert (entries[0]["actor"], entries[0]["action"]) == ("adm-1", "program.closed")
    left = await programs.require("p1")
    assert left[PENDING_AUDIT] == [] and not left[FLAG]


async def test_a_writer_saving_while_a_relay_publishes_never_hands_its_events_to_a_second_relay(
    stack: LocalStack, db
) -> None:  # type: ignore[no-untyped-def]
    """The API and the worker each run a relay over the same collections. A writer that
    read a document before a relay claimed it saves it whole (staging one more event):
    the first relay's claim must still hold, or the second relay publishes the first
    event again. This was the source of duplicate ``accepted``/``activated`` events."""
    topic, name = "mentoring.programs.v1", "raced"
    producer = EventProducer(stack.bootstrap_servers, service="test")
    programs = VersionedCollection(db[name])
    api_relay = OutboxRelay(db, [name], producer, service="test")
    worker_relay = OutboxRelay(db, [name], producer, service="test")
    try:
        first = Envelope.wrap(ProgramClosed(program_id="m1"), source="/t", subject="m1")
        await programs.insert(stage_event({"_id": "m1"}, topic, first))
        read_by_writer = await programs.require("m1")

        claimed = await api_relay._claim(db[name], "api-pass")  # the API's relay takes it
        assert [d["_id"] for d in claimed] == ["m1"]
        second = Envelope.wrap(ProgramClosed(program_id="m1"), source="/t", subject="m1")
        await programs.replace(stage_event(read_by_writer, topic, second))  # a member answers

        assert await worker_relay._claim(db[name]) == [], "the claim must survive the save"
        await api_relay.producer.publish_many([])
        await api_relay._clear_all(db[name], claimed)  # it published `first` and clears it
        await api_relay.release("api-pass")
        assert await worker_relay.relay_once() == 1  # only `second` is left
        left = await programs.require("m1")
        assert left[PENDING] == [] and not left[FLAG]
    finally:
        producer.close()


async def test_a_writer_saving_a_copy_read_before_the_relay_cleared_it_republishes_nothing(
    stack: LocalStack, db
) -> None:  # type: ignore[no-untyped-def]
    """Clearing does not change a document's version (a writer would get a conflict for
    the relay's bookkeeping), so a writer that read the document before the relay cleared
    it saves the published event back. The relay remembers what it published and clears
    such an event without publishing it again."""
    topic, name = "mentoring.programs.v1", "stale"
    producer = EventProducer(stack.bootstrap_servers, service="test")
    programs = VersionedCollection(db[name])
    relay = OutboxRelay(db, [name], producer, service="test")
    try:
        first = Envelope.wrap(ProgramClosed(program_id="s1"), source="/t", subject="s1")
        await programs.insert(stage_event({"_id": "s1"}, topic, first))
        read_by_writer = await programs.require("s1")
        assert await relay.relay_once() == 1  # published and cleared
        second = Envelope.wrap(ProgramClosed(program_id="s1"), source="/t", subject="s1")
        await programs.replace(stage_event(read_by_writer, topic, second))  # [first, second]
        assert await relay.relay_once() == 1  # only `second`
        ids = [
            Envelope.from_bytes(r.value).id
            for r in await read_topic(stack.bootstrap_servers, topic)
            if r.key == b"s1"
        ]
        assert ids == [first.id, second.id]
        assert not (await programs.require("s1"))[FLAG]
    finally:
        producer.close()


async def test_expired_documents_go_at_the_monitors_cadence_not_on_every_read(db) -> None:  # type: ignore[no-untyped-def]
    """The local server as MongoDB: at its TTL monitor's cadence (``tools/nx_database.py``)."""
    records = db["records"]
    await records.create_index([("expires_at", 1)], expireAfterSeconds=0)
    past, future = datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(hours=1)
    await records.insert_many(
        [{"_id": "old", "expires_at": past}, {"_id": "live", "expires_at": future}]
    )

    first = {d["_id"] for d in await records.find({}).to_list()}
    await records.insert_one({"_id": "expired-since", "expires_at": past})
    second = {d["_id"] for d in await records.find({}).to_list()}

    assert first == {"live"}, "the first read purges what had expired"
    assert second == {"live", "expired-since"}, "the next purge waits for the monitor"


class GetMores(monitoring.CommandListener):
    """Counts the getMore commands a client sends."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.count += event.command_name == "getMore"

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_a_large_read_takes_a_few_round_trips_not_one_per_hundred_documents(
    stack: LocalStack, database_name: str
) -> None:
    """The local server as MongoDB, nearly: a getMore without a batch size returns a
    thousand documents, not 101 (``tools/nx_database.py``), so 2,600 documents come back
    in a first batch of 101 and three getMores, not 25."""
    getmores = GetMores()
    client = AsyncMongoClient(stack.mongo_url, event_listeners=[getmores])
    try:
        things = client[database_name]["many_things"]
        await things.insert_many([{"_id": n} for n in range(2600)])
        read = await things.find({}).to_list()
    finally:
        await client.close()
    assert len(read) == 2600
    assert getmores.count == 3
