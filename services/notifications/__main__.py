"""``python -m services.notifications api|worker``: run this service's API or its worker."""

import sys

from services.notifications.settings import NotificationsSettings


def main() -> None:
    role = sys.argv[1] if len(sys.argv) > 1 else "api"
    settings = NotificationsSettings()
    if role == "api":
        from services.notifications.api import create_app
        from shared.serve import serve_api

        serve_api(create_app(settings), settings)
    elif role == "worker":
        from services.notifications.worker import build_worker

        sys.argv = sys.argv[:1]
        build_worker(settings).run()
    else:
        sys.exit(f"usage: python -m services.notifications api|worker (got {role!r})")


if __name__ == "__main__":
    main()
