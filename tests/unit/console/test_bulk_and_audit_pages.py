"""A program admin enrolls many at once (a CSV or a filter) and reads the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.console.answers import PROGRAM
from tests.unit.console.fake_apis import FakeApis, M, sign_in

BULK = f"{M}/programs/prg-1/enrollments/bulk"


def job(status: str, rows: list[dict[str, Any]], *, total: int = 3) -> dict[str, Any]:
    return {
        "id": "job-1",
        "program_id": "prg-1",
        "status": status,
        "total": total,
        "done": len(rows),
        "accepted": sum(r["outcome"] == "accepted" for r in rows),
        "already_enrolled": sum(r["outcome"] == "already_enrolled" for r in rows),
        "rejected": sum(r["outcome"] == "rejected" for r in rows),
        "failure": None,
        "created_at": "2030-01-07T09:00:00+00:00",
        "finished_at": None,
        "report": {"items": rows, "total": len(rows), "limit": 50, "offset": 0},
    }


ROWS = [
    {"row": 2, "person_id": "p-1", "outcome": "accepted", "reason": None, "detail": ""},
    {"row": 3, "person_id": "p-2", "outcome": "rejected", "reason": "unknown_person"},
]


def test_an_uploaded_csv_goes_to_the_matcher_as_a_file_and_its_report_is_shown(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"POST {BULK}/file", job("finished", ROWS, total=2))
    csv = b"person_id,role\np-1,mentor\np-2,mentee\n"
    answer = client.post(
        "/admin/programs/prg-1/bulk/file",
        files={"file": ("people.csv", csv, "text/csv")},
        follow_redirects=False,
    )
    assert answer.headers["location"] == (
        "/admin/programs/prg-1/bulk?job=job-1&notice=1+enrolled%2C+0+already+enrolled%2C+1+rejected"
    )
    sent = apis.sent[-1]
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert b'filename="people.csv"' in sent.content and csv in sent.content

    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)
    apis.answer(f"GET {BULK}/job-1", job("finished", ROWS, total=2))
    page = client.get(answer.headers["location"]).text
    assert "1 enrolled · 0 already enrolled · 1 rejected" in page
    assert "Unknown person" in page and "hx-trigger" not in page


def test_a_running_job_page_refreshes_itself_until_it_is_done(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)
    apis.answer(f"GET {BULK}/job-1", job("running", ROWS[:1]))
    page = client.get("/admin/programs/prg-1/bulk?job=job-1").text
    assert 'hx-trigger="every 2s"' in page
    assert '<progress id="job-progress" max="3" value="1">' in page


def test_enrolling_by_filter_sends_only_the_criteria_given(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(BULK.join(["POST ", ""]), job("running", [], total=5000))
    form = {"departments": "Finance, Legal", "min_level": "7", "role": "mentee", "capacity": "1"}
    answer = client.post("/admin/programs/prg-1/bulk/filter", data=form, follow_redirects=False)
    assert "Enrolling+5000+rows+in+the+background" in answer.headers["location"]
    assert apis.bodies(f"POST {BULK}") == [
        {
            "filter": {
                "role": "mentee",
                "capacity": 1,
                "departments": ["Finance", "Legal"],
                "min_level": 7,
            }
        }
    ]


@pytest.mark.parametrize(
    ("form", "why"),
    [
        ({"role": "mentee", "capacity": "1"}, "Choose at least one criterion"),
        ({"min_level": "9", "max_level": "3", "role": "mentor", "capacity": "1"}, "Max level"),
    ],
)
def test_a_filter_without_a_sound_criterion_is_explained_and_not_sent(
    client: TestClient, apis: FakeApis, form: dict[str, str], why: str
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)
    answer = client.post("/admin/programs/prg-1/bulk/filter", data=form, follow_redirects=True)
    assert why in answer.text
    assert apis.bodies(f"POST {BULK}") == []


def test_the_audit_trail_pages_through_the_programs_history(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"GET {M}/programs/prg-1", PROGRAM)
    entry = {
        "at": "2030-01-07T09:00:00+00:00",
        "actor": "adm-1",
        "roles": ["program_admin"],
        "action": "program.updated",
        "target": "prg-1",
        "details": {"fields": "rules"},
    }
    apis.answer(
        f"GET {M}/programs/prg-1/audit",
        {"items": [entry] * 50, "total": 120, "limit": 50, "offset": 50},
    )
    page = client.get("/admin/programs/prg-1/audit?offset=50").text
    assert "51–100 of 120" in page
    assert 'href="/admin/programs/prg-1/audit?offset=0">Previous page' in page
    assert 'href="/admin/programs/prg-1/audit?offset=100">Next page' in page
    assert apis.sent[-1].url.params["offset"] == "50"
