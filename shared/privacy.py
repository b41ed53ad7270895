"""Pseudonyms for erased people: the same stand-in in every service, not reversible.

Keyed (HMAC-SHA256 with ``MENTORING_PSEUDONYM_KEY``, one key shared by all services),
so an enumerable id like ``p-000042`` cannot be recovered by hashing every candidate.
The production profile refuses the development key (``shared/settings.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import os

KEY_VARIABLE = "MENTORING_PSEUDONYM_KEY"
DEVELOPMENT_KEY = "development-pseudonym-key"


def pseudonym_key() -> bytes:
    return os.environ.get(KEY_VARIABLE, DEVELOPMENT_KEY).encode()


def pseudonym(person_id: str) -> str:
    digest = hmac.new(pseudonym_key(), person_id.encode(), hashlib.sha256).hexdigest()
    return f"erased-{digest[:20]}"
