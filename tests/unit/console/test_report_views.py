"""HR figures: bars against the largest shown value, suppressed cells never drawn or
exported as numbers, the range to read."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from services.console.report_views import (
    aggregates_csv,
    chart,
    charts,
    pulse_rows,
    report_query,
)
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


def pulse(**questions: dict[str, object]) -> dict[str, object]:
    """A pulse block: every question answered by 6 with a mean of 4, unless changed."""
    shown = {"count": cell(6), "mean": cell(4.0)}
    asked = ("comfort", "psychological_safety", "would_continue")
    return {"answers": cell(6), **{q: shown for q in asked}, **questions}


def test_the_pulse_ratings_get_a_chart_and_a_suppressed_mean_no_length() -> None:
    hidden = {"count": cell(None, True), "mean": cell(None, True)}
    aggregates = {"periods": [], "pulse": pulse(psychological_safety=hidden)}
    drawn = charts(aggregates)[-1]
    assert drawn.title == "Pulse checks: mean rating (1 to 5)"
    assert [(b.label, b.text, b.suppressed) for b in drawn.bars] == [
        ("Comfort", "4", False),
        ("Psychological safety", "suppressed", True),
    ]


def test_each_pulse_question_shows_its_count_and_mean_or_suppressed() -> None:
    continuing = {"count": cell(6), "mean": cell(0.83)}
    rows = pulse_rows(
        pulse(comfort={"count": cell(None, True), "mean": cell(None, True)})
        | {"would_continue": continuing}
    )
    assert [(r.question, r.answered, r.mean) for r in rows] == [
        ("Comfort", "suppressed", "suppressed"),
        ("Psychological safety", "6", "4"),
        ("Would continue (share answering yes)", "6", "0.83"),
    ]


def test_the_csv_ends_with_the_pulse_one_row_a_question_suppressed_as_such() -> None:
    hidden = {"count": cell(None, True), "mean": cell(None, True)}
    text = aggregates_csv(
        {"periods": [period("2026-W48")], "pulse": pulse(answers=cell(None, True), comfort=hidden)}
    )
    periods, pulses = text.split("\n\n")
    assert len(periods.splitlines()) == 2
    assert list(csv.reader(io.StringIO(pulses))) == [
        ["pulse_question", "answered", "mean"],
        ["answers", "suppressed", ""],
        ["comfort", "suppressed", "suppressed"],
        ["psychological_safety", "6", "4.0"],
        ["would_continue", "6", "4.0"],
    ]


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
