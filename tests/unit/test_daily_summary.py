"""The daily summary email (API.md "Daily summary"): sent once a day at the shop's local hour,
never twice for one day however the schedule runs, with the day's figures; driven by a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import clock, db
from tests.unit.conftest import PASSWORD, Api, new_product, receive

RUN_EVENT = {"source": "aws.events", "detail_type": "Scheduled Event", "detail": {}, "resources": []}


def summaries_to(address):
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    return [m for m in sent if address in m.destinations["ToAddresses"] and "revenue" in m.subject]


@pytest.fixture
def at(monkeypatch):
    """at("2026-01-15T19:05") sets the app's clock (UTC) until changed."""

    def set_clock(moment: str) -> datetime:
        fixed = datetime.fromisoformat(moment).replace(tzinfo=UTC)
        monkeypatch.setattr(clock, "now", lambda: fixed)
        return fixed

    return set_clock


def run(client):
    return client.lambda_.invoke("check_stock_levels", client.events.generate_cw_event(**RUN_EVENT)).payload


def paris_shop(client, name="Paris shop"):
    """A shop in Paris (UTC+1 in January), opted in for 20:00 local (19:00 UTC)."""
    email = f"owner-{name.split()[0].lower()}-{id(client)}@example.com"
    anonymous = Api(client)
    reply = anonymous.post("/auth/register", {"shop_name": name, "email": email, "password": PASSWORD,
                                              "timezone": "Europe/Paris", "currency": "EUR"})
    assert reply.status_code == 201, reply.body
    login = anonymous.post("/auth/login", {"email": email, "password": PASSWORD})
    api = Api(client, login.json["id_token"])
    api.email = email  # type: ignore[attr-defined]
    api.tenant_id = reply.json["tenant_id"]  # type: ignore[attr-defined]
    return api


def opt_in(api, hour=20, on=True):
    reply = api.call("PUT", "/settings/alerts", {"recipients": [api.email], "enabled": True,
                                                  "daily_summary": on, "daily_summary_hour": hour})
    assert reply.status_code == 200, reply.body
    return reply.json


def test_once_a_day_at_the_local_hour_never_twice(client, at):
    at("2026-01-15T09:00")
    shop = paris_shop(client)
    assert opt_in(shop) == {"recipients": [shop.email], "enabled": True, "daily_summary": True,
                            "daily_summary_hour": 20}
    assert shop.get("/settings/alerts").json["daily_summary_hour"] == 20
    new_product(shop, "TEA", name="Green tea", price="3.00", unit_cost="1.00", min_stock=2)
    new_product(shop, "JAM", name="Plum jam", price="5.00", unit_cost="2.00", min_stock=1)
    receive(shop, "TEA", 5)
    receive(shop, "JAM", 10)
    for sku, qty in (("TEA", 2), ("JAM", 1), ("TEA", 1)):
        assert shop.post("/sales", {"lines": [{"sku": sku, "quantity": qty}]}).status_code == 201

    at("2026-01-15T18:55")  # 19:55 in Paris: not yet
    run(client)
    assert summaries_to(shop.email) == []

    at("2026-01-15T19:05")  # 20:05 in Paris
    run(client)
    run(client)  # the schedule runs twice
    at("2026-01-15T21:40")  # and late
    run(client)
    mails = summaries_to(shop.email)
    assert len(mails) == 1
    body = mails[0].body
    assert "Paris shop on 2026-01-15: EUR 14.00 revenue, 3 orders" == mails[0].subject
    assert "EUR 9.00" in body  # profit: 9.00 - 3.00 + 5.00 - 2.00
    assert "Green tea: 3 sold" in body and "Plum jam: 1 sold" in body
    assert "Green tea: 2 on hand, minimum 2" in body  # low
    assert "Returns" in body

    at("2026-01-16T19:10")  # the next day: one more
    run(client)
    assert len(summaries_to(shop.email)) == 2


def test_a_late_schedule_still_sends_that_day_and_a_failed_send_is_retried(client, at, monkeypatch):
    at("2026-01-15T09:00")
    shop = paris_shop(client, "Late shop")
    opt_in(shop, hour=18)
    from chalicelib import mail

    real_send = mail.send

    def refuse(**kwargs):
        raise RuntimeError("SES said no")

    monkeypatch.setattr(mail, "send", refuse)
    at("2026-01-15T17:20")  # 18:20 in Paris: due, but SES refuses
    assert run(client)["summary_failures"] >= 1
    monkeypatch.setattr(mail, "send", real_send)
    at("2026-01-15T19:45")  # the schedule was down for two hours: 20:45 in Paris, still that day
    run(client)
    assert len(summaries_to(shop.email)) == 1
    at("2026-01-15T23:30")  # 00:30 the next day in Paris: before 18:00, nothing
    run(client)
    assert len(summaries_to(shop.email)) == 1


def test_switched_off_or_another_hour_sends_nothing(client, at):
    at("2026-01-15T09:00")
    off = paris_shop(client, "Off shop")
    opt_in(off)
    opt_in(off, on=False)
    other = paris_shop(client, "Morning shop")
    opt_in(other, hour=7)
    at("2026-01-15T19:05")
    run(client)
    assert summaries_to(off.email) == [] and summaries_to(other.email) == []
    # Only the opted-in shop's hour holds an entry; switching off took the other out.
    assert off.tenant_id not in list(db.daily_bucket(19)) and other.tenant_id in list(db.daily_bucket(6))
    at("2026-01-16T06:10")  # 07:10 in Paris: a morning summary reports the day before
    run(client)
    mails = summaries_to(other.email)
    assert len(mails) == 1 and "on 2026-01-15" in mails[0].subject


def test_settings_are_validated_and_the_shops_own(client, shop, other_shop):
    reply = shop.call("PUT", "/settings/alerts", {"recipients": [], "enabled": False, "daily_summary": True})
    assert reply.status_code == 422
    reply = shop.call("PUT", "/settings/alerts", {"recipients": [shop.email], "enabled": True,
                                                  "daily_summary": True, "daily_summary_hour": 24})
    assert reply.status_code == 422
    assert opt_in(shop, hour=9)["daily_summary_hour"] == 9
    assert other_shop.get("/settings/alerts").json["daily_summary"] is False  # each shop its own
    assert Api(client).call("PUT", "/settings/alerts", {"recipients": [], "enabled": False}).status_code == 401
