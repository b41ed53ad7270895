"""An HR analyst's page: charts with suppressed cells, the CSV export."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.unit.console.fake_apis import FakeApis, S, sign_in

HIDDEN: dict[str, Any] = {"value": None, "suppressed": True}
SURVEY_CELLS = ("answers", "average_overall", "average_partner_helpfulness")
SURVEY_CELLS += ("would_recommend", "would_continue")


def hidden_survey() -> dict[str, Any]:
    """A closing survey answered by too few people: every cell suppressed."""
    return {"goals_met": {}} | {m: HIDDEN for m in SURVEY_CELLS}


def test_an_analyst_sees_suppressed_cells_as_suppressed_and_exports_csv(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "hr-1", "hr_analyst")
    figures: dict[str, Any] = {"value": 6, "suppressed": False}
    week: dict[str, Any] = {"period": "2026-W48", "starts_on": "2026-11-23"}
    week["ends_on"] = "2026-11-29"
    week |= {m: figures for m in ("active_relationships", "meetings_planned", "meetings_held")}
    week |= {m: HIDDEN for m in ("average_rating", "commitments_completed", "journal_entries")}
    survey = hidden_survey()
    apis.answer(
        f"GET {S}/hr/programs/prg-1/aggregates",
        {"periods": [week], "health_distribution": {"healthy": figures}, "survey": survey},
    )
    page = client.get("/hr", params={"program_id": "prg-1", "period": "iso_week"}).text
    assert page.count('class="chart-suppressed"') == 3
    assert "Average rating: 2026-W48 suppressed" in page
    assert apis.sent[-1].url.params["period"] == "iso_week"
    exported = client.get("/hr/programs/prg-1/aggregates.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[1].endswith("6,6,6,suppressed,suppressed,suppressed")


def test_the_pulse_checks_show_with_their_suppressed_cells_and_are_exported(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "hr-1", "hr_analyst")
    shown: dict[str, Any] = {"value": 5, "suppressed": False}
    pulse: dict[str, Any] = {"answers": shown, "comfort": {"count": shown, "mean": shown}}
    pulse["psychological_safety"] = {"count": HIDDEN, "mean": HIDDEN}
    pulse["would_continue"] = {"count": shown, "mean": {"value": 0.8, "suppressed": False}}
    aggregates = {"periods": [], "health_distribution": {}, "survey": hidden_survey()}
    aggregates["pulse"] = pulse
    apis.answer(f"GET {S}/hr/programs/prg-1/aggregates", aggregates)
    page = client.get("/hr", params={"program_id": "prg-1"}).text
    section = page[page.index('id="pulse-heading"') :]
    assert section.count('<span class="tag">suppressed</span>') == 2
    assert "Would continue (share answering yes)" in section and "0.8" in section
    assert "Pulse checks: mean rating (1 to 5): Comfort 5, Psychological safety suppressed" in page
    exported = client.get("/hr/programs/prg-1/aggregates.csv").text
    assert "psychological_safety,suppressed,suppressed" in exported.splitlines()
