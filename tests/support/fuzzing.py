"""Run schemathesis against a live API process (used by each service's fuzzing test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: Everything but: the Allow header of OPTIONS (Starlette lists only the methods of the
#: first route object matching a path), and the two checks that judge which *invalid*
#: inputs an API accepts -- path ids are opaque free-form strings by design.
EXCLUDED_CHECKS = ",".join(
    [
        "allow_header_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "unsupported_method",
    ]
)


def fuzz(base_url: str, token: str, *, examples: int = 25) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).parent / "schemathesis"
    return subprocess.run(
        [
            str(executable),
            "run",
            f"{base_url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            str(examples),
            "--generation-deterministic",
            "--exclude-checks",
            EXCLUDED_CHECKS,
            "--request-timeout",
            "20",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
