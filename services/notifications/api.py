"""The notifier's HTTP API: the caller's inbox and preferences, plus operations probes;
the chat tools' action endpoints (``/chat``); and, under ``webhooks``, the signed
webhook it sends."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications.bootstrap import SERVICE
from services.notifications.chat_verification import TeamsTokenVerifier
from services.notifications.routes import chat_actions, deliveries, inbox, preferences, webhooks
from services.notifications.settings import NotificationsSettings
from shared.http import create_api


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    app = create_api(
        SERVICE.runtime(settings),
        title="Notifications API",
        description=(
            "In-app inbox, delivery preferences and delivery history; the caller is the "
            "bearer token's subject."
        ),
        routers=[inbox.router, preferences.router, deliveries.router],
        require_token=True,
    )
    # Slack and Teams sign their own requests: no platform bearer token on these.
    app.include_router(chat_actions.router)
    app.state.teams_verifier = TeamsTokenVerifier(
        app_id=settings.teams_app_id,
        issuer=settings.teams_token_issuer,
        keys_url=settings.teams_keys_url,
    )
    app.webhooks.include_router(webhooks.router)  # what it sends, for subscribers
    return app
