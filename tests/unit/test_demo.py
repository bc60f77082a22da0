"""The demo shop's plan, without a stack: what goes before the banner, the history's pieces, the
state a restart resumes from (local/demo.py). Over HTTP: tests/stack/test_demo_history.py."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from local import demo

SLICE = Path(__file__).resolve().parents[1] / "data" / "superstore-slice.csv"
TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    raw = list(csv.DictReader(io.StringIO(SLICE.read_text(encoding="utf-8-sig"))))
    shift = ((TODAY - timedelta(days=1)) - demo.last_day(raw)).days
    return demo.superstore_rows(shift, raw)


def test_dates_move_so_the_last_order_was_yesterday(rows: list[dict[str, str]]) -> None:
    assert demo.last_day(rows) == TODAY - timedelta(days=1)
    raw = list(csv.DictReader(io.StringIO(SLICE.read_text(encoding="utf-8-sig"))))
    assert [r["Order ID"] for r in rows] == [r["Order ID"] for r in raw]
    gaps = {(date.fromisoformat(a["Ship Date"]) - date.fromisoformat(a["Order Date"])) for a in rows}
    assert gaps == {(date.fromisoformat(a["Ship Date"]) - date.fromisoformat(a["Order Date"])) for a in raw}


def test_history_pieces_are_whole_orders_newest_first_and_cover_every_line(rows: list[dict[str, str]]) -> None:
    pieces = demo.history_pieces(rows, 5)
    assert 4 <= len(pieces) <= 6
    assert sorted(id(r) for p in pieces for r in p) == sorted(id(r) for r in rows)
    order_piece = {}
    for index, piece in enumerate(pieces):
        for r in piece:
            assert order_piece.setdefault(r["Order ID"], index) == index, "an order split across two imports"
    newest = [max(r["Order Date"] for r in p) for p in pieces]
    oldest = [min(r["Order Date"] for r in p) for p in pieces]
    assert newest == sorted(newest, reverse=True)
    assert all(oldest[i] >= newest[i + 1] for i in range(len(pieces) - 1))


def test_the_first_part_has_the_recent_products_and_the_low_best_sellers(rows: list[dict[str, str]]) -> None:
    first, rest = demo.split_catalogue(rows, TODAY)
    every = {r["Product ID"] for r in rows}
    assert {p["sku"] for p in first} | {p["sku"] for p in rest} == every
    assert not {p["sku"] for p in first} & {p["sku"] for p in rest}
    since = TODAY - timedelta(days=demo.FIRST_DAYS)
    recent = {r["Product ID"] for r in rows if date.fromisoformat(r["Order Date"]) >= since}
    assert recent <= {p["sku"] for p in first}
    low = [p for p in first if p["on_hand"] <= p["min_stock"]]
    assert 1 <= len(low) <= demo.LOW_BEST_SELLERS
    assert all(p["on_hand"] > p["min_stock"] for p in rest)
    for p in first + rest:
        assert p["price"] == p["price"].quantize(Decimal("0.01")) and p["price"] > 0
        assert 0 <= p["unit_cost"] and p["barcode"] == demo.ean13(p["sku"])


def test_the_older_lines_get_only_their_stock_fields(rows: list[dict[str, str]]) -> None:
    _, rest = demo.split_catalogue(rows, TODAY)
    steps = demo.history_steps(rows, rest, pieces=3)
    stock = [s for s in steps if s.path == "/imports/products"]
    assert [s.path for s in steps[: len(steps) - len(stock)]] == ["/imports/sales"] * (len(steps) - len(stock))
    headers = [tuple(next(csv.reader(io.StringIO(s.body.decode())))) for s in stock]
    # stock first, minimum after: never at or below the minimum on the way
    assert headers == [demo.STOCK_COLUMNS, demo.LEVEL_COLUMNS] * (len(stock) // 2)
    assert sum(s.weight for s in stock) == len(rest) * demo.STOCK_WEIGHT


def test_status_counts_the_steps_done_and_a_restart_starts_where_it_stopped(
    rows: list[dict[str, str]], tmp_path: Path
) -> None:
    _, rest = demo.split_catalogue(rows, TODAY)
    steps = demo.history_steps(rows, rest, pieces=4)
    path = tmp_path / "demo" / "state.json"
    state = {"tenant_id": "SHOP1", "shift_days": 7, "pieces": 4, "stage": "history", "done": 0}
    demo.write_state(path, state)
    history = demo.History("http://127.0.0.1:9", steps, demo.read_state(path, "SHOP1") or {}, path)
    assert history.status() == {"state": "loading", "percent": 0, "shop_id": "SHOP1"}

    demo.write_state(path, {**state, "done": 2})
    resumed = demo.History("http://127.0.0.1:9", steps, demo.read_state(path, "SHOP1") or {}, path)
    expected = int(100 * (steps[0].weight + steps[1].weight) / sum(s.weight for s in steps))
    assert resumed.status()["percent"] == expected > 0

    demo.write_state(path, {**state, "done": len(steps), "stage": "done"})
    finished = demo.History("http://127.0.0.1:9", steps, demo.read_state(path, "SHOP1") or {}, path)
    assert finished.done and finished.status()["state"] == "done" and finished.status()["percent"] == 100


def test_a_state_of_another_shop_or_a_damaged_one_is_not_resumed(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    assert demo.read_state(path, "SHOP1") is None
    demo.write_state(path, {"tenant_id": "SHOP1", "stage": "history", "done": 3})
    assert demo.read_state(path, "SHOP2") is None  # the table was wiped: a new shop starts afresh
    assert demo.read_state(path, "SHOP1") == {"tenant_id": "SHOP1", "stage": "history", "done": 3}
    path.write_text('{"tenant_id": "SHOP1", "done"')  # cut off mid-write by hand
    assert demo.read_state(path, "SHOP1") is None
