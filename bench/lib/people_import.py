"""People imported through the matcher API (``POST /people/import``), timed until its
projection holds them all, and the floor that figure is measured against.

The projection is not counted while the clock runs (the old wait counted it: a scan of
every person on the local database, about 20 s at 100k, holding back the worker's
writes). The HR topic keeps each partition in order and the worker applies a
partition's events in order, so once the last person published to each partition is in
the projection, everyone before them is too; one count after the clock has stopped
checks it.

The floor: the same documents written straight into a scratch database on the same
server by the projection's own store call, one bulk write per consumer batch (no API,
broker, consumer or de-duplication), measured in the same run (``bench/service_scale.py``:
before the platform has any work, ``enroll_floor.quiet_floors``). Prints:
  BENCH import people=<n> import_s=<s> publish_s=<s, the import requests answered>
      floor_s=<s> ratio=<import_s / floor_s> load1=<the 1-minute load average at the end>
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka.partitioner.default import murmur2

from bench.lib.scratch import scratch_database
from services.matcher.people import MAX_ROWS_PER_REQUEST
from services.matcher.projections import person_upserted
from services.matcher.settings import MatcherSettings
from services.matcher.store import INDEXES, PEOPLE, MatcherStore
from shared.contracts.hr import PersonUpserted
from shared.contracts.registry import HR_PEOPLE
from tools.platform_client import PlatformClient

#: Requests as large as the API takes.
IMPORT_CHUNK = MAX_ROWS_PER_REQUEST
#: The worker's batch (``MATCHER_CONSUMER_BATCH_SIZE``, default), which the floor writes by.
CONSUMER_BATCH = MatcherSettings.model_fields["consumer_batch_size"].default


@dataclass(frozen=True)
class ImportTimes:
    """Seconds from the first import request until every request was answered (the
    events published), and until the projection held everyone."""

    publish_s: float
    import_s: float

    def report_against(self, floor_s: float | None, people: int) -> None:
        """The ``BENCH import`` line against its floor (none without a database)."""
        if floor_s is None:
            return
        print(
            f"BENCH import people={people} import_s={self.import_s:.1f} "
            f"publish_s={self.publish_s:.1f} floor_s={floor_s:.1f} "
            f"ratio={self.import_s / floor_s:.2f} load1={os.getloadavg()[0]:.1f}",
            flush=True,
        )


def last_of_each_partition(person_ids: list[str], partitions: int) -> list[str]:
    """The last person published to each partition (the producer's default partitioner:
    murmur2 of the key, the person id)."""
    last: dict[int, str] = {}
    for person_id in person_ids:
        last[(murmur2(person_id.encode()) & 0x7FFFFFFF) % partitions] = person_id
    return list(last.values())


class PeopleImport:
    """The matcher's people API as the program admin ``admin`` calls it."""

    def __init__(self, client: PlatformClient, matcher: str, admin: str) -> None:
        self.client, self.url, self.admin = client, f"{matcher}/people", admin

    async def run(self, people: list[dict[str, Any]]) -> ImportTimes:
        started = time.perf_counter()
        for start in range(0, len(people), IMPORT_CHUNK):
            chunk = people[start : start + IMPORT_CHUNK]
            report = await self._call("POST", f"{self.url}/import", 202, json=chunk)
            assert report["accepted"] == len(chunk), report
        published = time.perf_counter() - started
        waiting = last_of_each_partition([p["person_id"] for p in people], HR_PEOPLE.partitions)
        while waiting:
            waiting = [p for p in waiting if not await self._known(p)]
            await asyncio.sleep(0.1 if waiting else 0)
        applied = time.perf_counter() - started
        while (held := await self.total()) < len(people):  # not expected: then it counts
            await asyncio.sleep(1.0)
            applied = time.perf_counter() - started
        assert held == len(people), f"the projection holds {held} of {len(people)}"
        return ImportTimes(published, applied)

    async def total(self) -> int:
        page = await self._call("GET", self.url, 200, params={"limit": 1})
        return int(page["total"])

    async def _known(self, person_id: str) -> bool:
        url = f"{self.url}/{person_id}"
        response = await self.client.send("GET", url, self.admin, "program_admin")
        assert response.status_code in (200, 404), f"GET {url}: {response.status_code}"
        return response.status_code == 200

    async def _call(self, method: str, url: str, expect: int, **kw: Any) -> Any:
        return await self.client.call(method, url, self.admin, "program_admin", expect=expect, **kw)


async def projection_floor_s(mongo_url: str, people: list[dict[str, Any]]) -> float:
    """Seconds to write ``people`` as the projection stores them (``write_people``, its
    indexes in place) into a scratch database, ``CONSUMER_BATCH`` at a time."""
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    changes = [person_upserted(PersonUpserted.model_validate(row), at=at) for row in people]
    indexes = [spec for spec in INDEXES if spec.collection == PEOPLE]
    async with scratch_database(mongo_url, "import_floor", indexes) as db:
        store = MatcherStore(db)
        started = time.perf_counter()
        for start in range(0, len(changes), CONSUMER_BATCH):
            await store.write_people(changes[start : start + CONSUMER_BATCH])
        return time.perf_counter() - started
