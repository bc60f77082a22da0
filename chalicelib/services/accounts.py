"""Shops and their people: register, sign in, who am I."""

from __future__ import annotations

from decimal import Decimal

from chalicelib import clock, cognito, db
from chalicelib.auth import Identity
from chalicelib.errors import NotFound
from chalicelib.models import (
    LoginIn,
    LoginOut,
    LoginReply,
    MeOut,
    NewPasswordChallenge,
    NewPasswordIn,
    RefreshIn,
    RefreshOut,
    RegisterIn,
    RegisterOut,
)
from chalicelib.observability import count, logger


def register(request: RegisterIn) -> RegisterOut:
    tenant_id = clock.new_id()
    # The shop first: if creating the user fails (email taken), we remove it again; the other
    # order could leave a user who signs in to a shop that does not exist.
    db.put_shop(
        tenant_id,
        {
            "tenant_id": tenant_id,
            "shop_name": request.shop_name,
            "timezone": request.timezone,
            "currency": request.currency,
            "owner_email": request.email,
            "alert_recipients": [request.email],
            "alerts_enabled": True,
            # Its stock value is kept as stock moves (shops from before this read their catalogue).
            "stock_value_kept": True,
            "created_at": clock.now_iso(),
        },
    )
    try:
        user_id = cognito.create_user(request.email, request.password, tenant_id, "owner")
    except Exception:
        db.delete_shop(tenant_id)
        raise
    db.put_member(tenant_id, {"user_id": user_id, "email": request.email, "role": "owner", "status": "active",
                            "activated_at": clock.now_iso()})
    count("ShopRegistered")
    logger.info("shop registered", extra={"tenant_id": tenant_id})
    return RegisterOut(tenant_id=tenant_id, email=request.email)


def login(request: LoginIn) -> LoginReply:
    result = cognito.login(request.email, request.password)
    if result.get("challenge") == "new_password":
        return LoginReply(NewPasswordChallenge(challenge="new_password", session=result["session"]))
    return LoginReply(
        LoginOut(id_token=result["IdToken"], refresh_token=result["RefreshToken"], expires_in=result["ExpiresIn"])
    )


def new_password(request: NewPasswordIn) -> LoginOut:
    """An invited person's first sign-in: their own password in, tokens out, and they are active."""
    from chalicelib.auth import verify_token
    from chalicelib.services import staff

    result = cognito.new_password(request.email, request.session, request.new_password)
    identity = verify_token(result["IdToken"])
    staff.activate(identity.tenant_id, identity.user_id)
    return LoginOut(id_token=result["IdToken"], refresh_token=result["RefreshToken"], expires_in=result["ExpiresIn"])


def refresh(request: RefreshIn) -> RefreshOut:
    result = cognito.refresh(request.refresh_token)
    return RefreshOut(id_token=result["IdToken"], expires_in=result["ExpiresIn"])


def me(identity: Identity) -> MeOut:
    shop = db.get_shop(identity.tenant_id)
    if shop is None:
        raise NotFound("This account's shop no longer exists.")
    return MeOut(
        tenant_id=identity.tenant_id,
        shop_name=shop["shop_name"],
        email=identity.email,
        role=identity.role,
        currency=shop.get("currency", "USD"),
        timezone=shop.get("timezone", "UTC"),
        prices_include_tax=bool(shop.get("prices_include_tax")),
        default_tax_rate=Decimal(shop.get("default_tax_rate") or 0),
    )
