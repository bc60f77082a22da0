"""The shop's people: the owner invites staff (or another owner) by email, lists and removes them.

An invited person gets a Cognito user with the shop's tenant and role and a temporary password,
which we email ourselves through SES (Cognito's own message is suppressed: ours names the shop
and the sign-in link, and the local stack's outbox shows it). At first sign-in Cognito asks them
to choose a password (POST /auth/login answers with the new-password challenge). Each person
has a record under the shop (USER#<user id>): invited, active, or removed. Removal keeps the
record, so the sign-in check (chalicelib.auth.still_member) refuses their unexpired tokens.
"""

from __future__ import annotations

import re
import secrets
from html import escape
from typing import Any
from urllib.parse import quote

from chalicelib import clock, cognito, db, mail
from chalicelib.auth import Identity, forget_member
from chalicelib.errors import Conflict, NotFound, ServiceUnavailable
from chalicelib.models import StaffIn, StaffMember, StaffPage
from chalicelib.observability import count, logger
from chalicelib.settings import get_settings

# Cognito's temporary passwords last 7 days by default (the pool's TemporaryPasswordValidityDays).
TEMPORARY_DAYS = 7
USER_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
# Letters and digits that cannot be mistaken for each other when typed from an email on a phone.
_LOWER, _UPPER, _DIGITS = "abcdefghjkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789"


def temporary_password(length: int = 12) -> str:
    """A random password that meets the pool's rules (a lower-case and an upper-case letter, a digit)."""
    chars = [secrets.choice(_LOWER), secrets.choice(_UPPER), secrets.choice(_DIGITS)]
    chars += [secrets.choice(_LOWER + _UPPER + _DIGITS) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _member(item: dict[str, Any]) -> StaffMember:
    return StaffMember(
        user_id=item["user_id"], email=item["email"], role=item["role"], status=item["status"],
        invited_at=item.get("invited_at"),
    )


def _ensure_own_record(identity: Identity) -> None:
    """Owners who registered before staff existed have no record; give the caller one before a
    removal, which checks that the one removing is still an active member."""
    db.put_member(identity.tenant_id, {
        "user_id": identity.user_id, "email": identity.email, "role": identity.role, "status": "active",
        "activated_at": clock.now_iso(),
    })


def invitation(shop_name: str, email: str, password: str, role: str) -> tuple[str, str, str]:
    """(subject, text, html) of an invitation: where to sign in, the temporary password."""
    link = f"{get_settings().site_url.rstrip('/')}/#/login?email={quote(email)}"
    as_what = "an owner" if role == "owner" else "staff"
    subject = f"{shop_name} invited you to Shelfwise"
    text = "\n".join([
        f"{shop_name} has added you to Shelfwise as {as_what}.",
        "",
        f"Sign in at {link}",
        f"Email: {email}",
        f"Temporary password: {password}",
        "",
        f"You will choose your own password when you first sign in. The temporary password works for "
        f"{TEMPORARY_DAYS} days; after that, ask {shop_name} to invite you again.",
    ])
    html = f"""<!doctype html><html><body style="margin:0;padding:16px;font-family:system-ui,-apple-system,
Segoe UI,Roboto,sans-serif;color:#111;max-width:600px">
<h1 style="font-size:20px;margin:0 0 8px">{escape(shop_name)} invited you to Shelfwise</h1>
<p style="margin:0 0 12px">You have been added as {as_what}. Sign in with this email and temporary password;
you will choose your own password then.</p>
<p style="margin:0 0 4px">Email: <strong>{escape(email)}</strong></p>
<p style="margin:0 0 12px">Temporary password:
<strong data-temporary-password><code>{escape(password)}</code></strong></p>
<p style="margin:20px 0"><a href="{escape(link)}" style="display:inline-block;background:#0b6bcb;color:#fff;
padding:12px 18px;border-radius:8px;text-decoration:none;font-weight:600">Sign in</a></p>
<p style="color:#555;font-size:13px">The temporary password works for {TEMPORARY_DAYS} days; after that, ask
{escape(shop_name)} to invite you again.</p></body></html>"""
    return subject, text, html


def invite(identity: Identity, request: StaffIn) -> StaffMember:
    tenant = identity.tenant_id
    shop = db.get_shop(tenant)
    if shop is None:
        raise NotFound("This account's shop no longer exists.")
    password = temporary_password()
    user_id = cognito.invite_user(request.email, password, tenant, request.role)  # 409 if the email is taken
    item = {
        "user_id": user_id, "email": request.email, "role": request.role, "status": "invited",
        "invited_at": clock.now_iso(), "invited_by": identity.user_id,
    }
    try:
        db.put_member(tenant, item)
        subject, text, html = invitation(shop.get("shop_name", "Your shop"), request.email, password, request.role)
        mail.send_for_shop(tenant, "staff_invitation", user_id, to=[request.email], subject=subject, text=text,
                           html=html)
    except Exception as exc:
        # An invitation nobody receives is no invitation: undo it, so it can simply be sent again.
        # The error's type only: SES's messages can name the address, which is not ours to log.
        logger.warning("invitation not completed; undone", extra={"tenant_id": tenant, "error": type(exc).__name__})
        try:
            cognito.remove_user(request.email)
            db.delete_member(tenant, user_id)
        except Exception as undo:  # left half-made: the owner sees 409 if they retry, and can remove it
            logger.warning("could not undo a half-made invitation", extra={"error": type(undo).__name__})
        raise ServiceUnavailable("The invitation could not be sent just now; please try again.") from None
    count("StaffInvited")
    return _member(item)


def list_staff(identity: Identity) -> StaffPage:
    items = [i for i in db.query_members(identity.tenant_id) if i.get("status") != "removed"]
    if not any(i["user_id"] == identity.user_id for i in items):
        items.append({"user_id": identity.user_id, "email": identity.email, "role": identity.role, "status": "active"})
    # Owners first, then by email: what a person scans for.
    items.sort(key=lambda i: (i["role"] != "owner", i["email"]))
    return StaffPage(items=[_member(i) for i in items])


def remove(identity: Identity, user_id: str) -> None:
    tenant = identity.tenant_id
    if user_id == identity.user_id:
        # The caller is an owner (the route says so), so this also keeps the last owner in place.
        raise Conflict("You cannot remove yourself; another owner of the shop can.", code="cannot_remove_self")
    item = db.get_member(tenant, user_id) if USER_ID.fullmatch(user_id) else None
    if item is None or item.get("status") == "removed":
        raise NotFound(f"No one with id {user_id!r} in this shop.")
    _ensure_own_record(identity)
    try:
        db.remove_member(tenant, user_id, identity.user_id, clock.now_iso())
    except db.ConditionFailed as failed:
        if failed.reasons[1:2] == ["ConditionalCheckFailed"]:
            raise Conflict("You were removed from this shop meanwhile.", code="not_a_member") from None
        raise NotFound(f"No one with id {user_id!r} in this shop.") from None
    forget_member(tenant, user_id)
    # Refresh tokens stop at once; the account goes, so the email may join a shop again. The
    # record above already refuses their id tokens, so a failure here is logged, not raised.
    try:
        cognito.remove_user(item["email"])
    except Exception as exc:
        logger.warning("removed from the shop, but the sign-in account remains", extra={"error": type(exc).__name__})
    count("StaffRemoved")


def activate(tenant_id: str, user_id: str) -> None:
    db.activate_member(tenant_id, user_id, clock.now_iso())
