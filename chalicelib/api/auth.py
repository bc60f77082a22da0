from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import (
    LoginIn,
    LoginOut,
    LoginReply,
    MeOut,
    NewPasswordIn,
    RefreshIn,
    RefreshOut,
    RegisterIn,
    RegisterOut,
)
from chalicelib.services import accounts

bp = Blueprint(__name__)


@route(
    bp,
    "/auth/register",
    "POST",
    summary="Register a shop and its owner",
    body=RegisterIn,
    response=RegisterOut,
    status=201,
    public=True,
)
def register(body: RegisterIn) -> RegisterOut:
    return accounts.register(body)


@route(
    bp, "/auth/login", "POST", summary="Sign in with email and password (or be asked to choose a password)",
    body=LoginIn, response=LoginReply, public=True,
)
def login(body: LoginIn) -> LoginReply:
    return accounts.login(body)


@route(
    bp, "/auth/new-password", "POST", summary="First sign-in: choose a password in place of the emailed one",
    body=NewPasswordIn, response=LoginOut, public=True,
)
def new_password(body: NewPasswordIn) -> LoginOut:
    return accounts.new_password(body)


@route(
    bp,
    "/auth/refresh",
    "POST",
    summary="Exchange a refresh token for a new id token",
    body=RefreshIn,
    response=RefreshOut,
    public=True,
)
def refresh(body: RefreshIn) -> RefreshOut:
    return accounts.refresh(body)


@route(bp, "/me", "GET", summary="The signed-in user and their shop", response=MeOut, staff=True)
def me(identity: Identity) -> MeOut:
    return accounts.me(identity)
