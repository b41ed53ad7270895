"""``python -m services.matcher api|worker|import-people``: API, worker or bulk import."""

import sys

from services.matcher.settings import MatcherSettings


def main() -> None:
    role = sys.argv[1] if len(sys.argv) > 1 else "api"
    if role == "import-people":
        from services.matcher.cli import main as import_main

        sys.exit(import_main(sys.argv[2:]))
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
        sys.exit(f"usage: python -m services.matcher api|worker|import-people (got {role!r})")


if __name__ == "__main__":
    main()
