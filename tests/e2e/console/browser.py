"""A real Chromium (Debian's package, never a downloaded build) driven by Playwright,
with an axe-core check and screenshots at a phone and a laptop width."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).with_name("axe-core-4.14.1.min.js")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"phone": (375, 812), "laptop": (1280, 900)}
BLOCKING = ("serious", "critical")


def missing() -> str:
    """Why the browser tests cannot run here ('' when they can)."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (dev dependency playwright)"
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        return "Debian's chromium is not installed (apt-get install chromium chromium-driver)"
    if importlib.util.find_spec("jinja2") is None:
        return "jinja2 (the console's templates) is not installed"
    return ""


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as shown now."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in BLOCKING
    ]


class Recorder:
    """Screenshots of each page at each width, and the accessibility check of each."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.violations: dict[str, list[str]] = {}

    def page(self, page: Any, name: str) -> None:
        for width_name, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(self.directory / f"{name}-{width_name}.png"), full_page=True)
        page.set_viewport_size({"width": WIDTHS["laptop"][0], "height": WIDTHS["laptop"][1]})
        self.violations[name] = serious_violations(page)
