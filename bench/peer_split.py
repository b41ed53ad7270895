"""Where peer coaching's time goes: ``match_peer_coaching`` under cProfile, split by step.

The same seeded population as ``bench/matching.py``'s ``peer_<n>`` cases. Prints the
cumulative seconds (under the profiler) of each step: candidates, the double cover's
min-cost flow, rounding, local improvement, exact repair, and the explanations and
unmatched diagnoses after the solve; then the whole call again without the profiler
(its wall and CPU seconds) and the load average, since the machine is shared; and the
double cover on the same graph by the old path (min-cost flow) and the new (auction).

  BENCH peer_split people=<n> candidates_s=<s> double_cover_s=<s> rounding_s=<s>
      local_s=<s> repair_s=<s> explain_s=<s> profiled_s=<s> load=<1-min load>
  BENCH peer_total people=<n> seconds=<wall> cpu_seconds=<process> load=<1-min load>
  BENCH peer_cover people=<n> edges=<m> flow_s=<wall> flow_cpu_s=<cpu> auction_s=<wall>
      auction_cpu_s=<cpu> ratio=<flow cpu / auction cpu> same_bound=<bool> load=<load>

Usage: python bench/peer_split.py [--people 100000]
"""

# ruff: noqa: E402  (the import path is fixed before the imports, see below)
from __future__ import annotations

import sys
from pathlib import Path

# The project root, not bench/, first on the path: bench/platform.py would shadow the
# standard library's ``platform`` module.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import cProfile
import os
import pstats
import time
from collections.abc import Callable

from services.matcher.domain.candidates import generate_candidates
from services.matcher.domain.cover_auction import cover_by_auction
from services.matcher.domain.general import _double_cover_by_flow
from services.matcher.domain.pairing import ProgramInput, match_peer_coaching, prepare_program
from services.matcher.domain.people import Role
from services.matcher.domain.rules import ProgramKind, default_rules
from tests.support.synthetic_people import generate_org, peer_enrollments

#: Step name -> (module file suffix, function name) whose cumulative time it is.
STEPS = {
    "candidates": ("domain/pairing.py", "_candidates"),
    "double_cover": ("domain/general.py", "_double_cover"),
    "rounding": ("domain/general_rounding.py", "round_half_integral"),
    "local": ("domain/general_rounding.py", "improve_locally"),
    "repair": ("domain/general_rounding.py", "repair_exactly"),
    "pairs": ("domain/pairing.py", "_proposed_pairs"),
    "unmatched": ("domain/results.py", "diagnose_unmatched"),
}


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _split(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of each step (0 when a step did not run)."""
    found = dict.fromkeys(STEPS, 0.0)
    table = stats.stats  # type: ignore[attr-defined]
    for (path, _line, func), (_cc, _nc, _tt, cumulative, _callers) in table.items():
        for step, (suffix, name) in STEPS.items():
            if func == name and path.endswith(suffix):
                found[step] += cumulative
    return found


def _timed(solve: Callable[[], object]) -> tuple[object, float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    answer = solve()
    return answer, time.perf_counter() - t0, time.process_time() - c0


def _compare_covers(program: ProgramInput, n: int) -> None:
    """The double cover of the same graph by the min-cost flow (old) and the auction (new)."""
    peers = program.table.rows_with_role(Role.PEER)
    graph = generate_candidates(program, peers, peers, symmetric=True)
    w = graph.integer_weights()
    keep = w > 0
    u, v, w = graph.edge_left[keep], graph.edge_right[keep], w[keep]
    flow, flow_s, flow_cpu = _timed(lambda: _double_cover_by_flow(n, u, v, w))
    auction, auction_s, auction_cpu = _timed(lambda: cover_by_auction(n, u, v, w))
    same = auction is not None and auction[2] == flow[2]  # type: ignore[index]
    print(
        f"BENCH peer_cover people={n} edges={len(w)} flow_s={flow_s:.2f} "
        f"flow_cpu_s={flow_cpu:.2f} auction_s={auction_s:.2f} auction_cpu_s={auction_cpu:.2f} "
        f"ratio={flow_cpu / max(auction_cpu, 1e-9):.2f} same_bound={same} load={_load()}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    n = parser.parse_args().people
    org = generate_org(n + n // 5, seed=8)
    program = prepare_program(
        org.people, peer_enrollments(org, n, seed=8), default_rules(ProgramKind.PEER_COACHING)
    )
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.runcall(match_peer_coaching, program)
    profiled = time.perf_counter() - t0
    s = _split(pstats.Stats(profiler))
    explain = s.pop("pairs") + s.pop("unmatched")
    fields = " ".join(f"{k}_s={v:.2f}" for k, v in s.items())
    print(
        f"BENCH peer_split people={n} {fields} explain_s={explain:.2f} "
        f"profiled_s={profiled:.2f} load={_load()}",
        flush=True,
    )
    t0, c0 = time.perf_counter(), time.process_time()
    match_peer_coaching(program)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"BENCH peer_total people={n} seconds={wall:.2f} cpu_seconds={cpu:.2f} load={_load()}")
    _compare_covers(program, n)


if __name__ == "__main__":
    main()
