"""Commands from chat tools (Slack, Teams) on ``chat.actions.v1`` (ids and codes only).

The notifier receives a person's click on a chat message, verifies it and publishes it
here; the service that owns the target (the matcher for matches, sessions for meetings
and the journal) applies it with the person as the caller, as its REST route would.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from shared.contracts.envelope import EventData

Id = str


class ChatAction(StrEnum):
    """What a chat button asks for; each is applied by the service owning its target."""

    MATCH_ACCEPT = "match.accept"
    MATCH_DECLINE = "match.decline"
    MEETING_CONFIRM = "meeting.confirm"
    JOURNAL_WIN = "journal.win"


class ChatChannel(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


class ChatActionRequested(EventData):
    """A verified person asked, from a chat message, for ``action`` on ``target_id``.
    ``action_id`` is the de-duplication key (the chat tool's id of the click)."""

    event_type = "chat.action.requested"

    action_id: Id = Field(min_length=1, max_length=200)
    person_id: Id
    action: ChatAction
    target_id: Id = Field(min_length=1, max_length=200)
    channel: ChatChannel
