"""``python -m services.console``: serve the console (``CONSOLE_HTTP_PORT``, default 8004)."""

import uvicorn

from services.console.app import create_app
from services.console.settings import ConsoleSettings

settings = ConsoleSettings()
print(f"console at http://{settings.http_host}:{settings.http_port}", flush=True)
uvicorn.run(
    create_app(settings),
    host=settings.http_host,
    port=settings.http_port,
    log_level=settings.log_level.lower(),
    proxy_headers=True,
    timeout_graceful_shutdown=5,
)
