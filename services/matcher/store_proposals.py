"""The matcher store's round proposals (a base of ``MatcherStore``): a draft is stored in
pages of ``PAGE_SIZE`` proposals, one document each, the proposals as their JSON text.
They are written once, read whole (a publish, a page of the list) and never queried
inside; the page's ``member_ids`` is what erasure looks up. A 100k round's 50k proposals
were 50k documents: on the local database 33 s to write and 24 s to read back, as nested
documents in pages 17 s and 14 s, as text in pages 3.5 s and 1.4 s (50k proposals, one
run, load 6)."""

from __future__ import annotations

import json

from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import Document, IndexSpec

PROPOSALS = "round_proposal_pages"
#: Proposals a stored page holds (a few hundred kB of text with their explanations).
PAGE_SIZE = 500
#: Pages one insert carries (a few MB).
PAGES_PER_WRITE = 10
TEXT = "proposals_json"

PROPOSAL_INDEXES = [
    IndexSpec(PROPOSALS, [("round_id", 1), ("page", 1)]),
    IndexSpec(PROPOSALS, [("member_ids", 1)]),  # erasure finds a person's pages
]


def proposal_page(round_id: str, number: int, proposals: list[Document]) -> Document:
    """The stored page ``number`` of a draft: ``proposals`` (in solver order) as text."""
    return {
        "_id": f"{round_id}:p{number:05d}",
        "round_id": round_id,
        "page": number,
        "member_ids": sorted({p for proposal in proposals for p in proposal["member_ids"]}),
        TEXT: json.dumps(proposals, separators=(",", ":")),
    }


def proposals_on(page: Document) -> list[Document]:
    proposals: list[Document] = json.loads(page[TEXT])
    return proposals


class ProposalQueries:
    db: AsyncDatabase[Document]

    async def replace_proposals(self, round_id: str, proposals: list[Document]) -> None:
        """A re-solved draft's proposals replace the previous ones."""
        await self.db[PROPOSALS].delete_many({"round_id": round_id})
        pages = [
            proposal_page(round_id, number, proposals[start : start + PAGE_SIZE])
            for number, start in enumerate(range(0, len(proposals), PAGE_SIZE))
        ]
        for start in range(0, len(pages), PAGES_PER_WRITE):
            await self.db[PROPOSALS].insert_many(pages[start : start + PAGES_PER_WRITE])

    async def proposals_of_round(self, round_id: str) -> list[Document]:
        """Every proposal of the draft, in solver order."""
        return await self._pages(round_id, {"round_id": round_id})

    async def proposals_from(self, round_id: str, *, offset: int, limit: int) -> list[Document]:
        """``limit`` proposals from the ``offset``-th on (only the pages they are on)."""
        first, last = offset // PAGE_SIZE, (offset + limit - 1) // PAGE_SIZE
        query = {"round_id": round_id, "page": {"$gte": first, "$lte": last}}
        skip = offset - first * PAGE_SIZE
        return (await self._pages(round_id, query))[skip : skip + limit]

    async def _pages(self, round_id: str, query: Document) -> list[Document]:
        pages = self.db[PROPOSALS].find(query, {TEXT: 1}).sort("page", 1)
        return [proposal async for page in pages for proposal in proposals_on(page)]
