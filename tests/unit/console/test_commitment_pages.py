"""A relationship's goals and action items, as its members keep them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.unit.console.answers import RELATIONSHIP
from tests.unit.console.fake_apis import FakeApis, S, sign_in

REL = f"{S}/relationships/rel-m-1"


def goal(gid: str, status: str) -> dict[str, Any]:
    return {
        "id": gid,
        "relationship_id": "rel-m-1",
        "owner_id": None,
        "title": f"Goal {gid}",
        "status": status,
        "created_at": "2030-01-07T09:00:00+00:00",
        "closed_at": None,
    }


def item(iid: str, status: str, due_on: str) -> dict[str, Any]:
    return {
        "id": iid,
        "relationship_id": "rel-m-1",
        "owner_id": "s-ny",
        "description": f"Item {iid}",
        "due_on": due_on,
        "due_at": f"{due_on}T17:00:00+00:00",
        "status": status,
        "overdue": False,
        "meeting_id": None,
        "goal_id": None,
        "completed_at": None,
    }


def test_open_goals_and_items_come_first_with_their_actions(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    apis.answer(f"GET {REL}", RELATIONSHIP)
    apis.page(f"GET {REL}/goals", [goal("g-1", "open"), goal("g-2", "achieved")])
    apis.page(
        f"GET {REL}/action-items",
        [item("a-1", "done", "2030-01-01"), item("a-2", "open", "2030-02-01")],
    )
    page = client.get("/me/relationships/rel-m-1/commitments").text
    assert "Goals and action items with m-tokyo" in page
    assert page.count("/goals/g-1/achieve") == 1 and "/goals/g-2/achieve" not in page
    assert page.index("Item a-2") < page.index("Item a-1")
    assert '<option value="g-1">Goal g-1</option>' in page  # only open goals to work towards


def test_an_action_item_is_sent_with_its_goal_and_a_past_date_is_refused(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    apis.answer(f"POST {REL}/action-items", item("a-3", "open", "2099-01-01"), status=201)
    form = {"description": "Read the paper", "owner_id": "m-tokyo", "due_on": "2099-01-01"}
    answer = client.post(
        "/me/relationships/rel-m-1/action-items",
        data={**form, "goal_id": "g-1"},
        follow_redirects=False,
    )
    assert answer.headers["location"].startswith(
        "/me/relationships/rel-m-1/commitments?notice=Action+item+added"
    )
    assert apis.bodies(f"POST {REL}/action-items") == [{**form, "goal_id": "g-1"}]
    late = client.post(
        "/me/relationships/rel-m-1/action-items",
        data={**form, "due_on": "2001-01-01"},
        follow_redirects=False,
    )
    assert "Due+on%3A+today+or+later" in late.headers["location"]
    assert len(apis.bodies(f"POST {REL}/action-items")) == 1


def test_achieving_a_goal_posts_to_the_goal_and_comes_back_to_the_page(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    apis.answer(f"POST {S}/goals/g-1/achieve", goal("g-1", "achieved"))
    answer = client.post("/me/relationships/rel-m-1/goals/g-1/achieve", follow_redirects=False)
    assert answer.headers["location"] == (
        "/me/relationships/rel-m-1/commitments?notice=Goal+achieved%3A+well+done"
    )
    assert [r.url.path for r in apis.sent[-1:]] == ["/goals/g-1/achieve"]
