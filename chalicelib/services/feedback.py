"""Buyers' feedback: a signed, expiring link per sale, a public form, ratings per product.

The link carries the shop, the sale and an expiry, signed with HMAC-SHA256 under a key the
deployment holds (locally FEEDBACK_SECRETS: the first key signs, all verify, so keys rotate without
breaking live links; in AWS a Secrets Manager secret, FEEDBACK_SECRET_ARN, whose "current" key
signs). Nothing about the link is stored: a tampered, expired or unknown-key
token is simply not found. The public endpoints are the only ones without sign-in, so they are
rate-limited (per caller IP, then per link) and show only the shop's name and product names.
A product is rated once per sale (the rating's item is written only if absent).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from chalicelib import aws, clock, db, retry
from chalicelib.auth import Identity
from chalicelib.errors import Conflict, Invalid, NotFound, ServiceUnavailable, TooManyRequests
from chalicelib.models import (
    FeedbackEntry,
    FeedbackForm,
    FeedbackIn,
    FeedbackLink,
    FeedbackPage,
    FeedbackProduct,
    FeedbackReport,
    FeedbackRow,
    FeedbackSaved,
    RangeQuery,
)
from chalicelib.observability import count, logger
from chalicelib.settings import get_settings

GONE = "This feedback link is not valid or has expired."
# Per caller IP and per link, each minute: a person rating a few products never meets these; a
# script guessing tokens or flooding one link does.
IP_PER_MINUTE = 120  # a shop's wifi may put many buyers behind one address
LINK_PER_MINUTE = 10
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,200}\.[A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]{43}$")


KID = re.compile(r"[A-Za-z0-9_-]{1,16}")
# Keys read from Secrets Manager are kept this long by a warm function (a GetSecretValue costs
# time and $0.05 per 10,000); a token naming a key id not known yet reads them again, at most once
# per KEYS_REFRESH seconds, so a key a rotation adds verifies at once everywhere.
KEYS_TTL = 900.0
KEYS_REFRESH = 30.0
_stored: dict[str, Any] = {"arn": None, "keys": [], "at": -1e9}


def _parse(text: str) -> list[tuple[str, bytes]]:
    keys = []
    for part in text.split(","):
        kid, _, secret = part.strip().partition(":")
        if kid and secret and KID.fullmatch(kid):
            keys.append((kid, secret.encode()))
    return keys


def keys_of_document(text: str) -> list[tuple[str, bytes]]:
    """The secret's keys, the current (signing) one first: {"current": "k2", "k2": "...", "k1":
    "...", "retired": {"k1": "<when>"}} (infra/feedback_keys.py writes it)."""
    doc = json.loads(text)
    current = doc.get("current")
    keys = [(kid, value.encode()) for kid, value in doc.items()
            if kid not in ("current", "retired") and KID.fullmatch(kid) and isinstance(value, str)
            and value]  # fmt: skip
    if current not in dict(keys):
        raise ValueError("the secret names no current key")
    return sorted(keys, key=lambda kv: kv[0] != current)


def _read_stored(arn: str) -> list[tuple[str, bytes]]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        text = aws.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
        keys = keys_of_document(text)
    except (BotoCoreError, ClientError, KeyError, ValueError):
        logger.exception("The feedback link keys could not be read from Secrets Manager")
        raise ServiceUnavailable("Feedback links are unavailable just now; try again in a minute.") from None
    _stored.update(arn=arn, keys=keys, at=time.monotonic())
    return keys


def forget_keys() -> None:
    """Drop the keys a warm function keeps (tests; a new function starts without them)."""
    _stored.update(arn=None, keys=[], at=-1e9)


def _keys(unknown_kid: str | None = None) -> list[tuple[str, bytes]]:
    settings = get_settings()
    if settings.feedback_secrets or not settings.feedback_secret_arn:
        return _parse(settings.feedback_secrets)
    arn, age = settings.feedback_secret_arn, time.monotonic() - _stored["at"]
    if _stored["arn"] != arn or age > KEYS_TTL:
        return _read_stored(arn)
    if unknown_kid and unknown_kid not in dict(_stored["keys"]) and age > KEYS_REFRESH:
        return _read_stored(arn)
    return list(_stored["keys"])


def configured() -> bool:
    """Whether this server can sign links (without reading the secret: invoices ask on every view)."""
    settings = get_settings()
    return bool(_parse(settings.feedback_secrets)) or bool(settings.feedback_secret_arn)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, kid: str, payload: str) -> str:
    return _b64(hmac.new(secret, f"{kid}.{payload}".encode(), hashlib.sha256).digest())


def sign(tenant_id: str, sale_id: str, expires: int) -> str:
    keys = _keys()
    if not keys:
        raise ServiceUnavailable("Feedback links are not set up on this server (FEEDBACK_SECRETS).")
    kid, secret = keys[0]
    payload = _b64(f"{tenant_id}.{sale_id}.{expires}".encode())
    return f"{payload}.{kid}.{_mac(secret, kid, payload)}"


def verify(token: str, now: int) -> tuple[str, str, int]:
    """(tenant, sale, expiry) of a genuine, live token; NotFound for anything else."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        raise NotFound(GONE)
    payload, kid, mac = token.split(".")
    secret = dict(_keys(unknown_kid=kid)).get(kid)
    if secret is None or not hmac.compare_digest(_mac(secret, kid, payload), mac):
        raise NotFound(GONE)
    try:
        tenant_id, sale_id, expires = _unb64(payload).decode().split(".")
        expiry = int(expires)
    except (ValueError, UnicodeDecodeError):
        raise NotFound(GONE) from None
    if expiry <= now:
        raise NotFound(GONE)
    return tenant_id, sale_id, expiry


def link(identity: Identity, sale_id: str) -> FeedbackLink:
    from chalicelib.services import sales

    _, item = sales.get(identity, sale_id)
    settings = get_settings()
    sold = datetime.fromisoformat(item["sold_at"].replace("Z", "+00:00"))
    # The link lives for N days from the sale, so every link printed for one sale is the same.
    expires = int((sold + timedelta(days=settings.feedback_link_days)).timestamp())
    token = sign(identity.tenant_id, item["sale_id"], expires)
    return FeedbackLink(url=f"{settings.site_url.rstrip('/')}/#/feedback/{token}",
                        expires_at=clock.iso(datetime.fromtimestamp(expires, UTC)))  # fmt: skip


def invoice_url(identity: Identity, sale_id: str) -> str | None:
    """The link printed on an invoice, or none: an invoice prints even when links cannot be signed
    just now (the keys' secret unreadable)."""
    if not configured():
        return None
    try:
        return link(identity, sale_id).url
    except ServiceUnavailable:
        return None


def _limit(token: str, ip: str | None) -> None:
    now = int(clock.now().timestamp())
    if ip and not db.take_rate(f"fbip#{ip}", IP_PER_MINUTE, 60, now):
        raise TooManyRequests(60, "Too many requests from this address; try again in a minute.")
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    if not db.take_rate(f"fblink#{digest}", LINK_PER_MINUTE, 60, now):
        raise TooManyRequests(60, "Too many requests for this link; try again in a minute.")


def _open(token: str, ip: str | None) -> tuple[str, dict[str, Any], int]:
    _limit(token, ip)
    tenant_id, sale_id, expiry = verify(token, int(clock.now().timestamp()))
    sale = db.get_sale(tenant_id, sale_id)
    if sale is None:
        raise NotFound(GONE)
    return tenant_id, sale, expiry


def _products(sale: dict[str, Any]) -> dict[str, str]:
    return {ln["sku"]: ln["name"] for ln in sale["lines"]}


def form(token: str, ip: str | None) -> FeedbackForm:
    """What the public page shows: the shop's name and the sale's products, nothing else."""
    tenant_id, sale, expiry = _open(token, ip)
    names = _products(sale)
    rated = db.rated_skus(tenant_id, sale["sale_id"], list(names))
    shop = db.get_shop(tenant_id) or {}
    return FeedbackForm(
        shop_name=shop.get("shop_name") or shop.get("name") or "",
        products=[FeedbackProduct(sku=sku, name=name, rated=sku in rated) for sku, name in names.items()],
        expires_at=clock.iso(datetime.fromtimestamp(expiry, UTC)),
    )


def submit(token: str, body: FeedbackIn, ip: str | None) -> FeedbackSaved:
    tenant_id, sale, _ = _open(token, ip)
    names = _products(sale)
    skus = [r.sku for r in body.ratings]
    unknown = [sku for sku in skus if sku not in names]
    if unknown or len(set(skus)) != len(skus):
        raise Invalid("Rate each product of this sale once: " + ", ".join(unknown or skus) + ".",
                      [{"field": "ratings", "sku": sku, "message": "not on this sale, or twice"}
                       for sku in (unknown or skus)], code="unknown_sku")  # fmt: skip
    now = clock.now()
    actions: list[dict[str, Any]] = []
    for rating in body.ratings:
        entry = {"feedback_id": clock.new_id(now), "sku": rating.sku, "name": names[rating.sku],
                 "sale_id": sale["sale_id"], "stars": rating.stars, "at": clock.iso(now),
                 **({"comment": rating.comment} if rating.comment else {})}  # fmt: skip
        actions += db.feedback_puts(tenant_id, entry)
        actions.append(db.product_add(tenant_id, rating.sku, {"rating_sum": rating.stars, "rating_count": 1}))

    def attempt() -> None:
        try:
            db.transact(actions)
        except db.ConditionFailed as failed:
            if any(r == "ConditionalCheckFailed" for i, r in enumerate(failed.reasons) if i % 3 == 0):
                raise Conflict("These products were rated already for this sale; each is rated once.",
                               code="already_rated") from None  # fmt: skip
            if "ConditionalCheckFailed" in failed.reasons:
                raise NotFound(GONE) from None  # a product of the sale no longer exists at all
            raise

    retry.until_written(attempt, "The shop is busy; please send your rating again.")
    count("FeedbackRatings", len(body.ratings))
    return FeedbackSaved(saved=len(body.ratings))


def _entry(item: dict[str, Any]) -> FeedbackEntry:
    return FeedbackEntry(sku=item["sku"], stars=db.as_int(item["stars"]), comment=item.get("comment"), at=item["at"])


def product_feedback(identity: Identity, sku: str, limit: int, after: str | None) -> tuple[FeedbackPage, str | None]:
    from chalicelib.services import products

    product = products.get_live(identity.tenant_id, sku)
    items, last = db.product_feedback(identity.tenant_id, product["sku"], limit, after)
    return FeedbackPage(items=[_entry(i) for i in items], rating=products.rating_of(product), next_cursor=None), last


def report(identity: Identity, query: RangeQuery) -> FeedbackReport:
    """Products rated in a period, lowest average first, with their comments (newest first)."""
    from chalicelib.services.reports import date_range
    from chalicelib.services.sales import shop_zone, ulid_bound

    first, last = date_range(identity.tenant_id, query)
    zone = shop_zone(db.get_shop(identity.tenant_id))
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone) - timedelta(milliseconds=1)
    rows: dict[str, dict[str, Any]] = {}
    for item in db.feedback_between(identity.tenant_id, ulid_bound(start, False), ulid_bound(end, True)):
        row = rows.setdefault(item["sku"], {"sku": item["sku"], "name": item.get("name") or item["sku"],
                                            "stars": 0, "count": 0, "comments": []})  # fmt: skip
        row["stars"] += db.as_int(item["stars"])
        row["count"] += 1
        if item.get("comment"):
            row["comments"].append(_entry(item))
    out = [
        FeedbackRow(sku=r["sku"], name=r["name"], average=round(float(Decimal(r["stars"]) / r["count"]), 2),
                    count=r["count"], comments=sorted(r["comments"], key=lambda e: e.at, reverse=True)[:20])
        for r in rows.values()
    ]  # fmt: skip
    out.sort(key=lambda r: (r.average, -r.count, r.sku))
    return FeedbackReport(from_=first, to=last, rows=out)


