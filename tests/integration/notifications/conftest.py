"""Fixtures of the notifier's integration tests: its database, settings and receivers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from pymongo import AsyncMongoClient

from services.notifications.senders import build_senders, close_senders
from services.notifications.settings import NotificationsSettings
from services.notifications.store import INDEXES, OUTBOX_COLLECTIONS, NotificationsStore
from shared.mongo import ensure_indexes
from shared.outbox import outbox_indexes
from tests.integration.notifications.receivers import SmtpSink, WebhookSink
from tools.localstack import LocalStack


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
async def webhook() -> AsyncIterator[WebhookSink]:
    async with WebhookSink() as sink:
        yield sink


@pytest.fixture
def settings(
    stack: LocalStack, database_name: str, smtp: SmtpSink, webhook: WebhookSink
) -> NotificationsSettings:
    return NotificationsSettings(
        kafka_bootstrap_servers=stack.bootstrap_servers,
        mongo_url=stack.mongo_url,
        mongo_database=database_name,
        smtp_port=smtp.port,
        webhook_url=webhook.url,
        http_timeout_s=3,
    )


@pytest.fixture
async def store(stack: LocalStack, database_name: str) -> AsyncIterator[NotificationsStore]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = client[database_name]
    await ensure_indexes(db, [*INDEXES, *outbox_indexes(OUTBOX_COLLECTIONS)])
    try:
        yield NotificationsStore(db)
    finally:
        await client.close()


@pytest.fixture
async def senders(settings: NotificationsSettings, store: NotificationsStore):  # type: ignore[no-untyped-def]
    built = build_senders(settings, store)
    try:
        yield built
    finally:
        await close_senders(built)
