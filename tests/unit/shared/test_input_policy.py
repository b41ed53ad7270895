"""The strict input policy: hostile values are refused as validation errors (422s)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import ValidationError

from shared.inputs import (
    Identifier,
    Name,
    SaneDate,
    StrictBody,
    Text,
    TimeOfDay,
    TimeZoneName,
    as_time,
    bounded,
    number,
    whole_number,
)


class Example(StrictBody):
    person_id: Identifier
    title: Name
    note: Text = ""
    weight: float = 1.0
    zone: TimeZoneName = "UTC"
    starts: TimeOfDay = "09:00"
    on: SaneDate = date(2027, 1, 4)
    members: bounded(Identifier, 3) = []  # type: ignore[valid-type]
    anything: str = ""


def valid(**changes: object) -> dict[str, object]:
    return {"person_id": "p-1", "title": "Reverse mentoring", **changes}


def refused(body: dict[str, object] | str) -> str:
    with pytest.raises(ValidationError) as caught:
        if isinstance(body, str):
            Example.model_validate_json(body)
        else:
            Example.model_validate(body)
    return str(caught.value)


def test_a_plain_body_passes() -> None:
    body = Example.model_validate(valid(zone="Asia/Tokyo", starts="23:59", members=["a", "b"]))
    assert (body.zone, as_time(body.starts).hour) == ("Asia/Tokyo", 23)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(number: str) -> None:
    assert "weight" in refused(json.dumps(valid())[:-1] + f', "weight": {number}}}')


def test_unknown_fields_are_refused() -> None:
    assert "extra" in refused(valid(is_admin=True)).lower()


@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus", "x" * 5000, "../../../etc/passwd", "", "Europe/Berlin\x00", "localtime"],
)
def test_a_zone_must_be_an_iana_name(zone: str) -> None:
    assert "zone" in refused(valid(zone=zone))


@pytest.mark.parametrize("value", [930, "9:30", "24:00", "09:60", "09:30:00", "noon"])
def test_a_time_of_day_is_hh_mm_text(value: object) -> None:
    assert "starts" in refused(valid(starts=value))


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_dates_lie_in_a_sane_window(day: str) -> None:
    assert "on" in refused(valid(on=day))


def test_strings_and_lists_have_a_maximum() -> None:
    assert "person_id" in refused(valid(person_id="p" * 129))
    assert "person_id" in refused(valid(person_id="p 1"))
    assert "title" in refused(valid(title="t" * 201))
    assert "title" in refused(valid(title="two\nlines"))
    assert "note" in refused(valid(note="n" * 10_001))
    assert "anything" in refused(valid(anything="a" * 10_001))  # the body-wide cap
    assert "members" in refused(valid(members=["a", "b", "c", "d"]))
    assert "members" in refused(valid(members=["x" * 500]))


class Counted(StrictBody):
    share: number(gt=0, le=1) | None = None  # type: ignore[valid-type]
    count: whole_number(ge=1, le=20) = 1  # type: ignore[valid-type]


@pytest.mark.parametrize("body", ['{"count": true}', '{"count": "3"}', '{"share": "0.5"}'])
def test_a_number_field_wants_a_json_number_not_a_boolean_or_text(body: str) -> None:
    with pytest.raises(ValidationError, match="must be a JSON number"):
        Counted.model_validate_json(body)


def test_a_whole_number_may_be_written_with_a_zero_fraction_as_json_schema_allows() -> None:
    assert Counted.model_validate_json('{"count": 3.0, "share": 1}').count == 3


def test_number_bounds_are_published_as_minimum_and_maximum_even_when_optional() -> None:
    properties = Counted.model_json_schema()["properties"]
    assert properties["count"]["maximum"] == 20
    assert {"exclusiveMinimum": 0, "maximum": 1, "type": "number"} in properties["share"]["anyOf"]


@pytest.mark.parametrize("note", ["a\x00b", "\x1b[31mred", "bell\x07", "del\x7f"])
def test_free_text_holds_no_control_characters(note: str) -> None:
    assert "note" in refused(valid(note=note))


def test_free_text_keeps_tabs_line_breaks_and_any_script() -> None:
    assert Example.model_validate(valid(note="Agenda:\r\n\t1. Ziele — 目標")).note.startswith("A")


@pytest.mark.parametrize("title", ["two\nlines", "tab\there", "nul\x00"])
def test_a_name_is_one_line_without_control_characters(title: str) -> None:
    assert "title" in refused(valid(title=title))
