"""Staff: invitations by email, the first sign-in's new password, roles on every route, removal."""

from __future__ import annotations

import re
import uuid

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from tests.unit.conftest import PASSWORD, Api, new_product, receive, register_shop

NEW_PASSWORD = "Choose-4-myself"

# Who may call each route: a new route must be added here, so none is open to staff by accident.
ROLES = {
    ("GET", "/usage"): "owner",
    ("GET", "/settings/alerts"): "owner",
    ("PUT", "/settings/alerts"): "owner",
    ("GET", "/alerts"): "owner",
    ("POST", "/auth/register"): "public",
    ("POST", "/auth/login"): "public",
    ("POST", "/auth/refresh"): "public",
    ("POST", "/auth/new-password"): "public",
    ("GET", "/me"): "staff",
    ("POST", "/imports/products"): "owner",
    ("POST", "/imports/sales"): "owner",
    ("GET", "/exports/products.csv"): "owner",
    ("GET", "/exports/sales.csv"): "owner",
    ("POST", "/products"): "owner",
    ("GET", "/products"): "staff",
    ("GET", "/products/{sku}"): "staff",
    ("PATCH", "/products/{sku}"): "owner",
    ("DELETE", "/products/{sku}"): "owner",
    ("POST", "/products/{sku}/stock"): "staff-some",  # receive, adjust, count; not with a unit cost
    ("GET", "/products/{sku}/movements"): "staff",
    ("POST", "/suppliers"): "owner",
    ("GET", "/suppliers"): "owner",
    ("GET", "/suppliers/{supplier_id}"): "owner",
    ("PATCH", "/suppliers/{supplier_id}"): "owner",
    ("POST", "/purchase-orders"): "owner",
    ("GET", "/purchase-orders"): "staff",
    ("GET", "/purchase-orders/{po_id}"): "staff",
    ("POST", "/purchase-orders/{po_id}/status"): "owner",
    ("POST", "/purchase-orders/{po_id}/receipts"): "staff",
    ("GET", "/reports/summary"): "owner",
    ("GET", "/reports/sales"): "owner",
    ("GET", "/reports/abc"): "owner",
    ("GET", "/reports/dead-stock"): "owner",
    ("GET", "/reports/valuation"): "owner",
    ("POST", "/sales"): "staff",
    ("GET", "/sales"): "staff",
    ("GET", "/sales/{sale_id}"): "staff",
    ("GET", "/sales/{sale_id}/invoice"): "staff",
    ("POST", "/sales/{sale_id}/returns"): "staff",
    ("GET", "/settings/shop"): "owner",
    ("PATCH", "/settings/shop"): "owner",
    ("GET", "/reports/tax"): "owner",
    ("GET", "/reports/returns"): "owner",
    ("POST", "/ask"): "owner",
    ("GET", "/products/{sku}/forecast"): "owner",
    ("GET", "/forecasts/stockouts"): "owner",
    ("GET", "/reorder-suggestions"): "owner",
    ("POST", "/reorder-suggestions/orders"): "owner",
    ("GET", "/locations"): "staff",
    ("POST", "/locations"): "owner",
    ("DELETE", "/locations/{location_id}"): "owner",
    ("POST", "/transfers"): "staff",
    ("GET", "/transfers"): "staff",
    ("GET", "/transfers/{transfer_id}"): "staff",
    ("POST", "/transfers/{transfer_id}/receive"): "staff",
    ("GET", "/reports/stock-by-location"): "owner",
    ("GET", "/customers"): "owner",
    ("GET", "/customers/{customer_id}"): "owner",
    ("DELETE", "/customers/{customer_id}"): "owner",
    ("GET", "/reports/customers"): "owner",
    ("GET", "/suppliers/{supplier_id}/scorecard"): "owner",
    ("GET", "/products/{sku}/related"): "owner",
    ("GET", "/sales/{sale_id}/feedback-link"): "owner",
    ("GET", "/feedback/{token}"): "public",
    ("POST", "/feedback/{token}"): "public",
    ("GET", "/products/{sku}/feedback"): "owner",
    ("GET", "/reports/feedback"): "owner",
    ("POST", "/imports"): "owner",
    ("POST", "/imports/preview"): "owner",
    ("GET", "/imports"): "owner",
    ("GET", "/imports/{import_id}"): "owner",
    ("POST", "/staff"): "owner",
    ("GET", "/staff"): "owner",
    ("DELETE", "/staff/{user_id}"): "owner",
    ("GET", "/health"): "public",
    ("GET", "/openapi.json"): "public",
}


def sent_to(address: str) -> list:
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    return [m for m in sent if address in m.destinations["ToAddresses"]]


def temporary_password(address: str) -> str:
    found = re.search(r"Temporary password:\s*(?:<[^>]+>\s*)*([A-Za-z0-9]{8,})", sent_to(address)[-1].body)
    assert found, sent_to(address)[-1].body
    return found.group(1)


def invite(owner: Api, email: str | None = None, role: str = "staff") -> tuple[str, dict]:
    email = email or f"staff-{uuid.uuid4().hex[:10]}@example.com"
    reply = owner.post("/staff", {"email": email, "role": role})
    assert reply.status_code == 201, reply.body
    return email, reply.json


def sign_in_first_time(client, email: str) -> Api:
    anonymous = Api(client)
    first = anonymous.post("/auth/login", {"email": email, "password": temporary_password(email)})
    assert first.status_code == 200 and first.json["challenge"] == "new_password", first.body
    done = anonymous.post("/auth/new-password",
                          {"email": email, "session": first.json["session"], "new_password": NEW_PASSWORD})
    assert done.status_code == 200, done.body
    api = Api(client, done.json["id_token"])
    api.refresh_token = done.json["refresh_token"]  # type: ignore[attr-defined]
    api.email = email  # type: ignore[attr-defined]
    return api


@pytest.fixture
def staffed(client, shop):
    email, member = invite(shop)
    return shop, sign_in_first_time(client, email), member


# --- roles -----------------------------------------------------------------------------------


def test_every_route_has_the_role_policy_of_the_table(client):
    from chalicelib.http import ROUTE_DOCS

    assert {(d.method, d.path): d.roles for d in ROUTE_DOCS} == ROLES


def test_staff_get_owner_only_on_every_owner_route(staffed):
    from chalicelib.http import ROUTE_DOCS

    _, clerk, _ = staffed
    for doc in ROUTE_DOCS:
        if doc.roles != "owner":
            continue
        path = re.sub(r"\{[a-z_]+\}", "X1", doc.path)
        reply = clerk.call(doc.method, path, {} if doc.method in ("POST", "PUT", "PATCH") else None,
                           headers={"Content-Type": doc.content_type})
        assert reply.status_code == 403, (doc.method, doc.path, reply.body)
        assert reply.json["code"] == "owner_only"
        assert "owner" in reply.json["message"]


def test_the_role_flag_defaults_to_owner_only():
    import inspect

    from chalicelib.http import route

    assert inspect.signature(route).parameters["staff"].default is False


def test_staff_sell_adjust_count_and_read_without_costs(staffed):
    owner, clerk, _ = staffed
    new_product(owner, "TEA", name="Tea", price="3.00", unit_cost="1.25")
    receive(owner, "TEA", 10)
    product = clerk.get("/products/TEA")
    assert product.status_code == 200 and product.json["price"] == 3 and "unit_cost" not in product.json
    assert owner.get("/products/TEA").json["unit_cost"] == 1.25
    listed = clerk.get("/products").json["items"]
    assert listed and all("unit_cost" not in p for p in listed)

    sale = clerk.post("/sales", {"lines": [{"sku": "TEA", "quantity": 2}]})
    assert sale.status_code == 201, sale.body
    assert {"profit", "cost"} & set(sale.json) == set()
    assert all({"profit", "cost"} & set(line) == set() for line in sale.json["lines"])
    assert sale.json["total"] == 6
    again = clerk.get(f"/sales/{sale.json['sale_id']}").json
    assert "profit" not in again and "cost" not in again["lines"][0]
    assert all("profit" not in s for s in clerk.get("/sales").json["items"])
    assert "profit" in owner.get(f"/sales/{sale.json['sale_id']}").json
    assert clerk.get(f"/sales/{sale.json['sale_id']}/invoice").status_code == 200

    assert clerk.post("/products/TEA/stock", {"type": "adjust", "quantity": -1}).status_code == 201
    assert clerk.post("/products/TEA/stock", {"type": "count", "quantity": 5}).status_code == 201
    assert clerk.post("/products/TEA/stock", {"type": "receive", "quantity": 2}).status_code == 201
    refused = clerk.post("/products/TEA/stock", {"type": "receive", "quantity": 5, "unit_cost": "9.99"})
    assert refused.status_code == 403 and refused.json["code"] == "owner_only"
    assert clerk.get("/products/TEA/movements").status_code == 200
    assert owner.get("/products/TEA").json["on_hand"] == 7
    assert owner.get("/products/TEA").json["unit_cost"] == 1.25


def test_staff_receive_purchase_orders_without_seeing_costs(staffed):
    owner, clerk, _ = staffed
    new_product(owner, "JAM", name="Jam", price="4.00", unit_cost="2.00")
    supplier = owner.post("/suppliers", {"name": "Jams Ltd"}).json
    order = owner.post("/purchase-orders", {"supplier_id": supplier["supplier_id"],
                                            "lines": [{"sku": "JAM", "quantity": 6, "unit_cost": "2.20"}]}).json
    assert owner.post(f"/purchase-orders/{order['po_id']}/status", {"status": "ordered"}).status_code == 200
    seen = clerk.get(f"/purchase-orders/{order['po_id']}")
    assert seen.status_code == 200 and "total" not in seen.json and "unit_cost" not in seen.json["lines"][0]
    assert all("total" not in o for o in clerk.get("/purchase-orders").json["items"])
    got = clerk.post(f"/purchase-orders/{order['po_id']}/receipts", {"lines": [{"sku": "JAM", "quantity": 6}]})
    assert got.status_code == 201, got.body
    assert got.json["status"] == "received" and "total" not in got.json
    assert owner.get("/products/JAM").json["on_hand"] == 6


# --- invitations -------------------------------------------------------------------------------


def test_an_invitation_is_emailed_with_a_temporary_password(client, shop):
    from chalicelib import db

    email, member = invite(shop)
    assert member["email"] == email and member["role"] == "staff" and member["status"] == "invited"
    assert member["user_id"]
    (message,) = sent_to(email)
    assert message.subject == "Shop A invited you to Shelfwise"
    assert "https://shop.example/#/login?email=" in message.body
    password = temporary_password(email)
    assert re.search(r"[a-z]", password) and re.search(r"[A-Z]", password) and re.search(r"[0-9]", password)
    # Recorded as one of the shop's emails (what the local outbox shows), without its text.
    mails, _ = db.query_mails(shop.tenant_id, 10, None)
    assert [(m["kind"], m["message_id"]) for m in mails] == [("staff_invitation", message.id)]
    assert password not in str(mails)
    listed = {m["email"]: m for m in shop.get("/staff").json["items"]}
    assert listed[email]["status"] == "invited"
    assert listed[shop.email]["role"] == "owner" and listed[shop.email]["status"] == "active"


def test_first_sign_in_asks_for_a_new_password_then_gives_tokens(client, shop):
    email, member = invite(shop)
    anonymous = Api(client)
    first = anonymous.post("/auth/login", {"email": email, "password": temporary_password(email)})
    assert first.status_code == 200 and set(first.json) == {"challenge", "session"}
    weak = anonymous.post("/auth/new-password", {"email": email, "session": first.json["session"],
                                                   "new_password": "short"})
    assert weak.status_code == 422 and weak.json["details"][0]["field"] == "new_password"
    forged = anonymous.post("/auth/new-password", {"email": email, "session": "not-a-session-" + "x" * 30,
                                                     "new_password": NEW_PASSWORD})
    assert forged.status_code == 401
    done = anonymous.post("/auth/new-password", {"email": email, "session": first.json["session"],
                                                   "new_password": NEW_PASSWORD})
    assert done.status_code == 200 and set(done.json) == {"id_token", "refresh_token", "expires_in"}
    me = Api(client, done.json["id_token"]).get("/me").json
    assert me["role"] == "staff" and me["tenant_id"] == shop.tenant_id and me["email"] == email
    assert {m["user_id"]: m for m in shop.get("/staff").json["items"]}[member["user_id"]]["status"] == "active"
    # From now on the chosen password signs in directly; the temporary one no longer does.
    again = anonymous.post("/auth/login", {"email": email, "password": NEW_PASSWORD})
    assert again.status_code == 200 and "id_token" in again.json
    assert anonymous.post("/auth/login", {"email": email, "password": temporary_password(email)}).status_code == 401


def test_an_email_already_used_is_409_in_this_shop_and_any_other(client, shop, other_shop):
    email, _ = invite(shop)
    for owner in (shop, other_shop):
        reply = owner.post("/staff", {"email": email, "role": "staff"})
        assert reply.status_code == 409 and reply.json["code"] == "email_taken"
    taken = other_shop.post("/staff", {"email": shop.email})
    assert taken.status_code == 409
    assert len(sent_to(email)) == 1


def test_bad_invitations_are_422(shop):
    assert shop.post("/staff", {"email": "not-an-email"}).status_code == 422
    assert shop.post("/staff", {"email": "a@b.example", "role": "admin"}).status_code == 422
    assert shop.post("/staff", {"email": "a@b.example", "extra": 1}).status_code == 422


def test_staff_cannot_manage_staff(staffed):
    _, clerk, member = staffed
    for reply in (clerk.get("/staff"), clerk.post("/staff", {"email": "x@example.com"}),
                  clerk.delete(f"/staff/{member['user_id']}")):
        assert reply.status_code == 403 and reply.json["code"] == "owner_only"


# --- removal -------------------------------------------------------------------------------------


def test_a_removed_person_is_refused_at_once_here_and_cannot_refresh(client, staffed):
    owner, clerk, member = staffed
    assert clerk.get("/products").status_code == 200
    assert owner.delete(f"/staff/{member['user_id']}").status_code == 204
    refused = clerk.get("/products")
    assert refused.status_code == 401 and refused.json["code"] == "access_removed"
    refreshed = Api(client).post("/auth/refresh", {"refresh_token": clerk.refresh_token})
    assert refreshed.status_code == 401
    assert Api(client).post("/auth/login", {"email": clerk.email, "password": NEW_PASSWORD}).status_code == 401
    assert member["user_id"] not in {m["user_id"] for m in owner.get("/staff").json["items"]}
    assert owner.delete(f"/staff/{member['user_id']}").status_code == 404
    # The email is free again: the person can be invited anew (to this shop or another).
    invite(owner, clerk.email)


def test_another_function_feels_a_removal_when_its_cached_check_expires(client, staffed, monkeypatch):
    from chalicelib import auth

    owner, clerk, member = staffed
    assert clerk.get("/me").status_code == 200  # cached as a member
    key = (owner.tenant_id, member["user_id"])
    assert auth._members[key][0] is True
    owner.delete(f"/staff/{member['user_id']}")
    assert key not in auth._members  # the function that removed them forgot them at once
    # Another warm function still holds the old answer: it keeps it for member_check_seconds...
    now = auth.time.monotonic()
    auth._members[key] = (True, now)
    assert clerk.get("/me").status_code == 200
    # ... and reads the record again once that has passed.
    auth._members[key] = (True, now - 61)
    assert clerk.get("/me").status_code == 401


def test_the_check_reads_once_per_person_per_period(client, staffed, monkeypatch):
    from chalicelib import auth, db

    _, clerk, _ = staffed
    reads = []
    real = db.member_status
    monkeypatch.setattr(db, "member_status", lambda *a: reads.append(a) or real(*a))
    auth._members.clear()
    for _ in range(5):
        assert clerk.get("/me").status_code == 200
    assert len(reads) == 1


def test_the_check_period_is_60_seconds_at_most_and_configurable(monkeypatch):
    from chalicelib.settings import Settings, get_settings, reset_settings

    assert Settings().member_check_seconds <= 60
    monkeypatch.setenv("MEMBER_CHECK_SECONDS", "2")
    reset_settings()
    try:
        assert get_settings().member_check_seconds == 2
    finally:
        monkeypatch.delenv("MEMBER_CHECK_SECONDS")
        reset_settings()


def test_owners_cannot_remove_themselves_another_owner_can(client, shop):
    me = next(m for m in shop.get("/staff").json["items"] if m["email"] == shop.email)
    refused = shop.delete(f"/staff/{me['user_id']}")
    assert refused.status_code == 409 and refused.json["code"] == "cannot_remove_self"
    email, _ = invite(shop, role="owner")
    second = sign_in_first_time(client, email)
    assert second.get("/me").json["role"] == "owner"
    assert second.delete(f"/staff/{me['user_id']}").status_code == 204
    assert shop.get("/me").status_code == 401
    assert [m["email"] for m in second.get("/staff").json["items"]] == [email]


def test_a_removed_owner_cannot_remove_anyone(client, shop):
    email, _ = invite(shop, role="owner")
    second = sign_in_first_time(client, email)
    first_id = next(m["user_id"] for m in shop.get("/staff").json["items"] if m["email"] == shop.email)
    clerk_email, clerk = invite(shop)
    assert second.delete(f"/staff/{first_id}").status_code == 204
    from chalicelib import auth

    auth._members.clear()
    # Even with a token still inside its hour, the removed owner's own write is refused.
    assert shop.delete(f"/staff/{clerk['user_id']}").status_code == 401


# --- isolation: from the attacker's side -------------------------------------------------------


def test_another_shop_cannot_see_or_remove_our_people(client, staffed, other_shop):
    owner, clerk, member = staffed
    assert member["user_id"] not in {m["user_id"] for m in other_shop.get("/staff").json["items"]}
    assert other_shop.delete(f"/staff/{member['user_id']}").status_code == 404
    assert clerk.get("/me").status_code == 200
    # A staff member sees their own shop's things only.
    new_product(other_shop, "SECRET")
    assert clerk.get("/products/SECRET").status_code == 404
    assert Api(client).get("/staff").status_code == 401
    assert Api(client).delete(f"/staff/{member['user_id']}").status_code == 401
    assert Api(client).post("/staff", {"email": "x@example.com"}).status_code == 401


def test_odd_user_ids_are_404(shop):
    for user_id in ("nobody", "a" * 80, "%2F..%2F", "USER%23x"):
        assert shop.delete(f"/staff/{user_id}").status_code == 404


def test_registering_still_signs_in_directly(client):
    api = register_shop(client, "Shop C")
    assert api.get("/me").json["role"] == "owner"
    assert PASSWORD


def test_an_invitation_that_cannot_be_sent_is_undone(client, shop, monkeypatch):
    from chalicelib import mail

    def down(**kwargs):
        raise ConnectionError("SES did not answer")

    email = f"undone-{uuid.uuid4().hex[:8]}@example.com"
    monkeypatch.setattr(mail, "send", down)
    reply = shop.post("/staff", {"email": email})
    assert reply.status_code == 503 and reply.headers["Retry-After"]
    assert email not in {m["email"] for m in shop.get("/staff").json["items"]}
    monkeypatch.undo()
    invite(shop, email)  # the email is free: the retry works
    assert len(sent_to(email)) == 1
