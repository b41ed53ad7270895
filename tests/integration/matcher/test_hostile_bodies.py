"""Hostile bodies against every write operation of the running matcher API: a 4xx with
a JSON answer, never a 5xx, over one kept-alive connection (see tests/support/hostile_bodies).

The paths name real objects (an open program, a draft round, a proposed match, people in
the projection), so the bodies reach validation and the service code, not only 404s."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from services.matcher.api import create_app
from services.matcher.bulk_schemas import BulkEnrollmentByFilter, BulkEnrollmentFilter
from services.matcher.store import MatcherStore
from shared.contracts.hr import PersonUpserted
from shared.mongo import create_client
from tests.support.auth import bearer
from tests.support.hostile_bodies import WriteOperation, probe, write_operations
from tests.support.processes import running
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

#: The person the OpenAPI examples name (``p-000042``, a junior who mentors) and seniors.
MENTOR = "p-000042"
MENTEES = ["hb-senior-1", "hb-senior-2", "hb-senior-3"]
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


async def seed_people(mongo_url: str, database_name: str) -> None:
    """People straight into the projection (what the worker would write from hr.people.v1)."""
    people = [
        PersonUpserted(
            person_id=person_id,
            display_name=person_id,
            email=f"{person_id}@example.com",
            level=2 if person_id == MENTOR else 7,
            department=f"dept-{n}",
            time_zone="Europe/Berlin",
            languages=("en",),
        )
        for n, person_id in enumerate([MENTOR, *MENTEES])
    ]
    mongo = create_client(mongo_url)
    try:
        changes = [("upsert", p.person_id, p.model_dump(mode="json")) for p in people]
        await MatcherStore(mongo[database_name]).write_people(changes)
    finally:
        await mongo.close()


def seed_objects(client: httpx.Client) -> dict[str, str]:
    """An open self-match program with enrollments, a draft round and a proposed match
    (from a second draft, published): the ids the probe's paths name."""
    program = client.post(
        "/programs",
        json={"name": "Hostile", "kind": "reverse_mentoring", "matching_mode": "self_match"},
    ).json()["id"]
    enrollments = f"/programs/{program}/enrollments"
    client.post(enrollments, json={"person_id": MENTOR, "role": "mentor", "capacity": 2})
    for mentee in MENTEES:
        client.post(enrollments, json={"person_id": mentee, "role": "mentee"})
    draft = client.post(f"/programs/{program}/rounds").json()["id"]
    published = client.post(f"/programs/{program}/rounds").json()["id"]
    client.post(f"/rounds/{published}/publish").raise_for_status()
    [match, *_] = client.get("/matches", params={"program_id": program}).json()["items"]
    return {"program_id": program, "round_id": draft, "match_id": match["id"], "person_id": MENTOR}


def filter_bulk(program_id: str) -> WriteOperation:
    """The bulk enrollment's second body (a filter); the OpenAPI's example is the rows one."""
    [example] = BulkEnrollmentByFilter.model_json_schema()["examples"]
    fields = [("filter",), *(("filter", name) for name in BulkEnrollmentFilter.model_fields)]
    path = f"/programs/{program_id}/enrollments/bulk"
    return WriteOperation("POST", path, example, tuple(fields))


#: A SCIM user as Okta sends one; the OpenAPI documents SCIM bodies as
#: application/scim+json, which ``write_operations`` leaves out, so they are listed here.
SCIM_USER = {
    "userName": "hostile@example.com",
    "externalId": "hb-scim",
    "name": {"givenName": "Hostile", "familyName": "Body"},
    "emails": [{"value": "hostile@example.com", "type": "work", "primary": True}],
    "timezone": "Europe/Berlin",
    ENTERPRISE: {"department": "Hostile", "manager": {"value": MENTOR}},
}
USER_FIELDS = (
    ("userName",),
    ("displayName",),
    ("timezone",),
    ("active",),
    ("emails",),
    ("emails", "0", "value"),
    ("name", "givenName"),
    (ENTERPRISE, "manager"),
    (ENTERPRISE, "employeeNumber"),
)
PATCH_BODY = {"Operations": [{"op": "replace", "path": "displayName", "value": "H"}]}
PATCH_FIELDS = (("Operations",), *(("Operations", "0", k) for k in ("op", "path", "value")))


def scim_writes() -> list[WriteOperation]:
    """Create, replace and patch a SCIM user (seeded: ``hb-scim``)."""
    user = f"/scim/v2/Users/{SCIM_USER['externalId']}"
    return [
        WriteOperation("POST", "/scim/v2/Users", SCIM_USER, USER_FIELDS),
        WriteOperation("PUT", user, SCIM_USER, USER_FIELDS),
        WriteOperation("PATCH", user, PATCH_BODY, PATCH_FIELDS),
    ]


def test_matcher_answers_every_hostile_body_with_a_4xx(
    stack: LocalStack, database_name: str, log_dir: Path
) -> None:
    asyncio.run(seed_people(stack.mongo_url, database_name))
    headers = bearer("fuzz-admin", "program_admin", "employee", "provisioner")
    with running(stack, "matcher", "api", database=database_name, log_dir=log_dir) as api:
        base = f"http://127.0.0.1:{api['port']}"
        with httpx.Client(base_url=base, headers=headers, timeout=20) as client:
            ids = seed_objects(client)
            operations = write_operations(create_app().openapi(), ids)
            operations.append(filter_bulk(ids["program_id"]))
            assert client.post("/scim/v2/Users", json=SCIM_USER).status_code == 201
            operations += scim_writes()
            result = probe(client, operations)
    (log_dir / "matcher-hostile-inputs.md").write_text(result.table())
    print(result.table())
    assert not result.server_errors, "\n".join(result.server_errors[:20])
    reached = sum(
        count
        for answers in result.answers.values()
        for status, count in answers.items()
        if status < 300 or status == 409
    )
    assert reached >= 10, "too few hostile requests reached the service behind validation"
