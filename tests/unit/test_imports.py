"""CSV in and out, with files as people really have them."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from tests.unit.conftest import new_product

SLICE = Path(__file__).resolve().parent.parent / "data" / "superstore-slice.csv"
# moto's DynamoDB copies whole tables on each transaction: in-process tests use a few orders;
# the whole Superstore file is imported over HTTP into DynamoDB Local (tests/stack/test_superstore.py).
FEW = "\n".join(SLICE.read_text(encoding="utf-8").splitlines()[:26]) + "\n"


def upload(api, path, body, dry_run=False, content_type="text/csv"):
    query = "?dry_run=true" if dry_run else ""
    return api.call("POST", path + query, raw=body, headers={"Content-Type": content_type})


PRODUCTS = (
    "\ufeffSKU,Name,Category,Sub-Category,Price,Unit Cost,Min Stock,On Hand,Barcode\r\n"
    'TEA-1,"Tea, green (50 bags)",Drinks,Hot,"$3.50",1.2,4,10,5012345678900\r\n'
    'MUG-1,"The ""Big"" mug",Home,Kitchen,7.5,2,2,,\r\n'
    "BAD-1,No price,Home,,,1,1,,\r\n"
    "BAD-2,Bad number,Home,,abc,1,1,,\r\n"
    ",No SKU,Home,,1,1,1,,\r\n"
    "\r\n"
    "TEA-1,Duplicate,Drinks,,1,1,1,,\r\n"
    "NEG-1,Negative,Home,,1,1,1,-5,\r\n"
)


def test_product_import_with_real_world_csv(shop):
    dry = upload(shop, "/imports/products", PRODUCTS.encode(), dry_run=True)
    assert dry.status_code == 200, dry.body
    assert (dry.json["created"], dry.json["updated"], dry.json["dry_run"]) == (2, 0, True)
    assert shop.get("/products").json["items"] == []

    result = upload(shop, "/imports/products", PRODUCTS.encode()).json
    assert (result["created"], result["updated"], result["stock_counted"]) == (2, 0, 1)
    assert result["products_changed"] == 2  # TEA-1 created and counted is one product
    errors = {(e["row"], e["column"]) for e in result["errors"]}
    assert errors == {(4, "Price"), (5, "Price"), (6, "SKU"), (8, "SKU"), (9, "On Hand")}, result["errors"]
    assert next(e for e in result["errors"] if e["row"] == 8)["message"] == "SKU TEA-1 is already on row 2"
    tea = shop.get("/products/TEA-1").json
    assert tea["name"] == "Tea, green (50 bags)" and tea["price"] == 3.5 and tea["on_hand"] == 10
    assert shop.get("/products/MUG-1").json["name"] == 'The "Big" mug'

    again = upload(shop, "/imports/products", PRODUCTS.encode()).json
    assert (again["created"], again["updated"], again["unchanged"], again["stock_counted"]) == (0, 0, 2, 0)
    assert again["products_changed"] == 0
    assert len(shop.get("/products/TEA-1/movements").json["items"]) == 1

    changed = upload(shop, "/imports/products", b"sku,price,on_hand\nTEA-1,3.75,12\n").json
    assert (changed["updated"], changed["stock_counted"], changed["products_changed"]) == (1, 1, 1)
    counted_only = upload(shop, "/imports/products", b"sku,on_hand\nTEA-1,12\nMUG-1,3\n").json
    assert (counted_only["unchanged"], counted_only["stock_counted"], counted_only["products_changed"]) == (2, 1, 1)
    assert shop.get("/products/TEA-1").json["on_hand"] == 12


def test_product_import_needs_a_sku_column(shop):
    reply = upload(shop, "/imports/products", b"name,price\nTea,1\n")
    assert reply.status_code == 422 and "sku" in reply.json["message"]
    assert upload(shop, "/imports/products", b"").status_code == 400


def test_semicolon_file_with_decimal_commas(shop):
    """Excel where the comma is the decimal mark saves CSV with semicolons: read it as written."""
    text = "\ufeffSKU;Name;Price;Unit Cost;On Hand\r\nSEMI-1;Kaffee, gemahlen;1.234,50;2,10;3\r\nSEMI-2;Tee;1,5;1;0\r\n"
    reply = upload(shop, "/imports/products", text.encode("utf-8"))
    assert reply.status_code == 200, reply.body
    assert (reply.json["created"], reply.json["errors"]) == (2, [])
    coffee = shop.get("/products/SEMI-1").json
    got = (coffee["name"], coffee["price"], coffee["unit_cost"], coffee["on_hand"])
    assert got == ("Kaffee, gemahlen", 1234.5, 2.1, 3)
    assert shop.get("/products/SEMI-2").json["price"] == 1.5


def test_tab_separated_file(shop):
    reply = upload(shop, "/imports/products", b"sku\tname\tprice\nTAB-1\tTea, green\t1,250.00\n")
    assert reply.status_code == 200 and reply.json["created"] == 1, reply.body
    assert shop.get("/products/TAB-1").json["price"] == 1250


def test_numbers_that_read_two_ways_are_refused_not_guessed(shop):
    reply = upload(shop, "/imports/products", b'sku,name,price\nAMB-1,Tea,"1,25"\n')
    assert reply.json["created"] == 0
    [error] = reply.json["errors"]
    assert (error["row"], error["column"]) == (2, "price") and "not clear" in error["message"]
    reply = upload(shop, "/imports/products", b"sku;name;price\nAMB-2;Tea;1.250\n")
    assert reply.json["created"] == 0 and "not clear" in reply.json["errors"][0]["message"]
    assert shop.get("/products/AMB-1").status_code == 404 and shop.get("/products/AMB-2").status_code == 404


def test_missing_sku_column_shows_how_the_first_line_was_read(shop):
    reply = upload(shop, "/imports/products", b"name|price\nTea|1\n")
    assert reply.status_code == 422 and "1 column: 'name|price'" in reply.json["message"]


def slice_sums():
    rows = list(csv.DictReader(io.StringIO(FEW)))
    by = defaultdict(lambda: defaultdict(Decimal))
    for r in rows:
        for dim, key in (("category", r["Category"]), ("region", r["Region"]), ("month", r["Order Date"][:7])):
            by[dim][key] += Decimal(r["Sales"])
    return rows, by


def test_sales_import_matches_the_file(shop):
    rows, by = slice_sums()
    orders = {r["Order ID"] for r in rows}
    result = upload(shop, "/imports/sales", FEW.encode()).json
    assert (result["sales"], result["lines"], result["errors"]) == (len(orders), len(rows), [])
    assert result["products_created"] == len({r["Product ID"] for r in rows})
    first, last = min(r["Order Date"] for r in rows), max(r["Order Date"] for r in rows)
    for dim in ("category", "region", "month"):
        report = shop.get(f"/reports/sales?from={first}&to={last}&by={dim}").json
        assert {r["key"]: r["revenue"] for r in report["rows"] if r["orders"]} == {
            k: float(round(v, 2)) for k, v in by[dim].items()
        }
    totals = shop.get(f"/reports/sales?from={first}&to={last}&by=category").json["totals"]
    assert totals["revenue"] == float(round(sum(Decimal(r["Sales"]) for r in rows), 2))
    assert totals["profit"] == float(round(sum(Decimal(r["Profit"]) for r in rows), 2))
    assert totals["orders"] == len(orders) and totals["units"] == sum(int(r["Quantity"]) for r in rows)
    # Historical sales do not touch stock on hand.
    assert all(p["on_hand"] == 0 for p in shop.get("/products?limit=200").json["items"])

    again = upload(shop, "/imports/sales", FEW.encode()).json
    assert (again["sales"], again["already_imported"], again["products_created"]) == (0, len(orders), 0)
    assert shop.get(f"/reports/sales?from={first}&to={last}&by=category").json["totals"] == totals


def test_sales_import_reports_broken_rows_and_keeps_good_ones(shop):
    lines = SLICE.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:21]
    broken = list(body)
    broken[4] = (
        broken[4].replace(",2016-", ",20x6-", 1) if ",2016-" in broken[4] else broken[4].replace(",20", ",2x", 1)
    )
    parsed = list(csv.reader([broken[9]]))[0]
    parsed[18] = "many"  # Quantity
    broken[9] = ",".join(f'"{c}"' for c in parsed)
    text = "\r\n".join([header, *broken]) + "\r\n"
    result = upload(shop, "/imports/sales", text.encode("utf-8-sig")).json
    bad_rows = {e["row"] for e in result["errors"] if e["column"] != "Order ID"}
    assert bad_rows == {6, 11}, result["errors"]
    assert {e["column"] for e in result["errors"] if e["row"] == 11} == {"Quantity"}
    good = [r for r in csv.DictReader(io.StringIO("\n".join([header, *body])))]
    bad_orders = {good[4]["Order ID"], good[9]["Order ID"]}
    kept = [r for r in good if r["Order ID"] not in bad_orders]
    assert result["lines"] == len(kept) and result["sales"] == len({r["Order ID"] for r in kept})


def test_sales_import_needs_its_columns(shop):
    reply = upload(shop, "/imports/sales", b"Order ID,Sales\n1,2\n")
    assert reply.status_code == 422 and "Order Date" in reply.json["message"]


def test_import_too_large_is_413_with_advice(shop, monkeypatch):
    monkeypatch.setenv("MAX_IMPORT_BYTES", "1000")
    from chalicelib.settings import reset_settings

    reset_settings()
    try:
        reply = upload(shop, "/imports/sales", SLICE.read_bytes())
    finally:
        monkeypatch.delenv("MAX_IMPORT_BYTES")
        reset_settings()
    assert reply.status_code == 413 and "Split it" in reply.json["message"]


def test_exports_open_in_a_spreadsheet(shop):
    new_product(shop, "=cmd", name='=HYPERLINK("x")', price="1.999")
    upload(shop, "/imports/sales", FEW.encode())
    reply = shop.get("/exports/products.csv")
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/csv")
    text = reply.body.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    risky = next(r for r in rows if r["sku"] == "'=cmd")
    assert risky["name"].startswith("'=") and risky["price"] == "1.999"
    sales = shop.get("/exports/sales.csv?from=2014-01-01&to=2017-12-31")
    lines = list(csv.DictReader(io.StringIO(sales.body.decode("utf-8-sig"))))
    assert len(lines) == 25
    assert sum(Decimal(r["revenue"]) for r in lines) == sum(
        Decimal(r["Sales"]) for r in csv.DictReader(io.StringIO(FEW))
    )


def test_imports_are_owner_only_and_per_shop(shop, other_shop):
    upload(shop, "/imports/products", PRODUCTS.encode())
    assert other_shop.get("/products").json["items"] == []
    assert other_shop.get("/exports/products.csv").body.decode("utf-8-sig").strip().count("\n") == 0


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1,234.50", "1234.50"),
        ("$3.20", "3.20"),
        ("(12.00)", "-12.00"),
        ("£7", "7"),
        ("-0.5", "-0.5"),
        (" 2,000 ", "2000"),
        ("0.1234", "0.1234"),  # imported figures keep their precision
        ("+7.5", "7.5"),
    ],
)
def test_money_cells(text, expected):
    from chalicelib import csvfiles

    got = csvfiles.money(text)
    assert got == Decimal(expected) and "E" not in str(got)  # the value exactly, stored without an exponent


@pytest.mark.parametrize("text", ["abc", "1.2.3", "", "$", "NaN", "Infinity", "12 apples", "1E+126", "0E-1000000"])
def test_money_cells_that_are_not_amounts(text):
    from chalicelib import csvfiles

    with pytest.raises(ValueError):
        csvfiles.money(text)


@pytest.mark.parametrize(
    "text,expected", [("2026-11-23", "2026-11-23"), ("11/23/2026", "2026-11-23"), ("1/3/2014", "2014-01-03")]
)
def test_dates_iso_and_us(text, expected):
    from chalicelib import csvfiles

    assert csvfiles.day(text).isoformat() == expected
