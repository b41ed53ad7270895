"""``python -m services.sessions api|worker``."""

from services.sessions.bootstrap import SERVICE
from shared.service import main

main(SERVICE)
