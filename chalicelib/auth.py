"""Who is calling: the verified identity behind a bearer token.

`chalice local` and API Gateway's test client only decode Cognito tokens, so the app checks
every token itself: RS256 signature against the pool's published keys (cached), expiry,
issuer, audience (our app client) and token use (an id token). The shop (tenant) and role
come from the token's claims and nowhere else.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import ServiceUnavailable, Unauthorized
from chalicelib.observability import logger
from chalicelib.settings import get_settings

KEYS_TTL_SECONDS = 3600
REFETCH_GAP_SECONDS = 30
_keys: dict[str, Any] = {}
_keys_url = ""
_keys_fetched_at = 0.0
_keys_lock = threading.Lock()

BAD_TOKEN = "Your sign-in is not valid or has expired; please sign in again."  # noqa: S105 - a message


@dataclass(frozen=True)
class Identity:
    tenant_id: str
    user_id: str
    email: str
    role: str

    # Who may call what is declared on each route (`staff=` of the route decorator), not here.
    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def _fetch_keys(url: str) -> dict[str, Any]:
    from jwt import PyJWKSet

    with urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310 (URL comes from settings)
        data = json.loads(reply.read())
    return {key.key_id: key for key in PyJWKSet.from_dict(data).keys if key.key_id}


def _signing_key(kid: str) -> Any:
    """The pool's public key with this id; refetched when stale or on an unknown id (rotation),
    at most once per REFETCH_GAP_SECONDS so garbage kids cannot hammer the key endpoint."""
    global _keys, _keys_url, _keys_fetched_at
    url = get_settings().signing_keys_url
    now = time.monotonic()
    with _keys_lock:
        fresh = _keys_url == url and now - _keys_fetched_at < KEYS_TTL_SECONDS
        if not fresh or (kid not in _keys and now - _keys_fetched_at > REFETCH_GAP_SECONDS):
            try:
                _keys = _fetch_keys(url)
            except Exception as exc:  # network or format: the caller cannot fix it, so 503
                logger.error("could not fetch signing keys", extra={"url": url, "error": str(exc)})
                raise ServiceUnavailable("Sign-in cannot be checked right now; please try again shortly.") from None
            _keys_url, _keys_fetched_at = url, now
        key = _keys.get(kid)
    if key is None:
        raise Unauthorized(BAD_TOKEN, code="invalid_token")
    return key


def verify_token(token: str) -> Identity:
    import jwt

    settings = get_settings()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthorized(BAD_TOKEN, code="invalid_token") from None
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise Unauthorized(BAD_TOKEN, code="invalid_token")
    key = _signing_key(header["kid"])
    try:
        claims = jwt.decode(
            token,
            key=key.key,
            algorithms=["RS256"],
            audience=settings.user_pool_client_id,
            issuer=settings.token_issuer,
            leeway=5,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("Your sign-in has expired; please sign in again.", code="token_expired") from None
    except jwt.PyJWTError:
        raise Unauthorized(BAD_TOKEN, code="invalid_token") from None
    tenant_id = claims.get("custom:tenant_id")
    role = claims.get("custom:role")
    if claims.get("token_use") != "id" or not tenant_id or role not in ("owner", "staff"):
        raise Unauthorized(BAD_TOKEN, code="invalid_token")
    return Identity(tenant_id=tenant_id, user_id=claims["sub"], email=claims.get("email", ""), role=role)


# (tenant, user) -> (still a member, when read): a warm function reads a person's record at most
# once per member_check_seconds, so a removal is felt within that, at half a read unit per person
# per function per minute instead of one per request.
_members: dict[tuple[str, str], tuple[bool, float]] = {}
_members_lock = threading.Lock()
MEMBERS_CACHED = 10_000  # people per warm function before the cache starts again


def still_member(identity: Identity) -> bool:
    """False once the shop removed this person (the token itself may be good for an hour more).
    People without a record (owners who registered before staff existed) are members."""
    from chalicelib import db

    key = (identity.tenant_id, identity.user_id)
    now = time.monotonic()
    with _members_lock:
        cached = _members.get(key)
    if cached is not None and now - cached[1] < get_settings().member_check_seconds:
        return cached[0]
    member = db.member_status(identity.tenant_id, identity.user_id) != "removed"
    with _members_lock:
        if len(_members) >= MEMBERS_CACHED:
            _members.clear()
        _members[key] = (member, now)
    return member


def forget_member(tenant_id: str, user_id: str) -> None:
    """Read this person's record again on their next request (this function just removed them)."""
    with _members_lock:
        _members.pop((tenant_id, user_id), None)


def authenticate(authorization: str | None) -> Identity:
    """The identity behind an Authorization header's bearer token (401 for none, a bad one, or a
    person their shop has removed)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Sign in first: send 'Authorization: Bearer <id_token>'.", code="missing_token")
    identity = verify_token(token.strip())
    if not still_member(identity):
        raise Unauthorized("You no longer have access to this shop; ask its owner.", code="access_removed")
    logger.thread_safe_append_keys(tenant_id=identity.tenant_id, user_id=identity.user_id)
    return identity
