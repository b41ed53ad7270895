"""The preferences body obeys the strict input policy: each hostile value is a validation
error naming its field (the API's 422), never a value the service has to survive."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.notifications.domain.model import Channel, NotificationType
from services.notifications.schemas import PreferencesUpdate

EXAMPLE = PreferencesUpdate.model_json_schema()["examples"][0]


def refused_field(**changes: object) -> str:
    """The field the first validation error names."""
    with pytest.raises(ValidationError) as caught:
        PreferencesUpdate.model_validate({**EXAMPLE, **changes})
    return str(caught.value.errors()[0]["loc"][0])


def test_the_published_example_is_a_valid_body() -> None:
    body = PreferencesUpdate.model_validate(EXAMPLE)
    assert body.time_zone == "Europe/Berlin" and body.daily_digest_at == "08:00"


@pytest.mark.parametrize(
    "zone", ["Mars/Base", "../../../../etc/passwd", "Europe/" + "x" * 300, "", "Berlin"]
)
def test_a_time_zone_must_be_a_name_of_the_iana_database(zone: str) -> None:
    assert refused_field(time_zone=zone) == "time_zone"


@pytest.mark.parametrize("value", [32400, 9.5, "9:30", "25:00", "08:00:00", "08:00+02:00"])
def test_a_time_of_day_is_hh_mm_text_only(value: object) -> None:
    assert refused_field(daily_digest_at=value) == "daily_digest_at"
    assert refused_field(quiet_hours={"start": value, "end": "07:00"}) == "quiet_hours"


def test_lists_are_bounded_by_what_exists() -> None:
    every_channel_twice = [str(c) for c in Channel] * 2
    assert refused_field(default_channels=every_channel_twice) == "default_channels"
    every_type_twice = [str(t) for t in NotificationType] * 2
    assert refused_field(opted_out=every_type_twice) == "opted_out"
    too_many = {"meeting_reminder": every_channel_twice}
    assert refused_field(channels=too_many) == "channels"


def test_unknown_fields_and_non_finite_numbers_are_refused() -> None:
    assert refused_field(webhook_secret="s3cret") == "webhook_secret"
    with pytest.raises(ValidationError):
        PreferencesUpdate.model_validate_json('{"time_zone": NaN}')
