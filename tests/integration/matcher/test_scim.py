"""SCIM 2.0 provisioning through the running matcher API and worker, as Okta and
Microsoft Entra ID send it (their documented request shapes), ending in the people
projection. The acceptance: a SCIM sequence leaves the person in the same state as the
equivalent ``hr.people.v1`` facts, published directly for a twin, leave the twin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.contracts.envelope import Envelope
from shared.contracts.hr import PersonDeparted, PersonUpserted
from shared.contracts.registry import HR_PEOPLE
from shared.kafka.producer import EventProducer, OutgoingMessage
from shared.mongo import Document, create_client
from tests.integration.matcher.matcher_processes import api_and_worker
from tests.support.auth import bearer
from tests.support.waiting import eventually
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MENTORING = "urn:ietf:params:scim:schemas:extension:mentoring:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_JSON = "application/scim+json"
TODAY = datetime.now(UTC).date()


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


@pytest.fixture
async def platform(
    stack: LocalStack, database_name: str, log_dir: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """A provisioner's client of the running matcher, and its database."""
    headers = {**bearer("okta-or-entra", "provisioner"), "Content-Type": SCIM_JSON}
    mongo = create_client(stack.mongo_url)
    try:
        with api_and_worker(stack, database_name, log_dir) as base:
            async with httpx.AsyncClient(
                base_url=f"{base}/scim/v2", headers=headers, timeout=30
            ) as client:
                yield client, mongo[database_name]
    finally:
        await mongo.close()


async def publish_hr_facts(stack: LocalStack, *facts: PersonUpserted | PersonDeparted) -> None:
    """The twin's facts, as an HR system would publish them on ``hr.people.v1``."""
    producer = EventProducer(stack.bootstrap_servers, service="hr")
    try:
        for fact in facts:
            envelope = Envelope.wrap(fact, source="/hr", subject=fact.person_id)
            await producer.publish(OutgoingMessage.for_event(HR_PEOPLE.name, envelope))
    finally:
        producer.close()


async def projected(db: Any, person_id: str, **expected: Any) -> Document:
    """The person's projection once it holds ``expected`` (the worker is eventual)."""

    async def holds() -> Document | None:
        doc: Document | None = await db.people.find_one({"_id": person_id})
        if doc is None or any(doc.get(k) != v for k, v in expected.items()):
            return None
        return doc

    return await eventually(holds, what=f"{person_id} projected with {expected}")


def facts(doc: Document) -> Document:
    """A person's facts: not their id, nor when the event that wrote them happened."""
    return {k: v for k, v in doc.items() if k not in ("_id", "as_of")}


async def test_okta_sequence_ends_with_the_person_the_hr_feed_would_give(
    platform: tuple[httpx.AsyncClient, Any], stack: LocalStack
) -> None:
    client, db = platform
    lookup = {"filter": 'userName eq "Ada.Lovelace@example.com"'}
    none_yet = (await client.get("/Users", params=lookup)).json()
    assert (none_yet["totalResults"], none_yet.get("Resources", [])) == (0, [])

    okta_create = {
        "schemas": [CORE],
        "userName": "ada.lovelace@example.com",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"primary": True, "value": "ada.lovelace@example.com", "type": "work"}],
        "displayName": "Ada Lovelace",
        "locale": "en-US",
        "externalId": "00u1okta2ada3",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }
    created = await client.post("/Users", json=okta_create)
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith(SCIM_JSON)
    user = created.json()
    assert user["id"] == "00u1okta2ada3"  # the externalId: Okta's immutable user id
    assert "password" not in user
    assert user["meta"]["resourceType"] == "User"
    assert user["meta"]["location"] == created.headers["Location"]
    assert user["meta"]["location"].endswith("/scim/v2/Users/00u1okta2ada3")
    assert user["meta"]["version"] == created.headers["ETag"] == 'W/"1"'
    assert user["meta"]["created"] == user["meta"]["lastModified"]
    await projected(db, "00u1okta2ada3", email="ada.lovelace@example.com")

    found = (await client.get("/Users", params=lookup)).json()  # userName: any case
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == user["id"]

    deactivate = patch({"op": "replace", "value": {"active": False}})
    deactivated = await client.patch(f"/Users/{user['id']}", json=deactivate)
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    await projected(db, "00u1okta2ada3", departed_on=TODAY.isoformat())

    reactivate = patch({"op": "replace", "value": {"active": True}})
    reactivated = await client.patch(f"/Users/{user['id']}", json=reactivate)
    assert reactivated.json()["active"] is True
    await projected(db, "00u1okta2ada3", departed_on=None)

    renamed = {
        **okta_create,
        "userName": "ada.king@example.com",
        "name": {"givenName": "Ada", "familyName": "King"},
        "displayName": "Ada King",
        "emails": [{"primary": True, "value": "ada.king@example.com", "type": "work"}],
        "title": "Analyst",
        "timezone": "Europe/London",
    }
    replaced = await client.put(f"/Users/{user['id']}", json=renamed)
    assert replaced.status_code == 200, replaced.text
    assert (
        replaced.json()["id"] == user["id"]
        and replaced.json()["userName"] == "ada.king@example.com"
    )
    again = await client.put(f"/Users/{user['id']}", json=renamed)  # idempotent
    assert again.headers["ETag"] == replaced.headers["ETag"]
    scim_person = await projected(db, "00u1okta2ada3", display_name="Ada King")

    twin = {
        "person_id": "hr-twin-ada",
        "email": "ada.lovelace@example.com",
        "display_name": "Ada Lovelace",
        "level": 0,
        "languages": ("en",),
    }
    await publish_hr_facts(
        stack,
        PersonUpserted(**twin),
        PersonDeparted(person_id="hr-twin-ada", departed_on=TODAY),
        PersonUpserted(**twin),
        PersonUpserted(
            **{
                **twin,
                "display_name": "Ada King",
                "email": "ada.king@example.com",
                "title": "Analyst",
                "time_zone": "Europe/London",
            }
        ),
    )
    hr_person = await projected(db, "hr-twin-ada", display_name="Ada King")
    assert facts(scim_person) == facts(hr_person)


async def test_entra_sequence_ends_with_the_person_the_hr_feed_would_give(
    platform: tuple[httpx.AsyncClient, Any], stack: LocalStack
) -> None:
    client, db = platform
    manager = {
        "schemas": [CORE, ENTERPRISE],
        "userName": "grace@contoso.example",
        "active": True,
        "displayName": "Grace Hopper",
        "emails": [{"primary": True, "type": "work", "value": "grace@contoso.example"}],
        "externalId": "grace",
        ENTERPRISE: {"employeeNumber": "E-1000"},
    }
    assert (await client.post("/Users", json=manager)).status_code == 201
    entra_create = {
        "schemas": [CORE, ENTERPRISE, MENTORING],
        "externalId": "alan",
        "userName": "alan@contoso.example",
        "active": True,
        "addresses": [{"primary": True, "type": "work", "locality": "Manchester"}],
        "displayName": "Alan Turing",
        "emails": [{"primary": True, "type": "work", "value": "alan@contoso.example"}],
        "name": {"familyName": "Turing", "givenName": "Alan"},
        "preferredLanguage": "en-GB",
        "title": "Researcher",
        "timezone": "Europe/London",
        ENTERPRISE: {"employeeNumber": "E-1001", "department": "Research", "division": "Labs"},
        MENTORING: {"level": 7},
    }
    created = await client.post(
        "/Users", json=entra_create, headers={"Content-Type": "application/json"}
    )
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    assert user_id == "E-1001"  # the employee number: the key the HR feed names people by
    await projected(db, "E-1001", department="Research", business_unit="Labs", level=7)

    add_manager = patch({"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "E-1000"})
    with_manager = await client.patch(f"/Users/{user_id}", json=add_manager)
    assert with_manager.json()[ENTERPRISE]["manager"] == {"value": "E-1000"}
    await projected(db, "E-1001", manager_id="E-1000")

    new_mail = patch(
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "turing@contoso.example"}
    )
    assert (await client.patch(f"/Users/{user_id}", json=new_mail)).status_code == 200
    await projected(db, "E-1001", email="turing@contoso.example")

    no_manager = patch({"op": "Remove", "path": f"{ENTERPRISE}:manager"})
    assert (
        ENTERPRISE + ":manager"
        not in (await client.patch(f"/Users/{user_id}", json=no_manager)).text
    )
    await projected(db, "E-1001", manager_id=None)
    assert (await client.patch(f"/Users/{user_id}", json=add_manager)).status_code == 200
    await projected(db, "E-1001", manager_id="E-1000")

    disable = patch({"op": "Replace", "path": "active", "value": "False"})
    disabled = await client.patch(f"/Users/{user_id}", json=disable)
    assert disabled.json()["active"] is False
    await projected(db, "E-1001", departed_on=TODAY.isoformat())

    assert (await client.delete(f"/Users/{user_id}")).status_code == 204
    gone = await client.get(f"/Users/{user_id}")
    assert gone.status_code == 404 and gone.json()["schemas"] == [ERROR]
    scim_person = await projected(db, "E-1001", departed_on=TODAY.isoformat())

    twin = {
        "person_id": "hr-twin-alan",
        "display_name": "Alan Turing",
        "email": "alan@contoso.example",
        "title": "Researcher",
        "level": 7,
        "department": "Research",
        "business_unit": "Labs",
        "location": "Manchester",
        "time_zone": "Europe/London",
        "languages": ("en",),
    }
    managed = {**twin, "manager_id": "E-1000"}
    await publish_hr_facts(
        stack,
        PersonUpserted(**twin),
        PersonUpserted(**managed),
        PersonUpserted(**{**managed, "email": "turing@contoso.example"}),
        PersonUpserted(**{**twin, "email": "turing@contoso.example"}),
        PersonUpserted(**{**managed, "email": "turing@contoso.example"}),
        PersonDeparted(person_id="hr-twin-alan", departed_on=TODAY),
    )
    hr_person = await projected(db, "hr-twin-alan", departed_on=TODAY.isoformat())
    assert facts(scim_person) == facts(hr_person)
