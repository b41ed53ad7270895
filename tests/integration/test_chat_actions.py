"""Actions in chat through the running services: a match proposed to two people is
accepted by one from a signed Slack block action and by the other from a Teams
``Action.Execute``, and becomes active in the matcher; a meeting is confirmed and a
small win logged from chat in sessions. Unsigned, wrongly signed, stale and replayed
requests are refused with 401 and change nothing.

Real processes over the real local broker and database: the matcher, sessions and
notifications APIs and workers, each service on its own database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pymongo import AsyncMongoClient

from services.notifications.domain.chat_actions import UNKNOWN_PERSON
from shared.contracts.identifiers import relationship_id_for
from tests.integration.matcher.test_lifecycle_loops import person, propose, wait_for_state
from tests.support.auth import bearer, issuer_directory
from tests.support.processes import running
from tests.support.waiting import eventually
from tools.dev_issuer import ensure_keys, issue_token
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

SIGNING_SECRET = "slack-signing-secret-of-the-test-app"
BOT_APP_ID = "test-bot-app-id"
BOT_ISSUER = "https://api.botframework.com"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"


@dataclass
class Platform:
    matcher: httpx.AsyncClient
    sessions: str
    chat: httpx.AsyncClient
    notifier_db: Any


@contextmanager
def services(stack: LocalStack, database: str, log_dir: Path) -> Iterator[dict[str, str]]:
    """Each service's API and worker; yields each API's base URL."""
    jwks = f"file://{issuer_directory() / 'jwks.json'}"
    chat_settings = {
        "slack_signing_secret": SIGNING_SECRET,
        "teams_app_id": BOT_APP_ID,
        "teams_keys_url": jwks,  # the test key pair stands in for the Bot Framework's
    }
    urls: dict[str, str] = {}
    with ExitStack() as stack_of:
        for service in ("matcher", "sessions", "notifications"):
            extra = chat_settings if service == "notifications" else {}
            db = f"{database}_{service}"
            api = stack_of.enter_context(
                running(stack, service, "api", database=db, log_dir=log_dir, **extra)
            )
            stack_of.enter_context(
                running(
                    stack,
                    service,
                    "worker",
                    database=db,
                    log_dir=log_dir,
                    kafka_consumer_group=f"{service}-{database}",
                    **extra,
                )
            )
            urls[service] = f"http://127.0.0.1:{api['port']}"
        yield urls


def slack_request(
    payload: dict[str, Any], *, at: float | None = None, secret: str = SIGNING_SECRET
) -> tuple[bytes, dict[str, str]]:
    """Body and headers of a Slack interactivity request, signed as Slack signs it."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    timestamp = str(int(at if at is not None else time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }
    return body, headers


def block_action(user_id: str, action: str, target: str, trigger: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user_id},
        "trigger_id": trigger,
        "actions": [{"type": "button", "action_id": action, "value": target}],
    }


def invoke(aad_id: str, verb: str, target: str, activity_id: str) -> dict[str, Any]:
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": activity_id,
        "channelId": "msteams",
        "serviceUrl": SERVICE_URL,
        "from": {"id": f"29:{aad_id}", "aadObjectId": aad_id},
        "value": {
            "action": {"type": "Action.Execute", "verb": verb, "data": {"target_id": target}}
        },
    }


def bot_token(directory: Path | None = None) -> dict[str, str]:
    token = issue_token(
        "bot", [], directory=directory or issuer_directory(), issuer=BOT_ISSUER, audience=BOT_APP_ID
    )
    return {"Authorization": f"Bearer {token}"}


async def propose_match(matcher: httpx.AsyncClient, ids: list[str]) -> dict[str, object]:
    """The two people imported (Slack for the first, Teams for the second) and matched."""
    return await propose(
        matcher,
        [
            {**person(ids[0], "ops"), "slack_user_id": f"U-{ids[0]}"},
            {**person(ids[1], "sales"), "teams_user_id": f"aad-{ids[1]}"},
        ],
    )


@pytest.fixture
async def platform(stack: LocalStack, database_name: str, log_dir: Path) -> AsyncIterator[Platform]:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    try:
        with services(stack, database_name, log_dir) as urls:
            async with (
                httpx.AsyncClient(
                    base_url=urls["matcher"],
                    timeout=60,
                    headers=bearer("chat-admin", "program_admin"),
                ) as matcher,
                httpx.AsyncClient(base_url=urls["notifications"], timeout=60) as chat,
            ):
                notifier_db = mongo[f"{database_name}_notifications"]
                yield Platform(matcher, urls["sessions"], chat, notifier_db)
    finally:
        await mongo.close()


async def linked(platform: Platform, ids: list[str]) -> None:
    """Until the notifier's contacts know both people's chat accounts (from HR)."""

    async def known() -> bool:
        found = await platform.notifier_db.contacts.count_documents({"_id": {"$in": ids}})
        return found == len(ids)

    await eventually(known, what="the notifier's contacts of both people")


async def refused_slack_requests(chat: httpx.AsyncClient, accept: dict[str, Any]) -> None:
    body, headers = slack_request(accept)
    unsigned = {"Content-Type": headers["Content-Type"]}
    _, wrong = slack_request(accept, secret="not-the-apps-secret")
    stale_body, stale = slack_request(accept, at=time.time() - 600)
    for what, (content, sent) in {
        "unsigned": (body, unsigned),
        "wrongly signed": (body, wrong),
        "stale": (stale_body, stale),
    }.items():
        answer = await chat.post("/chat/slack/actions", content=content, headers=sent)
        assert answer.status_code == 401, f"{what}: {answer.text}"


async def test_chat_actions_accept_a_match_confirm_a_meeting_and_log_a_small_win(
    platform: Platform, database_name: str
) -> None:
    ids = [f"{database_name}-slack", f"{database_name}-teams"]
    match = await propose_match(platform.matcher, ids)
    match_id = str(match["id"])
    await linked(platform, ids)

    await accepted_from_slack(platform.chat, ids[0], match_id)
    await accepted_from_teams(platform.chat, ids[1], match_id, database_name)
    # Both accepted, each as themselves, through the matcher's own rules.
    active = await wait_for_state(platform.matcher, match_id, "active")
    assert active["state"] == "active"
    assert await platform.notifier_db.chat_actions.count_documents({}) == 2

    await meeting_confirmed_and_small_win_logged(platform, ids, match_id)
    await strangers_are_told_and_unknown_actions_refused(platform)
    assert await platform.notifier_db.chat_actions.count_documents({}) == 4


async def accepted_from_slack(chat: httpx.AsyncClient, person_id: str, match_id: str) -> None:
    """Refused unless signed by the app, fresh and new; then the signed one counts."""
    accept = block_action(f"U-{person_id}", "match.accept", match_id, trigger="trigger-1")
    await refused_slack_requests(chat, accept)
    body, headers = slack_request(accept)
    answered = await chat.post("/chat/slack/actions", content=body, headers=headers)
    assert answered.status_code == 200, answered.text
    assert answered.json()["response_type"] == "ephemeral"
    replayed = await chat.post("/chat/slack/actions", content=body, headers=headers)
    assert replayed.status_code == 401 and "replayed" in replayed.text
    # The same click (trigger id) signed anew is the same action: refused as well.
    again_body, again = slack_request(accept, at=time.time() + 1)
    resent = await chat.post("/chat/slack/actions", content=again_body, headers=again)
    assert resent.status_code == 401 and "replayed" in resent.text


async def accepted_from_teams(
    chat: httpx.AsyncClient, person_id: str, match_id: str, database_name: str
) -> None:
    """The bot token only (a platform token is not one); a replay is refused."""
    activity = invoke(f"aad-{person_id}", "match.accept", match_id, activity_id="activity-1")
    other_keys = issuer_directory().parent / f"{database_name}-other-keys"
    ensure_keys(other_keys)
    for token in ({}, bearer(person_id), bot_token(other_keys)):
        refused = await chat.post("/chat/teams/actions", json=activity, headers=token)
        assert refused.status_code == 401, refused.text
    executed = await chat.post("/chat/teams/actions", json=activity, headers=bot_token())
    assert executed.status_code == 200, executed.text
    assert executed.json()["type"] == "application/vnd.microsoft.activity.message"
    replay = await chat.post("/chat/teams/actions", json=activity, headers=bot_token())
    assert replay.status_code == 401 and "replayed" in replay.text


async def meeting_confirmed_and_small_win_logged(
    platform: Platform, ids: list[str], match_id: str
) -> None:
    slack_person = bearer(ids[0])
    relationship_id = relationship_id_for(match_id)
    async with httpx.AsyncClient(base_url=platform.sessions, timeout=60) as sessions:

        async def started() -> bool:
            found = await sessions.get(f"/relationships/{relationship_id}", headers=slack_person)
            return found.status_code == 200

        await eventually(started, what="the relationship in sessions")
        starts = datetime.now(UTC) + timedelta(days=2)
        scheduled = await sessions.post(
            f"/relationships/{relationship_id}/meetings",
            json={"starts_at": starts.isoformat(), "duration_minutes": 30},
            headers=slack_person,
        )
        assert scheduled.status_code == 201, scheduled.text
        meeting_id = scheduled.json()["id"]

        for action, trigger in (("meeting.confirm", "trigger-2"), ("journal.win", "trigger-3")):
            click = block_action(f"U-{ids[0]}", action, meeting_id, trigger=trigger)
            body, headers = slack_request(click)
            answer = await platform.chat.post("/chat/slack/actions", content=body, headers=headers)
            assert answer.status_code == 200, answer.text

        async def confirmed() -> bool:
            meeting = await sessions.get(f"/meetings/{meeting_id}", headers=slack_person)
            return bool(meeting.json()["confirmed_ids"] == [ids[0]])

        await eventually(confirmed, what="the meeting confirmed from Slack")

        async def small_win() -> list[dict[str, Any]]:
            journal = await sessions.get("/journal", headers=slack_person)
            return list(journal.json()["items"])

        [entry] = await eventually(small_win, what="the small win from Slack")
        assert entry["kind"] == "small_win" and entry["relationship_id"] == relationship_id


async def strangers_are_told_and_unknown_actions_refused(platform: Platform) -> None:
    stranger = block_action("U-nobody", "match.accept", "match-x", trigger="trigger-9")
    body, headers = slack_request(stranger)
    answer = await platform.chat.post("/chat/slack/actions", content=body, headers=headers)
    assert answer.status_code == 200 and answer.json()["text"] == UNKNOWN_PERSON

    unknown = block_action("U-nobody", "match.delete", "match-x", trigger="trigger-10")
    body, headers = slack_request(unknown)
    refused = await platform.chat.post("/chat/slack/actions", content=body, headers=headers)
    assert refused.status_code == 400, refused.text
