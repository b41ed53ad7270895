"""The store's part for actions taken in chat (part of ``store.NotificationsStore``, a
base class only to keep each module short).

* ``chat_seen``: what an inbound chat request was already seen with (a Slack signature,
  a Teams activity id), ``_id`` = that key; a second insert of the same key is a replay.
  ``expires_at`` (a TTL index) forgets a key once the request could no longer pass the
  freshness check anyway.
* ``chat_actions``: one document per verified action, ``_id`` = the action id (the
  chat tool's id of the click, so the same click is one action), carrying its
  ``chat.action.requested`` command in the outbox; it expires like a seen key.
"""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.mongo import Document, IndexSpec

CHAT_SEEN = "chat_seen"
CHAT_ACTIONS = "chat_actions"
CONTACTS = "contacts"

CHAT_INDEXES = [
    IndexSpec(CHAT_SEEN, [("expires_at", 1)], name="expires", options={"expireAfterSeconds": 0}),
    IndexSpec(CHAT_ACTIONS, [("expires_at", 1)], name="expires", options={"expireAfterSeconds": 0}),
    IndexSpec(CONTACTS, [("slack_user_id", 1)], name="slack_user_id"),
    IndexSpec(CONTACTS, [("teams_user_id", 1)], name="teams_user_id"),
]

#: The chat user id fields of a contact, by chat tool.
CHAT_USER_FIELDS = {"slack": "slack_user_id", "teams": "teams_user_id"}


class ChatQueries:
    contacts: AsyncCollection[Document]
    chat_seen: AsyncCollection[Document]
    chat_actions: AsyncCollection[Document]

    async def first_sighting(self, key: str, *, expires_at: datetime) -> bool:
        """Remember ``key``; False if it was seen before (a replay)."""
        try:
            await self.chat_seen.insert_one({"_id": key, "expires_at": expires_at})
        except DuplicateKeyError:
            return False
        return True

    async def person_of_chat_user(self, channel: str, chat_user_id: str) -> str | None:
        """The active person whose contact carries this chat user id, if any."""
        doc = await self.contacts.find_one(
            {CHAT_USER_FIELDS[channel]: chat_user_id, "active": True}, {"_id": 1}
        )
        return None if doc is None else str(doc["_id"])

    async def record_chat_action(self, doc: Document) -> bool:
        """Store a verified action with its staged command; False if that action id was
        recorded before (the same click again)."""
        try:
            await self.chat_actions.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def forget_chat_actions_of(self, person_id: str) -> None:
        await self.chat_actions.delete_many({"person_id": person_id})
