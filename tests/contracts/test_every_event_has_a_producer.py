"""Every event type in the published contract is emitted by some code path of ours: a
type nobody sends is a promise to consumers that nothing keeps.

The HR feed's erasures are the exception: the HR system publishes them (the matcher's
people import publishes ``hr.person.upserted``, its SCIM provisioning that and
``hr.person.departed``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.contracts.registry import TOPICS

ROOT = Path(__file__).resolve().parents[2]
FROM_THE_HR_SYSTEM = {"hr.person.erased"}
SERVICE_CODE = "\n".join(
    p.read_text() for p in (ROOT / "services").rglob("*.py") if "domain" not in p.parts
)
#: Where a service maps its domain's events to contract classes (``c.GoalSet``...).
OUTGOING = "\n".join(p.read_text() for p in (ROOT / "services").rglob("outgoing.py"))
MODELS = [m for t in TOPICS.values() for m in t.events if m.event_type not in FROM_THE_HR_SYSTEM]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.event_type)
def test_the_services_build_this_event(model: type) -> None:
    name = model.__name__
    built = re.search(rf"\b{name}\(|\b{name}\.model_validate", SERVICE_CODE) or re.search(
        rf"\.{name}\b", OUTGOING
    )
    assert built, f"no service builds {model.event_type} ({name})"
