"""The whole Superstore sample through the API into DynamoDB Local: every figure must add up."""

from __future__ import annotations

import csv
import io
import time
from collections import defaultdict
from decimal import Decimal

import pytest

from local import superstore
from tests.stack.helpers import Api

pytestmark = pytest.mark.stack

SALES_TOTAL = Decimal("2297200.86")
PROFIT_TOTAL = Decimal("286397.02")


@pytest.fixture(scope="module")
def data() -> bytes:
    return superstore.fetch().read_bytes()


def sums(data: bytes) -> dict[str, dict[str, list[Decimal]]]:
    """Revenue and profit by every breakdown, computed straight from the file."""
    by: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(lambda: [Decimal(0), Decimal(0)]))
    for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
        for dim, key in (
            ("category", r["Category"]),
            ("subcategory", r["Sub-Category"]),
            ("region", r["Region"]),
            ("state", r["State"]),
            ("month", r["Order Date"][:7]),
        ):
            by[dim][key][0] += Decimal(r["Sales"])
            by[dim][key][1] += Decimal(r["Profit"])
    return by


def test_superstore_import_adds_up(owner: Api, data: bytes) -> None:
    started = time.monotonic()
    reply = owner.post("/imports/sales", data=data, headers={"Content-Type": "text/csv"}, timeout=300)
    elapsed = time.monotonic() - started
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert (result["sales"], result["lines"], result["errors"]) == (5009, 9994, [])
    print(f"\nSuperstore import: {elapsed:.1f} s")  # noqa: T201 - a figure for the closing note

    report = owner.get("/reports/sales", params={"from": "2014-01-01", "to": "2017-12-31", "by": "month"}).json()
    totals = report["totals"]
    assert Decimal(str(totals["revenue"])) == SALES_TOTAL
    assert Decimal(str(totals["profit"])) == PROFIT_TOTAL
    assert totals["orders"] == 5009
    expected = sums(data)
    for dim in ("category", "subcategory", "region", "state", "month"):
        rows = owner.get("/reports/sales", params={"from": "2014-01-01", "to": "2017-12-31", "by": dim}).json()["rows"]
        got = {r["key"]: (Decimal(str(r["revenue"])), Decimal(str(r["profit"]))) for r in rows if r["orders"]}
        want = {k: (round(v[0], 2), round(v[1], 2)) for k, v in expected[dim].items()}
        assert got == want, dim

    again = owner.post("/imports/sales", data=data, headers={"Content-Type": "text/csv"}, timeout=300).json()
    assert (again["sales"], again["already_imported"]) == (0, 5009)
    after = owner.get("/reports/sales", params={"from": "2014-01-01", "to": "2017-12-31", "by": "month"}).json()
    assert after["totals"] == totals

    export = owner.get("/exports/sales.csv", params={"from": "2014-01-01", "to": "2017-12-31"}, timeout=120)
    lines = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(lines) == 9994
    assert sum(Decimal(r["revenue"]) for r in lines) == sum(
        Decimal(r["Sales"]) for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    )
