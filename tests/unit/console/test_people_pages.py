"""A program admin imports people from an HR export and reads the import's report."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.console.fake_apis import FakeApis, M, sign_in

KNOWN = {"items": [], "total": 1200, "limit": 1, "offset": 0}


def test_an_export_goes_to_the_matcher_as_a_file_and_each_rejected_line_is_shown(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"GET {M}/people", KNOWN)
    report = {
        "accepted": 1,
        "rejected": 1,
        "errors": [{"row": 3, "person_id": "p-2", "errors": ["time_zone: not an IANA zone"]}],
    }
    apis.answer(f"POST {M}/people/import/file", report, status=202)
    csv = b"person_id,display_name\np-1,Ana\np-2,Bo\n"
    page = client.post("/admin/people", files={"file": ("hr.csv", csv, "text/csv")})
    assert page.status_code == 200
    assert "1 row accepted, 1 rejected" in page.text
    assert "time_zone: not an IANA zone" in page.text and "<td>3</td>" in page.text
    assert "knows <strong>1200</strong> people" in page.text
    sent = next(r for r in apis.sent if r.url.path == "/people/import/file")
    assert b'filename="hr.csv"' in sent.content and csv in sent.content


def test_no_file_is_explained_and_nothing_is_sent(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.answer(f"GET {M}/people", KNOWN)
    page = client.post("/admin/people", data={})
    assert page.status_code == 422 and "Choose a CSV file to upload" in page.text
    assert not [r for r in apis.sent if r.url.path == "/people/import/file"]
