"""What the real-browser checks need, where it is, and how to get what is missing.

Chromium comes from Debian (`playwright install` cannot download browsers here);
axe-core, the Nu Html Checker and Lighthouse come from npm through package.json.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "node_modules"
ARTIFACTS = ROOT / "test-artifacts"
INSTALL_HINT = ("install them with: apt-get install -y chromium fonts-dejavu-core fonts-noto-core "
                "default-jre-headless (as root), then `npm ci --ignore-scripts` in the project "
                "(`make test` runs npm ci itself when npm is present); CI's .ci/run does both")
# Flags for Chromium as root on a machine whose only network is the package registries.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


@dataclass(frozen=True)
class Tools:
    chromium: str
    axe: Path
    vnu: Path
    java: str
    lighthouse: Path


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def find() -> tuple[Tools | None, list[str]]:
    """The tools, or the list of what is missing."""
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    found = {
        "chromium (Debian package)": chromium,
        "Playwright for Python": _playwright(),
        "axe-core (npm)": NODE / "axe-core/axe.min.js",
        "vnu-jar (npm)": NODE / "vnu-jar/build/dist/vnu.jar",
        "java (to run vnu.jar)": shutil.which("java"),
        "lighthouse (npm)": NODE / ".bin/lighthouse",
        "Noto fonts with Vietnamese letters": _noto(),
    }
    missing = [name for name, where in found.items()
               if not where or (where != "playwright" and not Path(where).exists())]
    if missing:
        return None, missing
    return Tools(chromium, NODE / "axe-core/axe.min.js", NODE / "vnu-jar/build/dist/vnu.jar",
                 shutil.which("java"), NODE / ".bin/lighthouse"), []


def _playwright() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return None
    return "playwright"


def _noto() -> Path | None:
    for folder in (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto")):
        if folder.is_dir() and any(folder.glob("NotoSans-*")):
            return folder
    return None
