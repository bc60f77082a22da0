"""Buyers' feedback: signed links, the public form, once per product per sale, ratings, report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from chalicelib.services import feedback
from tests.unit.conftest import Api, new_product, receive


@pytest.fixture(autouse=True)
def keys(aws, monkeypatch):
    from chalicelib.settings import reset_settings

    monkeypatch.setenv("FEEDBACK_SECRETS", "k2:new-secret-for-tests,k1:old-secret-for-tests")
    reset_settings()
    yield
    monkeypatch.delenv("FEEDBACK_SECRETS")
    reset_settings()


def stock(shop, sku, name, qty=20):
    new_product(shop, sku, name=name, price="5.00", unit_cost="2")
    assert receive(shop, sku, qty).status_code == 201


def a_sale(shop, skus=("TEA", "MUG")):
    reply = shop.post("/sales", {"lines": [{"sku": s, "quantity": 1} for s in skus], "customer": {"id": "C1"}})
    assert reply.status_code == 201, reply.body
    return reply.json


def token_of(shop, sale):
    reply = shop.get(f"/sales/{sale['sale_id']}/feedback-link")
    assert reply.status_code == 200, reply.body
    assert reply.json["url"].startswith("https://shop.example/#/feedback/")
    return reply.json["url"].rsplit("/", 1)[1]


def test_sign_and_verify_rules(aws):
    now = int(datetime.now(UTC).timestamp())
    token = feedback.sign("T1", "S1" * 13, now + 60)
    assert feedback.verify(token, now) == ("T1", "S1" * 13, now + 60)
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), token.replace(".k2.", ".k1."),
                token.replace(".k2.", ".zz."), "", "x" * 300, token + "."):  # fmt: skip
        with pytest.raises(feedback.NotFound):
            feedback.verify(bad, now)
    with pytest.raises(feedback.NotFound):
        feedback.verify(token, now + 61)  # expired


def test_rotated_key_still_verifies_live_links(aws, monkeypatch):
    from chalicelib.settings import reset_settings

    now = int(datetime.now(UTC).timestamp())
    monkeypatch.setenv("FEEDBACK_SECRETS", "k1:old-secret-for-tests")
    reset_settings()
    old = feedback.sign("T1", "S" * 26, now + 60)
    monkeypatch.setenv("FEEDBACK_SECRETS", "k2:new-secret-for-tests,k1:old-secret-for-tests")
    reset_settings()
    assert feedback.verify(old, now)[0] == "T1"  # signed before the rotation, still good
    assert ".k2." in feedback.sign("T1", "S" * 26, now + 60)  # new links use the new key
    monkeypatch.setenv("FEEDBACK_SECRETS", "k2:new-secret-for-tests")
    reset_settings()
    with pytest.raises(feedback.NotFound):
        feedback.verify(old, now)  # the old key dropped: its links are gone


def test_public_form_rate_once_and_ratings(client, shop):
    stock(shop, "TEA", "Green tea")
    stock(shop, "MUG", "Blue mug")
    sale = a_sale(shop)
    token = token_of(shop, sale)
    public = Api(client)  # no token at all
    form = public.get(f"/feedback/{token}")
    assert form.status_code == 200, form.body
    assert form.json["shop_name"] == "Shop A"
    assert form.json["products"] == [{"sku": "TEA", "name": "Green tea", "rated": False},
                                     {"sku": "MUG", "name": "Blue mug", "rated": False}]  # fmt: skip
    assert set(form.json) == {"shop_name", "products", "expires_at"}  # no prices, no customer
    sent = public.post(f"/feedback/{token}", {"ratings": [
        {"sku": "TEA", "stars": 2, "comment": "<script>alert(1)</script> too weak"}]})  # fmt: skip
    assert sent.status_code == 201, sent.body
    again = public.post(f"/feedback/{token}", {"ratings": [{"sku": "TEA", "stars": 5}]})
    assert again.status_code == 409 and again.json["code"] == "already_rated"
    assert public.post(f"/feedback/{token}", {"ratings": [{"sku": "MUG", "stars": 4}]}).status_code == 201
    assert [p["rated"] for p in public.get(f"/feedback/{token}").json["products"]] == [True, True]
    second = a_sale(shop, ("TEA",))
    assert public.post(f"/feedback/{token_of(shop, second)}", {"ratings": [{"sku": "TEA", "stars": 5}]}).status_code \
        == 201
    product = shop.get("/products/TEA").json
    assert product["rating"] == {"average": 3.5, "count": 2}
    listed = shop.get("/products/TEA/feedback").json
    # Newest sale first; both sales were made in the same second, so their ids decide.
    newest_first = [5, 2] if second["sale_id"] > sale["sale_id"] else [2, 5]
    assert [e["stars"] for e in listed["items"]] == newest_first
    weak = next(e for e in listed["items"] if e["stars"] == 2)
    assert weak["comment"] == "<script>alert(1)</script> too weak"  # stored as text, shown as text
    report = shop.get("/reports/feedback").json
    assert [(r["sku"], r["average"], r["count"]) for r in report["rows"]] == [("TEA", 3.5, 2), ("MUG", 4.0, 1)]
    assert report["rows"][0]["comments"][0]["comment"].endswith("too weak")


def test_bad_feedback_input(client, shop):
    stock(shop, "TEA", "Green tea")
    stock(shop, "MUG", "Blue mug")
    token = token_of(shop, a_sale(shop, ("TEA",)))
    public = Api(client)
    path = f"/feedback/{token}"
    for body in ({"ratings": [{"sku": "TEA", "stars": 6}]}, {"ratings": [{"sku": "TEA", "stars": 0}]},
                 {"ratings": [{"sku": "TEA", "stars": "5"}]}, {"ratings": []},
                 {"ratings": [{"sku": "TEA", "stars": 3, "comment": "x" * 1001}]},
                 {"ratings": [{"sku": "TEA", "stars": 3, "comment": "evil \u202e txt.exe"}]},
                 {"ratings": [{"sku": "TEA", "stars": 3, "extra": 1}]}):  # fmt: skip
        assert public.post(path, body).status_code == 422, body
    assert public.post(path, {"ratings": [{"sku": "MUG", "stars": 3}]}).status_code == 422  # not on the sale
    assert public.post(path, {"ratings": [{"sku": "TEA", "stars": 3}, {"sku": "TEA", "stars": 4}]}).status_code == 422
    assert public.post(path, raw="{" + " " * 300_000 + "}").status_code == 413
    assert shop.get("/products/TEA").json["rating"] is None  # nothing stored
    assert public.post(path, {"ratings": [{"sku": "TEA", "stars": 3}]}).status_code == 201


def test_forged_expired_and_cross_shop_tokens(client, shop, other_shop):
    stock(shop, "TEA", "Green tea")
    stock(other_shop, "TEA", "Their tea")
    mine = a_sale(shop, ("TEA",))
    theirs = a_sale(other_shop, ("TEA",))
    token = token_of(shop, mine)
    public = Api(client)
    body = {"ratings": [{"sku": "TEA", "stars": 1}]}
    # another shop's owner cannot get a link for my sale, nor read my product's feedback
    assert other_shop.get(f"/sales/{mine['sale_id']}/feedback-link").status_code == 404
    assert Api(client).get(f"/sales/{mine['sale_id']}/feedback-link").status_code == 401
    # my token with their sale id swapped in: the signature no longer matches
    payload, kid, mac = token.split(".")
    raw = feedback._unb64(payload).decode().replace(mine["sale_id"], theirs["sale_id"])
    swapped = f"{feedback._b64(raw.encode())}.{kid}.{mac}"
    assert public.post(f"/feedback/{swapped}", body).status_code == 404
    # a token signed with a guessed key, an expired one, garbage
    now = int(datetime.now(UTC).timestamp())
    claim = f"{other_shop.tenant_id}.{theirs['sale_id']}.{now + 99}"
    guessed = f"{feedback._b64(claim.encode())}.k2." + "A" * 43
    expired = feedback.sign(shop.tenant_id, mine["sale_id"], now - 1)
    for bad in (guessed, expired, "nonsense", quote("../../sales", safe="")):
        assert public.get(f"/feedback/{bad}").status_code == 404
        assert public.post(f"/feedback/{bad}", body).status_code == 404
    # a genuine token of shop A names shop A's sale: it cannot rate shop B's product
    assert public.post(f"/feedback/{token}", body).status_code == 201
    assert other_shop.get("/products/TEA").json["rating"] is None
    assert shop.get("/products/TEA").json["rating"]["count"] == 1
    assert other_shop.get("/products/TEA/feedback").json["items"] == []
    assert other_shop.get("/reports/feedback").json["rows"] == []
    for path in ("/products/TEA/feedback", "/reports/feedback"):
        assert Api(client).get(path).status_code == 401
    assert other_shop.get("/products/NOPE/feedback").status_code == 404


def test_rate_limited_per_link(client, shop):
    stock(shop, "TEA", "Green tea")
    token = token_of(shop, a_sale(shop, ("TEA",)))
    public = Api(client)
    codes = [public.get(f"/feedback/{token}").status_code for _ in range(feedback.LINK_PER_MINUTE + 2)]
    assert codes[: feedback.LINK_PER_MINUTE] == [200] * feedback.LINK_PER_MINUTE
    assert codes[-1] == 429
    limited = public.get(f"/feedback/{token}")
    assert limited.headers["Retry-After"] == "60"


def test_link_expires_with_the_sale(shop):
    stock(shop, "TEA", "Green tea")
    old = (datetime.now(UTC) - timedelta(days=31)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    sale = shop.post("/sales", {"lines": [{"sku": "TEA", "quantity": 1}], "sold_at": old}).json
    link = shop.get(f"/sales/{sale['sale_id']}/feedback-link").json
    assert link["expires_at"] < datetime.now(UTC).isoformat()
    token = link["url"].rsplit("/", 1)[1]
    assert shop.get(f"/feedback/{token}").status_code == 404


def test_invoice_carries_the_link_as_a_qr_code(shop):
    stock(shop, "TEA", "Green tea")
    sale = a_sale(shop, ("TEA",))
    page = shop.get(f"/sales/{sale['sale_id']}/invoice")
    assert page.status_code == 200
    html = page.body.decode() if isinstance(page.body, bytes) else page.body
    token = token_of(shop, sale)
    assert "<svg" in html and f"#/feedback/{token}" in html
