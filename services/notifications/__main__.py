"""``python -m services.notifications api|worker``."""

from services.notifications.bootstrap import SERVICE
from shared.service import main

main(SERVICE)
