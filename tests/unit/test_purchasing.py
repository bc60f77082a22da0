from __future__ import annotations

from tests.unit.conftest import new_product, receive


def supplier(shop, name="Acme Wholesale"):
    r = shop.post("/suppliers", {"name": name, "email": "orders@acme.example", "lead_time_days": 3})
    assert r.status_code == 201, r.body
    return r.json


def draft(shop, lines, supplier_id=None):
    supplier_id = supplier_id or supplier(shop)["supplier_id"]
    r = shop.post("/purchase-orders", {"supplier_id": supplier_id, "lines": lines})
    assert r.status_code == 201, r.body
    return r.json


def status(shop, po, to):
    return shop.post(f"/purchase-orders/{po['po_id']}/status", {"status": to})


def test_suppliers(shop):
    made = supplier(shop)
    assert made["name"] == "Acme Wholesale" and made["lead_time_days"] == 3
    assert shop.get("/suppliers").json["items"] == [made]
    changed = shop.patch(f"/suppliers/{made['supplier_id']}", {"phone": "+44 20 7946 0000", "email": None})
    assert changed.status_code == 200 and changed.json["phone"] == "+44 20 7946 0000" and changed.json["email"] is None
    assert shop.get(f"/suppliers/{made['supplier_id']}").json == changed.json
    assert shop.post("/suppliers", {"name": ""}).status_code == 422
    assert shop.get("/suppliers/NOPE").status_code == 404


def test_order_receive_in_parts_with_rejects(shop):
    new_product(shop, "FLOUR", unit_cost="1.00")
    new_product(shop, "SUGAR", unit_cost="0")
    receive(shop, "FLOUR", 10, unit_cost="1.00")
    po = draft(
        shop,
        [{"sku": "FLOUR", "quantity": 20, "unit_cost": "1.30"}, {"sku": "SUGAR", "quantity": 5, "unit_cost": "0.80"}],
    )
    assert po["status"] == "draft" and po["total"] == 30.0
    assert shop.get("/products/FLOUR").json["on_order"] == 0
    assert status(shop, po, "ordered").json["status"] == "ordered"
    assert shop.get("/products/FLOUR").json["on_order"] == 20
    assert status(shop, po, "shipped").json["status"] == "shipped"

    first = shop.post(
        f"/purchase-orders/{po['po_id']}/receipts",
        {"lines": [{"sku": "FLOUR", "quantity": 8, "rejected": 2, "reason": "torn bags"}]},
    )
    assert first.status_code == 201, first.body
    assert first.json["status"] == "partially_received"
    flour = shop.get("/products/FLOUR").json
    assert flour["on_hand"] == 18 and flour["on_order"] == 10
    assert flour["unit_cost"] == 1.13  # (10 x 1.00 + 8 x 1.30) / 18, shown in cents
    moves = shop.get("/products/FLOUR/movements").json["items"]
    assert moves[0]["type"] == "po_receipt" and moves[0]["change"] == 8 and moves[0]["ref"] == po["po_id"]

    over = shop.post(f"/purchase-orders/{po['po_id']}/receipts", {"lines": [{"sku": "FLOUR", "quantity": 11}]})
    assert over.status_code == 409 and over.json["code"] == "over_receipt"

    last = shop.post(
        f"/purchase-orders/{po['po_id']}/receipts",
        {
            "lines": [
                {"sku": "FLOUR", "quantity": 10},
                {"sku": "SUGAR", "quantity": 0, "rejected": 5, "reason": "wrong item"},
            ]
        },
    )
    assert last.status_code == 201 and last.json["status"] == "received"
    lines = {ln["sku"]: ln for ln in last.json["lines"]}
    assert lines["FLOUR"]["received"] == 18 and lines["FLOUR"]["rejected"] == 2 and lines["FLOUR"]["outstanding"] == 0
    assert lines["SUGAR"]["rejected"] == 5
    assert len(last.json["receipts"]) == 2 and last.json["receipts"][1]["lines"][1]["reason"] == "wrong item"
    assert shop.get("/products/SUGAR").json["on_hand"] == 0
    assert shop.get("/products/SUGAR").json["on_order"] == 0
    assert shop.get("/products/FLOUR").json["on_order"] == 0
    from chalicelib.services.stock import reconcile

    on_hand, ledger = reconcile(shop.tenant_id, "FLOUR")
    assert on_hand == ledger == 28


def test_illegal_transitions_are_409_repeats_are_200(shop):
    new_product(shop, "P")
    sup = supplier(shop)["supplier_id"]

    def at(state):
        po = draft(shop, [{"sku": "P", "quantity": 4, "unit_cost": 1}], sup)
        path = {
            "draft": [],
            "ordered": ["ordered"],
            "shipped": ["ordered", "shipped"],
            "cancelled": ["cancelled"],
            "partially_received": ["ordered"],
            "received": ["ordered"],
        }[state]
        for step in path:
            assert status(shop, po, step).status_code == 200
        if state == "partially_received":
            shop.post(f"/purchase-orders/{po['po_id']}/receipts", {"lines": [{"sku": "P", "quantity": 1}]})
        if state == "received":
            shop.post(f"/purchase-orders/{po['po_id']}/receipts", {"lines": [{"sku": "P", "quantity": 4}]})
        return po

    allowed = {
        ("draft", "ordered"),
        ("draft", "cancelled"),
        ("ordered", "shipped"),
        ("ordered", "cancelled"),
        ("shipped", "cancelled"),
        ("partially_received", "cancelled"),
    }
    for state in ("draft", "ordered", "shipped", "partially_received", "received", "cancelled"):
        for target in ("ordered", "shipped", "cancelled"):
            reply = status(shop, at(state), target)
            # Asking for the status an order already has is a repeat (a retry): 200, nothing changes.
            expected = 200 if (state, target) in allowed or state == target else 409
            assert reply.status_code == expected, (state, target, reply.body)
    for state in ("draft", "cancelled", "received"):
        reply = shop.post(f"/purchase-orders/{at(state)['po_id']}/receipts", {"lines": [{"sku": "P", "quantity": 1}]})
        assert reply.status_code == 409, state
    assert status(shop, at("draft"), "received").status_code == 422
    # Whatever happened, on order equals what open orders still owe.
    orders = shop.get("/purchase-orders?limit=200").json["items"]
    owed = sum(
        ln["outstanding"]
        for po in orders
        if po["status"] in ("ordered", "shipped", "partially_received")
        for ln in po["lines"]
    )
    assert owed > 0 and shop.get("/products/P").json["on_order"] == owed


def test_cancel_takes_stock_off_order(shop):
    new_product(shop, "P")
    po = draft(shop, [{"sku": "P", "quantity": 6, "unit_cost": 1}])
    status(shop, po, "ordered")
    shop.post(f"/purchase-orders/{po['po_id']}/receipts", {"lines": [{"sku": "P", "quantity": 2}]})
    assert shop.get("/products/P").json["on_order"] == 4
    assert status(shop, po, "cancelled").json["status"] == "cancelled"
    assert shop.get("/products/P").json["on_order"] == 0


def test_bad_orders_and_receipts(shop):
    new_product(shop, "P")
    sup = supplier(shop)["supplier_id"]
    assert (
        shop.post(
            "/purchase-orders", {"supplier_id": "NOPE", "lines": [{"sku": "P", "quantity": 1, "unit_cost": 1}]}
        ).status_code
        == 404
    )
    assert (
        shop.post(
            "/purchase-orders", {"supplier_id": sup, "lines": [{"sku": "GHOST", "quantity": 1, "unit_cost": 1}]}
        ).status_code
        == 422
    )
    assert (
        shop.post(
            "/purchase-orders",
            {
                "supplier_id": sup,
                "lines": [{"sku": "P", "quantity": 1, "unit_cost": 1}, {"sku": "P", "quantity": 2, "unit_cost": 1}],
            },
        ).status_code
        == 422
    )
    po = draft(shop, [{"sku": "P", "quantity": 5, "unit_cost": 1}], sup)
    status(shop, po, "ordered")
    path = f"/purchase-orders/{po['po_id']}/receipts"
    assert shop.post(path, {"lines": [{"sku": "P", "quantity": 0}]}).status_code == 422
    assert shop.post(path, {"lines": [{"sku": "P", "quantity": 1, "rejected": 1}]}).status_code == 422  # no reason
    assert shop.post(path, {"lines": [{"sku": "OTHER", "quantity": 1}]}).status_code == 422


def test_receipt_idempotency(shop):
    new_product(shop, "P")
    po = draft(shop, [{"sku": "P", "quantity": 5, "unit_cost": 1}])
    status(shop, po, "ordered")
    path = f"/purchase-orders/{po['po_id']}/receipts"
    replies = [
        shop.post(path, {"lines": [{"sku": "P", "quantity": 2}]}, headers={"Idempotency-Key": "box-1"})
        for _ in range(4)
    ]
    assert {r.status_code for r in replies} == {201} and len({r.body for r in replies}) == 1
    assert shop.get("/products/P").json["on_hand"] == 2


def test_list_orders_by_status(shop):
    new_product(shop, "P")
    sup = supplier(shop)["supplier_id"]
    a = draft(shop, [{"sku": "P", "quantity": 1, "unit_cost": 1}], sup)
    b = draft(shop, [{"sku": "P", "quantity": 2, "unit_cost": 1}], sup)
    status(shop, b, "ordered")
    assert [p["po_id"] for p in shop.get("/purchase-orders").json["items"]] == [b["po_id"], a["po_id"]]
    assert [p["po_id"] for p in shop.get("/purchase-orders?status=draft").json["items"]] == [a["po_id"]]
    assert shop.get("/purchase-orders?status=bogus").status_code == 422


def test_other_shops_suppliers_and_orders_are_not_found(shop, other_shop):
    new_product(shop, "P")
    sup = supplier(shop)
    po = draft(shop, [{"sku": "P", "quantity": 3, "unit_cost": 1}], sup["supplier_id"])
    assert other_shop.get(f"/suppliers/{sup['supplier_id']}").status_code == 404
    assert other_shop.patch(f"/suppliers/{sup['supplier_id']}", {"name": "Mine"}).status_code == 404
    assert other_shop.get(f"/purchase-orders/{po['po_id']}").status_code == 404
    assert status(other_shop, po, "ordered").status_code == 404
    assert (
        other_shop.post(
            f"/purchase-orders/{po['po_id']}/receipts", {"lines": [{"sku": "P", "quantity": 1}]}
        ).status_code
        == 404
    )
    new_product(other_shop, "P")
    assert (
        other_shop.post(
            "/purchase-orders",
            {"supplier_id": sup["supplier_id"], "lines": [{"sku": "P", "quantity": 1, "unit_cost": 1}]},
        ).status_code
        == 404
    )
    assert other_shop.get("/suppliers").json["items"] == [] and other_shop.get("/purchase-orders").json["items"] == []
    assert shop.get(f"/purchase-orders/{po['po_id']}").json["status"] == "draft"
