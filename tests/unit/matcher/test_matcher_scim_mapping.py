"""SCIM users as people, pure logic: which attribute feeds which HR field, the person
id, PATCH as Okta and Entra send it, the one filter supported, and pagination."""

from __future__ import annotations

from typing import Any

import pytest
from scim2_models import Context, SCIMException

from services.matcher.domain import scim_requests, scim_users
from services.matcher.domain.scim_users import ENTERPRISE, MENTORING

WORK_MAIL = {"value": "alan@contoso.example", "type": "work", "primary": True}


def user(**attributes: Any) -> Any:
    body = {"userName": "alan@contoso.example", "emails": [WORK_MAIL], **attributes}
    return scim_users.read_user(body, context=Context.RESOURCE_CREATION_REQUEST)


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    schemas = ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
    return {"schemas": schemas, "Operations": list(operations)}


def refused(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(SCIMException) as caught:
        call(*args, **kwargs)
    error = caught.value.to_error()
    assert error.status == 400
    return str(error.scim_type)


def test_every_mapped_attribute_feeds_its_hr_field() -> None:
    alan = user(
        displayName="Alan Turing",
        title="Researcher",
        timezone="Europe/London",
        preferredLanguage="en-GB",
        locale="fr_FR",
        addresses=[{"type": "home", "locality": "Wilmslow"}, {"type": "work", "locality": "Leeds"}],
        **{
            ENTERPRISE: {
                "department": "Research",
                "division": "Labs",
                "manager": {"value": "E-1000"},
            },
            MENTORING: {"level": 7},
        },
    )
    assert scim_users.person_row(alan, "E-1001") == {
        "person_id": "E-1001",
        "display_name": "Alan Turing",
        "email": "alan@contoso.example",
        "title": "Researcher",
        "level": 7,
        "department": "Research",
        "business_unit": "Labs",
        "location": "Leeds",
        "time_zone": "Europe/London",
        "languages": ["en", "fr"],
        "manager_id": "E-1000",
    }


def test_a_bare_user_gets_the_hr_defaults_and_a_name_from_its_parts() -> None:
    bare = user(name={"givenName": "Alan", "familyName": "Turing"})
    row = scim_users.person_row(bare, "p-1")
    assert (row["display_name"], row["level"], row["time_zone"]) == ("Alan Turing", 0, "UTC")
    assert (row["languages"], row["manager_id"], row["department"]) == ([], None, "")


def test_the_primary_email_wins_over_the_work_one_and_the_username_is_the_last_resort() -> None:
    home = {"value": "alan@home.example", "type": "home", "primary": True}
    work = {"value": "alan@work.example", "type": "work"}
    assert scim_users.person_row(user(emails=[work, home]), "p")["email"] == "alan@home.example"
    assert scim_users.person_row(user(emails=[]), "p")["email"] == "alan@contoso.example"
    nameless = user(userName="alan", emails=[])
    assert refused(scim_users.person_row, nameless, "p") == "invalidValue"


def test_the_person_id_is_the_employee_number_else_the_external_id_else_minted() -> None:
    both = user(externalId="00u1", **{ENTERPRISE: {"employeeNumber": "E-7"}})
    assert scim_users.person_id_for(both) == "E-7"
    assert scim_users.person_id_for(user(externalId="00u1")) == "00u1"
    assert scim_users.person_id_for(user()) is None


def test_a_password_is_never_kept_and_strict_input_is_a_scim_400() -> None:
    assert "password" not in scim_users.stored_form(user(password="s3cret"))
    assert refused(scim_users.read_user, [], context=Context.RESOURCE_CREATION_REQUEST) == (
        "invalidSyntax"
    )
    assert refused(user, bogus=1) == "invalidSyntax"
    assert refused(user, userName=" ") == "invalidValue"
    assert refused(user, displayName="x" * 3000) == "invalidValue"
    assert refused(user, emails=[WORK_MAIL] * 51) == "invalidValue"
    assert refused(user, **{MENTORING: {"level": 31}}) == "invalidValue"


def test_okta_deactivates_and_reactivates_with_a_pathless_replace() -> None:
    alan = user(active=True)
    off = scim_requests.patched(alan, patch({"op": "replace", "value": {"active": False}}))
    assert not scim_users.is_active(off) and scim_users.is_active(alan)
    on = scim_requests.patched(off, patch({"op": "replace", "value": {"active": True}}))
    assert scim_users.is_active(on)


def test_entra_sends_a_capitalised_op_and_a_boolean_as_text() -> None:
    off = scim_requests.patched(
        user(), patch({"op": "Replace", "path": "active", "value": "False"})
    )
    assert off.active is False


def test_entra_adds_the_manager_as_a_bare_id_and_removes_it_with_or_without_a_value() -> None:
    path = f"{ENTERPRISE}:manager"
    managed = scim_requests.patched(user(), patch({"op": "Add", "path": path, "value": "E-1000"}))
    assert scim_users.person_row(managed, "E-1001")["manager_id"] == "E-1000"
    for removal in ({"op": "Remove", "path": path}, {"op": "Remove", "path": path, "value": "x"}):
        unmanaged = scim_requests.patched(managed, patch(removal))
        assert scim_users.person_row(unmanaged, "E-1001")["manager_id"] is None


def test_entra_replaces_the_work_email_through_a_path_filter_and_adds_a_missing_one() -> None:
    path = 'emails[type eq "work"].value'
    moved = scim_requests.patched(user(), patch({"op": "Replace", "path": path, "value": "t@c.io"}))
    assert scim_users.person_row(moved, "p")["email"] == "t@c.io"
    no_work = user(emails=[{"value": "a@home.example", "type": "home"}])
    added = scim_requests.patched(no_work, patch({"op": "Add", "path": path, "value": "w@c.io"}))
    assert sorted(e.value for e in added.emails) == ["a@home.example", "w@c.io"]


def test_a_patch_leaves_the_user_it_was_given_unchanged() -> None:
    alan = user(displayName="Alan")
    scim_requests.patched(alan, patch({"op": "replace", "path": "displayName", "value": "A"}))
    assert alan.display_name == "Alan"


def test_bad_patches_are_scim_400s_of_the_right_type() -> None:
    alan = user()
    assert refused(scim_requests.patched, alan, []) == "invalidSyntax"
    assert refused(scim_requests.patched, alan, {}) == "invalidValue"
    frob = patch({"op": "frob", "path": "active", "value": True})
    assert refused(scim_requests.patched, alan, frob) == "invalidValue"
    read_only = patch({"op": "replace", "path": "id", "value": "x"})
    assert refused(scim_requests.patched, alan, read_only) == "mutability"
    unknown = patch({"op": "replace", "path": "shoeSize", "value": 3})
    assert refused(scim_requests.patched, alan, unknown) == "invalidPath"
    blank = patch({"op": "replace", "path": "userName", "value": ""})
    assert refused(scim_requests.patched, alan, blank) == "invalidValue"
    many = patch(*[{"op": "replace", "path": "title", "value": "t"}] * 51)
    assert refused(scim_requests.patched, alan, many) == "invalidValue"


def test_only_username_and_external_id_equality_filter_a_list() -> None:
    assert scim_requests.user_filter('userName eq "Alan@X"') == scim_requests.UserFilter(
        "userName", "Alan@X"
    )
    assert scim_requests.user_filter('externalId eq "00u1"') == scim_requests.UserFilter(
        "externalId", "00u1"
    )
    assert scim_requests.user_filter(None) is None
    for unsupported in ('userName sw "a"', 'title eq "x"', 'userName eq "a" or active eq true'):
        assert refused(scim_requests.user_filter, unsupported) == "invalidFilter"
    assert refused(scim_requests.user_filter, "userName eq") == "invalidFilter"


def test_usernames_compare_without_case() -> None:
    assert scim_users.comparable_name("Alan@Contoso.Example") == "alan@contoso.example"


def test_pagination_follows_rfc_7644_and_is_capped() -> None:
    assert scim_requests.window(None, None) == scim_requests.Window(1, 100)
    assert scim_requests.window(0, -3) == scim_requests.Window(1, 0)
    assert scim_requests.window(11, 10_000).offset == 10
    assert scim_requests.window(11, 10_000).count == scim_requests.MAX_PAGE_SIZE


def test_control_characters_and_lone_surrogates_are_refused_anywhere() -> None:
    assert refused(user, displayName="a\x00b") == "invalidValue"
    assert refused(user, title="\x1b[31mred") == "invalidValue"
    assert refused(user, name={"givenName": "\ud800"}) == "invalidValue"
    assert user(addresses=[{"formatted": "1 Main St\nSpringfield", "type": "work"}])


def test_a_password_patch_changes_nothing_and_a_pathless_text_boolean_is_read() -> None:
    alan = user(active=True)
    okta_password = patch({"op": "replace", "value": {"password": "n3w"}})
    assert scim_users.stored_form(scim_requests.patched(alan, okta_password)) == (
        scim_users.stored_form(alan)
    )
    entra_off = patch({"op": "Replace", "value": {"active": "False"}})
    assert scim_requests.patched(alan, entra_off).active is False
