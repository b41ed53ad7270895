"""The notifier's HTTP API: the caller's inbox and preferences, plus operations probes;
and, under ``webhooks``, the signed webhook it sends."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications.bootstrap import SERVICE
from services.notifications.routes import deliveries, inbox, preferences, webhooks
from services.notifications.settings import NotificationsSettings
from shared.http import create_api


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    app = create_api(
        SERVICE.runtime(settings or NotificationsSettings()),
        title="Notifications API",
        description=(
            "In-app inbox, delivery preferences and delivery history; the caller is the "
            "bearer token's subject."
        ),
        routers=[inbox.router, preferences.router, deliveries.router],
        require_token=True,
    )
    app.webhooks.include_router(webhooks.router)  # what it sends, for subscribers
    return app
