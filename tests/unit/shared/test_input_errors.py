"""A 422 can always be encoded, whatever the offending input was."""

from __future__ import annotations

import json

from shared.input_errors import MAX_ECHO, validation_details


def test_non_finite_numbers_are_echoed_as_text() -> None:
    details = validation_details(
        [{"type": "bool_type", "loc": ("body", "accept"), "input": float("inf")}]
    )
    assert details[0]["input"] == "inf"
    json.dumps(details, allow_nan=False)


def test_long_text_is_cut_and_lone_surrogates_replaced() -> None:
    details = validation_details(
        [
            {"type": "string_too_long", "loc": ("body", "name"), "input": "x" * 10_000},
            {"type": "string_type", "loc": ("body", "id"), "input": "\ud800"},
        ]
    )
    assert len(details[0]["input"]) == MAX_ECHO + 3
    json.dumps(details, allow_nan=False).encode("utf-8")


def test_nested_inputs_are_made_safe_and_the_location_kept() -> None:
    details = validation_details(
        [
            {
                "type": "x",
                "loc": ("body", "rules"),
                "input": {"w": [float("nan")]},
                "ctx": {"e": b"\xff"},
            }
        ]
    )
    assert details[0]["loc"] == ["body", "rules"]
    assert details[0]["input"] == {"w": ["nan"]}
    json.dumps(details, allow_nan=False)
