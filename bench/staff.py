"""Staff and supplier emails: DynamoDB requests and capacity units of an invitation, a first
sign-in, the check that a signed-in person still belongs to their shop (what it adds to every
request: a first request and one within the check period), a removal, and placing a purchase
order that is emailed to the supplier. Measured on DynamoDB Local, the app in-process and metered
(bench/meter.py), as bench/dynamodb_ops.py does; Cognito and SES are moto's server.

    .venv/bin/python -m bench.staff
"""

from __future__ import annotations

import re
import sys
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dynamodb_ops import PASSWORD, Bench  # noqa: E402
from bench.harness import local_stack, metered_app  # noqa: E402

CHOSEN = "Bench-staff-pass1"  # noqa: S105 - a throwaway local account


def _temporary_password(stack: Any, email: str) -> str:
    from local.outbox import moto_messages

    [mail] = [m for m in moto_messages(stack.moto_url) if email in (m.get("destinations") or {}).get("ToAddresses", [])]
    found = re.search(r"Temporary password:\s*(?:<[^>]+>\s*)*([A-Za-z0-9]{8,})", mail["body"])
    if not found:
        raise RuntimeError("the invitation carries no temporary password")
    return found.group(1)


def run(stack: Any) -> list[dict[str, Any]]:
    from chalicelib import auth

    with metered_app(stack) as (client, meter):
        owner = Bench(client, meter)
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        owner.call("POST", "/auth/register", {"shop_name": "Bench staff shop", "email": email, "password": PASSWORD})
        owner.token = owner.call("POST", "/auth/login", {"email": email, "password": PASSWORD})["id_token"]

        staff_email = f"staff-{uuid.uuid4().hex[:8]}@example.com"
        auth._members.clear()
        member = owner.measure("staff: invite (POST /staff, with its email)", "POST", "/staff",
                               {"email": staff_email, "role": "staff"})
        first = owner.call("POST", "/auth/login", {"email": staff_email,
                                                   "password": _temporary_password(stack, staff_email)})
        tokens = owner.measure("staff: first sign-in's new password", "POST", "/auth/new-password",
                               {"email": staff_email, "session": first["session"], "new_password": CHOSEN})
        clerk = Bench(client, meter)
        clerk.rows = owner.rows
        clerk.token = tokens["id_token"]
        auth._members.clear()
        clerk.measure("sign-in check: GET /me, first in the check period", "GET", "/me")
        clerk.measure("sign-in check: GET /me, again within it (cached)", "GET", "/me")
        owner.measure("staff: list", "GET", "/staff")
        owner.measure("staff: remove", "DELETE", f"/staff/{member['user_id']}")

        owner.call("POST", "/products", {"sku": "S-1", "name": "Bench item", "price": "3", "unit_cost": "1"})
        supplier = owner.call("POST", "/suppliers", {"name": "Bench Supplies", "email": "orders@bench.example"})
        po = owner.call("POST", "/purchase-orders", {
            "supplier_id": supplier["supplier_id"],
            "lines": [{"sku": "S-1", "quantity": 10, "unit_cost": "1"}],
        })
        owner.measure("purchase order: mark ordered, emailed to the supplier", "POST",
                      f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
        owner.measure("purchase order: the same call repeated (nothing sent)", "POST",
                      f"/purchase-orders/{po['po_id']}/status", {"status": "ordered"})
    return owner.rows


if __name__ == "__main__":
    with local_stack() as stack:
        for r in run(stack):
            by = ", ".join(f"{k} {v}" for k, v in r.get("by_operation", {}).items())
            print(f"{r['operation']:<58} {r['requests']:>3} requests  {r['read_units']:>5} RU  "
                  f"{r['write_units']:>5} WU  ({by})")
