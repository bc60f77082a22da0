"""Feedback link keys from Secrets Manager (as deployed): read lazily and cached, rotated by
infra/feedback_keys.py without breaking live links; a dropped key's links are gone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from chalicelib import aws as clients
from chalicelib.services import feedback
from infra import feedback_keys
from tests.unit.conftest import Api, new_product, receive, register_shop


@pytest.fixture
def secret_arn(aws, monkeypatch):
    """The secret as the infra stack makes it ({"current": "k1", "k1": <64 random>}), and the app
    configured with its ARN only, as the packaged functions are."""
    from chalicelib.settings import reset_settings

    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    password = secrets.get_random_password(PasswordLength=64, ExcludePunctuation=True)["RandomPassword"]
    arn = secrets.create_secret(Name=f"feedback-{password[:8]}",
                                SecretString=json.dumps({"current": "k1", "k1": password}))["ARN"]  # fmt: skip
    monkeypatch.delenv("FEEDBACK_SECRETS", raising=False)
    monkeypatch.setenv("FEEDBACK_SECRET_ARN", arn)
    reset_settings()
    feedback.forget_keys()
    yield arn
    monkeypatch.delenv("FEEDBACK_SECRET_ARN")
    reset_settings()
    feedback.forget_keys()


def reads_of_the_secret() -> list[str]:
    """Counts GetSecretValue calls the app's own client makes from now on."""
    calls: list[str] = []
    clients.client("secretsmanager").meta.events.register(
        "before-call.secrets-manager.GetSecretValue", lambda **_: calls.append("read"))  # fmt: skip
    return calls


def test_keys_are_read_once_and_only_when_a_link_is_signed(secret_arn):
    assert feedback.configured()  # the invoice asks this on every view: no read for it
    calls = reads_of_the_secret()
    assert feedback.configured() and calls == []
    now = int(datetime.now(UTC).timestamp())
    token = feedback.sign("T1", "S" * 26, now + 60)
    assert ".k1." in token and feedback.verify(token, now)[1] == "S" * 26
    feedback.sign("T1", "S" * 26, now + 60)
    assert calls == ["read"]  # cached by the warm function


def test_an_unreadable_secret_is_a_503_not_a_500(secret_arn, monkeypatch):
    from chalicelib.settings import reset_settings

    monkeypatch.setenv("FEEDBACK_SECRET_ARN", secret_arn + "-gone")
    reset_settings()
    with pytest.raises(feedback.ServiceUnavailable):
        feedback.sign("T1", "S" * 26, 2_000_000_000)


def test_an_invoice_prints_without_its_qr_code_when_the_secret_is_unreadable(client, secret_arn, monkeypatch):
    from chalicelib.settings import reset_settings

    shop = register_shop(client, "Invoicing shop")
    new_product(shop, "TEA", name="Green tea", price="5.00", unit_cost="2")
    assert receive(shop, "TEA", 5).status_code == 201
    sale = shop.post("/sales", {"lines": [{"sku": "TEA", "quantity": 1}]}).json
    page = shop.get(f"/sales/{sale['sale_id']}/invoice")
    assert page.status_code == 200 and "#/feedback/" in str(page.body)  # signed with the secret's key
    monkeypatch.setenv("FEEDBACK_SECRET_ARN", secret_arn + "-gone")
    reset_settings()
    feedback.forget_keys()
    page = shop.get(f"/sales/{sale['sale_id']}/invoice")
    assert page.status_code == 200 and "#/feedback/" not in str(page.body) and "Green tea" in str(page.body)
    assert shop.get(f"/sales/{sale['sale_id']}/feedback-link").status_code == 503


def test_rotation_keeps_live_links_and_dropping_a_key_ends_its_links(client, secret_arn, monkeypatch):
    shop = register_shop(client, "Rotating shop")
    new_product(shop, "TEA", name="Green tea", price="5.00", unit_cost="2")
    assert receive(shop, "TEA", 5).status_code == 201
    sale = shop.post("/sales", {"lines": [{"sku": "TEA", "quantity": 1}]}).json
    public = Api(client)

    def link() -> str:
        reply = shop.get(f"/sales/{sale['sale_id']}/feedback-link")
        assert reply.status_code == 200, reply.body
        return reply.json["url"].rsplit("/", 1)[1]

    old = link()
    assert ".k1." in old and public.get(f"/feedback/{old}").status_code == 200

    # A rotation: this warm function still holds only k1, and learns k2 from the first token naming it.
    monkeypatch.setattr(feedback, "KEYS_REFRESH", 0.0)
    done = feedback_keys.rotate(secret_arn)
    assert done == {"current": "k2", "verifying": ["k1", "k2"], "dropped": []}
    stored = json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    assert stored["current"] == "k2" and set(stored["retired"]) == {"k1"} and len(stored["k2"]) >= 64
    payload = old.split(".")[0]
    new = f"{payload}.k2.{feedback._mac(stored['k2'].encode(), 'k2', payload)}"  # what a fresh function signs
    assert public.get(f"/feedback/{new}").status_code == 200
    assert public.get(f"/feedback/{old}").status_code == 200  # signed before the rotation: still good
    assert ".k2." in link()

    # Too soon to drop k1: its links may still be alive.
    assert feedback_keys.rotate(secret_arn)["dropped"] == []
    # Once k1 retired longer ago than a link lives, the next rotation drops it; its links are gone.
    later = datetime.now(UTC) + timedelta(days=feedback_keys.KEEP_DAYS, minutes=1)
    assert feedback_keys.rotate(secret_arn, now=later)["dropped"] == ["k1", "k2"]
    feedback.forget_keys()  # a function started after the rotation
    assert public.get(f"/feedback/{old}").status_code == 404
    assert ".k4." in link()


def test_rotated_drops_only_keys_retired_long_enough():
    now = datetime(2026, 12, 2, tzinfo=UTC)
    first = feedback_keys.rotated({"current": "k1", "k1": "a" * 64}, now)
    assert first["current"] == "k2" and first["k1"] == "a" * 64 and first["retired"] == {"k1": "2026-12-02T00:00:00Z"}
    second = feedback_keys.rotated(first, now + timedelta(days=feedback_keys.KEEP_DAYS - 1))
    assert set(second) == {"current", "retired", "k1", "k2", "k3"} and second["current"] == "k3"
    third = feedback_keys.rotated(second, now + timedelta(days=feedback_keys.KEEP_DAYS))
    assert "k1" not in third and "k1" not in third["retired"] and {"k2", "k3", "k4"} <= set(third)
    leaked = feedback_keys.rotated(third, now + timedelta(days=40), keep_days=0)
    assert [k for k in leaked if k not in ("current", "retired")] == ["k5"] and leaked["retired"] == {}
    assert [kid for kid, _ in feedback.keys_of_document(json.dumps(third))][0] == "k4"
