"""Bad input gets a clear 4xx with the field named; nothing a client sends gives a 500."""

from __future__ import annotations

import json
import random

import pytest

from tests.unit.conftest import new_product

GOOD = {"sku": "OK-1", "name": "Soap", "price": "1.99"}


def fields_of(reply):
    return {d["field"] for d in reply.json.get("details", [])}


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "Soap", "price": 1}, "sku"),
        ({"sku": "A", "price": 1}, "name"),
        ({"sku": "A", "name": "Soap"}, "price"),
        ({**GOOD, "price": -1}, "price"),
        ({**GOOD, "price": "abc"}, "price"),
        ({**GOOD, "price": "1.23456"}, "price"),
        ({**GOOD, "unit_cost": -0.01}, "unit_cost"),
        ({**GOOD, "name": "x" * 1000}, "name"),
        ({**GOOD, "name": "   "}, "name"),
        ({**GOOD, "name": 42}, "name"),
        ({**GOOD, "min_stock": -1}, "min_stock"),
        ({**GOOD, "min_stock": "3"}, "min_stock"),
        ({**GOOD, "min_stock": 2.5}, "min_stock"),
        ({**GOOD, "lead_time_days": 9999}, "lead_time_days"),
        ({**GOOD, "sku": ""}, "sku"),
        ({**GOOD, "sku": "x" * 65}, "sku"),
        ({**GOOD, "sku": " lead"}, "sku"),
        ({**GOOD, "sku": "a/b"}, "sku"),
        ({**GOOD, "sku": "zero\u200bwidth"}, "sku"),
        ({**GOOD, "sku": "rtl\u202eoverride"}, "sku"),
        ({**GOOD, "sku": "tab\there"}, "sku"),
        ({**GOOD, "sku": "nul\x00"}, "sku"),
        ({**GOOD, "sku": 123}, "sku"),
        ({**GOOD, "barcode": "\u0007bell"}, "barcode"),
        ({**GOOD, "colour": "red"}, "colour"),
    ],
)
def test_product_fields_are_checked(shop, body, field):
    reply = shop.post("/products", body)
    assert reply.status_code == 422, reply.body
    # A fraction is fine for a product sold by measure, so for one sold each it has its own code.
    assert reply.json["code"] == ("fractional_quantity" if body.get(field) == 2.5 else "validation_error")
    assert field in fields_of(reply)
    assert field in reply.json["message"]


@pytest.mark.parametrize(
    "raw,status",
    [
        ("", 400),
        ("{", 400),
        ("[]", 400),
        ('"text"', 400),
        ("null", 400),
        ("12", 400),
        ('{"sku": "A", "name": "B", "price": NaN}', 400),
        ('{"price": Infinity}', 400),
    ],
)
def test_malformed_bodies_are_400(shop, raw, status):
    reply = shop.call("POST", "/products", raw=raw)
    assert reply.status_code == status, reply.body
    assert reply.json["code"] == "bad_request" and reply.json["message"]


def test_oversized_body_is_413(shop):
    reply = shop.post("/products", {**GOOD, "note": "x" * 300_000})
    assert reply.status_code == 413 and reply.json["code"] == "payload_too_large"


def test_wrong_content_type_is_415_in_our_shape(shop):
    reply = shop.call("POST", "/products", raw=json.dumps(GOOD), headers={"Content-Type": "text/plain"})
    assert reply.status_code == 415
    assert set(reply.json) == {"code", "message"}


def test_unknown_product_is_404_with_message(shop):
    reply = shop.get("/products/NOPE")
    assert reply.status_code == 404 and "NOPE" in reply.json["message"]
    assert shop.post("/products/NOPE/stock", {"type": "receive", "quantity": 1}).status_code == 404


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=abc", "low_stock=maybe"])
def test_bad_list_parameters_are_422(shop, query):
    reply = shop.get(f"/products?{query}")
    assert reply.status_code == 422, reply.body


def test_random_junk_never_gives_500(shop):
    new_product(shop, "P")
    rng = random.Random(7)
    values = [None, True, -1, 0, 1, 10**30, 1.5, "", "x" * 300, "5", [], {}, "\u202e", "💥", "NaN", "-0"]
    keys = ["sku", "name", "price", "type", "quantity", "unit_cost", "note", "min_stock", "barcode", "q"]
    for _ in range(150):
        body = {rng.choice(keys): rng.choice(values) for _ in range(rng.randint(0, 5))}
        for method, path in (("POST", "/products"), ("PATCH", "/products/P"), ("POST", "/products/P/stock")):
            reply = shop.call(method, path, body=body)
            assert reply.status_code < 500, (method, path, body, reply.body)
            assert reply.json and reply.json.get("code") or reply.status_code in (200, 201)


def test_a_dependency_timing_out_is_503_not_500(shop, monkeypatch):
    from botocore.exceptions import ReadTimeoutError

    from chalicelib import db

    def slow(*args, **kwargs):
        raise ReadTimeoutError(endpoint_url="http://dynamodb")

    monkeypatch.setattr(db, "get_product", slow)
    reply = shop.get("/products/ANY")
    assert reply.status_code == 503 and reply.json["code"] == "try_again"
    assert int(reply.headers["Retry-After"]) >= 1


def test_every_503_says_when_to_retry(shop, monkeypatch):
    from chalicelib import db
    from chalicelib.errors import ServiceUnavailable

    def busy(*args, **kwargs):
        raise ServiceUnavailable("The product is being changed by someone else right now; please try again.")

    monkeypatch.setattr(db, "get_product", busy)
    reply = shop.get("/products/ANY")
    assert reply.status_code == 503 and reply.json["code"] == "try_again"
    assert int(reply.headers["Retry-After"]) >= 1


def test_a_bug_is_a_plain_500_without_a_stack_trace(shop, monkeypatch):
    from chalicelib import db

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(db, "get_product", broken)
    reply = shop.get("/products/ANY")
    assert reply.status_code == 500 and reply.json["code"] == "internal_error"
    assert "secret" not in reply.body.decode() and "Traceback" not in reply.body.decode()
