"""The SCIM protocol of the matcher API over the real database: who may call it (401 and
403 as SCIM errors), pagination, filters, discovery, and the shape of every refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.integration.matcher.matcher_processes import app_in_process
from tests.support.auth import bearer
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


#: Where the identity provider reaches the service (through the ingress).
PUBLIC_BASE = "https://mentoring.example.com/api/matcher/scim/v2"


@pytest.fixture
async def client(stack: LocalStack, database_name: str) -> AsyncIterator[httpx.AsyncClient]:
    """The matcher app in process, as a provisioner calls it."""
    async with app_in_process(stack, database_name, scim_base_url=PUBLIC_BASE) as app:
        transport = httpx.ASGITransport(app=app)
        headers = {**bearer("entra", "provisioner"), "Content-Type": "application/scim+json"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://matcher/scim/v2", headers=headers
        ) as http:
            yield http


def scim_error(response: httpx.Response, status: int, scim_type: str | None = None) -> str:
    """The response is the SCIM error ``status``/``scimType``; returns its detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    body: dict[str, Any] = response.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status)
    assert body.get("scimType") == scim_type
    return str(body["detail"])


def person(n: int) -> dict[str, Any]:
    return {
        "userName": f"user{n}@example.com",
        "externalId": f"ext-{n}",
        "emails": [{"value": f"user{n}@example.com", "type": "work", "primary": True}],
    }


async def test_only_a_provisioner_token_is_served_and_refusals_are_scim_errors(
    client: httpx.AsyncClient,
) -> None:
    anonymous = await client.get("/Users", headers={"Authorization": ""})
    assert "bearer token" in scim_error(anonymous, 401)
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    for roles in (("program_admin",), ("service",), ("employee", "hr_analyst")):
        refused = await client.post("/Users", json=person(1), headers=bearer("x", *roles))
        assert "provisioner" in scim_error(refused, 403)
    assert (await client.get("/Users")).json()["totalResults"] == 0


async def test_users_are_listed_in_pages_and_filtered_by_username_or_external_id(
    client: httpx.AsyncClient,
) -> None:
    for n in range(5):
        assert (await client.post("/Users", json=person(n))).status_code == 201
    first = (await client.get("/Users", params={"count": 2})).json()
    assert first["schemas"] == [LIST]
    assert (first["totalResults"], first["startIndex"], first["itemsPerPage"]) == (5, 1, 2)
    assert [u["id"] for u in first["Resources"]] == ["ext-0", "ext-1"]
    last = (await client.get("/Users", params={"startIndex": 5, "count": 2})).json()
    assert [u["id"] for u in last["Resources"]] == ["ext-4"]
    counted = (await client.get("/Users", params={"count": 0})).json()
    assert (counted["totalResults"], counted.get("Resources", [])) == (5, [])

    by_name = {"filter": 'userName eq "USER3@example.com"'}
    [found] = (await client.get("/Users", params=by_name)).json()["Resources"]
    assert found["id"] == "ext-3" and found["meta"]["resourceType"] == "User"
    by_external = {"filter": 'externalId eq "ext-2"'}
    assert (await client.get("/Users", params=by_external)).json()["totalResults"] == 1
    case_exact = {"filter": 'externalId eq "EXT-2"'}
    assert (await client.get("/Users", params=case_exact)).json()["totalResults"] == 0


async def test_bad_requests_are_scim_400s_and_conflicts_409s(client: httpx.AsyncClient) -> None:
    for unsupported in ('userName sw "user"', 'title eq "x"', "userName eq"):
        response = await client.get("/Users", params={"filter": unsupported})
        scim_error(response, 400, "invalidFilter")
    scim_error(await client.get("/Users", params={"count": "many"}), 400, "invalidValue")
    scim_error(await client.post("/Users", json=[person(1)]), 400, "invalidSyntax")
    scim_error(await client.post("/Users", content=b"{not json"), 400, "invalidSyntax")
    scim_error(await client.post("/Users", json={**person(1), "x": 1}), 400, "invalidSyntax")
    zone = {**person(1), "timezone": "Mars/Olympus"}
    assert "time zone" in scim_error(await client.post("/Users", json=zone), 400, "invalidValue")
    bad_id = {**person(1), "externalId": "has spaces/and slashes"}
    scim_error(await client.post("/Users", json=bad_id), 400, "invalidValue")

    created = await client.post("/Users", json=person(1))
    assert created.status_code == 201
    assert created.headers["Location"] == f"{PUBLIC_BASE}/Users/ext-1"
    taken = {**person(2), "userName": "USER1@example.com"}
    scim_error(await client.post("/Users", json=taken), 409, "uniqueness")
    scim_error(await client.get("/Users/nobody"), 404)
    stale = await client.put("/Users/ext-1", json=person(1), headers={"If-Match": 'W/"9"'})
    scim_error(stale, 412)
    current = {"If-Match": created.headers["ETag"]}
    assert (await client.put("/Users/ext-1", json=person(1), headers=current)).status_code == 200


async def test_discovery_describes_users_their_extensions_and_what_is_supported(
    client: httpx.AsyncClient,
) -> None:
    config = (await client.get("/ServiceProviderConfig")).json()
    assert config["patch"]["supported"] and config["filter"]["supported"]
    assert not config["bulk"]["supported"] and not config["changePassword"]["supported"]
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    schemas = (await client.get("/Schemas")).json()
    assert [s["id"] for s in schemas["Resources"]] == [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "urn:ietf:params:scim:schemas:extension:mentoring:2.0:User",
    ]
    [user_type] = (await client.get("/ResourceTypes")).json()["Resources"]
    assert (user_type["name"], user_type["endpoint"]) == ("User", "/Users")
    assert len(user_type["schemaExtensions"]) == 2
