"""The alert and recording rules load in Prometheus and each alert fires when it should:
``promtool check rules`` and ``promtool test rules`` (deploy/prometheus/tests/)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.rules import ROOT, RULE_FILES, RULE_TESTS, alert_names
from tools import prometheus
from tools.localstack import free_port
from tools.platform import DEFAULT_PORTS

needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="promtool is not installed: Debian's `prometheus` package ships it "
    "(`apt-get install prometheus`; make's install step does that where apt-get and root are)",
)


def alerts_tested_firing() -> set[str]:
    return {
        case["alertname"]
        for path in RULE_TESTS
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case["exp_alerts"]
    }


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["promtool", *map(str, args)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def test_every_alert_has_a_unit_test_in_which_it_fires() -> None:
    assert RULE_TESTS
    assert alert_names() - alerts_tested_firing() == set()


def test_the_unit_tests_name_only_alerts_that_exist() -> None:
    assert alerts_tested_firing() - alert_names() == set()


@needs_promtool
def test_promtool_accepts_the_rule_files() -> None:
    checked = promtool("check", "rules", *RULE_FILES)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_promtool_unit_tests_of_the_alerts_pass() -> None:
    tested = promtool("test", "rules", *RULE_TESTS)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout + tested.stderr


def local_ports() -> dict[str, int]:
    return dict(DEFAULT_PORTS)


def test_the_local_configuration_scrapes_each_process_and_loads_the_rules() -> None:
    generated = prometheus.config(local_ports(), scrape_interval_s=1)
    jobs = {job["job_name"]: job["static_configs"][0] for job in generated["scrape_configs"]}
    processes = {f"{s}-{p}" for s in prometheus.SERVICES for p in ("api", "worker")}
    assert set(jobs) == processes | {"notifications-dispatcher"}
    assert jobs["sessions-worker"]["targets"] == ["127.0.0.1:9102"]
    assert jobs["notifications-dispatcher"]["targets"] == ["127.0.0.1:9104"]
    assert jobs["matcher-api"]["labels"]["pod"] == "matcher-api"
    assert generated["rule_files"] == [str(path) for path in RULE_FILES]
    assert generated["global"]["scrape_interval"] == "1s"


@needs_promtool
def test_promtool_accepts_the_local_configuration(tmp_path: Path) -> None:
    config_file = tmp_path / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(prometheus.config(local_ports())))
    checked = promtool("check", "config", config_file)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_make_run_can_leave_prometheus_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PLATFORM_PROMETHEUS", "off")
    assert "off" in prometheus.beside_platform(local_ports(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_storage_of_prometheus_runs_that_ended_is_pruned(tmp_path: Path) -> None:
    port = free_port()
    ended, kept = tmp_path / f"data-{port}", tmp_path / "data-9090"
    for storage in (ended, kept):
        (storage / "wal").mkdir(parents=True)
    (tmp_path / f"prometheus-{port}.yml").write_text("global: {}\n")
    removed = prometheus.prune_storage(tmp_path, keep=9090)
    assert removed == [ended, tmp_path / f"prometheus-{port}.yml"]
    assert [p.name for p in tmp_path.iterdir()] == ["data-9090"]
