"""The local server's rewrite of equality and ``$in`` on an indexed field, on SQLite itself:
the same documents as a plain scan, found through the field's index and its companion."""

from __future__ import annotations

import sqlite3

import pytest

from tools.nx_indexed_fields import by_index, companion_index, indexed_fields, joined, single_field

DOCS = {
    "text": '{"stream": "s1", "state": "pending"}',
    "other": '{"stream": "s2", "state": "pending"}',
    "done": '{"stream": "s1", "state": "done"}',
    "array": '{"stream": ["s0", "s1"], "state": "pending"}',
    "true": '{"stream": true, "state": "pending"}',
    "one": '{"stream": 1, "state": "pending"}',
    "none": '{"state": "pending"}',
}


@pytest.fixture
def queue() -> sqlite3.Connection:
    """A table shaped as neosqlite's, with its index on ``stream`` (and none on ``state``)."""
    db = sqlite3.connect(":memory:")
    db.execute('CREATE TABLE "queue" (id INTEGER PRIMARY KEY, _id TEXT, data TEXT)')
    db.execute('CREATE INDEX "idx_queue_stream" ON "queue"(json_extract(data, \'$.stream\'))')
    db.execute('CREATE INDEX "idx_queue_due_ms" ON "queue"(json_extract(data, \'$.due_ms\'))')
    db.execute(companion_index("queue", "stream"))
    db.executemany('INSERT INTO "queue" (_id, data) VALUES (?, ?)', DOCS.items())
    return db


def _select(db: sqlite3.Connection, where: str, params: list[object]) -> list[str]:
    return sorted(row[0] for row in db.execute(f'SELECT _id FROM "queue" {where}', params))


def test_only_a_field_with_its_index_and_companion_is_rewritten(queue) -> None:  # type: ignore[no-untyped-def]
    assert indexed_fields(queue, "queue") == {"stream"}  # due_ms has no companion


def test_an_in_on_the_indexed_field_finds_equal_scalars_and_arrays_holding_one(queue) -> None:  # type: ignore[no-untyped-def]
    conditions, params, rest = by_index(
        "queue", {"stream": {"$in": ["s1", 1]}, "state": "pending"}, frozenset({"stream"})
    )
    assert rest == {"state": "pending"}
    where = joined(conditions, "WHERE json_extract(data, '$.state') = ?")
    assert _select(queue, where, [*params, "pending"]) == ["array", "one", "text"]


def test_an_equality_is_an_in_of_one_value_and_never_matches_true_for_one(queue) -> None:  # type: ignore[no-untyped-def]
    conditions, params, _ = by_index("queue", {"stream": 1}, frozenset({"stream"}))
    assert _select(queue, joined(conditions, ""), params) == ["one"]


def test_the_rewritten_term_is_searched_by_the_two_indexes_not_scanned(queue) -> None:  # type: ignore[no-untyped-def]
    conditions, params, _ = by_index("queue", {"stream": "s1"}, frozenset({"stream"}))
    plan = " | ".join(
        row[3]
        for row in queue.execute(
            f'EXPLAIN QUERY PLAN SELECT _id FROM "queue" {joined(conditions, "")}', params
        )
    )
    assert "SEARCH queue USING INDEX idx_queue_stream" in plan
    assert "USING INDEX nx_arrays_queue_stream" in plan
    assert "SCAN queue |" not in f"{plan} |"  # no plain scan of the table


@pytest.mark.parametrize(
    "condition",
    [{"$gt": "s1"}, {"$in": []}, {"$in": ["s1", None]}, True, None, {"a": 1}, ["s0", "s1"]],
)
def test_other_conditions_stay_for_neosqlite(condition: object) -> None:
    conditions, _, rest = by_index("queue", {"stream": condition}, frozenset({"stream"}))
    assert (conditions, rest) == ([], {"stream": condition})


def test_a_field_without_the_indexes_stays_for_neosqlite() -> None:
    assert by_index("queue", {"state": "pending"}, frozenset({"stream"}))[2] == {"state": "pending"}


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("stream", "stream"),
        (["stream"], "stream"),
        ([("stream", -1)], "stream"),
        ([("body", "text")], None),
        ([("a", 1), ("b", 1)], None),
        ("a.b", None),
        ("_id", None),
    ],
)
def test_a_companion_goes_with_single_plain_field_indexes_only(
    key: object, field: str | None
) -> None:
    assert single_field(key) == field
