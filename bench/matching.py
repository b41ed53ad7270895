"""Matching benchmark on synthetic organisations.

Usage: ``python bench/matching.py [--quick] [--cases rm_10k_c1,...] [--no-exact] [--no-reference]
[--pool-loss on]``

First one ``BENCH kernel`` line: the exact-candidates filter's compile seconds (a fresh
numba cache) and its first call's seconds from that cache. Then ``BENCH machine
reference_s=<s>``: a fixed workload's seconds on this machine now (``bench.lib.machine``),
the baseline of the same run; each case's ``per_reference`` is its seconds over it, which
compares across machines (they differ up to 3x) where the seconds do not. Each case runs in its own
subprocess so ``peak_mib`` (ru_maxrss) is per case and includes generating the
organisation. Prints one ``BENCH`` line with our figures (``graph=exact|pooled``: which
candidate graph the default options built; ``cpu_seconds``: the process's CPU time for
the matching, every thread, steadier than ``seconds`` on a shared machine; ``load1``),
one with ``pool_loss=<weight on the pooled
graph / weight on the exact graph>`` (the other graph built and solved too, so both
graphs' people matched and candidates seconds, ``pooled_s`` and ``exact_s``, come from
the same run; at 100k only with ``--pool-loss on`` unless exact is the default there;
bipartite exact graphs include the reach edges) and one with an
independent reference solver on the same candidate graph:
scipy ``min_weight_full_bipartite_matching`` (capacity-expanded, dummy columns
for "unmatched", lexicographic cardinality-then-weight costs) for reverse
mentoring; the certified LP bound and rustworkx's exact blossom (sizes <= 20k)
for peer pairs.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# The project root, not bench/, first on the path: bench/platform.py would shadow the
# standard library's ``platform`` module.
sys.path[0] = str(Path(__file__).resolve().parents[1])


from bench.lib.machine import reference_s  # noqa: E402
from bench.lib.reference_matching import reference_b_matching, reference_general  # noqa: E402
from services.matcher.domain.candidates import (  # noqa: E402
    EXHAUSTIVE_PAIR_LIMIT,
    CandidateGraph,
    generate_candidates,
)
from services.matcher.domain.circles import form_peer_groups  # noqa: E402
from services.matcher.domain.pairing import (  # noqa: E402
    ProgramInput,
    match_peer_coaching,
    match_reverse_mentoring,
    prepare_program,
)
from services.matcher.domain.people import Role  # noqa: E402
from services.matcher.domain.rules import ProgramKind, default_rules  # noqa: E402
from tests.support.synthetic_people import (  # noqa: E402
    generate_org,
    peer_enrollments,
    reverse_mentoring_enrollments,
)

CASES: dict[str, tuple[str, int, int]] = {
    "rm_2k_c1": ("rm", 2_000, 1),
    "rm_10k_c1": ("rm", 10_000, 1),
    "rm_10k_c3": ("rm", 10_000, 3),
    "rm_100k_c1": ("rm", 100_000, 1),
    "rm_100k_c3": ("rm", 100_000, 3),
    "peer_2k": ("peer", 2_000, 0),
    "peer_20k": ("peer", 20_000, 0),
    "peer_100k": ("peer", 100_000, 0),
    "circles_2k": ("circles", 2_000, 0),
    "circles_20k": ("circles", 20_000, 0),
}
QUICK = ["rm_2k_c1", "peer_2k", "circles_2k"]
FULL = [
    "rm_10k_c1",
    "rm_10k_c3",
    "rm_100k_c1",
    "rm_100k_c3",
    "peer_20k",
    "peer_100k",
    "circles_20k",
]
EXACT_PEER_LIMIT = 20_000


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _fmt(**fields: object) -> str:
    return " ".join(
        f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in fields.items()
    )


def _same_graph(program: ProgramInput, symmetric: bool) -> CandidateGraph:
    t = program.table
    if symmetric:
        peers = t.rows_with_role(Role.PEER)
        return generate_candidates(program, peers, peers, symmetric=True)
    return generate_candidates(
        program,
        t.rows_with_role(Role.MENTEE),
        t.rows_with_role(Role.MENTOR),
        symmetric=False,
    )


def run_case(
    name: str,
    exact: bool,
    pool_loss: str = "auto",
    reference: bool = True,
    machine_s: float | None = None,
) -> None:
    kind, n, _capacity = CASES[name]
    t0 = time.perf_counter()
    program = prepare_program(*_population(name))
    encode = time.perf_counter() - t0
    if kind == "circles":
        _run_circles(name, program, encode, machine_s)
        return
    t0, cpu0 = time.perf_counter(), time.process_time()
    result = match_reverse_mentoring(program) if kind == "rm" else match_peer_coaching(program)
    secs, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    st = result.stats
    matched = len(result.pairs) if kind == "rm" else 2 * len(result.pairs)
    line = _fmt(
        seconds=secs,
        candidates_seconds=st["candidates_seconds"],
        solve_seconds=st["solve_seconds"],
        explain_seconds=st["explain_seconds"],
        encode_seconds=encode,
        peak_mib=_peak_mib(),
        weight=st["solver_weight"],
        matched=matched,
        edges=int(st["edges"]),
        graph="exact" if st["exhaustive"] else "pooled",
        cpu_seconds=cpu,
        load1=os.getloadavg()[0],
    )
    if machine_s:
        line += " " + _fmt(per_reference=secs / machine_s)
    if kind == "peer":
        line += " " + _fmt(
            upper_bound=st["upper_bound"],
            upper_bound_ratio=f"{st['solver_weight'] / st['upper_bound']:.6f}",
        )
    print("BENCH", name, line, flush=True)
    if reference:
        _compare_with_reference(name, program, round(st["solver_weight"] * 1000), exact)
    if pool_loss != "off":
        _pool_loss(name, program, result, forced=pool_loss == "on")


def _pool_loss(name: str, program: Any, result: Any, forced: bool) -> None:
    """Solve on the other candidate graph too (pooled or exact) and compare: the weights
    (``pool_loss``) and the people matched (a top-K graph can cover fewer people)."""
    kind, n, _capacity = CASES[name]
    exact_default = bool(result.stats["exhaustive"])
    if not exact_default and not forced and n * n > 4 * EXHAUSTIVE_PAIR_LIMIT:
        print("BENCH", name, "pool_loss=skipped (the exact graph takes minutes: --pool-loss)")
        return
    solve = match_reverse_mentoring if kind == "rm" else match_peer_coaching
    other = solve(program, exhaustive=not exact_default)
    pooled, exhaustive = (other, result) if exact_default else (result, other)
    per_pair = 1 if kind == "rm" else 2
    ratio = pooled.stats["solver_weight"] / exhaustive.stats["solver_weight"]
    fields: dict[str, object] = {"pool_loss": f"{ratio:.6f}"}
    for graph, res in (("pooled", pooled), ("exact", exhaustive)):
        fields[f"{graph}_weight"] = res.stats["solver_weight"]
        fields[f"{graph}_matched"] = per_pair * len(res.pairs)
        fields[f"{graph}_s"] = res.stats["candidates_seconds"]
        fields[f"{graph}_solve_s"] = res.stats["solve_seconds"]
        fields[f"{graph}_edges"] = int(res.stats["edges"])
    print("BENCH", name, _fmt(**fields, load1=os.getloadavg()[0]), flush=True)


def _population(name: str) -> tuple[Any, Any, Any]:
    """The case's people, enrollments and rules (seeded: the same every run)."""
    kind, n, capacity = CASES[name]
    if kind == "rm":
        org = generate_org(2 * n + n // 20, seed=7)
        enrollments = reverse_mentoring_enrollments(org, n, n, capacity=capacity, seed=7)
        return org.people, enrollments, default_rules(ProgramKind.REVERSE_MENTORING)
    org = generate_org(n + n // 5, seed=8)
    enrollments = peer_enrollments(org, n, seed=8)
    program_kind = ProgramKind.PEER_COACHING if kind == "peer" else ProgramKind.PEER_GROUP
    return org.people, enrollments, default_rules(program_kind)


def _run_circles(name: str, program: Any, encode: float, machine_s: float | None) -> None:
    t0 = time.perf_counter()
    res = form_peer_groups(program)
    secs = time.perf_counter() - t0
    placed = sum(len(c.member_ids) for c in res.circles)
    line = _fmt(
        seconds=secs,
        encode_seconds=encode,
        peak_mib=_peak_mib(),
        objective=res.objective,
        violations=len(res.violations),
        circles=len(res.circles),
        matched=placed,
        unmatched=len(res.unmatched),
    )
    if machine_s:
        line += " " + _fmt(per_reference=secs / machine_s)
    print("BENCH", name, line, flush=True)


def _compare_with_reference(name: str, program: Any, ours_int: int, exact: bool) -> None:
    """The optimum of an independent solver on the same graph, and our weight's ratio."""
    kind, n, _capacity = CASES[name]
    graph = _same_graph(program, symmetric=kind == "peer")
    t0 = time.perf_counter()
    if kind == "rm":
        ref_matched, ref_weight = reference_b_matching(graph)
        extra = {"reference_matched": ref_matched}
    elif exact and n <= EXACT_PEER_LIMIT:
        ref_weight, extra = reference_general(graph), {}
    else:
        print("BENCH", name, "reference=skipped (exact blossom too slow at this size)", flush=True)
        return
    line = _fmt(
        reference_seconds=time.perf_counter() - t0,
        weight_ratio=f"{ours_int / max(ref_weight, 1):.6f}",
        reference_weight=ref_weight / 1000,
        **extra,
    )
    print("BENCH", name, line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small cases only")
    parser.add_argument("--cases", help="comma-separated case names: " + ",".join(CASES))
    parser.add_argument("--no-exact", action="store_true", help="skip exact peer reference")
    parser.add_argument("--no-reference", action="store_true", help="skip every reference")
    parser.add_argument(
        "--pool-loss",
        choices=("auto", "on", "off"),
        default="auto",
        help="solve on the other graph too (auto: not when the exact graph takes minutes)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--machine-s", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_case(
            args.worker, not args.no_exact, args.pool_loss, not args.no_reference, args.machine_s
        )
        return
    cases = args.cases.split(",") if args.cases else (QUICK if args.quick else FULL)
    for case in cases:
        if case not in CASES:
            parser.error(f"unknown case {case}")
    subprocess.run([sys.executable, str(Path(__file__).with_name("kernel_compile.py"))], check=True)
    machine_s = reference_s()
    print("BENCH machine", _fmt(reference_s=machine_s, load1=os.getloadavg()[0]), flush=True)
    for case in cases:
        cmd = [sys.executable, __file__, "--worker", case, "--machine-s", f"{machine_s:.6f}"]
        cmd += ["--pool-loss", args.pool_loss] + (["--no-exact"] if args.no_exact else [])
        cmd += ["--no-reference"] if args.no_reference else []
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
