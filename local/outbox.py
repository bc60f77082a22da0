"""The local outbox: the emails the stack "sent" for one shop, shown to that shop only.

moto's SES keeps every message it accepts, from every shop, with no owner and no time. The app
records each digest it sends as one of the shop's alerts, with SES's message id and the time it
was sent (other emails, such as staff invitations and purchase orders, as one of its mail records).
So a shop's outbox is the messages whose ids its own alerts and mails name: the caller's token is
verified exactly as the API verifies it (chalicelib.auth.authenticate; owners only), the shop comes from that
token only, and a message no record of that shop names is never shown to it.

Served by the local API server (local/api_server.py) as GET /local/outbox; never deployed.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from chalicelib.errors import ServiceUnavailable

PATH = "/local/outbox"
MAX_ALERTS = 1000  # the newest alerts looked at: far more than a person scrolls through


def moto_messages(moto_url: str) -> list[dict[str, Any]]:
    """Every message moto's SES has accepted since it started, oldest first, as moto keeps them."""
    if not moto_url:
        raise ServiceUnavailable("There is no local mail store: AWS_ENDPOINT_URL (moto's server) is not set.")
    try:
        with urllib.request.urlopen(f"{moto_url.rstrip('/')}/moto-api/data.json", timeout=10) as reply:  # noqa: S310
            data = json.loads(reply.read())
    except (OSError, ValueError) as exc:
        raise ServiceUnavailable(f"The local mail store (moto's SES) did not answer: {exc}.") from None
    return list(data.get("ses", {}).get("Message", []))


def sent_by_shop(tenant_id: str) -> dict[str, str]:
    """{SES message id: when it was sent} for the digests this shop's alerts record as sent, and
    the other emails its mail records name."""
    from chalicelib import db

    sent: dict[str, str] = {}
    after: str | None = None
    seen = 0
    while seen < MAX_ALERTS:
        items, after = db.query_alerts(tenant_id, 200, after)
        seen += len(items)
        for alert in items:
            if alert.get("message_id"):
                sent[str(alert["message_id"])] = str(alert.get("sent_at") or alert.get("created_at") or "")
        if not after:
            break
    # Other emails the shop sent (staff invitations, purchase orders) are recorded as mails.
    after, seen = None, 0
    while seen < MAX_ALERTS:
        mails, after = db.query_mails(tenant_id, 200, after)
        seen += len(mails)
        sent.update({str(m["message_id"]): str(m["sent_at"]) for m in mails if m.get("message_id")})
        if not after:
            break
    return sent


def shop_outbox(authorization: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """{"items": [...]} newest first: the messages the caller's shop sent, each with its send
    time. `authorization` is the request's Authorization header; a missing, forged or expired
    token raises Unauthorized, as the API does."""
    from chalicelib.auth import authenticate
    from chalicelib.errors import OwnerOnly

    identity = authenticate(authorization)
    if not identity.is_owner:  # the shop's emails include staff invitations' temporary passwords
        raise OwnerOnly()
    sent = sent_by_shop(identity.tenant_id)
    items = [
        {
            "id": m.get("id"),
            "from": m.get("source"),
            "to": (m.get("destinations") or {}).get("ToAddresses", []),
            "subject": m.get("subject"),
            "html": m.get("body"),
            "sent_at": sent[m["id"]],
        }
        for m in messages
        if m.get("id") in sent
    ]
    items.sort(key=lambda m: m["sent_at"], reverse=True)
    return {"items": items}
