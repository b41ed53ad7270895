"""The firewall test's scanner can fail: a canary planted anywhere it looks is found."""

from __future__ import annotations

import json
from email.message import EmailMessage

from tests.support.canaries import Sighting, canary, email_text, sightings


def test_a_planted_canary_is_found_in_bytes_json_csv_and_upper_case() -> None:
    planted = canary("note")
    sources = {
        "topic record": json.dumps({"data": {"nested": [planted]}}).encode(),
        "api answer": {"items": [{"text": f"before {planted} after"}]},
        "csv": f"period,value\n2026-W09,{planted}\n",
        "log line": f"INFO something {planted.upper()}",
        "clean": {"items": []},
    }
    found = sightings(sources, [planted, canary("unused")])
    assert found == [
        Sighting("topic record", planted),
        Sighting("api answer", planted),
        Sighting("csv", planted),
        Sighting("log line", planted),
    ]


def test_a_canary_in_an_encoded_email_body_is_found() -> None:
    planted = canary("feedback")
    message = EmailMessage()
    message["Subject"] = "hello"
    message.set_content(f"Your feedback: {planted}", cte="base64")
    assert planted not in message.as_string()  # hidden from a search of the raw message
    assert sightings({"mail": email_text(message)}, [planted]) == [Sighting("mail", planted)]


def test_canaries_are_unique_and_nothing_is_found_where_none_was_planted() -> None:
    assert canary("note") != canary("note")
    assert sightings({"empty": "", "numbers": {"value": 5}}, [canary("note")]) == []
