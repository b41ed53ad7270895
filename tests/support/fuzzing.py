"""Run schemathesis against a live API process (used by each service's fuzzing test).

Every check runs, the two that judge the input policy included: schema-valid data must
be accepted (2xx, or 401/403/404/409: a rule or a missing object, never 422) and
schema-invalid data must be refused with a 4xx. A service states its justified
exceptions (an operation whose cross-field rule no JSON schema can express) in its
own ``schemathesis.toml`` beside its fuzzing test, each with its reason.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: Starlette lists in the Allow header only the methods of the first route object that
#: matches a path, so a path served by two route objects (GET and POST) lists one.
EXCLUDED_CHECKS = "allow_header_conformance"


def fuzz(
    base_url: str,
    token: str,
    *,
    examples: int = 25,
    config: Path | None = None,
    strict: bool = True,
) -> subprocess.CompletedProcess[str]:
    """schemathesis over every operation of ``base_url``; ``strict=False`` keeps the old
    conformance-only run (no judgement of which inputs are accepted)."""
    executable = Path(sys.executable).parent / "schemathesis"
    excluded = EXCLUDED_CHECKS
    if not strict:
        excluded += ",negative_data_rejection,positive_data_acceptance"
        excluded += ",missing_required_header,unsupported_method"
    command = [str(executable)]
    if config is not None:
        command += ["--config-file", str(config)]
    command += [
        "run",
        f"{base_url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(examples),
        "--generation-deterministic",
        "--exclude-checks",
        excluded,
        "--request-timeout",
        "20",
        "--no-color",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
