"""``python -m services.matcher import-people FILE --dev-token SUBJECT``, as the README
tells a user to run it, against the real matcher API: the people arrive; without a
token the command says how to get one instead of failing with 401."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.integration.matcher.matcher_processes import api_and_worker
from tests.support.auth import bearer
from tests.support.processes import ROOT
from tests.support.waiting import eventually
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration


def import_command(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MATCHER_API_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "services.matcher", "import-people", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_import_command_mints_a_development_token_and_imports(
    stack: LocalStack, database_name: str, log_dir: Path, tmp_path: Path
) -> None:
    ids = [f"{database_name}-c1", f"{database_name}-c2"]
    people = tmp_path / "people.csv"
    people.write_text(
        "person_id,display_name,email,level,department,time_zone\n"
        + "".join(f"{p},Person {p},{p}@example.com,4,Sales,Asia/Tokyo\n" for p in ids)
    )
    with api_and_worker(stack, database_name, log_dir) as base:
        refused = await asyncio.to_thread(import_command, str(people), "--api", base)
        assert refused.returncode == 2 and "no token" in refused.stderr

        done = await asyncio.to_thread(
            import_command, str(people), "--api", base, "--dev-token", "cli-admin"
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "imported 2 people, rejected 0 rows" in done.stdout

        async with httpx.AsyncClient(
            base_url=base, timeout=30, headers=bearer("cli-admin", "program_admin")
        ) as c:

            async def arrived() -> bool:
                return all([(await c.get(f"/people/{p}")).status_code == 200 for p in ids])

            await eventually(arrived, what="the imported people")
