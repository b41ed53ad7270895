"""HR figures: bars against the largest shown value, suppressed cells never drawn or
exported as numbers, the range to read."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from services.console.report_views import aggregates_csv, chart, charts, report_query
from services.console.views import FormError


def cell(value: float | None, suppressed: bool = False) -> dict[str, object]:
    return {"value": value, "suppressed": suppressed}


def period(name: str, **cells: dict[str, object]) -> dict[str, object]:
    empty = {m: cell(None) for m in ("active_relationships", "meetings_planned")}
    empty |= {m: cell(None) for m in ("meetings_held", "average_rating")}
    empty |= {m: cell(None) for m in ("commitments_completed", "journal_entries")}
    return {"period": name, "starts_on": "2026-11-23", "ends_on": "2026-11-29", **empty, **cells}


def test_bars_share_one_scale_and_a_suppressed_cell_has_no_length() -> None:
    drawn = chart("Meetings held", [("W47", cell(10)), ("W48", cell(5)), ("W49", cell(None, True))])
    assert [(b.text, b.width, b.suppressed) for b in drawn.bars] == [
        ("10", 270.0, False),
        ("5", 135.0, False),
        ("suppressed", 0.0, True),
    ]
    assert drawn.summary == "Meetings held: W47 10, W48 5, W49 suppressed"


def test_a_chart_with_every_cell_suppressed_or_empty_draws_no_bar_length() -> None:
    drawn = chart("Ratings", [("W1", cell(None, True)), ("W2", cell(None))])
    assert [(b.text, b.width) for b in drawn.bars] == [("suppressed", 0.0), ("no data", 0.0)]


def test_every_figure_health_and_the_survey_get_a_chart() -> None:
    aggregates = {
        "periods": [period("2026-W48", meetings_held=cell(6))],
        "health_distribution": {"healthy": cell(7), "at_risk": cell(None, True)},
        "survey": {"goals_met": {"yes": cell(0.6), "partly": cell(0.4), "no": cell(None, True)}},
    }
    titles = [c.title for c in charts(aggregates)]
    assert titles[2] == "Meetings held" and titles[-2:] == [
        "Relationship health",
        "Closing survey: goals met",
    ]
    assert [b.label for b in charts(aggregates)[-2].bars] == ["Healthy", "At risk"]


def test_the_csv_has_one_row_a_period_and_says_suppressed_instead_of_a_number() -> None:
    text = aggregates_csv(
        {"periods": [period("2026-W48", meetings_held=cell(6), average_rating=cell(4.5, True))]}
    )
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["period"] == "2026-W48"
    assert (row["meetings_held"], row["average_rating"], row["journal_entries"]) == (
        "6",
        "suppressed",
        "",
    )


def test_the_report_reads_the_last_twelve_weeks_by_default() -> None:
    assert report_query({}, date(2026, 12, 1)) == {
        "first_day": "2026-09-08",
        "last_day": "2026-12-01",
        "period": "iso_week",
    }


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"first_day": "2026-12-02", "last_day": "2026-12-01"}, "on or after"),
        ({"period": "decade"}, "week or month"),
        ({"first_day": "yesterday"}, "enter dates"),
    ],
)
def test_a_range_that_cannot_be_read_is_refused(params: dict[str, str], says: str) -> None:
    with pytest.raises(FormError, match=says):
        report_query(params, date(2026, 12, 1))
