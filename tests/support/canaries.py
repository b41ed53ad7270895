"""Canaries: unique strings planted in private text, and a scanner that finds them in
whatever left a service (topic records, API answers, CSV, messages, databases, logs).

A canary is plain lower-case ASCII, so JSON, CSV and URL encoding leave it as it is;
the scanner also compares case-insensitively, so an upper-cased copy is found too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any

__all__ = ["Sighting", "canary", "sightings", "email_text", "as_text"]


@dataclass(frozen=True)
class Sighting:
    where: str
    canary: str


def canary(kind: str) -> str:
    """A string nobody else writes: ``canary-<kind>-<random hex>``."""
    return f"canary-{kind}-{uuid.uuid4().hex}"


def as_text(content: Any) -> str:
    """Bytes decoded, anything else that is not text as JSON (``default=str``)."""
    if isinstance(content, bytes | bytearray):
        return bytes(content).decode("utf-8", errors="replace")
    if isinstance(content, str):
        return content
    return json.dumps(content, default=str)


def email_text(message: Message) -> str:
    """A received e-mail's headers and every part's decoded body (quoted-printable and
    base64 bodies would hide a canary from a search of the raw message)."""
    parts = [str(message.items())]
    for part in message.walk():
        if not part.is_multipart():
            body = part.get_payload(decode=True)
            parts.append(as_text(body if isinstance(body, bytes) else str(body)))
    return "\n".join(parts)


def sightings(sources: Mapping[str, Any], canaries: Iterable[str]) -> list[Sighting]:
    """Every (source, canary) where the canary appears in that source's text."""
    wanted = [c.lower() for c in canaries]
    found = []
    for where, content in sources.items():
        text = as_text(content).lower()
        found += [Sighting(where, c) for c in wanted if c in text]
    return found
