"""POST /ask over HTTP against DynamoDB Local: the 300-line Superstore slice imported, answers
checked against the report endpoints for the same periods, and the p50 of asking beside the p50
of the report it reads (printed for the record)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from local.stack import LocalStack
from tests.stack.helpers import Api

pytestmark = pytest.mark.stack

SLICE = Path(__file__).resolve().parent.parent / "data" / "superstore-slice.csv"


@pytest.fixture(scope="module")
def shop(stack: LocalStack) -> Api:
    from tests.stack.helpers import register_and_login

    api, _ = register_and_login(stack.api_url, "Ask over HTTP")
    reply = api.post("/imports/sales", data=SLICE.read_bytes(), headers={"Content-Type": "text/csv"}, timeout=240)
    assert reply.status_code == 200 and reply.json()["errors"] == [], reply.text
    return api


def _ask(api: Api, question: str) -> dict:
    reply = api.post("/ask", json={"question": question})
    assert reply.status_code == 200, reply.text
    return reply.json()


@pytest.mark.parametrize(
    ("question", "first", "last", "metric"),
    [
        ("revenue in 2016", "2016-01-01", "2016-12-31", "revenue"),
        ("profit in 2015", "2015-01-01", "2015-12-31", "profit"),
        ("units sold in june 2016", "2016-06-01", "2016-06-30", "units"),
        ("orders between 1 jan 2014 and 31 dec 2017", "2014-01-01", "2017-12-31", "orders"),
    ],
)
def test_totals_are_the_reports_figures(shop: Api, question: str, first: str, last: str, metric: str) -> None:
    body = _ask(shop, question)
    totals = shop.get("/reports/sales", params={"from": first, "to": last, "by": "month"}).json()["totals"]
    assert body["data"]["period"]["from"] == first and body["data"]["period"]["to"] == last
    assert body["data"]["value"] == totals[metric] and body["data"]["figures"] == totals


def test_rankings_are_the_breakdowns(shop: Api) -> None:
    for dimension, question in (("category", "top 3 categories in 2017"), ("state", "top 5 states in 2016"),
                                ("subcategory", "worst 3 sub categories in 2015")):
        body = _ask(shop, question)
        rows = shop.get("/reports/sales", params={"from": body["data"]["period"]["from"],
                                                  "to": body["data"]["period"]["to"], "by": dimension}).json()["rows"]
        sold = [r for r in rows if r["orders"]]
        best = body["data"]["order"] == "best"
        expected = sorted(sold, key=lambda r: (-r["revenue"] if best else r["revenue"], r["key"]))
        assert [r["key"] for r in body["data"]["rows"]] == [r["key"] for r in expected[: len(body["data"]["rows"])]]
        assert body["data"]["rows"] and body["link"].endswith(f"to={body['data']['period']['to']}")


def test_p50_of_asking_beside_the_report_it_reads(shop: Api, new_shop: Callable[..., Api]) -> None:
    def p50(call: Callable[[], object]) -> float:
        call()  # the first question in a process loads the parser
        timings = []
        for _ in range(15):
            start = time.perf_counter()
            call()
            timings.append(time.perf_counter() - start)
        return statistics.median(timings)

    ask = p50(lambda: _ask(shop, "top 3 categories in 2016"))
    report = p50(lambda: shop.get("/reports/sales", params={"from": "2016-01-01", "to": "2016-12-31",
                                                           "by": "category"}).json())
    print(f"\n/ask p50 {ask * 1000:.0f} ms; /reports/sales (same figures) p50 {report * 1000:.0f} ms")
    assert ask < report * 3 + 0.2
