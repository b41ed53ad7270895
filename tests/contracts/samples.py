"""Sample payloads for every registered event contract, built from the models' fields.

``python -m tests.contracts.samples --write`` regenerates the golden files; do that only
for a new event type or version (a published version's golden file never changes).
"""

from __future__ import annotations

import argparse
import json
import types
import typing
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, BaseModel

from shared.contracts.envelope import Envelope, EventData
from shared.contracts.registry import EVENT_MODELS

GOLDEN = Path(__file__).parent / "golden"
SAMPLE_TIME = datetime(2027, 1, 4, 9, 30, tzinfo=UTC)


def sample_value(name: str, annotation: Any, metadata: list[Any]) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return sample_value(name, inner[0], metadata)
    if origin is typing.Annotated:
        return sample_value(name, args[0], metadata)
    if annotation is AwareDatetime:
        return SAMPLE_TIME.isoformat().replace("+00:00", "Z")
    if origin is typing.Literal:
        return args[0]
    if origin in (tuple, list):
        item = args[0]
        return [sample_value(f"{name}-{i}", item, []) for i in (1, 2)]
    if origin is dict:
        return {"skills_wanted": 0.42, "availability_overlap": 0.18}
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return {
                field: sample_value(field, info.annotation, info.metadata)
                for field, info in annotation.model_fields.items()
            }
        if issubclass(annotation, Enum):
            return next(iter(annotation)).value
        if issubclass(annotation, bool):
            return True
        if issubclass(annotation, int):
            low = next((m.ge for m in metadata if getattr(m, "ge", None) is not None), 1)
            return max(int(low), 1)
        if issubclass(annotation, float):
            return 0.6
        if issubclass(annotation, datetime):
            return SAMPLE_TIME.isoformat().replace("+00:00", "Z")
        if issubclass(annotation, date):
            return "2027-01-04"
        if issubclass(annotation, str):
            return "person@example.com" if name == "email" else f"{name.removesuffix('s')}-1"
    return f"{name}-1"


def sample_envelope(model: type[EventData]) -> Envelope:
    data = {
        field: sample_value(field, info.annotation, info.metadata)
        for field, info in model.model_fields.items()
    }
    payload = model.model_validate(data)
    return Envelope.wrap(
        payload,
        source="/samples",
        subject="aggregate-1",
        event_id=f"sample-{model.event_type}-v{model.version}",
        time=SAMPLE_TIME,
    )


def golden_path(model: type[EventData]) -> Path:
    return GOLDEN / f"{model.event_type}.v{model.version}.json"


def write_golden() -> list[Path]:
    written = []
    for model in EVENT_MODELS.values():
        path = golden_path(model)
        if path.exists():
            continue  # published samples never change
        body = json.loads(sample_envelope(model).model_dump_json())
        path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    if parser.parse_args().write:
        for path in write_golden():
            print("wrote", path)
