"""``python -m services.console``: serve the console (``CONSOLE_HTTP_PORT``, default 8004).

Without Jinja2 installed the console says so and waits to be stopped instead of exiting:
``make run`` stops every process when one exits, and the APIs run fine without it."""

import signal
import sys

import uvicorn

from services.console.settings import ConsoleSettings

try:
    from services.console.app import create_app
except ImportError as missing:  # a venv installed before the console's dependencies
    print(f"console not started: {missing}; reinstall with `make run`", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    sys.exit(0)

settings = ConsoleSettings()
print(f"console at http://{settings.http_host}:{settings.http_port}", flush=True)
uvicorn.run(
    create_app(settings),
    host=settings.http_host,
    port=settings.http_port,
    log_level=settings.log_level.lower(),
    proxy_headers=True,
    timeout_graceful_shutdown=5,
    timeout_keep_alive=settings.http_keep_alive_s,
)
