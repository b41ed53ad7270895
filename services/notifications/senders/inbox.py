"""The in-app inbox: a message is a document, ``_id`` = the delivery key (idempotent)."""

from __future__ import annotations

from services.notifications.domain.model import Channel
from services.notifications.senders.base import Outgoing
from services.notifications.store import NotificationsStore, to_ms


class InboxSender:
    channel = Channel.INBOX

    def __init__(self, store: NotificationsStore) -> None:
        self.store = store

    async def send(self, outgoing: Outgoing) -> None:
        planned = outgoing.planned
        doc = {
            "_id": outgoing.delivery_key,
            "recipient_id": planned.recipient_id,
            "notification_key": planned.key,
            "type": str(planned.type),
            "subject_id": planned.subject_id,
            "title": outgoing.message.subject,
            "body": outgoing.message.text,
            "action_label": outgoing.message.action_label,
            "action_url": outgoing.message.action_url,
            "created_at": outgoing.now,
            "created_ms": to_ms(outgoing.now),
            "read": False,
            "read_ms": None,
        }
        await self.store.add_to_inbox(doc)  # a retry after a crash finds it there

    async def aclose(self) -> None:
        return None
