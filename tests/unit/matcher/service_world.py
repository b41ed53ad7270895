"""A small matcher world for service-layer tests: the real store over an in-memory
database, people in it, and units of work for whoever acts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.matcher import programs
from services.matcher.schemas import ProgramCreate
from services.matcher.settings import MatcherSettings
from services.matcher.store import MatcherStore
from services.matcher.unit_of_work import Work
from shared.auth import Principal, Role
from shared.contracts.matching import ProgramKind
from tests.support.fakes import fake_unit_of_work, memory_database, principal

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN = principal("adm-a", Role.PROGRAM_ADMIN)
OTHER_ADMIN = principal("adm-b", Role.PROGRAM_ADMIN)


def person(pid: str, department: str, **fields: Any) -> dict[str, Any]:
    return {
        "_id": pid,
        "display_name": pid,
        "email": f"{pid}@example.com",
        "level": 4,
        "department": department,
        "time_zone": "UTC",
        "languages": ["en"],
        "skills": [],
        "interests": ["x"],
        **fields,
    }


class World:
    """One in-memory database shared by every unit of work a test makes."""

    def __init__(self) -> None:
        self.database = memory_database()
        self.store = MatcherStore(self.database)

    def work(
        self,
        caller: Principal | None = ADMIN,
        *,
        now: datetime = NOW,
        settings: MatcherSettings | None = None,
    ) -> Work:
        return fake_unit_of_work(
            MatcherStore,
            settings or MatcherSettings(),
            now=now,
            caller=caller,
            database=self.database,
        )

    async def people(self, *docs: dict[str, Any]) -> None:
        await self.store.people.insert_many(list(docs))


async def self_match_program(world: World, *peers: str) -> None:
    """``self-1``: a self-match peer-coaching program (48 h to answer) of ``peers``."""
    await world.people(*(person(p, f"d-{p}") for p in peers))
    async with world.work() as uow:
        await programs.open_program(
            uow,
            program_id="self-1",
            request=ProgramCreate(
                name="Self",
                kind=ProgramKind.PEER_COACHING,
                matching_mode="self_match",
                rules={"min_overlap_hours": 0},
                proposal_ttl_hours=48,
            ),
        )
        for pid in peers:
            await uow.store.enrollments.insert(
                {
                    "_id": f"self-1:{pid}",
                    "program_id": "self-1",
                    "person_id": pid,
                    "role": "peer",
                    "status": "active",
                    "created_at": NOW,
                }
            )
