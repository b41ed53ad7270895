"""The suggestions bench tells a slow call that met a busy database from one that did
not (``bench/lib/database_probe.py``): a probe in flight during the call waited long."""

from __future__ import annotations

from bench.lib.database_probe import BUSY_MS, Probes

BUSY_S = 2 * BUSY_MS / 1000


def test_a_call_meets_the_longest_probe_in_flight_during_it() -> None:
    probes = Probes([(0.0, 0.001), (0.02, 0.02 + BUSY_S), (1.0, 1.001)])

    assert probes.longest_during((0.1, 0.2)) == BUSY_S * 1000
    assert probes.longest_during((0.5, 0.6)) == 0.0
    assert probes.busy_during([(0.1, 0.2), (0.5, 0.6), (0.999, 1.1)]) == 1


def test_the_database_is_quiet_only_after_probes_ran_that_long_without_a_wait() -> None:
    busy_then_quiet = Probes([(0.0, BUSY_S), *((t / 10, t / 10 + 0.001) for t in range(1, 60))])

    assert busy_then_quiet.quiet_for(5.0)
    assert not busy_then_quiet.quiet_for(5.95)
    assert not Probes([(0.0, 0.001)]).quiet_for(5.0)
