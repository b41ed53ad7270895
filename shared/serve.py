"""Run a service API under uvicorn with the project's JSON logging (``python -m ...``)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from shared.logging import configure_logging
from shared.settings import ServiceSettings


def serve_api(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve until SIGTERM/SIGINT; in-flight requests finish (graceful shutdown)."""
    configure_logging(settings.service_name, settings.log_level)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_graceful_shutdown=20,
        timeout_keep_alive=settings.http_keep_alive_s,
        proxy_headers=True,
    )
