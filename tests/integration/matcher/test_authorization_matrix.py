"""Who may call what on the matcher API: one expected status per route and role.

The matrix is checked against the app's route table, so a new route without a rule
fails here. Roles: E (employee, a member), O (another employee), A (program admin of
the program), B (program admin of other programs), H (HR analyst), - (no token).
Calls run in the listed order (destructive ones last); the round is already
published, so adjusting it is a 409 even for its admin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.integration.matcher.matcher_processes import app_in_process
from tests.support.auth import bearer
from tests.support.waiting import eventually
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

ROLE_TOKENS = {
    "O": ("emp-o",),
    "A": ("adm-a", "program_admin"),
    "B": ("adm-b", "program_admin"),
    "H": ("hr-h", "hr_analyst"),
    "P": ("idp-p", "provisioner"),
}
CSV = "person_id,display_name,email,level,time_zone\nnew-1,New,new@example.com,3,UTC\n"

# (method, path template) -> ordered [(role, expected status)], "-" expects 401.
MATRIX: dict[tuple[str, str], list[tuple[str, int]]] = {
    ("GET", "/healthz"): [("-", 200)],
    ("GET", "/readyz"): [("-", 200)],
    ("GET", "/metrics"): [("-", 200)],
    ("POST", "/programs"): [("-", 401), ("E", 403), ("H", 403), ("B", 201)],
    ("GET", "/programs"): [("-", 401), ("E", 200), ("A", 200), ("B", 200), ("H", 403)],
    ("GET", "/programs/{program_id}"): [("-", 401), ("E", 200), ("A", 200), ("B", 404), ("H", 403)],
    ("POST", "/people/import"): [("-", 401), ("E", 403), ("H", 403), ("A", 202)],
    ("POST", "/people/import/file"): [("-", 401), ("E", 403), ("H", 403), ("A", 202)],
    ("GET", "/people"): [("-", 401), ("E", 403), ("H", 403), ("A", 200)],
    ("GET", "/people/{person_id}"): [("-", 401), ("E", 200), ("O", 404), ("H", 404), ("A", 200)],
    ("POST", "/programs/{program_id}/enrollments"): [
        ("-", 401),
        ("O", 403),
        ("H", 403),
        ("B", 403),
        ("E", 200),
        ("A", 200),
    ],
    ("GET", "/programs/{program_id}/enrollments"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("POST", "/programs/{program_id}/enrollments/bulk"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("POST", "/programs/{program_id}/enrollments/bulk/file"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("GET", "/programs/{program_id}/enrollments/bulk/{job_id}"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("DELETE", "/programs/{program_id}/enrollments/{person_id}"): [
        ("-", 401),
        ("O", 404),
        ("B", 404),
        ("A", 200),
    ],
    ("POST", "/programs/{program_id}/rounds"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 201),
    ],
    ("GET", "/rounds/{round_id}"): [("-", 401), ("E", 403), ("H", 403), ("B", 404), ("A", 200)],
    ("GET", "/rounds/{round_id}/proposals"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("POST", "/rounds/{round_id}/adjustments"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 409),
    ],
    ("POST", "/rounds/{round_id}/publish"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("GET", "/matches"): [("-", 401), ("E", 200), ("O", 200), ("A", 200), ("H", 403)],
    ("GET", "/matches/{match_id}"): [
        ("-", 401),
        ("E", 200),
        ("O", 404),
        ("A", 200),
        ("B", 404),
        ("H", 403),
    ],
    ("POST", "/matches/{match_id}/answer"): [
        ("-", 401),
        ("O", 404),
        ("A", 403),
        ("H", 403),
        ("E", 200),
    ],
    ("GET", "/programs/{program_id}/audit"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("GET", "/programs/{program_id}/suggestions"): [("-", 401), ("A", 403), ("H", 403), ("E", 409)],
    ("POST", "/programs/{program_id}/requests"): [("-", 401), ("A", 403), ("H", 403), ("E", 409)],
    ("PATCH", "/programs/{program_id}"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("POST", "/matches/{match_id}/resolve"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 409),
    ],
    ("POST", "/programs/{program_id}/concerns"): [
        ("-", 401),
        ("H", 403),
        ("A", 403),
        ("O", 404),
        ("E", 201),
    ],
    ("GET", "/programs/{program_id}/concerns"): [
        ("-", 401),
        ("H", 403),
        ("B", 404),
        ("O", 200),
        ("E", 200),
        ("A", 200),
    ],
    ("GET", "/programs/{program_id}/concerns/{concern_id}"): [
        ("-", 401),
        ("H", 403),
        ("O", 404),
        ("B", 404),
        ("E", 200),
        ("A", 200),
    ],
    ("POST", "/programs/{program_id}/concerns/{concern_id}/handled"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("POST", "/people/me/blocks"): [("-", 401), ("A", 403), ("H", 403), ("E", 201)],
    ("GET", "/people/me/blocks"): [("-", 401), ("A", 403), ("H", 403), ("O", 200), ("E", 200)],
    ("DELETE", "/people/me/blocks/{person_id}"): [
        ("-", 401),
        ("A", 403),
        ("H", 403),
        ("O", 404),
        ("E", 204),
    ],
    ("GET", "/scim/v2/ServiceProviderConfig"): [("-", 401), ("A", 403), ("H", 403), ("P", 200)],
    ("GET", "/scim/v2/Schemas"): [("-", 401), ("E", 403), ("A", 403), ("P", 200)],
    ("GET", "/scim/v2/ResourceTypes"): [("-", 401), ("E", 403), ("A", 403), ("P", 200)],
    ("POST", "/scim/v2/Users"): [("-", 401), ("E", 403), ("A", 403), ("H", 403), ("P", 201)],
    ("GET", "/scim/v2/Users"): [("-", 401), ("E", 403), ("A", 403), ("H", 403), ("P", 200)],
    ("GET", "/scim/v2/Users/{user_id}"): [("-", 401), ("E", 403), ("A", 403), ("P", 200)],
    ("PUT", "/scim/v2/Users/{user_id}"): [("-", 401), ("E", 403), ("A", 403), ("P", 200)],
    ("PATCH", "/scim/v2/Users/{user_id}"): [("-", 401), ("E", 403), ("A", 403), ("P", 200)],
    # destructive, last: the match ends, then the program closes
    ("POST", "/matches/{match_id}/end"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("POST", "/programs/{program_id}/eligibility"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("POST", "/programs/{program_id}/close"): [
        ("-", 401),
        ("E", 403),
        ("H", 403),
        ("B", 404),
        ("A", 200),
    ],
    ("DELETE", "/scim/v2/Users/{user_id}"): [("-", 401), ("E", 403), ("A", 403), ("P", 204)],
}
#: A SCIM user as Okta creates one; its externalId becomes its id (``user_id``).
SCIM_USER = {
    "userName": "matrix@example.com",
    "externalId": "scim-matrix",
    "emails": [{"value": "matrix@example.com", "type": "work", "primary": True}],
}


def person(pid: str, dept: str) -> dict[str, Any]:
    return {
        "_id": pid,
        "display_name": pid,
        "email": f"{pid}@example.com",
        "level": 4,
        "department": dept,
        "time_zone": "UTC",
        "languages": ["en"],
        "skills": [],
        "interests": ["x"],
    }


@pytest.fixture
async def client(stack: LocalStack, database_name: str) -> AsyncIterator[httpx.AsyncClient]:
    async with app_in_process(stack, database_name) as app:
        db = app.state.runtime.db
        await db.people.insert_many(
            [
                person(p, d)
                for p, d in [
                    ("emp-e", "a"),
                    ("emp-f", "b"),
                    ("emp-o", "c"),
                    ("x-1", "d"),
                    ("adm-a", "e"),
                ]
            ]
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://matcher") as http:
            yield http


async def test_every_route_answers_each_role_as_the_access_rules_say(
    client: httpx.AsyncClient,
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    app_routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert app_routes == set(MATRIX), (
        f"routes without an access rule: {sorted(app_routes - set(MATRIX))}; "
        f"rules for missing routes: {sorted(set(MATRIX) - app_routes)}"
    )

    tokens: dict[str, dict[str, str]] = {r: bearer(*args) for r, args in ROLE_TOKENS.items()}
    tokens["-"] = {}
    a = tokens["A"]
    program = (
        await client.post(
            "/programs",
            headers=a,
            json={"name": "Matrix", "kind": "peer_coaching", "rules": {"min_overlap_hours": 0}},
        )
    ).json()
    pid = program["id"]
    for who in ("emp-e", "emp-f", "x-1"):
        assert (
            await client.post(
                f"/programs/{pid}/enrollments", headers=a, json={"person_id": who, "role": "peer"}
            )
        ).status_code == 201
    draft = (await client.post(f"/programs/{pid}/rounds", headers=a)).json()
    ids = {"program_id": pid, "round_id": draft["id"], "person_id": "emp-e"}
    ids["user_id"] = SCIM_USER["externalId"]
    published = await client.post(f"/rounds/{draft['id']}/publish", headers=a)
    assert published.status_code == 200
    matches = await client.get("/matches", headers=a, params={"program_id": pid})
    match = matches.json()["items"][0]
    ids["match_id"] = match["id"]
    member = match["members"][0]["person_id"]
    tokens["E"] = bearer(member)
    ids["person_id"] = member
    other_member = match["members"][1]["person_id"]
    # withdrawing ends one's matches: withdraw the one the round left out
    [unmatched] = {"emp-e", "emp-f", "x-1"} - {member, other_member}
    bulk_body = {"rows": [{"person_id": member, "role": "peer"}]}
    bulk = await client.post(f"/programs/{pid}/enrollments/bulk", headers=a, json=bulk_body)
    ids["job_id"] = bulk.json()["id"]
    concern = await client.post(
        f"/programs/{pid}/concerns", headers=tokens["E"], json={"text": "m"}
    )
    ids["concern_id"] = concern.json()["id"]

    failures = []
    for (method, template), expectations in MATRIX.items():
        for role, expected in expectations:
            path = template.format(**ids)
            if template.endswith("/enrollments/{person_id}"):
                path = template.format(program_id=pid, person_id=unmatched)
            if template.startswith("/people/me/blocks"):  # a block ends a match: not this one
                path = template.format(person_id="adm-a")
            if template == "/programs/{program_id}/enrollments":
                body: Any = {"person_id": member, "role": "peer"}
            elif template == "/programs/{program_id}/requests":
                body = {"partner_id": other_member}
            elif template == "/programs/{program_id}/concerns":
                body = {"text": "matrix"}
            elif template == "/people/me/blocks":
                body = {"person_id": "adm-a"}
            elif template == "/matches/{match_id}/answer":
                body = {"accept": True}
            elif template == "/people/import":
                body = [
                    {
                        "person_id": "new-2",
                        "display_name": "N",
                        "email": "n@example.com",
                        "level": 2,
                    }
                ]
            elif template == "/programs/{program_id}/enrollments/bulk":
                body = bulk_body
            elif template == "/programs":
                body = {"name": "B's own", "kind": "peer_group"}
            elif template == "/programs/{program_id}/eligibility":
                body = {"require_different_department": True}
            elif template == "/matches/{match_id}/resolve":
                body = {"action": "keep"}
            elif template == "/matches/{match_id}/end":
                body = {"reason": "matrix"}
            elif template.startswith("/scim/v2/Users") and method in ("POST", "PUT"):
                body = SCIM_USER
            elif template.startswith("/scim/v2/Users") and method == "PATCH":
                body = {"Operations": [{"op": "replace", "value": {"displayName": "M"}}]}
            elif method == "PATCH":
                body = {"name": "Matrix, renamed", "rules": {"maximise_cardinality": True}}
            else:
                body = None
            kwargs: dict[str, Any] = {"headers": tokens[role]}
            if template == "/people/import/file":
                kwargs["files"] = {"file": ("people.csv", CSV.encode(), "text/csv")}
            elif template.endswith("/bulk/file"):
                enroll_csv = f"person_id,role\n{member},peer\n".encode()
                kwargs["files"] = {"file": ("enroll.csv", enroll_csv, "text/csv")}
            elif body is not None or method == "POST" and "adjustments" in template:
                kwargs["json"] = body if body is not None else {}
            response = await client.request(method, path, **kwargs)
            if response.status_code != expected:
                failures.append(
                    f"{method} {template} as {role}: {response.status_code} "
                    f"(expected {expected}) {response.text[:120]}"
                )
    assert not failures, "\n".join(failures)

    async def full_trail() -> list[Any]:  # audit entries are written by the outbox relay
        items: list[Any] = (await client.get(f"/programs/{pid}/audit", headers=a)).json()["items"]
        return items if len(items) >= 3 else []

    trail = await eventually(full_trail, what="the audit trail")
    actions = [(entry["actor"], entry["action"]) for entry in reversed(trail)]
    assert actions[:3] == [
        ("adm-a", "program.created"),
        ("adm-a", "round.previewed"),
        ("adm-a", "round.published"),
    ]
