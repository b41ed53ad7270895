"""deploy/RUNBOOK.md names every alert of the rules, says for each what it means and the
first three things to check, and its dead-letter replay commands work as written: they
run here, through bash, against a real broker."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid

import pytest
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from tests.deploy.rules import ROOT, alert_names, all_rules
from tools.localstack import LocalStack
from tools.replay_dlq import REPLAYED_FROM
from tools.topics import read_topic

RUNBOOK = ROOT / "deploy" / "RUNBOOK.md"


def sections() -> dict[str, str]:
    """``## <title>`` -> the text under it."""
    parts = re.split(r"^## (.+)$", RUNBOOK.read_text(), flags=re.MULTILINE)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def replay_block() -> list[str]:
    """The lines of the fenced block of the replay section, as an operator pastes them."""
    body = sections()["Replaying a dead-letter topic"]
    (block,) = re.findall(r"```bash\n(.*?)```", body, flags=re.DOTALL)
    return block.strip().splitlines()


def test_every_alert_has_a_section_and_every_section_an_alert() -> None:
    alerts = {title for title in sections() if title.startswith("Mentoring")}
    assert alerts == alert_names()


@pytest.mark.parametrize("alert", sorted(alert_names()))
def test_each_alert_says_what_it_means_and_the_first_three_checks(alert: str) -> None:
    body = sections()[alert]
    assert "**Means:**" in body
    assert re.findall(r"^(\d)\. ", body, flags=re.MULTILINE) == ["1", "2", "3"]


def test_the_replay_block_lists_then_replays_one_groups_dead_letters() -> None:
    commands = [line for line in replay_block() if line.startswith("python ")]
    assert commands == [
        'python -m tools.replay_dlq "$DLQ" --group "$GROUP" --service "$SERVICE" --dry-run',
        'python -m tools.replay_dlq "$DLQ" --group "$GROUP" --service "$SERVICE"',
    ]


def _dead_letter(origin: str, group: str, n: int) -> tuple[bytes, list[tuple[str, bytes]]]:
    """A record as a consumer writes it to ``<origin>.dlq`` (shared/kafka/consumer.py)."""
    headers = [
        ("content-type", b"application/cloudevents+json"),
        ("dlq.origin.topic", origin.encode()),
        ("dlq.origin.partition", b"0"),
        ("dlq.origin.offset", str(n).encode()),
        ("dlq.consumer.group", group.encode()),
        ("dlq.error.reason", b"handler_error"),
        ("dlq.error.detail", b"RuntimeError('bug, since fixed')"),
        ("dlq.failed_at", b"2026-01-01T00:00:00+00:00"),
    ]
    return f'{{"id": "event-{n}"}}'.encode(), headers


def _run_block(stack: LocalStack, dlq: str, group: str) -> list[str]:
    """The block's commands through bash, as written, with this test's topic and group
    where the block's first line sets the operator's (``python`` being this venv's)."""
    example, *commands = replay_block()
    assert re.fullmatch(r"DLQ=\S+\.dlq GROUP=\S+-worker SERVICE=\S+", example)
    env = {
        **os.environ,
        "DLQ": dlq,
        "GROUP": group,
        "SERVICE": "sessions",
        "SESSIONS_KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}",
    }
    outputs = []
    for command in commands:
        done = subprocess.run(
            ["bash", "-c", command], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    return outputs


@pytest.mark.integration
def test_the_runbook_replay_puts_one_groups_dead_letters_back_on_their_topic(
    stack: LocalStack,
) -> None:
    origin = f"runbook-replay-{uuid.uuid4().hex[:8]}"
    dlq = f"{origin}.dlq"
    admin = KafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    try:
        admin.create_topics([NewTopic(t, 1, 1) for t in (origin, dlq)])
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=stack.bootstrap_servers)
    letters = [_dead_letter(origin, "sessions-worker", 0), _dead_letter(origin, "other", 1)]
    letters.append(_dead_letter(origin, "sessions-worker", 2))
    for value, headers in letters:
        producer.send(dlq, key=b"aggregate-1", value=value, headers=headers).get(timeout=10)
    producer.close()

    listed, replayed = _run_block(stack, dlq, "sessions-worker")

    assert listed.count("would replay") == 2 and "2 of 3" in listed
    assert "2 of 3 dead-lettered message(s) replayed" in replayed
    back = asyncio.run(read_topic(stack.bootstrap_servers, origin))
    assert [r.value for r in back] == [b'{"id": "event-0"}', b'{"id": "event-2"}']
    for record, dlq_offset in zip(back, (0, 2), strict=True):
        headers = dict(record.headers)
        assert record.key == b"aggregate-1"
        assert headers["content-type"] == b"application/cloudevents+json"
        assert headers[REPLAYED_FROM] == f"{dlq}:0:{dlq_offset}".encode()
        assert not [k for k in headers if k.startswith("dlq.") and k != REPLAYED_FROM]


def test_each_alert_links_its_runbook_section() -> None:
    anchors = {title.lower() for title in sections()}
    for rule in all_rules():
        if "alert" in rule:
            link = rule["annotations"]["runbook_url"]
            assert link == f"deploy/RUNBOOK.md#{rule['alert'].lower()}"
            assert link.split("#")[1] in anchors
