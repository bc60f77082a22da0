from __future__ import annotations

from tests.unit.conftest import PASSWORD, Api, register_shop


def test_register_login_and_me(client):
    shop = register_shop(client, "Corner Shop", "Owner@Example.com")
    me = shop.get("/me")
    assert me.status_code == 200
    assert me.json == {
        "tenant_id": shop.tenant_id,
        "shop_name": "Corner Shop",
        "email": "owner@example.com",
        "role": "owner",
        "currency": "USD",
        "timezone": "UTC",
        "prices_include_tax": False,
        "default_tax_rate": 0,
    }


def test_shop_currency_and_time_zone(client):
    anonymous = Api(client)
    body = {
        "shop_name": "Le Coin",
        "email": "coin@example.com",
        "password": PASSWORD,
        "timezone": "Europe/Paris",
        "currency": "EUR",
    }
    assert anonymous.post("/auth/register", body).status_code == 201
    token = anonymous.post("/auth/login", {"email": "coin@example.com", "password": PASSWORD}).json["id_token"]
    me = Api(client, token).get("/me").json
    assert (me["currency"], me["timezone"]) == ("EUR", "Europe/Paris")
    bad = anonymous.post("/auth/register", {**body, "email": "x@example.com", "currency": "euro", "timezone": "Mars"})
    assert bad.status_code == 422 and {d["field"] for d in bad.json["details"]} == {"currency", "timezone"}


def test_register_same_email_twice_is_409(client):
    register_shop(client, "One", "dup@example.com")
    again = Api(client).post("/auth/register", {"shop_name": "Two", "email": "dup@example.com", "password": PASSWORD})
    assert again.status_code == 409
    assert again.json["code"] == "email_taken"


def test_weak_password_and_bad_email_are_422_with_fields(client):
    reply = Api(client).post("/auth/register", {"shop_name": "S", "email": "not-an-email", "password": "short"})
    assert reply.status_code == 422
    fields = {d["field"]: d["message"] for d in reply.json["details"]}
    assert "email" in fields and "password" in fields
    assert "8 characters" in fields["password"] and "digit" in fields["password"]


def test_wrong_password_and_unknown_email_get_the_same_401(client):
    register_shop(client, "S", "known@example.com")
    anonymous = Api(client)
    wrong = anonymous.post("/auth/login", {"email": "known@example.com", "password": "Wrong-pass1"})
    unknown = anonymous.post("/auth/login", {"email": "nobody@example.com", "password": "Wrong-pass1"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_refresh_gives_a_working_id_token(client):
    shop = register_shop(client)
    reply = Api(client).post("/auth/refresh", {"refresh_token": shop.refresh_token})
    assert reply.status_code == 200
    assert Api(client, reply.json["id_token"]).get("/me").json["tenant_id"] == shop.tenant_id
    bad = Api(client).post("/auth/refresh", {"refresh_token": "nonsense"})
    assert bad.status_code == 401


def test_health_and_openapi_are_public(client):
    assert Api(client).get("/health").json == {"status": "ok"}
    assert Api(client).get("/openapi.json").status_code == 200
