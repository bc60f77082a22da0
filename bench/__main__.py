"""Every benchmark in bench/, printed as one table (`make bench`).

    .venv/bin/python -m bench

Rows, by section:
- cold start: `import app` against the floor any Chalice + DynamoDB Lambda pays (bench/cold_start.py),
  with its budget (1.25);
- dynamodb: requests and capacity units per operation, measured on DynamoDB Local (bench/dynamodb_ops.py);
- every other bench/ module with a `run(stack)` (reports.py: report reads and import times), on the
  same local stack, one section each;
- phone: a slow phone's first screens, cold and from the service worker (bench/phone.py, Chromium
  with 4G-like throttling and a 4x CPU slowdown; one of the run(stack) modules above);
- site: JavaScript weight of the first screens (bench/site_weight.py, when it is there);
- cost: one shop a month at the reference workload, from those counts and bench/prices.py (bench/cost.py).
- fresh clone (BENCH_FRESH=1 only, minutes): fresh clone to banner and to a loaded demo (bench/fresh_clone.py).
Asserts nothing: read the figures. BENCH_RUNS sets the cold-start samples (default 7).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import cost, harness  # noqa: E402

COLUMNS = ("section", "item", "requests", "read units", "write units", "value")
# Not benchmarks of their own, or run separately above.
NOT_RUN_ON_STACK = {"__init__", "__main__", "cold_start", "cost", "dynamodb_ops", "fresh_clone", "meter", "prices",
                    "site_weight"}


def row(section: str, item: str, value: str = "", requests: Any = "", reads: Any = "", writes: Any = "") -> tuple:
    return (section, item, str(requests), str(reads), str(writes), value)


def cold_start_rows() -> tuple[list[tuple], float | None]:
    from bench import cold_start

    r = cold_start.measure()
    verdict = "within" if r["ratio"] <= r["budget"] else "OVER"
    value = (f"{r['app_s'] * 1000:.0f} ms vs floor {r['floor_s'] * 1000:.0f} ms: ratio {r['ratio']:.2f} "
             f"({verdict} budget {r['budget']})")  # fmt: skip
    return [row("cold start", "import app / (import chalice, boto3 + DynamoDB client)", value)], r["app_s"]


def dynamodb_rows(measured: list[dict[str, Any]]) -> list[tuple]:
    out = []
    for r in measured:
        by = ", ".join(f"{k} {v}" for k, v in r.get("by_operation", {}).items())
        out.append(row("dynamodb", r["operation"], by, r["requests"], r["read_units"], r["write_units"]))
    return out


def other_runs(stack: Any) -> dict[str, list[dict[str, Any]]]:
    """Rows of every other bench/ module that has run(stack)."""
    found = {}
    for path in sorted(Path(__file__).parent.glob("*.py")):
        if path.stem in NOT_RUN_ON_STACK:
            continue
        module = importlib.import_module(f"bench.{path.stem}")
        if callable(getattr(module, "run", None)):
            found[path.stem] = module.run(stack)
    return found


def generic_rows(section: str, measured: list[dict[str, Any]]) -> list[tuple]:
    return [
        row(section, str(r.get("operation") or r.get("item", "")), str(r.get("value", "")), r.get("requests", ""),
            r.get("read_units", ""), r.get("write_units", ""))
        for r in measured
    ]  # fmt: skip


def site_rows() -> tuple[list[tuple], dict[str, float] | None]:
    """From bench/site_weight.py if it exists: its measure() if it has one, else its printed summary."""
    try:
        site_weight = importlib.import_module("bench.site_weight")
    except ImportError:
        return [row("site", "JS weight", "skipped: bench/site_weight.py not there yet")], None
    if hasattr(site_weight, "measure"):
        measured = site_weight.measure()
        items = measured.items() if isinstance(measured, dict) else [(str(k), v) for k, v in measured]
        return [row("site", str(k), str(v)) for k, v in items], None
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = site_weight.main()
    rows = []
    for line in printed.getvalue().splitlines():
        match = re.match(r"First-screen JS, (.+?): (.+)$", line.strip())
        if match:
            rows.append(row("site", f"first-screen JS, {match.group(1)}", match.group(2)))
    if status or not rows:
        return [row("site", "JS weight", "site_weight.py printed no summary")], None
    return rows, _site_per_view(site_weight)


def _site_per_view(site_weight: Any) -> dict[str, float] | None:
    """Bytes and files a dashboard view downloads (its first screen, gzip, plus index.html)."""
    try:
        screen = site_weight.FIRST_SCREENS["dashboard (signed in)"]
        files = site_weight.static_imports(screen, set(site_weight.static_imports(site_weight.ENTRY)))
        files = set(files) | set(site_weight.STYLESHEETS) | {"index.html"}
        total = sum(site_weight.sizes(f)[1] for f in files if (site_weight.SITE / f).exists())
        return {"kb": total / 1000, "files": len(files) + 1}  # + config.js
    except (AttributeError, KeyError, OSError, ValueError):
        return None


def cost_rows(result: dict[str, Any]) -> list[tuple]:
    out = []
    for use in result["uses"]:
        source = f"bench row: {use['row']}" if use["row"] else "ESTIMATE: no bench row yet"
        out.append(row("cost: workload", f"{use['use']} x{use['per_month']:.0f}/month", source,
                       use["requests"], use["read_units"], use["write_units"]))  # fmt: skip
    for name, quantity, unit, money in result["lines"]:
        out.append(row("cost: per shop", name, f"{cost.format_money(money)}  ({quantity:,.3f} {unit})"))
    out.append(row("cost: per shop", "TOTAL per shop per month", cost.format_money(result["per_shop"])))
    for name, quantity, unit, money in result["fixed"]:
        out.append(row("cost: fixed", name, f"{cost.format_money(money)}  ({quantity:,.3f} {unit})"))
    out.append(row("cost: fixed", "TOTAL fixed per deployment per month", cost.format_money(result["fixed_total"])))
    alone = result["per_shop"] + result["fixed_total"]
    out.append(row("cost", "one shop alone on its own deployment, per month", cost.format_money(alone)))
    out.append(row("cost", "prices", result["note"]))
    return out


def print_table(rows: list[tuple]) -> None:
    widths = [max(len(r[i]) for r in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    widths[-1] = min(widths[-1], 90)

    def line(cells: tuple) -> str:
        parts = []
        for i, cell in enumerate(cells):
            parts.append(cell.rjust(widths[i]) if 2 <= i <= 4 else cell.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    print(line(COLUMNS))
    print("  ".join("-" * w for w in widths))
    previous = None
    for r in rows:
        if previous is not None and r[0].split(":")[0] != previous:
            print()
        previous = r[0].split(":")[0]
        print(line(r))


def main() -> None:
    print("running the benchmarks (cold start, DynamoDB Local, reports, site, cost): a few minutes", file=sys.stderr)
    from bench import dynamodb_ops

    cold, import_seconds = cold_start_rows()
    with harness.local_stack() as stack:
        measured = dynamodb_ops.run(stack)
        others = other_runs(stack)
    site, per_view = site_rows()
    every = measured + [r for rows in others.values() for r in rows]
    result = cost.estimate(every, import_seconds=import_seconds, site=per_view)
    extra = [line for name, rows in others.items() for line in generic_rows(name, rows)]
    fresh = []
    if os.environ.get("BENCH_FRESH") == "1":
        from bench import fresh_clone

        fresh = generic_rows("fresh clone", fresh_clone.measure(int(os.environ.get("FRESH_RUNS", "1")),
                                                               cold=os.environ.get("FRESH_COLD") == "1"))
    print_table(cold + dynamodb_rows(measured) + extra + site + fresh + cost_rows(result))


if __name__ == "__main__":
    main()
