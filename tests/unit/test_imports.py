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


# --- quantities of products sold by measure -------------------------------------------------


def test_products_csv_takes_decimal_stock_for_products_sold_by_measure(shop):
    text = ("sku;name;price;unit;on_hand;min_stock\n"
            "CHE-1;Cheddar;12,50;kg;2,375;0,5\n"   # decimal commas in a semicolon file
            "EGG-1;Eggs;0,30;each;1,5;\n"          # a fraction of a whole unit
            "HAM-1;Ham;20;kg;1,2345;\n"            # more than 3 places
            "OIL-1;Oil;3;litre;1;\n")              # not a unit
    result = upload(shop, "/imports/products", text.encode()).json
    assert (result["created"], result["stock_counted"]) == (1, 1)
    errors = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert set(errors) == {(3, "on_hand"), (4, "on_hand"), (5, "unit")}, errors
    assert "whole units" in errors[(3, "on_hand")] and "3 decimal places" in errors[(4, "on_hand")]
    cheddar = shop.get("/products/CHE-1").json
    assert (cheddar["unit"], cheddar["on_hand"], cheddar["min_stock"]) == ("kg", 2.375, 0.5)
    assert shop.get("/products/CHE-1/movements").json["items"][0]["change"] == 2.375
    assert shop.get("/products/EGG-1").status_code == 404
    # a count in a later file moves it by the difference, to the gram
    again = upload(shop, "/imports/products", b"sku,on_hand\nCHE-1,2.4\n").json
    assert again["stock_counted"] == 1 and shop.get("/products/CHE-1").json["on_hand"] == 2.4


def test_a_kg_product_and_its_sales_round_trip_through_export_and_import(shop, other_shop):
    new_product(shop, "CHE-1", name="Cheddar", price="12.50", unit="kg")
    assert shop.post("/products/CHE-1/stock", {"type": "receive", "quantity": 3.25}).status_code == 201
    assert shop.post("/sales", {"lines": [{"sku": "CHE-1", "quantity": 0.375}]}).status_code == 201
    exported = shop.get("/exports/products.csv").body
    result = upload(other_shop, "/imports/products", exported).json
    assert (result["created"], result["errors"]) == (1, [])
    mine, theirs = shop.get("/products/CHE-1").json, other_shop.get("/products/CHE-1").json
    assert (theirs["unit"], theirs["on_hand"]) == ("kg", 2.875) == (mine["unit"], mine["on_hand"])
    again = upload(other_shop, "/imports/products", exported).json
    assert (again["unchanged"], again["stock_counted"]) == (1, 0)
    today = shop.get("/sales").json["items"][0]["sold_at"][:10]
    sales_csv = shop.get(f"/exports/sales.csv?from={today}&to={today}").body
    imported = upload(other_shop, "/imports/sales", sales_csv).json
    assert (imported["sales"], imported["lines"], imported["errors"]) == (1, 1, [])
    [line] = other_shop.get("/sales").json["items"][0]["lines"]
    assert (line["quantity"], line["unit"], line["revenue"]) == (0.375, "kg", 4.69)
    report = other_shop.get(f"/reports/sales?from={today}&to={today}&by=product").json
    assert report["totals"]["units"] == 0.375 and report["totals"]["revenue"] == 4.69


SALES_HEADER = "Order ID,Order Date,Product ID,Product Name,Sales,Quantity,Profit\n"


def test_sales_import_takes_fractions_of_products_sold_by_measure_only(shop):
    new_product(shop, "CHE-1", name="Cheddar", price="12.00", unit="kg")
    new_product(shop, "EGG-1", name="Eggs", price="0.30")
    text = SALES_HEADER + (
        "A-1,2026-03-02,CHE-1,Cheddar,3.00,0.25,1.00\n"
        "A-1,2026-03-02,EGG-1,Eggs,0.60,2,0.20\n"
        "B-1,2026-03-02,EGG-1,Eggs,0.45,1.5,0.10\n"       # a fraction of an egg
        "B-1,2026-03-02,CHE-1,Cheddar,6.00,0.5,2.00\n"    # its order goes with it
        "C-1,2026-03-02,NEW-1,Olives,2.00,0.2,1.00\n"     # a new product would be made `each`
        "D-1,2026-03-02,CHE-1,Cheddar,3.00,0.2505,1.00\n"  # more than 3 places
    )
    result = upload(shop, "/imports/sales", text.encode()).json
    assert (result["sales"], result["lines"], result["products_created"]) == (1, 2, 0)
    errors = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert set(errors) == {(4, "Quantity"), (5, "Order ID"), (6, "Quantity"), (7, "Quantity")}, errors
    assert "whole units (each)" in errors[(4, "Quantity")] and "add NEW-1 first" in errors[(6, "Quantity")]
    assert "more than 3 decimal places" in errors[(7, "Quantity")]
    report = shop.get("/reports/sales?from=2026-03-02&to=2026-03-02&by=product").json
    assert {r["key"]: r["units"] for r in report["rows"]} == {"CHE-1": 0.25, "EGG-1": 2}
    assert shop.get("/products/NEW-1").status_code == 404


# --- negative quantities: returns --------------------------------------------------------------

CUSTOMER_HEADER = "Order ID,Order Date,Customer ID,Customer Name,Product ID,Product Name,Sales,Quantity,Profit\n"
RETURNS = CUSTOMER_HEADER + (
    "S-1,2026-03-02,CU-1,Ann,MUG-1,Mug,30.00,3,12.00\n"
    "S-1,2026-03-02,CU-1,Ann,TEA-1,Tea,5.00,1,2.00\n"
    "C-1,2026-03-05,CU-1,Ann,MUG-1,Mug,-10.00,-1,-4.00\n"     # Ann brings back a mug: her sale S-1's
    "C-2,2026-03-05,CU-2,Bob,MUG-1,Mug,-20.00,-2,-8.00\n"     # Bob bought his before the file began
    "C-3,2026-03-06,CU-1,Ann,MUG-1,Mug,-30.00,-3,-12.00\n"    # more than Ann has left to return
)


def test_negative_lines_are_returns_against_their_sale_or_on_their_own(shop):
    result = upload(shop, "/imports/sales", RETURNS.encode()).json
    assert (result["sales"], result["returns"], result["lines"], result["errors"]) == (1, 3, 5, [])
    [sale] = shop.get("/sales?from=2026-03-01&to=2026-03-31").json["items"]  # a return is no sale
    full = shop.get(f"/sales/{sale['sale_id']}").json
    [back] = full["returns"]
    assert (back["refund_total"], back["lines"][0]["sku"], back["lines"][0]["quantity"]) == (10, "MUG-1", 1)
    assert back["lines"][0]["restocked"] is False  # history moves no stock, as its sales did not
    assert next(ln for ln in full["lines"] if ln["sku"] == "MUG-1")["returned"] == 1
    day = shop.get("/reports/sales?from=2026-03-05&to=2026-03-06&by=day").json
    assert {r["key"]: (r["revenue"], r["profit"], r["units"], r["orders"]) for r in day["rows"] if r["units"]} == {
        "2026-03-05": (-30, -12, -3, 0), "2026-03-06": (-30, -12, -3, 0)}
    assert shop.get("/reports/summary?date=2026-03-05").json["returns"] == 30
    report = shop.get("/reports/returns?from=2026-03-01&to=2026-03-31").json
    mug = next(r for r in report["rows"] if r["sku"] == "MUG-1")
    assert (mug["sold"], mug["returned"], mug["refunded"]) == (3, 6, 60)
    ann = shop.get("/customers/CU-1").json
    assert (ann["revenue"], ann["orders"]) == (35 - 10 - 30, 1)
    # no stock moved: the ledger still adds up to on hand
    assert shop.get("/products/MUG-1").json["on_hand"] == 0
    assert shop.get("/products/MUG-1/movements").json["items"] == []

    again = upload(shop, "/imports/sales", RETURNS.encode()).json
    assert (again["sales"], again["returns"], again["already_imported"]) == (0, 0, 4)
    assert shop.get("/reports/sales?from=2026-03-05&to=2026-03-06&by=day").json["totals"] == day["totals"]
    assert len(shop.get(f"/sales/{sale['sale_id']}").json["returns"]) == 1


def test_a_return_of_a_product_only_returned_creates_it_and_a_fraction_of_each_is_refused(shop):
    text = CUSTOMER_HEADER + ("C-9,2026-03-05,,,OLD-1,Old lamp,-15.00,-1,-6.00\n"
                              "C-8,2026-03-05,,,OLD-2,Old vase,-1.50,-0.5,-0.60\n")
    result = upload(shop, "/imports/sales", text.encode()).json
    assert (result["returns"], result["products_created"]) == (1, 1)
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(3, "Quantity")]
    assert shop.get("/products/OLD-1").json["name"] == "Old lamp"
    report = shop.get("/reports/returns?from=2026-03-05&to=2026-03-05").json
    assert [(r["sku"], r["name"], r["returned"], r["refunded"]) for r in report["rows"]] == [
        ("OLD-1", "Old lamp", 1, 15)]


def test_customers_already_spanning_a_files_purchases_are_not_written_again(shop, monkeypatch):
    from chalicelib import db

    def line(order, day):
        return f"{order},{day},CU-7,Cy,MUG-1,Mug,10.00,1,4.00\n"

    upload(shop, "/imports/sales", (CUSTOMER_HEADER + line("A", "2026-03-02") + line("B", "2026-03-09")).encode())
    written = []
    real = db.customer_seen
    monkeypatch.setattr(db, "customer_seen", lambda *a, **k: written.append(a[2]) or real(*a, **k))
    within = upload(shop, "/imports/sales", (CUSTOMER_HEADER + line("C", "2026-03-05")).encode()).json
    assert within["sales"] == 1 and written == []  # March 2-9 already takes the 5th in
    upload(shop, "/imports/sales", (CUSTOMER_HEADER + line("D", "2026-03-01")).encode())
    assert len(written) == 1
    cy = shop.get("/customers/CU-7").json
    assert (cy["first_purchase"][:10], cy["last_purchase"][:10], cy["orders"]) == ("2026-03-01", "2026-03-09", 4)
