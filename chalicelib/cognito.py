"""Cognito user pool calls: create a shop's users, sign them in, refresh their tokens."""

from __future__ import annotations

from typing import Any

from chalicelib import aws
from chalicelib.errors import Conflict, Invalid, ServiceUnavailable, Unauthorized
from chalicelib.settings import get_settings

WRONG_LOGIN = "Email or password is incorrect."


def _idp() -> Any:
    return aws.client("cognito-idp")


def create_user(email: str, password: str, tenant_id: str, role: str) -> str:
    """Create a confirmed user who can sign in at once; returns the user's id (sub)."""
    idp = _idp()
    pool = get_settings().user_pool_id
    try:
        reply = idp.admin_create_user(
            UserPoolId=pool,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "custom:tenant_id", "Value": tenant_id},
                {"Name": "custom:role", "Value": role},
            ],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    except idp.exceptions.UsernameExistsException:
        raise Conflict("An account with this email already exists; sign in instead.", code="email_taken") from None
    except idp.exceptions.InvalidPasswordException as exc:
        _delete_quietly(email)
        raise Invalid(
            "The password does not meet the rules: " + exc.response["Error"].get("Message", ""),
            [{"field": "password", "message": "does not meet the password rules"}],
        ) from None
    attrs = {a["Name"]: a["Value"] for a in reply["User"].get("Attributes", [])}
    return attrs.get("sub", reply["User"]["Username"])


def _delete_quietly(email: str) -> None:
    try:
        _idp().admin_delete_user(UserPoolId=get_settings().user_pool_id, Username=email)
    except Exception:  # best effort clean-up of a half-made account: log, do not hide the first error
        from chalicelib.observability import logger

        logger.warning("could not remove a half-made account")


def login(email: str, password: str) -> dict[str, Any]:
    idp = _idp()
    try:
        reply = idp.initiate_auth(
            ClientId=get_settings().user_pool_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except (
        idp.exceptions.NotAuthorizedException,
        idp.exceptions.UserNotFoundException,
        idp.exceptions.UserNotConfirmedException,
        idp.exceptions.PasswordResetRequiredException,
    ):
        raise Unauthorized(WRONG_LOGIN, code="wrong_credentials") from None
    except idp.exceptions.TooManyRequestsException:
        raise ServiceUnavailable("Too many sign-in attempts; wait a minute and try again.") from None
    result = reply.get("AuthenticationResult")
    if not result:  # a challenge (new password, MFA) we do not support yet
        raise Unauthorized("This account needs a step we do not support here; contact support.", code="challenge")
    return result


def refresh(refresh_token: str) -> dict[str, Any]:
    idp = _idp()
    try:
        reply = idp.initiate_auth(
            ClientId=get_settings().user_pool_client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    except (idp.exceptions.NotAuthorizedException, idp.exceptions.UserNotFoundException):
        raise Unauthorized("Your session has ended; please sign in again.", code="invalid_refresh_token") from None
    return reply["AuthenticationResult"]
