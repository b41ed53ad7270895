"""``python -m services.matcher import-people FILE``: bulk import from CSV or JSON.

Sends the file in chunks to the matcher API (the same validation as the REST
upload), shows a progress bar, and prints a per-row error report. Good rows are
imported even when others are bad; the exit code is 1 when any row was rejected.

The API wants a program admin's bearer token: ``--token TOKEN`` (or the environment
variable ``MATCHER_API_TOKEN``), or, against a local platform in the development
profile, ``--dev-token SUBJECT`` to mint one from the development issuer's key.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from services.matcher import dev_token
from services.matcher.people import MAX_ROWS_PER_REQUEST, parse_csv, parse_json

TOKEN_VARIABLE = "MATCHER_API_TOKEN"


def import_people(
    path: Path,
    *,
    api: str,
    token: str = "",
    chunk: int = 1000,
    client: httpx.Client | None = None,
) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    is_json = path.suffix.lower() == ".json"
    rows = parse_json(text) if is_json else parse_csv(text)
    first_row = 1 if is_json else 2  # CSV: row 1 is the header
    totals: dict[str, Any] = {"accepted": 0, "rejected": 0, "errors": []}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = client or httpx.Client(base_url=api, timeout=60, headers=headers)
    try:
        with tqdm(total=len(rows), unit="row", desc=f"import {path.name}") as progress:
            for start in range(0, len(rows), chunk):
                batch = rows[start : start + chunk]
                response = http.post(
                    "/people/import", json=batch, params={"first_row": first_row + start}
                )
                if response.status_code in (401, 403):
                    raise SystemExit(
                        f"import refused: HTTP {response.status_code} {response.text} "
                        "(needs a program admin's token: --token, $MATCHER_API_TOKEN "
                        "or, locally, --dev-token SUBJECT)"
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
    tokens = parser.add_mutually_exclusive_group()
    tokens.add_argument(
        "--token", help=f"a program admin's bearer token (default: ${TOKEN_VARIABLE})"
    )
    tokens.add_argument(
        "--dev-token",
        metavar="SUBJECT",
        help="development profile only: mint a program admin token for SUBJECT from the "
        "local development issuer (make run)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.chunk <= MAX_ROWS_PER_REQUEST:
        parser.error(f"--chunk must be 1..{MAX_ROWS_PER_REQUEST}")
    report = import_people(args.file, api=args.api, token=_token(parser, args), chunk=args.chunk)
    for error in report["errors"]:
        who = f" ({error['person_id']})" if error["person_id"] else ""
        print(f"row {error['row']}{who}: " + "; ".join(error["errors"]), file=sys.stderr)
    if args.errors_json:
        args.errors_json.write_text(json.dumps(report["errors"], indent=2))
    print(f"imported {report['accepted']} people, rejected {report['rejected']} rows")
    return 1 if report["rejected"] else 0


def _token(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    """--token, else --dev-token (minted), else $MATCHER_API_TOKEN; none: a usage error."""
    if args.dev_token:
        try:
            return dev_token.mint(args.dev_token)
        except dev_token.DevTokenRefused as exc:
            parser.error(f"--dev-token: {exc}")
    token: str = args.token or os.environ.get(TOKEN_VARIABLE, "")
    if not token:
        parser.error(
            f"no token: pass --token TOKEN, set {TOKEN_VARIABLE}, or (development profile) "
            "--dev-token SUBJECT"
        )
    return token
