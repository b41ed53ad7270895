"""``python -m services.sessions api|worker``: run this service's API or its worker."""

import sys

from services.sessions.settings import SessionsSettings


def main() -> None:
    role = sys.argv[1] if len(sys.argv) > 1 else "api"
    settings = SessionsSettings()
    if role == "api":
        from services.sessions.api import create_app
        from shared.serve import serve_api

        serve_api(create_app(settings), settings)
    elif role == "worker":
        from services.sessions.worker import build_worker

        sys.argv = sys.argv[:1]
        build_worker(settings).run()
    else:
        sys.exit(f"usage: python -m services.sessions api|worker (got {role!r})")


if __name__ == "__main__":
    main()
