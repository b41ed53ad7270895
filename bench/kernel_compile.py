"""Compile seconds of the exact-candidates filter (numba), apart from the matching figures.

Usage: ``python bench/kernel_compile.py``. Prints ``BENCH kernel compile_s=<s> cached_s=<s>
pooled_compile_s=<s> pooled_cached_s=<s>``: the first call of the exact filter, then of
the pooled one, on a tiny program with an empty numba cache (compiling), then again in a
new process with that cache (loading), each in its own subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The project root, not bench/, first on the path (bench/platform.py shadows ``platform``).
sys.path[0] = str(Path(__file__).resolve().parents[1])

import numpy as np  # noqa: E402

from services.matcher.domain.exact_candidates import exact_top_k  # noqa: E402
from services.matcher.domain.pairing import prepare_program  # noqa: E402
from services.matcher.domain.people import Role  # noqa: E402
from services.matcher.domain.pooled_candidates import Pooling, pooled_top_k  # noqa: E402
from services.matcher.domain.rules import ProgramKind, default_rules  # noqa: E402
from tests.support.synthetic_people import (  # noqa: E402
    generate_org,
    reverse_mentoring_enrollments,
)


def first_call_seconds() -> tuple[float, float]:
    """The first exact-candidates call of this process, on 150 mentees x 150 mentors, and
    then its first pooled-candidates call."""
    org = generate_org(400, seed=3)
    enrollments = reverse_mentoring_enrollments(org, 150, 150, capacity=1, seed=3)
    program = prepare_program(org.people, enrollments, default_rules(ProgramKind.REVERSE_MENTORING))
    t = program.table
    left, right = t.rows_with_role(Role.MENTEE), t.rows_with_role(Role.MENTOR)
    t0 = time.perf_counter()
    exact_top_k(program, left, right, symmetric=False, k=5, tie_break=np.random.default_rng(0))
    t1 = time.perf_counter()
    pooling = Pooling(per_skill=8, random=8, block_rows=64, rng=np.random.default_rng(0))
    pooled_top_k(
        program, (left, right), pooling, 5, symmetric=False, tie_break=np.random.default_rng(1)
    )
    return t1 - t0, time.perf_counter() - t1


def main() -> None:
    if sys.argv[1:] == ["--first-call"]:
        print(*(f"{s:.3f}" for s in first_call_seconds()))
        return
    with tempfile.TemporaryDirectory() as cache:
        env = os.environ | {"NUMBA_CACHE_DIR": cache}
        cmd = [sys.executable, __file__, "--first-call"]
        (compile_s, pooled_compile_s), (cached_s, pooled_cached_s) = (
            map(float, subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
                .stdout.split())
            for _ in range(2)
        )  # fmt: skip
    load = os.getloadavg()[0]
    print(
        f"BENCH kernel compile_s={compile_s:.3f} cached_s={cached_s:.3f}"
        f" pooled_compile_s={pooled_compile_s:.3f} pooled_cached_s={pooled_cached_s:.3f}"
        f" load1={load:.2f}"
    )


if __name__ == "__main__":
    main()
