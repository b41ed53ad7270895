"""The console's view rules: forms into API bodies, answers into bars and rows."""

from __future__ import annotations

import pytest

from services.console.views import (
    FormError,
    contribution_bars,
    enrollment_payload,
    may_answer,
    my_answer,
    pairs_of,
    program_create_payload,
    program_update_payload,
)

PROGRAM_FORM = {
    "name": "  AI for leaders ",
    "kind": "reverse_mentoring",
    "matching_mode": "curated",
    "description": "",
    "cadence_days": "14",
    "weight_skills": "3",
    "weight_goals": "2.5",
    "weight_cross_department": "1",
    "weight_diversity": "0",
    "weight_availability": "1",
    "min_overlap_hours": "2",
    "require_shared_language": "on",
}


def test_a_new_program_is_administered_by_its_creator_with_the_weights_and_rules_entered() -> None:
    body = program_create_payload(PROGRAM_FORM, "adm-1")
    assert body["name"] == "AI for leaders"
    assert body["admin_ids"] == ["adm-1"]
    assert body["cadence_days"] == 14
    assert body["rules"]["weights"] == {
        "skills": 3.0,
        "goals": 2.5,
        "cross_department": 1.0,
        "diversity": 0.0,
        "availability": 1.0,
    }


def test_a_new_program_starts_its_matches_as_chosen_and_when_accepted_by_default() -> None:
    chosen = program_create_payload({**PROGRAM_FORM, "matches_start": "on_publish"}, "adm-1")
    assert chosen["matches_start"] == "on_publish"
    assert program_create_payload(PROGRAM_FORM, "adm-1")["matches_start"] == "when_accepted"


def test_an_unchecked_rule_box_turns_the_rule_off() -> None:
    rules = program_update_payload(PROGRAM_FORM)["rules"]
    assert rules["require_shared_language"] is True
    assert rules["require_different_department"] is False
    assert rules["require_different_business_unit"] is False


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("name", " ", "Name: required"),
        ("kind", "speed_dating", "Kind: choose one of"),
        ("weight_skills", "lots", "Weight skills: enter a number"),
        ("weight_goals", "101", "Weight goals: between 0 and 100"),
        ("min_overlap_hours", "13", "Min overlap hours: between 0 and 12"),
        ("matches_start", "someday", "Matches start: choose one of"),
    ],
)
def test_a_wrong_field_is_refused_naming_it(field: str, value: str, says: str) -> None:
    with pytest.raises(FormError, match=says):
        program_create_payload({**PROGRAM_FORM, field: value}, "adm-1")


def test_an_enrollment_splits_skills_and_goals_on_commas() -> None:
    body = enrollment_payload(
        {
            "person_id": "p-7",
            "role": "mentee",
            "skills_wanted": "generative-ai, , prompting",
            "goals": "",
            "capacity": "1",
            "work_start_hour": "7",
            "work_end_hour": "20",
        }
    )
    assert body["skills_wanted"] == ["generative-ai", "prompting"]
    assert body["goals"] == []
    assert (body["work_start_hour"], body["work_end_hour"]) == (7.0, 20.0)


def test_working_hours_that_end_before_they_start_are_refused() -> None:
    form = {"person_id": "p", "role": "mentor", "capacity": "1"}
    with pytest.raises(FormError, match="after the start hour"):
        enrollment_payload({**form, "work_start_hour": "17", "work_end_hour": "9"})


def test_bars_are_sized_against_the_strongest_criterion_largest_first() -> None:
    bars = contribution_bars(
        {
            "contributions": {
                "availability": {"weight": 1, "raw": 0.5, "value": 0.5},
                "skills": {"weight": 3, "raw": 0.8, "value": 2.4},
                "cross_department": {"weight": 1, "raw": 0.0, "value": 0.0},
            }
        }
    )
    assert [(b.criterion, b.percent) for b in bars] == [
        ("Skills", 100.0),
        ("Availability", 20.8),
        ("Cross department", 0.0),
    ]


def test_an_explanation_without_contributions_draws_no_bar() -> None:
    assert contribution_bars({"contributions": {}}) == []


def test_a_group_offers_every_two_of_its_members_as_a_pair_to_lock_or_forbid() -> None:
    assert pairs_of(["a", "b"]) == [("a", "b")]
    assert pairs_of(["a", "b", "c"]) == [("a", "b"), ("a", "c"), ("b", "c")]


def test_a_member_answers_a_proposed_match_once() -> None:
    match = {"state": "proposed", "responses": {"me": "pending", "you": "accepted"}}
    assert (my_answer(match, "me"), may_answer(match, "me")) == ("waiting", True)
    assert (my_answer(match, "you"), may_answer(match, "you")) == ("accepted", False)
    assert may_answer({**match, "state": "active"}, "me") is False
