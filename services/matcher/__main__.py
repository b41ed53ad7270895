"""``python -m services.matcher api|worker|import-people``."""

from services.matcher.bootstrap import SERVICE
from shared.service import main

main(SERVICE)
