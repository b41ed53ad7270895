"""Hostile request bodies for every write operation of a live API (hypothesis-driven).

Each generated request starts from the operation's own OpenAPI example (or ``{}``) and
breaks it the way an outside client would: one field (at any depth the schema names)
replaced by a value of a hostile class, an unknown field added, or the whole body
replaced. Non-finite numbers are sent as the raw JSON text Python's parser accepts
(``NaN``, ``Infinity``, ``1e999``). The answer must be a 4xx (or a 2xx where the hostile
value happens to be valid), never a 5xx, and the connection must stay usable.

``probe`` returns what each input class got, so a run can be reported class by class.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: The classes of hostile values, each a name and the raw JSON text sent for it.
HOSTILE_VALUES: dict[str, list[str]] = {
    "non-finite number": ["NaN", "Infinity", "-Infinity", "1e999"],
    "huge number": ["1e308", "18446744073709551616", "-9223372036854775809"],
    "negative number": ["-1", "-0.5"],
    "oversized string": [json.dumps("x" * 100_000), json.dumps("ü" * 20_000)],
    "oversized list": [json.dumps(["p-1"] * 5_000)],
    "deep nesting": ["[" * 200 + "]" * 200, '{"a":' * 100 + "1" + "}" * 100],
    "empty string": ['""', '"   "'],
    "control characters": [json.dumps("a\x00b"), json.dumps("line\r\nbreak")],
    "path-like zone": [json.dumps("../../../../etc/passwd"), json.dumps("Europe/" + "x" * 300)],
    "query operator": ['{"$gt": ""}', '{"$where": "sleep(1000)"}', '["$ne", null]'],
    "number for text": ["3600", "0", "true"],
    "time of day as number": ["32400", "9.5"],
    "bad time of day": ['"25:99"', '"9:3"', '"09:30:00+99:00"'],
    "extreme date": ['"0001-01-01"', '"9999-12-31"', '"2027-02-30"'],
    "null": ["null"],
    "wrong container": ["[]", "{}"],
    "unicode oddities": [json.dumps("\ud800"), json.dumps("\u202e\u0000")],
}


@dataclass
class Probe:
    """What every input class got: ``answers[class][status]`` = count, and each 5xx."""

    answers: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    server_errors: list[str] = field(default_factory=list)

    def record(self, input_class: str, label: str, raw: str, response: httpx.Response) -> None:
        self.answers[input_class][response.status_code] += 1
        if response.status_code >= 500 or not _json(response):
            self.server_errors.append(
                f"{label} [{input_class}] {raw[:160]!r} -> {response.status_code} "
                f"{response.text[:300]}"
            )

    def table(self) -> str:
        rows = ["| input class | answers |", "|---|---|"]
        for name in sorted(self.answers):
            counts = ", ".join(f"{s}: {n}" for s, n in sorted(self.answers[name].items()))
            rows.append(f"| {name} | {counts} |")
        return "\n".join(rows)


def _json(response: httpx.Response) -> bool:
    if response.status_code == 204:
        return True
    try:
        response.json()
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class WriteOperation:
    method: str
    path: str
    example: Any
    fields: tuple[tuple[str, ...], ...]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def write_operations(openapi: dict[str, Any], path_values: dict[str, str]) -> list[WriteOperation]:
    """Every POST/PUT/PATCH with a JSON body, its example and the field paths its schema
    names (two levels deep), path parameters filled from ``path_values`` or examples."""
    found = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            if method not in {"post", "put", "patch"}:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            schema = _resolve(openapi, content["application/json"].get("schema", {}))
            example = schema.get("examples", [None])[0]
            if example is None:
                example = {}
            concrete = _fill_path(path, operation, path_values)
            fields = tuple(_field_paths(openapi, schema, ()))
            found.append(WriteOperation(method.upper(), concrete, example, fields))
    return found


def _resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi["components"]["schemas"][name]
    for combinator in ("anyOf", "allOf", "oneOf"):
        for option in schema.get(combinator, []):
            resolved = _resolve(openapi, option)
            if resolved.get("type") == "object" or "properties" in resolved:
                return resolved
    return schema


def _field_paths(openapi: dict[str, Any], schema: dict[str, Any], prefix: tuple[str, ...]):
    for name, sub in schema.get("properties", {}).items():
        yield (*prefix, name)
        resolved = _resolve(openapi, sub)
        if len(prefix) < 1 and "properties" in resolved:
            yield from _field_paths(openapi, resolved, (*prefix, name))
        items = _resolve(openapi, resolved.get("items", {}))
        if len(prefix) < 1 and "properties" in items:
            yield from ((*prefix, name, "0", *p[1:]) for p in _field_paths(openapi, items, (name,)))


def _fill_path(path: str, operation: dict[str, Any], values: dict[str, str]) -> str:
    examples = {
        p["name"]: str(p.get("schema", {}).get("examples", ["x"])[0])
        for p in operation.get("parameters", [])
        if p.get("in") == "path"
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], examples.get(m[1], "x")), path)


_MARK = "__HOSTILE__"


def _with_value(body: Any, field_path: tuple[str, ...]) -> Any:
    """A copy of ``body`` with ``field_path`` set to the placeholder (created as needed)."""
    body = json.loads(json.dumps(body))
    if not isinstance(body, dict):
        body = {}
    node: Any = body
    for step in field_path[:-1]:
        if step == "0":
            if not isinstance(node, list) or not node:
                return body
            node = node[0]
            continue
        if not isinstance(node.get(step), dict | list):
            node[step] = [{}] if field_path[field_path.index(step) + 1] == "0" else {}
        node = node[step]
    if isinstance(node, dict):
        node[field_path[-1]] = _MARK
    return body


@st.composite
def hostile_requests(draw: st.DrawFn, operations: list[WriteOperation]) -> tuple[Any, ...]:
    operation = draw(st.sampled_from(operations))
    input_class = draw(st.sampled_from(sorted(HOSTILE_VALUES)))
    raw_value = draw(st.sampled_from(HOSTILE_VALUES[input_class]))
    where = draw(st.sampled_from(["field", "field", "field", "unknown field", "whole body"]))
    if where == "whole body" or not operation.fields:
        return operation, input_class, raw_value
    if where == "unknown field":
        body = dict(operation.example) if isinstance(operation.example, dict) else {}
        body["unexpected_field"] = _MARK
    else:
        body = _with_value(operation.example, draw(st.sampled_from(operation.fields)))
    raw = json.dumps(body).replace(json.dumps(_MARK), raw_value)
    return operation, input_class, raw


def probe(client: httpx.Client, operations: list[WriteOperation], *, examples: int = 300) -> Probe:
    """Send ``examples`` hostile requests through one kept-alive connection."""
    result = Probe()

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(hostile_requests(operations))
    def send(request: tuple[Any, ...]) -> None:
        operation, input_class, raw = request
        response = client.request(
            operation.method,
            operation.path,
            content=raw.encode("utf-8", "surrogatepass"),
            headers={"Content-Type": "application/json"},
        )
        result.record(input_class, operation.label, raw, response)

    send()
    return result
