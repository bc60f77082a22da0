"""Imports of any size (issue 18): presigned upload, chunked background processing that resumes
exactly, any layout, row errors, and an order too large for one transaction (issue 11 item 9)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest

from chalicelib import db
from chalicelib.services import bigimports, imports, layouts
from local import bootstrap
from tests.unit.conftest import Api, register_shop

SLICE_PATH = Path(__file__).resolve().parent.parent / "data" / "superstore-slice.csv"
# moto's DynamoDB copies its tables on every transaction: a short file keeps these tests quick.
ROWS = 25
SLICE = b"".join(SLICE_PATH.read_bytes().splitlines(keepends=True)[: ROWS + 1])
ORDERS = len({line.split(b",")[1] for line in SLICE.splitlines()[1:]})
BUCKET = "shelfwise-imports"


@pytest.fixture(scope="module", autouse=True)
def storage(aws: dict[str, Any]) -> Iterator[None]:
    bootstrap.create_imports_storage(boto3.client("s3"), boto3.client("sqs"), BUCKET, "shelfwise-imports",
                                     notify=False)
    yield


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bigimports, "CHUNK_ROWS", 6)


def start(api: Api, data: bytes, kind: str = "sales", **extra: Any) -> str:
    reply = api.post("/imports", {"kind": kind, "filename": "file.csv", "bytes": max(len(data), 1), **extra})
    assert reply.status_code == 201, reply.body
    import_id = reply.json["import_id"]
    key = reply.json["upload"]["fields"]["key"]
    boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=data)
    return import_id


def finish(api: Api, import_id: str, **run: Any) -> dict[str, Any]:
    for _ in range(200):
        outcome = bigimports.run(api.tenant_id, import_id, **run)  # type: ignore[attr-defined]
        if outcome in ("done", "failed"):
            break
    reply = api.get(f"/imports/{import_id}")
    assert reply.status_code == 200, reply.body
    return reply.json


def day_totals(api: Api) -> dict[str, Decimal]:
    rows = list(db.day_totals(api.tenant_id, "2000-01-01", "2099-12-31"))  # type: ignore[attr-defined]
    return {k: sum((Decimal(r.get(k, 0)) for r in rows), Decimal(0)) for k in ("revenue", "cost", "units", "orders")}


# --- upload --------------------------------------------------------------------------------


def test_start_gives_a_presigned_post_pinned_to_the_shops_key_and_size(shop, other_shop, client):
    reply = shop.post("/imports", {"kind": "sales", "filename": "history.csv", "bytes": 12345})
    assert reply.status_code == 201, reply.body
    fields = reply.json["upload"]["fields"]
    assert fields["key"] == f"imports/{shop.tenant_id}/{reply.json['import_id']}.csv"
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert {"key": fields["key"]} in policy["conditions"] or ["eq", "$key", fields["key"]] in policy["conditions"]
    assert ["content-length-range", 1, 12345] in policy["conditions"]
    status = shop.get(f"/imports/{reply.json['import_id']}").json
    assert status["status"] == "waiting_for_upload" and status["rows_done"] == 0
    # another shop cannot see it, nor list it; no token is 401
    assert other_shop.get(f"/imports/{reply.json['import_id']}").status_code == 404
    assert all(i["import_id"] != reply.json["import_id"] for i in other_shop.get("/imports").json["items"])
    assert Api(client).get(f"/imports/{reply.json['import_id']}").status_code == 401
    assert Api(client).post("/imports", {"kind": "sales", "filename": "x.csv", "bytes": 1}).status_code == 401
    assert shop.get("/imports").json["items"][0]["import_id"] == reply.json["import_id"]


def test_start_refuses_files_over_200_mb_and_bad_mappings(shop):
    too_big = shop.post("/imports", {"kind": "sales", "filename": "x.csv", "bytes": 200 * 1024 * 1024 + 1})
    assert too_big.status_code == 413
    bad = shop.post("/imports", {"kind": "sales", "filename": "x.csv", "bytes": 10, "columns": {"colour": "C"}})
    assert bad.status_code == 422 and any(d["field"] == "columns.colour" for d in bad.json["details"])


def test_an_upload_event_for_another_prefix_or_bucket_is_ignored(shop):
    assert bigimports.uploaded("other-bucket", f"imports/{shop.tenant_id}/01ARZ3NDEKTSV4RRFFQ69G5FAV.csv") == "ignored"
    assert bigimports.uploaded(BUCKET, "refused/x/y.csv") == "ignored"
    assert bigimports.handle_message('{"Service": "Amazon S3", "Event": "s3:TestEvent"}') == "ignored"
    assert bigimports.handle_message(json.dumps({"Records": [{"s3": {"bucket": {"name": BUCKET}, "object": {
        "key": f"imports/{shop.tenant_id}/01ARZ3NDEKTSV4RRFFQ69G5FAV.csv"}}}]})) == "busy"  # no such import


# --- chunks, resume, idempotency -------------------------------------------------------------


def test_a_file_in_chunks_counts_exactly_what_one_request_does(client, small_chunks):
    data = SLICE
    straight = register_shop(client)
    expected = straight.post("/imports/sales", raw=data, headers={"Content-Type": "text/csv"}).json
    api = register_shop(client)
    import_id = start(api, data)
    status = finish(api, import_id, chunks=2)
    assert status["status"] == "done", status
    assert (status["sales"], status["lines"], status["rows_done"]) == (expected["sales"], expected["lines"], ROWS)
    assert status["rows_total"] == ROWS and status["error_count"] == 0
    assert day_totals(api) == day_totals(straight)


def test_a_crash_between_writing_and_counting_resumes_without_importing_twice(client, small_chunks, monkeypatch):
    data = SLICE
    straight = register_shop(client)
    straight.post("/imports/sales", raw=data, headers={"Content-Type": "text/csv"})
    api = register_shop(client)
    import_id = start(api, data)
    assert bigimports.run(api.tenant_id, import_id, chunks=2) == "more"
    real = db.import_progress

    def crash(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("the function timed out")

    monkeypatch.setattr(db, "import_progress", crash)
    with pytest.raises(RuntimeError):
        bigimports.run(api.tenant_id, import_id)  # the third chunk's sales are written, its place is not
    monkeypatch.setattr(db, "import_progress", real)
    halfway = api.get(f"/imports/{import_id}").json
    assert halfway["status"] == "processing" and halfway["rows_done"] < ROWS
    # the dead run's hold runs out; a run started meanwhile finds it held
    assert bigimports.run(api.tenant_id, import_id) == "busy"
    db.update_import(api.tenant_id, import_id, {"lease_until": "2000-01-01T00:00:00Z"})
    status = finish(api, import_id)
    assert status["status"] == "done"
    assert (status["sales"], status["lines"], status["already_imported"]) == (ORDERS, ROWS, 0)
    assert day_totals(api) == day_totals(straight)


RETURNS = (b"Order ID,Order Date,Customer ID,Customer Name,Product ID,Product Name,Sales,Quantity,Profit\n"
           b"S-1,2026-03-02,CU-1,Ann,MUG-1,Mug,30.00,3,12.00\n"
           b"C-1,2026-03-05,CU-1,Ann,MUG-1,Mug,-10.00,-1,-4.00\n"
           b"C-2,2026-03-05,CU-2,Bob,MUG-1,Mug,-20.00,-2,-8.00\n")


def test_a_chunk_of_returns_run_again_after_a_crash_records_each_return_once(client, monkeypatch):
    api = register_shop(client)
    import_id = start(api, RETURNS)
    real = db.import_progress

    def crash(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("the function timed out")

    monkeypatch.setattr(db, "import_progress", crash)
    with pytest.raises(RuntimeError):
        bigimports.run(api.tenant_id, import_id)  # the chunk's sale and returns are written, its place is not
    monkeypatch.setattr(db, "import_progress", real)
    db.update_import(api.tenant_id, import_id, {"lease_until": "2000-01-01T00:00:00Z"})
    status = finish(api, import_id)
    assert (status["status"], status["sales"], status["returns"], status["lines"]) == ("done", 1, 2, 3)
    assert status["already_imported"] == 0  # the dead run's returns count as this import's, once
    [sale] = api.get("/sales?from=2026-03-01&to=2026-03-31").json["items"]
    assert len(api.get(f"/sales/{sale['sale_id']}").json["returns"]) == 1  # Ann's, against her sale
    assert day_totals(api) == {"revenue": Decimal("0"), "cost": Decimal("0"), "units": Decimal("0"),
                               "orders": Decimal("1")}  # 30 sold, 10 + 20 returned
    assert api.get("/reports/returns?from=2026-03-01&to=2026-03-31").json["totals"]["refunded"] == 30


def test_the_same_file_again_changes_nothing(client, small_chunks):
    data = SLICE
    api = register_shop(client)
    finish(api, start(api, data))
    before = day_totals(api)
    again = finish(api, start(api, data))
    assert (again["sales"], again["already_imported"]) == (0, ORDERS)
    assert day_totals(api) == before


def test_an_order_whose_rows_are_apart_is_refused_not_merged(client, small_chunks):
    lines = SLICE.splitlines(keepends=True)
    moved = lines[:2] + lines[3:] + [lines[2]]  # row 2's order (row 1 stays first) comes back at the end
    api = register_shop(client)
    status = finish(api, start(api, b"".join(moved)))
    assert status["status"] == "done" and status["error_count"] == 1
    assert "must be next to each other" in status["errors"][0]["message"]


# --- layouts ------------------------------------------------------------------------------------


def test_layouts_are_recognised_from_the_header(shop):
    def layout(kind: str, header: list[str]) -> Any:
        return shop.post("/imports/preview", {"kind": kind, "header": header}).json

    superstore = SLICE.decode().splitlines()[0].replace('"', "").split(",")
    assert layout("sales", superstore)["layout"] == "superstore"
    assert layout("sales", imports.SALES_EXPORT)["layout"] == "own"
    assert layout("products", imports.PRODUCT_EXPORT)["layout"] == "products"
    square = layout("sales", ["Date", "Time", "Receipt Number", "Item", "SKU", "Qty", "Gross Sales", "Category"])
    assert square["layout"] is None
    assert square["columns"] == {"order_id": "Receipt Number", "sold_at": "Date", "sku": "SKU", "name": "Item",
                                 "quantity": "Qty", "line_total": "Gross Sales", "category": "Category"}


def test_a_pos_export_with_a_mapping_decimal_commas_day_first_dates_and_returns(shop):
    data = (
        b"Beleg;Datum;Artikel;Bezeichnung;Menge;Einzelpreis;EK\n"
        b"R-1;03.04.2026 14:05;KAF-1;Kaffee 500 g;2;7,50;4,00\n"
        b"R-1;03.04.2026 14:05;TEE-1;Tee;1;3,20;\n"
        b"R-2;04/04/2026;KAF-1;Kaffee 500 g;-1;7,50;4,00\n"
        b"R-3;05/04/2026;TEE-1;Tee;zwei;3,20;1,00\n"
    )
    columns = {"order_id": "Beleg", "sold_at": "Datum", "sku": "Artikel", "name": "Bezeichnung", "quantity": "Menge",
               "unit_price": "Einzelpreis", "unit_cost": "EK"}
    status = finish(shop, start(shop, data, columns=columns, day_first=True))
    assert status["status"] == "done", status
    assert (status["sales"], status["returns"], status["lines"], status["error_count"]) == (1, 1, 3, 1)
    assert status["errors"] == [{"row": 5, "column": "Menge", "message": "'zwei' is not a quantity"}]
    sales = shop.get("/sales?from=2026-04-01&to=2026-04-30").json["items"]
    by_day = {s["sold_at"][:10]: s for s in sales}
    assert Decimal(str(by_day["2026-04-03"]["total"])) == Decimal("18.20")
    assert by_day["2026-04-03"]["sold_at"] == "2026-04-03T14:05:00Z"
    assert "2026-04-04" not in by_day  # a return (no customer to find its sale by): no sale, the day net of it
    day = shop.get("/reports/sales?from=2026-04-04&to=2026-04-04&by=day").json["totals"]
    assert (day["revenue"], day["profit"], day["units"], day["orders"]) == (-7.5, -3.5, -1, 0)
    assert shop.get("/reports/returns?from=2026-04-04&to=2026-04-04").json["totals"]["refunded"] == 7.5
    # the mapping is remembered for this shop's next file of that layout
    again = shop.post("/imports/preview", {"kind": "sales", "header": list(columns.values())}).json
    assert again["remembered"] is True and again["columns"] == columns
    # the refused rows download as a CSV with the header, ready to fix
    refused = boto3.client("s3").get_object(Bucket=BUCKET, Key=f"refused/{shop.tenant_id}/{status['import_id']}.csv")
    assert refused["Body"].read().decode().splitlines() == ["Beleg;Datum;Artikel;Bezeichnung;Menge;Einzelpreis;EK",
                                                            "R-3;05/04/2026;TEE-1;Tee;zwei;3,20;1,00"]
    assert status["refused_rows_url"]


def test_a_products_file_of_its_own_layout(shop):
    data = b"Code,Title,Retail\nP-1,Soap,1.20\nP-2,Brush,notaprice\n"
    status = finish(shop, start(shop, data, kind="products", columns={"sku": "Code", "name": "Title",
                                                                     "price": "Retail"}))
    assert (status["status"], status["created"], status["error_count"]) == ("done", 1, 1)
    assert status["errors"][0]["row"] == 3 and status["errors"][0]["column"] == "Retail"
    assert shop.get("/products/P-1").json["name"] == "Soap"


def test_suggestions_from_column_names():
    assert layouts.suggest("sales", ["Lineitem sku", "Lineitem quantity", "Created at", "Name", "Lineitem price"]) == {
        "sold_at": "Created at", "sku": "Lineitem sku", "name": "Name", "quantity": "Lineitem quantity",
        "unit_price": "Lineitem price"}


# --- bad files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04" + b"\x00" * 100, "spreadsheet"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "PNG image"),
        (b"a,b\x00,c\n", "not text"),
        (b"\n", "first line is empty"),
        (",".join(f"c{i}" for i in range(1001)).encode() + b"\n", "1001 columns"),
        (b"Order ID," + b"x" * 1_100_000 + b"\n", "longer than 1 MB"),
        (b'Order ID,"unclosed\n' + b"a,b\n" * 300_000, "longer than 1 MB"),
        (b"Name,Colour\nx,y\n", "not one Shelfwise recognises"),
    ],
)
def test_files_that_cannot_be_imported_fail_with_the_reason(shop, data, reason):
    status = finish(shop, start(shop, data))
    assert status["status"] == "failed" and reason in status["reason"], status
    assert status["sales"] == 0


def test_an_empty_upload_fails(shop):
    import_id = start(shop, b"")
    status = finish(shop, import_id)
    assert status["status"] == "failed" and "empty" in status["reason"]


def test_a_mapping_naming_a_column_the_file_lacks_fails(shop):
    columns = {"sku": "SKU", "quantity": "Qty", "sold_at": "Date", "line_total": "Total"}
    status = finish(shop, start(shop, b"SKU,Qty,Date\nA,1,2026-01-02\n", columns=columns))
    assert status["status"] == "failed" and "'Total'" in status["reason"]


def test_a_file_replaced_during_its_import_fails(shop, small_chunks):
    import_id = start(shop, SLICE)
    assert bigimports.run(shop.tenant_id, import_id, chunks=1) == "more"
    key = bigimports.upload_key(shop.tenant_id, import_id)
    boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=SLICE + b"\n")
    status = finish(shop, import_id)
    assert status["status"] == "failed" and "replaced" in status["reason"]


def test_a_background_import_counts_to_the_shops_usage_as_one_request_does(client):
    """Issue 17: a history's import is most of a new shop's first month; its runs (no request, and
    worker threads besides) must be metered to the shop like the one-request import is."""
    month = datetime.now(UTC).strftime("%Y-%m")
    straight = register_shop(client)
    assert straight.post("/imports/sales", raw=SLICE, headers={"Content-Type": "text/csv"}).status_code == 200
    api = register_shop(client)
    before = api.get(f"/usage?month={month}").json
    assert finish(api, start(api, SLICE))["status"] == "done"
    after = api.get(f"/usage?month={month}").json
    direct = straight.get(f"/usage?month={month}").json
    written = after["write_units"] - before["write_units"]
    assert direct["write_units"] > ROWS
    # the same orders, rollups and customers: within a tenth (the background path also keeps its place)
    assert 0.9 * direct["write_units"] <= written <= 1.5 * direct["write_units"], (written, direct)
    assert after["storage_mb"] >= 0.9 * direct["storage_mb"] > 0
