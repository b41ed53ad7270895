"""Grafana layout: rows one under the other, each row's panels two per line."""

from __future__ import annotations

from typing import Any

Panel = dict[str, Any]
Row = tuple[str, list[Panel]]
WIDTH, HEIGHT = 12, 8
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
RATE = "[$__rate_interval]"


def _row(title: str) -> Panel:
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


def laid_out(rows: list[Row]) -> list[Panel]:
    """Rows one under the other, each row's panels two per line, ids in order."""
    out: list[Panel] = []
    y = 0
    next_id = 1
    for title, row_panels in rows:
        row = _row(title)
        row["gridPos"] = {"h": 1, "w": 24, "x": 0, "y": y}
        row["id"] = next_id
        next_id += 1
        out.append(row)
        y += 1
        for i, panel in enumerate(row_panels):
            panel["gridPos"] = {
                "h": HEIGHT,
                "w": WIDTH,
                "x": (i % 2) * WIDTH,
                "y": y + (i // 2) * HEIGHT,
            }
            panel["id"] = next_id
            next_id += 1
            out.append(panel)
        y += ((len(row_panels) + 1) // 2) * HEIGHT
    return out


def panel(
    title: str,
    exprs: list[tuple[str, str]] | tuple[str, str],
    *,
    unit: str = "short",
    description: str = "",
    kind: str = "timeseries",
) -> Panel:
    if isinstance(exprs, tuple):
        exprs = [exprs]
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "table", "placement": "bottom"}},
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "expr": expr,
                "legendFormat": legend,
                "datasource": DATASOURCE,
            }
            for i, (expr, legend) in enumerate(exprs)
        ],
    }
