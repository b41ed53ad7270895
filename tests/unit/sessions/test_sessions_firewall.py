"""The data firewall where the code itself can hold it: the HR report's answer has room for
numbers only (a suppressed or shown cell) besides its labels, so no text a member wrote
can be answered to HR, whatever the service layer returns (the response model filters)."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from datetime import date
from typing import Any

from pydantic import BaseModel

from services.sessions.routes.reports import AggregatesRead, CellRead

#: The report's only fields that are not cells: which program and period it is about.
LABELS = {
    ("program_id", str),
    ("period", str),
    ("periods.period", str),
    ("periods.starts_on", date),
    ("periods.ends_on", date),
}


def _leaves(annotation: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every leaf field of a response model that is not a ``CellRead``, by dotted path."""
    if annotation is CellRead:
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            yield from _leaves(field.annotation, f"{path}.{name}".lstrip("."))
        return
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (list, dict):
        yield from _leaves(args[-1], path)
        return
    yield path, annotation


def test_the_hr_report_answers_cells_and_labels_only() -> None:
    assert set(_leaves(AggregatesRead, "")) == LABELS


def test_a_text_field_in_the_report_would_be_caught() -> None:
    class Leaky(BaseModel):
        pulse: dict[str, CellRead]
        comment: str

    assert set(_leaves(Leaky, "")) == {("comment", str)}
