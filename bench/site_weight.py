"""What the site costs to download: JavaScript and CSS bytes, raw and gzipped, for the first
screen and for every file in frontend/. Prints a table; asserts nothing.

A first screen is the shell (index.html's stylesheet and its entry module), the modules the
entry and that screen's module import statically, and what they load at once: the chart library
for the dashboard. Two first screens matter: log in (a new visitor) and the dashboard (someone
signed in, the heaviest first screen: it draws charts). Each file is gzipped on its own at level 6,
as a CDN or web server would send it. The budget (DESIGN.md §8 / issue 6): first-screen JavaScript
at most 100 KB gzipped.

    .venv/bin/python -m bench.site_weight
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "frontend"
ENTRY = "js/app.js"
STYLESHEETS = ["css/app.css"]
# Files a module loads by itself (not by `import`): charts.js adds the vendored uPlot on first use.
# scanner.js adds ZXing when a camera scanner opens on a browser without BarcodeDetector.
LOADS = {"js/charts.js": ["lib/uplot/uPlot.iife.min.js", "lib/uplot/uPlot.min.css"],
         "js/scanner.js": ["lib/zxing/zxing.min.js"]}
FIRST_SCREENS = {"log in (signed out)": "js/screens/login.js", "dashboard (signed in)": "js/screens/dashboard.js"}
BUDGET_GZIP_JS = 100 * 1024

IMPORT = re.compile(r"""(?:^|;|\n)\s*import\s+(?:[^'"]*?\s+from\s+)?["'](\.{1,2}/[^"']+)["']""")


def static_imports(path: str, seen: set[str] | None = None) -> set[str]:
    """The module and everything it imports statically, as paths relative to frontend/."""
    seen = set() if seen is None else seen
    if path in seen:
        return seen
    seen.add(path)
    source = (SITE / path).read_text(encoding="utf-8")
    for target in IMPORT.findall(source):
        resolved = (SITE / path).parent.joinpath(target).resolve().relative_to(SITE.resolve()).as_posix()
        static_imports(resolved, seen)
    for loaded in LOADS.get(path, []):
        seen.add(loaded)
    return seen


def sizes(path: str) -> tuple[int, int]:
    data = (SITE / path).read_bytes()
    return len(data), len(gzip.compress(data, compresslevel=6, mtime=0))


def kind(path: str) -> str:
    return "JS" if path.endswith(".js") else "CSS" if path.endswith(".css") else "other"


def table(title: str, files: list[str]) -> dict[str, tuple[int, int]]:
    print(f"\n{title}")
    print(f"  {'file':<44} {'raw':>10} {'gzip':>10}")
    totals: dict[str, list[int]] = {"JS": [0, 0], "CSS": [0, 0]}
    for path in sorted(files, key=lambda p: (kind(p), p)):
        if kind(path) not in totals:
            continue
        raw, packed = sizes(path)
        totals[kind(path)][0] += raw
        totals[kind(path)][1] += packed
        print(f"  {path:<44} {raw:>10,} {packed:>10,}")
    for name, (raw, packed) in totals.items():
        label = f"total {name}"
        print(f"  {label:<44} {raw:>10,} {packed:>10,}   ({raw / 1024:.1f} KB raw, {packed / 1024:.1f} KB gzip)")
    return {k: (v[0], v[1]) for k, v in totals.items()}


def main() -> int:
    if not (SITE / ENTRY).exists():
        print(f"no site at {SITE / ENTRY}", file=sys.stderr)
        return 1
    shell = static_imports(ENTRY)
    print("Shelfwise site weight (bytes; each file gzipped alone at level 6; config.js is generated and not counted)")
    summary = []
    for name, screen in FIRST_SCREENS.items():
        files = sorted(static_imports(screen, set(shell)) | set(STYLESHEETS))
        totals = table(f"First screen: {name}", files)
        summary.append((name, totals["JS"]))
    every = [p.relative_to(SITE).as_posix() for p in SITE.rglob("*") if p.is_file() and kind(p.name) != "other"]
    every = [p for p in every if p != "config.js"]
    table("All files", every)
    print()
    for name, (raw, packed) in summary:
        verdict = "within" if packed <= BUDGET_GZIP_JS else "OVER"
        print(f"First-screen JS, {name}: {raw / 1024:.1f} KB raw, {packed / 1024:.1f} KB gzip "
              f"({verdict} the {BUDGET_GZIP_JS // 1024} KB gzip budget)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
