"""The sessions HTTP API (for the HR portal and employees). Routes translate only.

Domain refusals map to HTTP in ``shared.http`` (one mapping for every API). Who may
call what is decided before: a missing token is 401, a wrong role 403, another
person's object 404 (``deps``).
"""

from __future__ import annotations

from fastapi import FastAPI

from services.sessions.bootstrap import SERVICE
from services.sessions.routes import (
    action_items,
    feedback,
    flash,
    goals,
    journal,
    meetings,
    programs,
    pulses,
    relationships,
    reports,
    series,
    slots,
    surveys,
    time_log,
)
from services.sessions.settings import SessionsSettings
from shared.http import create_api


def create_app(settings: SessionsSettings | None = None) -> FastAPI:
    return create_api(
        SERVICE.runtime(settings or SessionsSettings()),
        title="Sessions API",
        description="Relationships, meetings, feedback, commitments, journal and health.",
        # the hot route (GET /meetings) first: routing and metrics labelling scan in order;
        # the rest in the order the API document lists them
        routers=[
            meetings.router,
            feedback.router,
            series.router,
            relationships.router,
            surveys.router,
            pulses.router,
            meetings.scheduling,
            slots.router,
            series.scheduling,
            time_log.router,
            goals.router,
            action_items.router,
            journal.router,
            reports.router,
            programs.router,
            flash.router,
        ],
        require_token=True,
    )
