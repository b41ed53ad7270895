"""The matcher's HTTP API (for the HR portal). Routes translate; service modules decide."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from services.matcher.bootstrap import SERVICE
from services.matcher.bulk_jobs import BackgroundJobs
from services.matcher.routes import (
    blocks,
    concerns,
    enrollments,
    matches,
    people,
    programs,
    rounds,
    scim,
    self_match,
)
from services.matcher.settings import MatcherSettings
from shared.http import create_api

#: Bulk enrollment bodies: up to 100,000 rows (a CSV upload of them, too).
BULK_MAX_BODY = 21 * 1024 * 1024
BODY_LIMITS = {
    "/people/import": 10 * 1024 * 1024,
    "/people/import/file": 21 * 1024 * 1024,
    "/programs/{program_id}/enrollments/bulk": BULK_MAX_BODY,
    "/programs/{program_id}/enrollments/bulk/file": BULK_MAX_BODY,
}


def create_app(settings: MatcherSettings | None = None) -> FastAPI:
    runtime = SERVICE.runtime(settings or MatcherSettings())
    app = create_api(
        runtime,
        title="Matcher API",
        description="People, programs, enrollments, matching rounds and matches.",
        routers=[
            programs.router,
            people.router,
            enrollments.router,
            rounds.router,
            matches.router,
            self_match.router,
            blocks.router,
            concerns.router,
            scim.router,
        ],
        require_token=True,
        body_limits=BODY_LIMITS,
    )
    app.state.bulk_jobs = jobs = BackgroundJobs(runtime)
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with started(app) as state:
            await jobs.resume_after_restart()
            try:
                yield state
            finally:
                await jobs.stop()

    app.router.lifespan_context = lifespan
    return app
