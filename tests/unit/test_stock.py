from __future__ import annotations

from tests.unit.conftest import new_product, receive


def ledger_ok(shop, sku):
    from chalicelib.services.stock import reconcile

    on_hand, ledger = reconcile(shop.tenant_id, sku)
    return on_hand == ledger


def test_receive_adjust_count(shop):
    new_product(shop, "RICE", unit_cost="2.00")
    r = receive(shop, "RICE", 10, unit_cost="2.00", note="Delivery 1")
    assert r.status_code == 201
    assert {k: r.json[k] for k in ("sku", "type", "change", "on_hand")} == {
        "sku": "RICE",
        "type": "receive",
        "change": 10,
        "on_hand": 10,
    }
    r = receive(shop, "RICE", 10, unit_cost="3.00")
    assert r.json["on_hand"] == 20
    assert shop.get("/products/RICE").json["unit_cost"] == 2.5  # moving average
    r = shop.post("/products/RICE/stock", {"type": "adjust", "quantity": -3, "note": "damaged"})
    assert r.status_code == 201 and r.json["change"] == -3 and r.json["on_hand"] == 17
    r = shop.post("/products/RICE/stock", {"type": "count", "quantity": 15})
    assert r.status_code == 201 and r.json["change"] == -2 and r.json["on_hand"] == 15
    moves = shop.get("/products/RICE/movements").json["items"]
    assert [(m["type"], m["change"], m["on_hand_after"]) for m in moves] == [
        ("count", -2, 15),
        ("adjust", -3, 17),
        ("receive", 10, 20),
        ("receive", 10, 10),
    ]
    assert moves[2]["note"] is None and moves[3]["note"] == "Delivery 1"
    assert ledger_ok(shop, "RICE")


def test_adjust_below_zero_is_refused_and_changes_nothing(shop):
    new_product(shop, "OIL")
    receive(shop, "OIL", 2)
    r = shop.post("/products/OIL/stock", {"type": "adjust", "quantity": -3})
    assert r.status_code == 409
    assert r.json["code"] == "insufficient_stock"
    assert r.json["details"] == [{"sku": "OIL", "requested": 3, "on_hand": 2}]
    assert shop.get("/products/OIL").json["on_hand"] == 2
    assert len(shop.get("/products/OIL/movements").json["items"]) == 1


def test_movement_rules_per_type(shop):
    new_product(shop, "X")
    for body in (
        {"type": "receive", "quantity": 0},
        {"type": "receive", "quantity": -1},
        {"type": "adjust", "quantity": 0},
        {"type": "count", "quantity": -1},
        {"type": "adjust", "quantity": 1, "unit_cost": 1},
        {"type": "sale", "quantity": 1},
        {"type": "receive", "quantity": "5"},
        {"type": "receive", "quantity": 1.5},
        {"type": "receive", "quantity": True},
        {"type": "receive"},
    ):
        r = shop.post("/products/X/stock", body)
        assert r.status_code == 422, (body, r.body)
        assert r.json["details"]
    assert shop.get("/products/X/movements").json["items"] == []


def test_movements_paginate_newest_first(shop):
    new_product(shop, "P")
    for i in range(1, 8):
        receive(shop, "P", i)
    pages, cursor = [], ""
    for _ in range(5):  # three pages are enough; a cursor that is ignored must fail, not loop forever
        page = shop.get(f"/products/P/movements?limit=3{cursor}").json
        pages.append([m["change"] for m in page["items"]])
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert pages == [[7, 6, 5], [4, 3, 2], [1]]
    on_hand_after = [m["on_hand_after"] for m in shop.get("/products/P/movements?limit=50").json["items"]]
    assert on_hand_after == [28, 21, 15, 10, 6, 3, 1]


def test_idempotency_key_five_times_one_movement(shop):
    new_product(shop, "EGGS")
    replies = [
        shop.post(
            "/products/EGGS/stock", {"type": "receive", "quantity": 6}, headers={"Idempotency-Key": "delivery-42"}
        )
        for _ in range(5)
    ]
    assert {r.status_code for r in replies} == {201}
    assert len({r.body for r in replies}) == 1
    assert shop.get("/products/EGGS").json["on_hand"] == 6
    assert len(shop.get("/products/EGGS/movements").json["items"]) == 1
    # Same key, different request: refused, not answered with the first reply.
    other = shop.post(
        "/products/EGGS/stock", {"type": "receive", "quantity": 7}, headers={"Idempotency-Key": "delivery-42"}
    )
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    # A different key is a new movement.
    assert (
        shop.post(
            "/products/EGGS/stock", {"type": "receive", "quantity": 6}, headers={"Idempotency-Key": "delivery-43"}
        ).json["on_hand"]
        == 12
    )
    assert (
        shop.post(
            "/products/EGGS/stock", {"type": "receive", "quantity": 6}, headers={"Idempotency-Key": "k" * 129}
        ).status_code
        == 400
    )


def test_idempotency_keys_are_per_shop(shop, other_shop):
    new_product(shop, "S")
    new_product(other_shop, "S")
    a = shop.post("/products/S/stock", {"type": "receive", "quantity": 1}, headers={"Idempotency-Key": "same"})
    b = other_shop.post("/products/S/stock", {"type": "receive", "quantity": 1}, headers={"Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201
    assert a.json["movement_id"] != b.json["movement_id"]


def test_failed_movement_is_not_remembered(shop):
    new_product(shop, "Z")
    first = shop.post("/products/Z/stock", {"type": "adjust", "quantity": -1}, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 409
    receive(shop, "Z", 1)
    retry = shop.post("/products/Z/stock", {"type": "adjust", "quantity": -1}, headers={"Idempotency-Key": "k1"})
    assert retry.status_code == 201 and retry.json["on_hand"] == 0
