"""Export then import gives back exactly the same data.

The export writes text that a spreadsheet would run as a formula (= + - @, a tab) with a "'" in
front; the import takes exactly that mark off and nothing else, so hostile names, a "'" that was
really there, quotes, commas and line breaks all come back as they were, in a fresh shop."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from urllib.parse import quote

from tests.unit.conftest import register_shop

HOSTILE = [
    "=1+1",
    "-5",
    "+x",
    "@SUM(A1:A9)",
    "'=already marked",
    "'Tis the season",
    "''=two quotes",
    'The "Big" mug, blue',
    "Tab\there",
    "Line\nbreak",
    '=HYPERLINK("http://evil.example","click")',
]
PRODUCT_FIELDS = (
    "sku",
    "name",
    "category",
    "subcategory",
    "price",
    "unit_cost",
    "on_hand",
    "min_stock",
    "reorder_qty",
    "lead_time_days",
    "barcode",
    "supplier_id",
    "low_stock",
)


def exact(reply):
    return json.loads(reply.body, parse_float=Decimal)


def upload(api, path, body):
    reply = api.call("POST", path, raw=body, headers={"Content-Type": "text/csv"})
    assert reply.status_code == 200, reply.body
    return reply.json


def products_of(api):
    items = exact(api.get("/products?limit=200"))["items"]
    return {p["sku"]: {f: p.get(f) for f in PRODUCT_FIELDS} for p in items}


def stock_hostile_products(api):
    for i, text in enumerate(HOSTILE):
        sku = text.replace("\t", "-").replace("\n", "-").replace("/", "-")[:60] if i < 7 else f"SKU-{i}"
        body = {
            "sku": sku,
            "name": text,
            "category": HOSTILE[(i + 1) % len(HOSTILE)],
            "subcategory": HOSTILE[(i + 2) % len(HOSTILE)],
            "price": f"{i + 1}.35",
            "unit_cost": "1.1",
            "min_stock": i,
            "reorder_qty": 2 * i,
            "lead_time_days": i % 5,
            "barcode": HOSTILE[(i + 3) % len(HOSTILE)],
        }
        reply = api.post("/products", body)
        assert reply.status_code == 201, (text, reply.body)
        path = f"/products/{quote(reply.json['sku'], safe='')}/stock"
        for quantity, cost in ((10 + i, "1.1"), (3, "2")):  # an average cost with many decimals
            assert api.post(path, {"type": "receive", "quantity": quantity, "unit_cost": cost}).status_code == 201
    return products_of(api)


def test_products_export_imports_into_a_fresh_shop_unchanged(client):
    a = register_shop(client, "Round trip A")
    before = stock_hostile_products(a)
    assert {p["name"] for p in before.values()} >= {"=1+1", "-5", "'=already marked", "'Tis the season"}
    exported = a.get("/exports/products.csv").body
    assert b"'=1+1" in exported and b"'-5" in exported  # the formula defence is kept

    fresh = register_shop(client, "Round trip B")
    result = upload(fresh, "/imports/products", exported)
    assert (result["created"], result["errors"]) == (len(HOSTILE), [])
    assert products_of(fresh) == before

    # Into the same shop: nothing to change (no product "'=1+1" made, none renamed).
    again = upload(a, "/imports/products", exported)
    assert (again["created"], again["updated"], again["stock_counted"], again["unchanged"]) == (0, 0, 0, len(HOSTILE))
    assert products_of(a) == before


def sales_rows(api):
    text = api.get("/exports/sales.csv?from=2026-03-01&to=2026-03-31").body.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_sales_export_imports_into_a_fresh_shop_unchanged(client):
    a = register_shop(client, "Sales trip A")
    stock_hostile_products(a)
    skus = list(products_of(a))
    plan = [
        (
            "2026-03-02T09:15:07Z",
            [(skus[0], 2, None), (skus[1], 1, "0.3333")],
            {
                "name": "=cmd|' /C calc'!A0",
                "region": "-West",
                "state": "+x",
                "city": "@home",
                "segment": "'quoted",
                "country": 'A "big", one',
            },
        ),
        ("2026-03-02T23:59:59Z", [(skus[2], 3, "10")], {}),
        ("2026-03-17T00:00:01Z", [(skus[3], 1, None), (skus[4], 1, None), (skus[5], 2, "0")], {"name": "'Tis me"}),
    ]
    for at, lines, customer in plan:
        body = {
            "lines": [{"sku": s, "quantity": q, **({"unit_price": p} if p else {})} for s, q, p in lines],
            "sold_at": at,
            **({"customer": customer} if customer else {}),
        }
        reply = a.post("/sales", body)
        assert reply.status_code == 201, reply.body
    exported = a.get("/exports/sales.csv?from=2026-03-01&to=2026-03-31").body

    fresh = register_shop(client, "Sales trip B")
    result = upload(fresh, "/imports/sales", exported)
    assert (result["sales"], result["lines"], result["errors"]) == (3, 6, [])

    def sales_of(api):
        items = exact(api.get("/sales?from=2026-03-01&to=2026-03-31"))["items"]
        keep = ("sold_at", "total", "profit", "customer")
        return sorted(
            (
                {k: s.get(k) for k in keep} | {"lines": s["lines"], "cost": s.get("cost"), "units": s.get("units")}
                for s in items
            ),
            key=lambda s: s["sold_at"],
        )

    assert sales_of(fresh) == sales_of(a)
    # The fresh shop's own export is the same file, but for its own ids.
    theirs, mine = sales_rows(fresh), sales_rows(a)
    own_ids = ("sale_id", "invoice_no", "external_id")
    assert [{k: v for k, v in r.items() if k not in own_ids} for r in theirs] == [
        {k: v for k, v in r.items() if k not in own_ids} for r in mine
    ]
    assert {r["external_id"] for r in theirs} == {r["sale_id"] for r in mine}
    # And the same file again changes nothing.
    again = upload(fresh, "/imports/sales", exported)
    assert (again["sales"], again["already_imported"]) == (0, 3)
    assert len(sales_of(fresh)) == 3


def test_own_export_with_bad_cells_names_its_own_columns(client):
    shop = register_shop(client, "Own layout")
    header = "sale_id,invoice_no,sold_at,sku,name,category,subcategory,quantity,unit_price,revenue,cost,profit"
    rows = [
        "S1,1,2026-03-02T09:15:00Z,A,Apples,Food,Fruit,2,1.5,3,1,2",
        "S2,2,2026-03-02T10:00:00Z,B,Bread,Food,Bakery,lots,2,2,1,1",
        "S3,3,yesterday,C,Cake,Food,Bakery,1,2,2,1,1",
        "S4,4,2026-03-03T10:00:00Z,D,Dates,Food,Fruit,1,cheap,2,1,1",
    ]
    result = upload(shop, "/imports/sales", ("\n".join([header, *rows]) + "\n").encode())
    assert (result["sales"], result["lines"]) == (1, 1)
    assert {(e["row"], e["column"]) for e in result["errors"]} == {(3, "quantity"), (4, "sold_at"), (5, "unit_price")}
    [sale] = exact(shop.get("/sales?from=2026-03-01&to=2026-03-31"))["items"]
    assert (sale["sold_at"], sale["lines"][0]["unit_price"], sale["total"]) == (
        "2026-03-02T09:15:00Z",
        Decimal("1.5"),
        3,
    )
