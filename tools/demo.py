"""Demo data for the local platform: a small organisation and two programs.

Idempotent: people are published with deterministic event ids (consumers skip what
they applied) and programs are created with an ``Idempotency-Key``, so a second
``make run`` finds the same data.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
from datetime import date, timedelta
from pathlib import Path

import httpx

from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonUpserted, Skill
from shared.contracts.registry import HR_PEOPLE
from shared.kafka.producer import EventProducer, OutgoingMessage
from shared.settings import DEV_ISSUER_DIR
from tools.dev_issuer import issue_token

DEPARTMENTS = ("Engineering", "Sales", "Finance", "Marketing", "Operations", "People")
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Singapore")
SKILLS = (
    "generative-ai",
    "data-literacy",
    "social-media",
    "customer-insight",
    "python",
    "strategy",
    "negotiation",
    "public-speaking",
    "finance",
    "people-leadership",
)
PROGRAMS = (
    {"name": "Reverse mentoring: AI for leaders", "kind": "reverse_mentoring", "cadence_days": 14},
    {"name": "Peer coaching: new managers", "kind": "peer_coaching", "cadence_days": 14},
    {"name": "Leadership circles", "kind": "peer_group", "cadence_days": 28},
)


def demo_people(count: int = 60, seed: int = 7) -> list[PersonUpserted]:
    """A manager tree: one CEO, directors, managers, then individual contributors."""
    rng = random.Random(seed)
    people: list[PersonUpserted] = []
    for i in range(count):
        level = 10 if i == 0 else 8 if i < 4 else 6 if i < 12 else rng.choice((2, 3, 4))
        manager = (
            None
            if i == 0
            else "p-0000"
            if i < 4
            else f"p-{rng.randrange(1, 4):04d}"
            if i < 12
            else f"p-{rng.randrange(4, 12):04d}"
        )
        people.append(
            PersonUpserted(
                person_id=f"p-{i:04d}",
                display_name=f"Demo Person {i}",
                email=f"person{i}@demo.example",
                title="Employee",
                level=level,
                department=DEPARTMENTS[i % len(DEPARTMENTS)],
                business_unit="BU-" + "AB"[i % 2],
                location="Remote",
                time_zone=rng.choice(ZONES),
                languages=("en",),
                manager_id=manager,
                hire_date=date(2015, 1, 1) + timedelta(days=rng.randrange(0, 3650)),
                skills=tuple(
                    Skill(name=s, proficiency=rng.randint(1, 5)) for s in rng.sample(SKILLS, 3)
                ),
                interests=tuple(rng.sample(SKILLS, 2)),
            )
        )
    return people


async def publish_people(bootstrap: str, people: list[PersonUpserted]) -> None:
    producer = EventProducer(bootstrap, service="demo")
    try:
        messages = [
            OutgoingMessage.for_event(
                HR_PEOPLE.name,
                Envelope.wrap(
                    p,
                    source="/demo/hr",
                    subject=p.person_id,
                    event_id=f"demo:{hashlib.sha256(p.person_id.encode()).hexdigest()[:20]}:v1",
                ),
            )
            for p in people
        ]
        await producer.publish_many(messages)
    finally:
        producer.close()


DEMO_ADMIN = "p-0001"


def issuer_directory() -> Path:
    """The dev issuer the services trust (``MATCHER_AUTH_JWKS_URL`` may point elsewhere)."""
    url = os.environ.get("MATCHER_AUTH_JWKS_URL", "")
    return Path(url.removeprefix("file://")).parent if url.startswith("file://") else DEV_ISSUER_DIR


def load(apis: dict[str, str], *, bootstrap: str) -> str:
    people = demo_people()
    asyncio.run(publish_people(bootstrap, people))
    token = issue_token(DEMO_ADMIN, ["program_admin"], directory=issuer_directory())
    created = 0
    for program in PROGRAMS:
        response = httpx.post(
            f"{apis['matcher']}/programs",
            json=program,
            headers={
                "Idempotency-Key": f"demo-{program['kind']}",
                "Authorization": f"Bearer {token}",
            },
            timeout=10,
        )
        response.raise_for_status()
        created += response.status_code == 201
    return (
        f"{len(people)} people on {HR_PEOPLE.name}, {len(PROGRAMS)} programs "
        f"({created} new) at {apis['matcher']}/programs"
    )
