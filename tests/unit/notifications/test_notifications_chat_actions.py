"""Specifications: the action buttons of chat messages, and reading a click back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.notifications.domain.chat_actions import (
    UNKNOWN_PERSON,
    UnknownChatAction,
    buttons_for,
    slack_answer,
    slack_click,
    teams_answer,
    teams_click,
)
from services.notifications.domain.model import NotificationType
from services.notifications.domain.payloads import slack_payload, teams_payload
from services.notifications.domain.render import RenderContext, render_message
from shared.contracts.chat import ChatAction, ChatChannel

T = NotificationType
CTX = RenderContext(recipient_name="Ada", action_url="https://mentoring.example/m/1")


def _slack_elements(type_: NotificationType, subject_id: str) -> list[dict[str, Any]]:
    message = render_message(type_, CTX)
    payload = slack_payload(message, buttons_for(type_, subject_id), delivery_key="dk-1")
    [actions] = [b for b in payload["blocks"] if b["type"] == "actions"]  # type: ignore[attr-defined]
    elements: list[dict[str, Any]] = actions["elements"]
    return elements


def _teams_actions(type_: NotificationType, subject_id: str) -> list[dict[str, Any]]:
    message = render_message(type_, CTX)
    payload: Any = teams_payload(message, buttons_for(type_, subject_id), delivery_key="dk-1")
    actions: list[dict[str, Any]] = payload["attachments"][0]["content"]["actions"]
    return actions


def test_a_match_proposal_in_slack_offers_accept_and_decline_of_that_match() -> None:
    elements = _slack_elements(T.MATCH_PROPOSED, "match-7")

    buttons = [(e["action_id"], e["value"], e["text"]["text"]) for e in elements if "value" in e]
    assert buttons == [
        ("match.accept", "match-7", "Accept"),
        ("match.decline", "match-7", "Decline"),
    ]
    assert elements[-1]["url"] == CTX.action_url  # the link to the app stays


def test_a_match_proposal_in_teams_offers_the_same_actions_as_action_execute() -> None:
    actions = _teams_actions(T.MATCH_PROPOSED, "match-7")

    executes = [a for a in actions if a["type"] == "Action.Execute"]
    assert [(a["verb"], a["data"], a["title"]) for a in executes] == [
        ("match.accept", {"target_id": "match-7"}, "Accept"),
        ("match.decline", {"target_id": "match-7"}, "Decline"),
    ]
    assert actions[-1]["type"] == "Action.OpenUrl"


@pytest.mark.parametrize(
    ("type_", "action", "label"),
    [
        (T.MEETING_SCHEDULED, "meeting.confirm", "Confirm"),
        (T.MEETING_RESCHEDULED, "meeting.confirm", "Confirm"),
        (T.FEEDBACK_REQUEST, "journal.win", "Log a small win"),
    ],
)
def test_meeting_messages_offer_their_one_action_on_the_meeting(
    type_: NotificationType, action: str, label: str
) -> None:
    [slack, _link] = _slack_elements(type_, "meeting-3")
    [teams, _open] = _teams_actions(type_, "meeting-3")

    assert (slack["action_id"], slack["value"], slack["text"]["text"]) == (
        action,
        "meeting-3",
        label,
    )
    assert (teams["verb"], teams["data"]["target_id"]) == (action, "meeting-3")


def test_other_messages_carry_no_action_button() -> None:
    assert buttons_for(T.MEETING_REMINDER, "meeting-3") == ()
    assert buttons_for(T.RELATIONSHIP_AT_RISK, "rel-1") == ()


def test_chat_messages_carry_their_delivery_key_and_keep_the_text() -> None:
    message = render_message(T.MATCH_PROPOSED, CTX)
    buttons = buttons_for(T.MATCH_PROPOSED, "match-7")

    slack: Any = slack_payload(message, buttons, delivery_key="dk-1")
    teams: Any = teams_payload(message, buttons, delivery_key="dk-1")

    assert slack["metadata"] == {
        "event_type": "mentoring_notification",
        "event_payload": {"delivery_key": "dk-1"},
    }
    assert teams["id"] == "dk-1"
    assert (
        slack["text"] == message.subject and slack["blocks"][0]["text"]["text"] == message.subject
    )
    assert teams["attachments"][0]["content"]["body"][1]["text"] == message.text
    json.dumps([slack, teams])


def _slack_payload(**changes: Any) -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": "U123", "username": "ada"},
        "trigger_id": "trig-1",
        "actions": [{"action_id": "match.accept", "value": "match-7", "type": "button"}],
        **changes,
    }
    return json.dumps(payload)


def _activity(**changes: Any) -> dict[str, Any]:
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": "act-1",
        "from": {"id": "29:abc", "aadObjectId": "aad-ada"},
        "value": {
            "action": {
                "type": "Action.Execute",
                "verb": "meeting.confirm",
                "data": {"target_id": "meeting-3"},
            }
        },
        **changes,
    }


def test_a_slack_click_names_the_clicker_the_click_the_action_and_its_target() -> None:
    click = slack_click(_slack_payload())

    assert click.channel is ChatChannel.SLACK
    assert (click.chat_user_id, click.click_id) == ("U123", "trig-1")
    assert (click.action, click.target_id) == (ChatAction.MATCH_ACCEPT, "match-7")


def test_a_teams_click_is_read_from_the_invoke_activity() -> None:
    click = teams_click(_activity())

    assert click.channel is ChatChannel.TEAMS
    assert (click.chat_user_id, click.click_id) == ("aad-ada", "act-1")
    assert (click.action, click.target_id) == (ChatAction.MEETING_CONFIRM, "meeting-3")


@pytest.mark.parametrize(
    "payload",
    [
        _slack_payload(actions=[{"action_id": "match.delete", "value": "match-7"}]),
        _slack_payload(actions=[{"action_id": "match.accept"}]),
        _slack_payload(actions=[]),
        _slack_payload(type="view_submission"),
        _slack_payload(user={}),
        "not json",
    ],
    ids=["unknown action", "no target", "no action", "not a block action", "no user", "not json"],
)
def test_a_slack_click_the_platform_never_offered_is_refused(payload: str) -> None:
    with pytest.raises(UnknownChatAction):
        slack_click(payload)


@pytest.mark.parametrize(
    "activity",
    [
        _activity(value={"action": {"type": "Action.Execute", "verb": "x", "data": {}}}),
        _activity(value={"action": {"type": "Action.Submit", "verb": "meeting.confirm"}}),
        _activity(name="composeExtension/query"),
        _activity(type="message"),
        _activity(**{"from": {"id": "29:abc"}}),
    ],
    ids=["unknown verb", "not execute", "other invoke", "not invoke", "no aad object id"],
)
def test_a_teams_activity_that_is_no_offered_action_is_refused(activity: dict[str, Any]) -> None:
    with pytest.raises(UnknownChatAction):
        teams_click(activity)


def test_an_unknown_person_is_told_so_privately_in_either_tool() -> None:
    assert slack_answer(None) == {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": UNKNOWN_PERSON,
    }
    answer = teams_answer(None)
    assert answer["statusCode"] == 200 and answer["value"] == UNKNOWN_PERSON
    assert slack_answer(ChatAction.MATCH_ACCEPT)["text"] != UNKNOWN_PERSON
