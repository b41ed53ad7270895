"""``python -m services.matcher import-people FILE``: bulk import from CSV or JSON.

Sends the file in chunks to the matcher API (the same validation as the REST
upload), shows a progress bar, and prints a per-row error report. Good rows are
imported even when others are bad; the exit code is 1 when any row was rejected.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from services.matcher.people import MAX_ROWS_PER_REQUEST, parse_csv, parse_json


def import_people(
    path: Path, *, api: str, chunk: int = 1000, client: httpx.Client | None = None
) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    is_json = path.suffix.lower() == ".json"
    rows = parse_json(text) if is_json else parse_csv(text)
    first_row = 1 if is_json else 2  # CSV: row 1 is the header
    totals: dict[str, Any] = {"accepted": 0, "rejected": 0, "errors": []}
    http = client or httpx.Client(base_url=api, timeout=60)
    try:
        with tqdm(total=len(rows), unit="row", desc=f"import {path.name}") as progress:
            for start in range(0, len(rows), chunk):
                batch = rows[start : start + chunk]
                response = http.post(
                    "/people/import", json=batch, params={"first_row": first_row + start}
                )
                if response.status_code != 202:
                    raise SystemExit(f"import failed: HTTP {response.status_code} {response.text}")
                body = response.json()
                totals["accepted"] += body["accepted"]
                totals["rejected"] += body["rejected"]
                totals["errors"] += body["errors"]
                progress.update(len(batch))
    finally:
        if client is None:
            http.close()
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.matcher import-people")
    parser.add_argument("file", type=Path, help="CSV (header row) or JSON array of people")
    parser.add_argument("--api", default="http://127.0.0.1:8001", help="matcher API base URL")
    parser.add_argument(
        "--chunk", type=int, default=1000, help=f"rows per request (<= {MAX_ROWS_PER_REQUEST})"
    )
    parser.add_argument("--errors-json", type=Path, help="also write the rejected rows here")
    args = parser.parse_args(argv)
    if not 1 <= args.chunk <= MAX_ROWS_PER_REQUEST:
        parser.error(f"--chunk must be 1..{MAX_ROWS_PER_REQUEST}")
    report = import_people(args.file, api=args.api, chunk=args.chunk)
    for error in report["errors"]:
        who = f" ({error['person_id']})" if error["person_id"] else ""
        print(f"row {error['row']}{who}: " + "; ".join(error["errors"]), file=sys.stderr)
    if args.errors_json:
        args.errors_json.write_text(json.dumps(report["errors"], indent=2))
    print(f"imported {report['accepted']} people, rejected {report['rejected']} rows")
    return 1 if report["rejected"] else 0
