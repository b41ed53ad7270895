"""A program admin's pages: what each form sends (with the admin's token) and what
each page shows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.unit.console.answers import MATCH, PROGRAM, PROPOSAL, RELATIONSHIP, ROUND
from tests.unit.console.fake_apis import FakeApis, M, S, sign_in

RELATIONSHIPS = f"GET {S}/relationships"
CONCERNS = f"GET {M}/programs/prg-1/concerns"


def test_creating_a_program_posts_it_and_opens_its_page(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"POST {M}/programs", PROGRAM, status=201)
    form = {
        "name": "AI for leaders",
        "kind": "reverse_mentoring",
        "matching_mode": "curated",
        "cadence_days": "14",
        "min_overlap_hours": "2",
        **{f"weight_{w}": "1" for w in PROGRAM["rules"]["weights"]},  # type: ignore[index]
    }
    answer = client.post("/admin/programs", data=form, follow_redirects=False)
    assert answer.headers["location"].startswith("/admin/programs/prg-1?notice=")
    (sent,) = apis.bodies(f"POST {M}/programs")
    assert sent["admin_ids"] == ["adm-1"] and sent["rules"]["require_shared_language"] is False


def test_the_program_form_offers_matches_that_start_on_publish(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.page(f"GET {M}/programs", [])
    form = client.get("/admin/programs").text
    assert 'name="matches_start"' in form
    assert 'value="when_accepted"' in form and 'value="on_publish"' in form
    apis.answer(f"POST {M}/programs", {**PROGRAM, "matches_start": "on_publish"}, status=201)
    chosen = {
        "name": "Assigned",
        "kind": "reverse_mentoring",
        "matching_mode": "curated",
        "matches_start": "on_publish",
        "cadence_days": "14",
        "min_overlap_hours": "2",
        **{f"weight_{w}": "1" for w in PROGRAM["rules"]["weights"]},  # type: ignore[index]
    }
    client.post("/admin/programs", data=chosen, follow_redirects=False)
    (sent,) = apis.bodies(f"POST {M}/programs")
    assert sent["matches_start"] == "on_publish"


def test_editing_weights_and_rules_patches_the_program(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"PATCH {M}/programs/prg-1", PROGRAM)
    form = {
        "name": "AI for leaders",
        "min_overlap_hours": "3",
        "require_different_department": "on",
    }
    form |= {f"weight_{w}": "2" for w in ("skills", "goals", "cross_department")}
    form |= {f"weight_{w}": "0" for w in ("diversity", "availability")}
    answer = client.post("/admin/programs/prg-1", data=form, follow_redirects=False)
    assert answer.headers["location"].startswith("/admin/programs/prg-1?notice=Saved")
    (sent,) = apis.bodies(f"PATCH {M}/programs/prg-1")
    assert sent["rules"]["weights"]["availability"] == 0.0
    assert sent["rules"]["min_overlap_hours"] == 3.0
    assert sent["rules"]["require_different_department"] is True


def test_a_refused_form_shows_the_api_reason_on_the_page(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(
        f"POST {M}/programs/prg-1/enrollments",
        {"detail": [{"loc": ["body", "person_id"], "msg": "not a known person"}]},
        status=422,
    )
    for route in (
        f"GET {M}/programs/prg-1/enrollments",
        f"GET {M}/matches",
        RELATIONSHIPS,
        CONCERNS,
    ):
        apis.page(route, [])
    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)
    form = {"person_id": "ghost", "role": "mentor", "capacity": "1"}
    form |= {"work_start_hour": "9", "work_end_hour": "17"}
    page = client.post("/admin/programs/prg-1/enrollments", data=form)
    assert "person_id: not a known person" in page.text


def test_the_round_preview_explains_every_pair_and_every_unmatched_person(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"GET {M}/rounds/rnd-1", ROUND)
    apis.page(f"GET {M}/rounds/rnd-1/proposals", [PROPOSAL])
    apis.page(f"GET {M}/people", [{"person_id": "m-tokyo", "display_name": "Aiko Tanaka"}])
    page = client.get("/admin/rounds/rnd-1").text
    assert "Aiko Tanaka" in page and "s-ny" in page  # a name, or the id when none
    [names_call] = [r for r in apis.sent if r.url.path == "/people"]
    assert sorted(names_call.url.params.get_list("person_id")) == sorted(
        {m["person_id"] for m in PROPOSAL["members"]} | {u["person_id"] for u in ROUND["unmatched"]}  # type: ignore[index, union-attr]
    )  # one call names everyone on the page
    assert 'style="width: 100.0%"' in page and 'style="width: 20.8%"' in page
    assert "No feasible partner (Overlap hours): no mentor shares 2 working hours" in page
    assert 'aria-label="Lock Aiko Tanaka with s-ny"' in page


def test_a_large_round_opens_a_page_of_pairs_with_a_pager_to_the_next(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"GET {M}/rounds/rnd-1", ROUND | {"proposal_count": 120})
    apis.answer(
        f"GET {M}/rounds/rnd-1/proposals",
        {"items": [PROPOSAL] * 50, "total": 120, "limit": 50, "offset": 50},
    )
    apis.page(f"GET {M}/people", [])
    page = client.get("/admin/rounds/rnd-1?offset=50").text
    [asked] = [r for r in apis.sent if r.url.path.endswith("/proposals")]
    assert (asked.url.params["limit"], asked.url.params["offset"]) == ("50", "50")
    assert "51–100 of 120" in page
    assert 'href="/admin/rounds/rnd-1?offset=100">Next page' in page
    assert 'href="/admin/rounds/rnd-1?offset=0">Previous page' in page


def test_a_large_program_shows_a_page_of_each_long_list_and_keeps_the_others_place(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)
    enrolled = [{"person_id": f"p-{i}", "role": "mentee", "status": "active"} for i in range(50)]
    apis.answer(
        f"GET {M}/programs/prg-1/enrollments",
        {"items": enrolled, "total": 2000, "limit": 50, "offset": 100},
    )
    apis.answer(f"GET {M}/matches", {"items": [MATCH], "total": 1000, "limit": 50, "offset": 0})
    apis.page(f"GET {M}/matches", [], when={"state": "flagged"})
    apis.page(RELATIONSHIPS, [])
    apis.page(CONCERNS, [])
    page = client.get("/admin/programs/prg-1?enrollments_offset=100").text
    assert "Enrolled (2000)" in page and "Matches (1000)" in page
    assert "101–150 of 2000" in page and "1–50 of 1000" in page
    [asked] = [r.url.params for r in apis.sent if r.url.path.endswith("/enrollments")]
    assert (asked["limit"], asked["offset"]) == ("50", "100")
    # the matches' pager keeps where the enrollments stand, and the other way round
    assert 'href="/admin/programs/prg-1?enrollments_offset=100&amp;matches_offset=50"' in page
    assert 'href="/admin/programs/prg-1?enrollments_offset=150">Next page' in page


@pytest.mark.parametrize(
    ("action", "notice"),
    [("lock", "locked"), ("forbid", "forbidden"), ("swap", "swapped")],
)
def test_each_adjustment_sends_itself_and_shows_the_round_again(
    client: TestClient, apis: FakeApis, action: str, notice: str
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"POST {M}/rounds/rnd-1/adjustments", ROUND)
    form = {"action": action, "first": "s-ny", "second": "s-ldn"}
    answer = client.post("/admin/rounds/rnd-1/adjust", data=form, follow_redirects=False)
    assert answer.headers["location"].startswith(
        f"/admin/rounds/rnd-1?notice=s-ny+and+s-ldn+{notice}"
    )
    assert apis.bodies(f"POST {M}/rounds/rnd-1/adjustments") == [
        {action: [{"first": "s-ny", "second": "s-ldn"}]}
    ]


def test_an_unknown_adjustment_is_explained_and_not_sent(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    form = {"action": "merge", "first": "s-ny", "second": "s-ldn"}
    answer = client.post("/admin/rounds/rnd-1/adjust", data=form, follow_redirects=False)
    assert "Choose+lock%2C+forbid+or+swap" in answer.headers["location"]
    assert apis.bodies(f"POST {M}/rounds/rnd-1/adjustments") == []


def test_a_flagged_match_is_listed_with_its_reason_and_resolved_from_the_program(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    flagged = {**MATCH, "id": "m-9", "state": "flagged", "note": "one reporting chain"}
    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)
    apis.page(f"GET {M}/programs/prg-1/enrollments", [])
    apis.page(RELATIONSHIPS, [])
    apis.page(CONCERNS, [])
    apis.page(f"GET {M}/matches", [flagged, {**flagged, "id": "m-8", "state": "active"}])
    apis.page(f"GET {M}/matches", [flagged], when={"state": "flagged"})
    page = client.get("/admin/programs/prg-1").text
    assert page.count('action="/admin/matches/') == 1 and "one reporting chain" in page
    apis.answer(f"POST {M}/matches/m-9/resolve", {**flagged, "state": "active"})
    answer = client.post(
        "/admin/matches/m-9/resolve",
        data={"program_id": "prg-1", "action": "keep"},
        follow_redirects=False,
    )
    assert answer.headers["location"].startswith("/admin/programs/prg-1?notice=")
    assert apis.bodies(f"POST {M}/matches/m-9/resolve") == [{"action": "keep"}]


def test_closing_a_program_that_is_already_closed_says_why(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"POST {M}/programs/prg-1/close", {"detail": "program is closed"}, status=409)
    answer = client.post("/admin/programs/prg-1/close", follow_redirects=False)
    assert answer.headers["location"] == "/admin/programs/prg-1?error=program+is+closed"


def test_text_from_the_apis_is_shown_as_text_never_as_markup(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.page(f"GET {M}/programs", [{**PROGRAM, "name": "<script>alert(1)</script>"}])
    page = client.get("/admin/programs").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_program_page_lists_relationships_needing_a_look_first_with_why(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)
    apis.page(f"GET {M}/programs/prg-1/enrollments", [])
    apis.page(f"GET {M}/matches", [])
    at_risk = {
        **RELATIONSHIP,
        "id": "rel-2",
        "health": {"state": "at_risk", "reasons": ["no_meeting_in_cadence", "low_feedback"]},
    }
    stalled = {**at_risk, "id": "rel-3", "health": {"state": "stalled", "reasons": []}}
    apis.page(RELATIONSHIPS, [RELATIONSHIP], when={"health": "healthy"})
    apis.page(RELATIONSHIPS, [stalled, at_risk], when={"health": "at_risk"})
    apis.page(CONCERNS, [])
    page = client.get("/admin/programs/prg-1").text
    assert "Relationship health (3)" in page
    assert page.index("At risk") < page.index("Stalled") < page.index("Healthy")
    assert "no meeting in cadence, low feedback" in page
    asked = [r.url.params for r in apis.sent if r.url.path == "/relationships"]
    assert sorted(tuple(p.get_list("health")) for p in asked) == [
        ("at_risk", "stalled"),
        ("healthy",),
    ]
    assert {p["program_id"] for p in asked} == {"prg-1"}


def test_concerns_are_listed_open_first_and_marked_handled_from_the_program(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    for route in (f"GET {M}/programs/prg-1/enrollments", f"GET {M}/matches", RELATIONSHIPS):
        apis.page(route, [])
    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)

    def concern(cid: str, status: str, text: str) -> dict[str, object]:
        return {
            "id": cid,
            "program_id": "prg-1",
            "reporter_id": "s-ny",
            "about_person_id": "m-tokyo",
            "match_id": None,
            "text": text,
            "status": status,
            "created_at": f"2030-01-0{cid[-1]}T09:00:00+00:00",
        }

    apis.page(CONCERNS, [concern("c-1", "handled", "old"), concern("c-2", "open", "<b>new</b>")])
    page = client.get("/admin/programs/prg-1").text
    assert "Concerns reported (1 open)" in page
    assert page.index("&lt;b&gt;new&lt;/b&gt;") < page.index(">old<")
    assert page.count("/concerns/c-2/handled") == 1 and "/concerns/c-1/handled" not in page
    apis.answer(f"POST {M}/programs/prg-1/concerns/c-2/handled", concern("c-2", "handled", ""))
    answer = client.post("/admin/programs/prg-1/concerns/c-2/handled", follow_redirects=False)
    assert answer.headers["location"] == "/admin/programs/prg-1?notice=Concern+marked+as+handled"


def test_a_program_sessions_has_not_heard_of_yet_shows_no_relationship(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)
    for route in (f"GET {M}/programs/prg-1/enrollments", f"GET {M}/matches", CONCERNS):
        apis.page(route, [])
    apis.answer(RELATIONSHIPS, {"detail": "not found: program prg-1"}, status=404)
    page = client.get("/admin/programs/prg-1")
    assert page.status_code == 200 and "Relationship health (0)" in page.text


ELIGIBILITY = f"POST {M}/programs/prg-1/eligibility"
RULES_FORM = {"min_overlap_hours": "6", "require_different_department": "on"} | {
    f"weight_{w}": "1" for w in ("skills", "goals", "cross_department", "diversity", "availability")
}


def test_the_live_eligibility_preview_sends_the_forms_rules_and_answers_a_fragment(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    sides = [
        {"role": "mentee", "enrolled": 250, "eligible": 200},
        {"role": "mentor", "enrolled": 250, "eligible": 212},
    ]
    apis.answer(ELIGIBILITY, {"enrolled": 500, "eligible": 412, "estimated": False, "sides": sides})
    fragment = client.post(
        "/admin/programs/prg-1/eligibility", data=RULES_FORM, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "412 of 500 enrolled people have at least one eligible partner" in fragment.text
    assert "mentees 200 of 250, mentors 212 of 250" in fragment.text
    (sent,) = apis.bodies(ELIGIBILITY)
    assert sent["min_overlap_hours"] == 6.0 and sent["require_different_department"] is True
    assert sent["require_shared_language"] is False  # an unchecked box is a rule switched off


def test_without_scripts_the_eligibility_count_comes_back_on_the_programs_page(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    sides = [{"role": "peer", "enrolled": 90000, "eligible": 81000}]
    apis.answer(
        ELIGIBILITY, {"enrolled": 90000, "eligible": 81000, "estimated": True, "sides": sides}
    )
    answer = client.post(
        "/admin/programs/prg-1/eligibility", data=RULES_FORM, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(
        "/admin/programs/prg-1?notice=Under+these+rules+about+81000"
    )


def test_a_rule_out_of_bounds_is_named_in_the_preview_and_nothing_is_asked(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    form = RULES_FORM | {"min_overlap_hours": "13"}
    fragment = client.post(
        "/admin/programs/prg-1/eligibility", data=form, headers={"HX-Request": "true"}
    )
    assert 'class="error"' in fragment.text and "between 0 and 12" in fragment.text
    assert apis.bodies(ELIGIBILITY) == []


def test_a_page_says_where_its_time_went_in_its_server_timing_header(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.page(f"GET {M}/programs", [PROGRAM])
    answer = client.get("/admin/programs")
    timing = answer.headers["Server-Timing"]
    assert timing.startswith("page;dur=")
    assert 'api0;desc="GET matcher /programs";dur=' in timing
