"""A draft's proposals against the real local database: stored a page of many proposals
to a document, listed one proposal at a time across pages, and erased inside a page."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.matcher import erasure
from services.matcher.settings import MatcherSettings
from services.matcher.store import MatcherStore
from services.matcher.store_proposals import PAGE_SIZE, PROPOSALS, proposals_on
from shared.mongo import create_client
from shared.privacy import pseudonym
from tests.support.fakes import fake_unit_of_work
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

ROUND = "round-1"


def proposal(index: int) -> dict[str, object]:
    members = [
        {"person_id": f"m{index}", "role": "mentor"},
        {"person_id": f"e{index}", "role": "mentee"},
    ]
    return {
        "_id": f"{ROUND}:{index:06d}",
        "round_id": ROUND,
        "index": index,
        "members": members,
        "member_ids": [m["person_id"] for m in members],
        "explanation": {"score": 0.5},
        "locked": False,
    }


@pytest.fixture
async def store(stack: LocalStack, database_name: str) -> AsyncIterator[MatcherStore]:
    client = create_client(stack.mongo_url)
    yield MatcherStore(client[database_name])
    await client.close()


async def test_a_draft_is_stored_by_pages_and_read_back_whole_and_in_order(
    store: MatcherStore,
) -> None:
    count = 2 * PAGE_SIZE + 7
    await store.replace_proposals(ROUND, [proposal(i) for i in range(count)])

    assert await store.db[PROPOSALS].count_documents({"round_id": ROUND}) == 3
    assert [p["index"] for p in await store.proposals_of_round(ROUND)] == list(range(count))
    across = await store.proposals_from(ROUND, offset=PAGE_SIZE - 3, limit=10)
    assert [p["index"] for p in across] == list(range(PAGE_SIZE - 3, PAGE_SIZE + 7))
    tail = await store.proposals_from(ROUND, offset=count - 2, limit=50)
    assert [p["index"] for p in tail] == [count - 2, count - 1]
    assert await store.proposals_from(ROUND, offset=count, limit=50) == []


async def test_solving_again_replaces_every_page(store: MatcherStore) -> None:
    await store.replace_proposals(ROUND, [proposal(i) for i in range(PAGE_SIZE + 1)])
    await store.replace_proposals(ROUND, [proposal(i) for i in range(3)])

    assert await store.db[PROPOSALS].count_documents({"round_id": ROUND}) == 1
    assert len(await store.proposals_of_round(ROUND)) == 3


async def test_an_erased_person_leaves_only_a_pseudonym_in_the_page_they_were_on(
    store: MatcherStore,
) -> None:
    await store.replace_proposals(ROUND, [proposal(i) for i in range(PAGE_SIZE + 2)])
    async with fake_unit_of_work(MatcherStore, MatcherSettings(), database=store.db) as uow:
        await erasure.erase_person(uow, "e3")

    first, second = await store.db[PROPOSALS].find({}).sort("page", 1).to_list()
    assert '"e3"' not in first["proposals_json"] and "e3" not in first["member_ids"]
    assert pseudonym("e3") in first["member_ids"]
    erased = proposals_on(first)[3]
    assert erased["member_ids"] == ["m3", pseudonym("e3")]
    assert proposals_on(first)[4] == proposal(4), "the page's other proposals are unchanged"
    assert second["member_ids"] == sorted(
        p for i in range(PAGE_SIZE, PAGE_SIZE + 2) for p in (f"m{i}", f"e{i}")
    )
