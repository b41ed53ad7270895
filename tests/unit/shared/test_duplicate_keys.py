"""Specification: when a failed bulk insert counts as "already there" (idempotent)."""

from pymongo.errors import BulkWriteError

from shared.mongo import duplicate_keys_only


def failed(*codes: int, concern: bool = False) -> BulkWriteError:
    return BulkWriteError(
        {
            "writeErrors": [{"index": i, "code": c, "errmsg": "x"} for i, c in enumerate(codes)],
            "writeConcernErrors": [{"code": 64, "errmsg": "timeout"}] if concern else [],
        }
    )


def test_only_duplicate_keys_mean_someone_else_inserted_first() -> None:
    assert duplicate_keys_only(failed(11000, 11000))


def test_any_other_error_is_a_real_failure() -> None:
    assert not duplicate_keys_only(failed(11000, 121))


def test_a_write_concern_error_is_a_real_failure_even_beside_duplicates() -> None:
    assert not duplicate_keys_only(failed(11000, concern=True))


def test_a_failure_with_no_write_error_is_not_taken_for_duplicates() -> None:
    assert not duplicate_keys_only(failed(concern=True))
