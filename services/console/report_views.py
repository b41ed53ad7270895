"""An HR analyst's figures as charts and CSV: horizontal bars drawn as inline SVG
(no chart library), a suppressed cell shown as suppressed, never as zero."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from services.console.views import FormError, label

#: A period's fields that are not figures (every other field is one, as the API sends it).
PERIOD_FIELDS = ("period", "starts_on", "ends_on")
PERIODS = ("iso_week", "month")
#: The pulse check's questions, as the API names them: two ratings (1-5), then a yes/no.
PULSE_RATINGS = ("comfort", "psychological_safety")
PULSE_QUESTIONS = (*PULSE_RATINGS, "would_continue")
#: The SVG's coordinate box: labels on the left, bars after, values at their ends.
WIDTH, ROW, LABEL_W, VALUE_W = 480, 26, 120, 90


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as read, or "suppressed"
    suppressed: bool
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW + 4

    @property
    def summary(self) -> str:
        return f"{self.title}: " + ", ".join(f"{b.label} {b.text}" for b in self.bars)


def text_in(value: float | int | None) -> str:
    if value is None:
        return "no data"
    return f"{value:g}" if isinstance(value, int) else f"{value:.2f}".rstrip("0").rstrip(".")


def chart(title: str, cells: list[tuple[str, Mapping[str, Any]]]) -> Chart:
    """Bars sized against the largest value shown; a suppressed cell gets no length."""
    values = [c["value"] for _, c in cells if not c["suppressed"] and c["value"] is not None]
    largest = max((abs(v) for v in values), default=0)
    room = WIDTH - LABEL_W - VALUE_W
    bars = []
    for row, (name, cell) in enumerate(cells):
        hidden = bool(cell["suppressed"])
        value = None if hidden else cell["value"]
        width = room * abs(value) / largest if value is not None and largest else 0.0
        bars.append(
            Bar(
                name, "suppressed" if hidden else text_in(value), hidden, row * ROW, round(width, 1)
            )
        )
    return Chart(title, bars)


def charts(aggregates: Mapping[str, Any]) -> list[Chart]:
    """One chart per figure across the periods, then health, then the closing survey."""
    periods = aggregates.get("periods", [])
    drawn = [chart(label(m), [(p["period"], p[m]) for p in periods]) for m in figures(periods)]
    health = aggregates.get("health_distribution", {})
    drawn.append(chart("Relationship health", [(label(s), c) for s, c in health.items()]))
    survey = aggregates.get("survey", {})
    goals = survey.get("goals_met", {})
    drawn.append(chart("Closing survey: goals met", [(label(a), c) for a, c in goals.items()]))
    if pulse := aggregates.get("pulse"):
        ratings = [(label(q), pulse[q]["mean"]) for q in PULSE_RATINGS]
        drawn.append(chart("Pulse checks: mean rating (1 to 5)", ratings))
    return drawn


@dataclass(frozen=True)
class PulseRow:
    """One pulse question: how many answered it and the mean (for a yes/no, the share
    answering yes), each as read or ``suppressed``."""

    question: str
    answered: str
    mean: str


def cell_text(cell: Mapping[str, Any]) -> str:
    return "suppressed" if cell["suppressed"] else text_in(cell["value"])


def pulse_rows(pulse: Mapping[str, Any]) -> list[PulseRow]:
    """The pulse table: every question's count and mean, the yes/no's mean named a share."""
    return [
        PulseRow(
            label(q) + (" (share answering yes)" if q not in PULSE_RATINGS else ""),
            cell_text(pulse[q]["count"]),
            cell_text(pulse[q]["mean"]),
        )
        for q in PULSE_QUESTIONS
    ]


def figures(periods: list[Mapping[str, Any]]) -> list[str]:
    """The figures each period carries, in the API's order."""
    return [name for name in periods[0] if name not in PERIOD_FIELDS] if periods else []


def report_query(params: Mapping[str, str], today: date) -> dict[str, str]:
    """The range and period to read; by default the last twelve weeks."""
    try:
        last = date.fromisoformat(params.get("last_day") or today.isoformat())
        first = date.fromisoformat(
            params.get("first_day") or (last - timedelta(weeks=12)).isoformat()
        )
    except ValueError:
        raise FormError("First and last day: enter dates") from None
    if last < first:
        raise FormError("Last day: on or after the first day")
    period = params.get("period") or "iso_week"
    if period not in PERIODS:
        raise FormError("Period: week or month")
    return {"first_day": first.isoformat(), "last_day": last.isoformat(), "period": period}


def aggregates_csv(aggregates: Mapping[str, Any]) -> str:
    """One row per period; a suppressed cell reads ``suppressed``, never a number."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    periods = aggregates.get("periods", [])
    writer.writerow([*PERIOD_FIELDS, *figures(periods)])
    for p in periods:
        cells = [_csv_cell(p[m]) for m in figures(periods)]
        writer.writerow([p["period"], p["starts_on"], p["ends_on"], *cells])
    if pulse := aggregates.get("pulse"):
        _pulse_csv(writer, pulse)
    return out.getvalue()


def _pulse_csv(writer: Any, pulse: Mapping[str, Any]) -> None:
    """After the periods, a blank row, then the pulse over the whole range: one row a
    question (``answers`` counts the pulse checks answered), suppressed as ``suppressed``."""
    writer.writerow([])
    writer.writerow(["pulse_question", "answered", "mean"])
    writer.writerow(["answers", _csv_cell(pulse["answers"]), ""])
    for q in PULSE_QUESTIONS:
        writer.writerow([q, _csv_cell(pulse[q]["count"]), _csv_cell(pulse[q]["mean"])])


def _csv_cell(cell: Mapping[str, Any]) -> Any:
    return "suppressed" if cell["suppressed"] else ("" if cell["value"] is None else cell["value"])
