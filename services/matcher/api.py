"""The matcher's HTTP API (for the HR portal). Routes translate; service modules decide."""

from __future__ import annotations

from fastapi import FastAPI

from services.matcher.bootstrap import SERVICE
from services.matcher.routes import enrollments, matches, people, programs, rounds, self_match
from services.matcher.settings import MatcherSettings
from shared.http import create_api


def create_app(settings: MatcherSettings | None = None) -> FastAPI:
    return create_api(
        SERVICE.runtime(settings or MatcherSettings()),
        title="Matcher API",
        description="People, programs, enrollments, matching rounds and matches.",
        routers=[
            programs.router,
            people.router,
            enrollments.router,
            rounds.router,
            matches.router,
            self_match.router,
        ],
        require_token=True,
        body_limits={"/people/import": 10 * 1024 * 1024, "/people/import/file": 21 * 1024 * 1024},
    )
