from datetime import date

import numpy as np

from services.matcher.domain.people import ReportingChains, utc_offset_hours

from .factories import person


def _org() -> ReportingChains:
    return ReportingChains(
        [
            person("ceo"),
            person("cto", manager="ceo"),
            person("dev", manager="cto"),
            person("cfo", manager="ceo"),
            person("outsider"),
        ]
    )


def test_reporting_chain_detects_ancestors_in_both_directions() -> None:
    chains = _org()
    assert chains.in_same_chain("ceo", "dev")
    assert chains.in_same_chain("dev", "ceo")
    assert chains.in_same_chain("dev", "dev")


def test_siblings_and_cousins_are_not_in_one_chain() -> None:
    chains = _org()
    assert not chains.in_same_chain("cto", "cfo")
    assert not chains.in_same_chain("dev", "cfo")
    assert not chains.in_same_chain("dev", "outsider")


def test_chain_check_is_vectorised() -> None:
    chains = _org()
    a = np.array([chains.position("ceo"), chains.position("cto")])
    b = np.array([chains.position("dev"), chains.position("cfo")])
    assert chains.related(a, b).tolist() == [True, False]


def test_manager_cycle_in_hr_data_is_cut_not_looped() -> None:
    chains = ReportingChains([person("a", manager="b"), person("b", manager="a")])
    assert chains.in_same_chain("a", "b")
    assert len(chains.ancestors("a")) <= 1


def test_unknown_manager_makes_a_root() -> None:
    chains = ReportingChains([person("a", manager="ghost")])
    assert chains.ancestors("a") == []


def test_utc_offset_follows_daylight_saving() -> None:
    assert utc_offset_hours("Europe/Berlin", date(2026, 1, 15)) == 1.0
    assert utc_offset_hours("Europe/Berlin", date(2026, 7, 15)) == 2.0
    assert utc_offset_hours("Asia/Kolkata", date(2026, 1, 15)) == 5.5
