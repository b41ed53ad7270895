"""Service layer, actions in chat, on the fake unit of work: a signed Slack click by a
known person becomes one ``chat.action.requested`` command staged in the outbox; a
replay, an unknown or departed person, records nothing."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from services.notifications import chat_actions
from services.notifications.chat_verification import ChatRequestRefused
from services.notifications.domain.chat_actions import UNKNOWN_PERSON
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore
from services.notifications.unit_of_work import Work
from tests.support.fakes import fake_unit_of_work, memory_database, staged_events

from .test_notifications_chat_verification import NOW, SECRET, slack_headers

SETTINGS = NotificationsSettings(slack_signing_secret=SECRET)


def work(db: Any) -> Work:
    return fake_unit_of_work(NotificationsStore, SETTINGS, now=NOW, database=db)


def click_body(user_id: str, trigger: str = "trig-1") -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user_id},
        "trigger_id": trigger,
        "actions": [{"action_id": "match.decline", "value": "match-7"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


async def with_contact(active: bool = True) -> Any:
    db = memory_database()
    await db.contacts.insert_one({"_id": "p-1", "slack_user_id": "U1", "active": active})
    return db


async def test_a_signed_click_of_a_known_person_stages_one_command_keyed_by_the_person() -> None:
    db = await with_contact()
    body = click_body("U1")

    answer = await chat_actions.slack_request(work(db), body, slack_headers(body))

    assert answer["response_type"] == "ephemeral" and answer["text"] != UNKNOWN_PERSON
    [command] = await staged_events(db.chat_actions)
    assert command.type == "chat.action.requested" and command.subject == "p-1"
    assert command.id == "slack:trig-1"
    assert command.data == {
        "action_id": "slack:trig-1",
        "person_id": "p-1",
        "action": "match.decline",
        "target_id": "match-7",
        "channel": "slack",
    }


async def test_the_same_request_or_the_same_click_again_is_refused() -> None:
    db = await with_contact()
    body = click_body("U1")
    await chat_actions.slack_request(work(db), body, slack_headers(body))

    with pytest.raises(ChatRequestRefused, match="replayed"):
        await chat_actions.slack_request(work(db), body, slack_headers(body))
    later = slack_headers(body, at=NOW.replace(second=30))
    with pytest.raises(ChatRequestRefused, match="replayed"):
        await chat_actions.slack_request(work(db), body, later)
    assert len(await staged_events(db.chat_actions)) == 1


@pytest.mark.parametrize("user_id, active", [("U-unknown", True), ("U1", False)])
async def test_a_person_we_do_not_know_or_who_left_is_told_and_nothing_is_recorded(
    user_id: str, active: bool
) -> None:
    db = await with_contact(active)
    body = click_body(user_id)

    answer = await chat_actions.slack_request(work(db), body, slack_headers(body))

    assert answer["text"] == UNKNOWN_PERSON
    assert await db.chat_actions.count_documents({}) == 0
