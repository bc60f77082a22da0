"""Attacks on sign-in tokens: every one must end in 401, never in another shop's data."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.unit.conftest import Api, register_shop


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(aws, shop, **over):
    now = int(time.time())
    claims = {
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{aws['pool_id']}",
        "sub": "attacker",
        "aud": aws["client_id"],
        "token_use": "id",
        "iat": now,
        "exp": now + 600,
        "email": "x@example.com",
        "custom:tenant_id": shop.tenant_id,
        "custom:role": "owner",
    }
    claims.update(over)
    return {k: v for k, v in claims.items() if v is not None}


def _moto_signed(aws, claims) -> str:
    """Signed with moto's real pool key: valid signature, so only the claims can fail."""
    key = RSAAlgorithm.from_jwk(json.dumps(aws["keys"]["private"]))
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


@pytest.fixture
def victim(client):
    shop = register_shop(client, "Victim")
    assert shop.post("/products", {"sku": "SECRET", "name": "Secret stock", "price": 1}).status_code == 201
    return shop


def test_a_correctly_signed_token_is_accepted(client, aws, victim):
    # Proves the forging helper itself is right, so the 401s below are for the stated reason.
    assert Api(client, _moto_signed(aws, _claims(aws, victim))).get("/products/SECRET").status_code == 200


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer garbage", "Bearer a.b.c", "Bearer " + "x" * 5000]
)
def test_missing_or_garbage_tokens(client, victim, header):
    headers = {"Authorization": header} if header is not None else {}
    reply = Api(client).get("/products/SECRET", headers=headers)
    assert reply.status_code == 401, reply.body
    assert reply.json["code"] in ("missing_token", "invalid_token")


def test_alg_none(client, aws, victim):
    token = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': 'dummy'})}.{_b64(_claims(aws, victim))}."
    assert Api(client, token).get("/products/SECRET").status_code == 401


def test_hs256_signed_with_the_public_key(client, aws, victim):
    public = json.dumps(aws["keys"]["private"]["n"]).encode()
    token = jwt.encode(_claims(aws, victim), public, algorithm="HS256", headers={"kid": "dummy"})
    assert Api(client, token).get("/products/SECRET").status_code == 401


def test_forged_with_another_key_same_kid(client, aws, victim):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(aws, victim), other_key, algorithm="RS256", headers={"kid": "dummy"})
    assert Api(client, token).get("/products/SECRET").status_code == 401


def test_tampered_payload_keeps_signature(client, aws, victim):
    attacker = register_shop(client, "Attacker")
    head, body, sig = attacker.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["custom:tenant_id"] = victim.tenant_id
    forged = f"{head}.{_b64(claims)}.{sig}"
    assert Api(client, forged).get("/products/SECRET").status_code == 401


@pytest.mark.parametrize(
    "over",
    [
        {"exp": int(time.time()) - 120, "iat": int(time.time()) - 4000},  # expired
        {"aud": "some-other-client"},  # another app client
        {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"},  # another pool
        {"token_use": "access"},  # an access token
        {"custom:tenant_id": None},  # no shop
        {"custom:role": "admin"},  # unknown role
        {"exp": None},  # never expires
    ],
)
def test_wrong_claims(client, aws, victim, over):
    reply = Api(client, _moto_signed(aws, _claims(aws, victim, **over))).get("/products/SECRET")
    assert reply.status_code == 401, (over, reply.body)


def test_real_access_token_is_refused(client, aws):
    shop = register_shop(client)
    result = aws["idp"].initiate_auth(
        ClientId=aws["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": shop.email, "PASSWORD": "Sup3r-secret"},
    )
    access = result["AuthenticationResult"]["AccessToken"]
    assert Api(client, access).get("/me").status_code == 401


def test_token_from_another_app_client(client, aws):
    shop = register_shop(client)
    other = aws["idp"].create_user_pool_client(
        UserPoolId=aws["pool_id"], ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )
    result = aws["idp"].initiate_auth(
        ClientId=other["UserPoolClient"]["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": shop.email, "PASSWORD": "Sup3r-secret"},
    )
    assert Api(client, result["AuthenticationResult"]["IdToken"]).get("/me").status_code == 401
