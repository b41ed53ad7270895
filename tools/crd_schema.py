"""A CustomResourceDefinition's schema as a JSON Schema for offline validation in tests.

    python -m tools.crd_schema CRD.yaml v1 > deploy/vendor/<kind>-v1.schema.json

Takes the ``openAPIV3Schema`` of the named version, drops ``status`` (the controller
writes it) and makes every object that lists its properties refuse any other
(``additionalProperties: false``), unless it already says what extra keys may hold or
keeps unknown fields (``x-kubernetes-preserve-unknown-fields``). That is stricter than
the API server, which prunes unknown fields silently: a misspelt field fails the test
instead of vanishing in the cluster.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml


def strict(schema: Any) -> Any:
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    open_ended = "additionalProperties" in out or out.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in out and not open_ended:
        out["additionalProperties"] = False
    return out


def crd_schema(crd: dict[str, Any], version: str) -> dict[str, Any]:
    served = {v["name"]: v for v in crd["spec"]["versions"]}
    schema = dict(served[version]["schema"]["openAPIV3Schema"])
    schema["properties"] = {k: v for k, v in schema["properties"].items() if k != "status"}
    names = crd["spec"]["names"]
    group = crd["spec"]["group"]
    schema["properties"]["apiVersion"] = {"const": f"{group}/{version}"}
    schema["properties"]["kind"] = {"const": names["kind"]}
    schema["properties"].setdefault("metadata", {"type": "object"})
    schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata"})
    return {"$schema": "http://json-schema.org/draft-07/schema#", **strict(schema)}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    crd = yaml.safe_load(Path(argv[0]).read_text())
    print(json.dumps(crd_schema(crd, argv[1]), indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
