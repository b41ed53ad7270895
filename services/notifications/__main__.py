"""``python -m services.notifications api|worker|dispatcher``."""

from services.notifications.bootstrap import SERVICE
from shared.service import main

main(SERVICE)
