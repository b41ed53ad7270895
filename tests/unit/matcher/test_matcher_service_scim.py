"""Service layer, SCIM users, on the fake unit of work: which ``hr.people.v1`` fact each
change stages, with which id, and what changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from scim2_models import SCIMException

from services.matcher import scim
from shared.auth import Role
from shared.contracts.envelope import Envelope
from shared.mongo import ConcurrencyConflict
from tests.support.fakes import principal, staged_events

from .service_world import World

IDP = principal("okta", Role.PROVISIONER)
OKTA_USER = {
    "userName": "ada@example.com",
    "externalId": "00u1",
    "emails": [{"value": "ada@example.com", "type": "work", "primary": True}],
    "active": True,
}


async def staged(world: World) -> list[Envelope]:
    return await staged_events(world.database.scim_users)


async def change(world: World, call: Any, **kwargs: Any) -> Any:
    async with world.work(IDP) as uow:
        return await call(uow, **kwargs)


async def test_a_created_user_stages_the_person_upserted_under_its_person_id() -> None:
    world = World()
    doc = await change(world, scim.create_user, body=OKTA_USER)
    [event] = await staged(world)
    assert (doc["_id"], doc["version"], event.type) == ("00u1", 1, "hr.person.upserted")
    assert event.data["person_id"] == "00u1" and event.data["email"] == "ada@example.com"
    assert event.id.startswith("scim:") and event.id.endswith(":1")
    assert "00u1" not in event.id  # an id that outlives an erasure names nobody


async def test_the_same_put_twice_is_one_change_and_one_fact() -> None:
    world = World()
    await change(world, scim.create_user, body=OKTA_USER)
    titled = {**OKTA_USER, "title": "Analyst"}
    first = await change(world, scim.replace_user, user_id="00u1", body=titled, if_match=None)
    second = await change(world, scim.replace_user, user_id="00u1", body=titled, if_match=None)
    assert first["version"] == second["version"] == 2
    events = await staged(world)
    assert [e.data["title"] for e in events] == ["", "Analyst"]
    assert len({e.id for e in events}) == 2


async def test_deactivation_departs_once_and_reactivation_upserts_again() -> None:
    world = World()
    await change(world, scim.create_user, body=OKTA_USER)
    off = {"Operations": [{"op": "replace", "value": {"active": False}}]}
    on = {"Operations": [{"op": "replace", "value": {"active": True}}]}
    retitle = {"Operations": [{"op": "replace", "path": "title", "value": "Gone"}]}
    for body in (off, retitle, on):
        await change(world, scim.patch_user, user_id="00u1", body=body, if_match=None)
    events = await staged(world)
    assert [e.type for e in events] == [
        "hr.person.upserted",
        "hr.person.departed",
        "hr.person.upserted",
    ]
    assert events[1].data == {"person_id": "00u1", "departed_on": "2026-03-02"}
    assert events[2].data["title"] == "Gone"  # changed while away, published on return


async def test_delete_departs_hides_the_user_and_a_new_creation_continues_its_versions() -> None:
    world = World()
    await change(world, scim.create_user, body=OKTA_USER)
    await change(world, scim.delete_user, user_id="00u1", if_match=None)
    with pytest.raises(SCIMException) as gone:
        await change(world, scim.get_user, user_id="00u1")
    assert gone.value.to_error().status == 404
    again = await change(world, scim.create_user, body=OKTA_USER)
    assert again["version"] == 3
    events = await staged(world)
    assert [e.type.rsplit(".", 1)[1] for e in events] == ["upserted", "departed", "upserted"]


async def test_a_taken_username_or_person_id_is_a_409_uniqueness() -> None:
    world = World()
    await change(world, scim.create_user, body=OKTA_USER)
    shouting = {**OKTA_USER, "userName": "ADA@example.com", "externalId": "00u2"}
    same_id = {**OKTA_USER, "userName": "other@example.com"}
    for body in (shouting, same_id):
        with pytest.raises(SCIMException) as taken:
            await change(world, scim.create_user, body=body)
        error = taken.value.to_error()
        assert (error.status, error.scim_type) == (409, "uniqueness")


async def test_a_stale_if_match_is_a_412_and_a_current_one_applies() -> None:
    world = World()
    await change(world, scim.create_user, body=OKTA_USER)
    with pytest.raises(SCIMException) as stale:
        await change(world, scim.delete_user, user_id="00u1", if_match='W/"7"')
    assert stale.value.to_error().status == 412
    await change(world, scim.delete_user, user_id="00u1", if_match='W/"1"')


async def test_a_person_the_hr_rules_refuse_is_a_400_and_nothing_is_written() -> None:
    world = World()
    with pytest.raises(SCIMException) as refused:
        await change(world, scim.create_user, body={**OKTA_USER, "timezone": "Mars/Olympus"})
    assert refused.value.to_error().scim_type == "invalidValue"
    assert "unknown IANA time zone" in str(refused.value)
    assert await world.database.scim_users.count_documents({}) == 0


async def test_two_creations_of_one_person_at_once_are_a_conflict_not_a_crash() -> None:
    world = World()
    async with world.work(IDP) as first, world.work(IDP) as second:
        await scim.create_user(first, body=OKTA_USER)
        with pytest.raises(ConcurrencyConflict):  # the store's insert, racing the first
            await second.store.insert_scim_user({"_id": "00u1", "deleted": False})
