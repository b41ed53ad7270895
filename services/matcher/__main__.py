"""``python -m services.matcher api|worker``: run this service's API or its worker."""

import sys

from services.matcher.settings import MatcherSettings


def main() -> None:
    role = sys.argv[1] if len(sys.argv) > 1 else "api"
    settings = MatcherSettings()
    if role == "api":
        from services.matcher.api import create_app
        from shared.serve import serve_api

        serve_api(create_app(settings), settings)
    elif role == "worker":
        from services.matcher.worker import build_worker

        sys.argv = sys.argv[:1]
        build_worker(settings).run()
    else:
        sys.exit(f"usage: python -m services.matcher api|worker (got {role!r})")


if __name__ == "__main__":
    main()
