"""The notifier's HTTP API: operations probes now; inbox and preferences land with issue #5."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications.bootstrap import build_runtime
from services.notifications.settings import NotificationsSettings
from shared.http import create_api


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    return create_api(
        build_runtime(settings or NotificationsSettings()),
        title="Notifications API",
        description="In-app inbox, delivery preferences and the delivery ledger.",
        routers=[],
    )
