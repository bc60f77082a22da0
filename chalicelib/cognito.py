"""Cognito user pool calls: create a shop's users, sign them in, refresh their tokens."""

from __future__ import annotations

from typing import Any

from chalicelib import aws
from chalicelib.errors import Conflict, Invalid, ServiceUnavailable, Unauthorized
from chalicelib.settings import get_settings

WRONG_LOGIN = "Email or password is incorrect."


def _idp() -> Any:
    return aws.client("cognito-idp")


def _attributes(email: str, tenant_id: str, role: str) -> list[dict[str, str]]:
    """A person's shop and role, carried in their tokens (the app trusts nothing else)."""
    return [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "custom:tenant_id", "Value": tenant_id},
        {"Name": "custom:role", "Value": role},
    ]


def create_user(email: str, password: str, tenant_id: str, role: str) -> str:
    """Create a confirmed user who can sign in at once; returns the user's id (sub)."""
    idp = _idp()
    pool = get_settings().user_pool_id
    try:
        reply = idp.admin_create_user(
            UserPoolId=pool,
            Username=email,
            UserAttributes=_attributes(email, tenant_id, role),
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
    if reply.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":  # first sign-in of an invited person
        return {"challenge": "new_password", "session": reply["Session"]}
    result = reply.get("AuthenticationResult")
    if not result:  # another challenge (MFA) we do not support yet
        raise Unauthorized("This account needs a step we do not support here; contact support.", code="challenge")
    return dict(result)


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


# --- staff: invited with a temporary password, made to choose their own on first sign-in ----


def invite_user(email: str, temporary_password: str, tenant_id: str, role: str) -> str:
    """Create a user who must choose a password at first sign-in; returns their id (sub).
    Cognito's own message is suppressed: the app sends the invitation (chalicelib.services.staff)."""
    idp = _idp()
    try:
        reply = idp.admin_create_user(
            UserPoolId=get_settings().user_pool_id,
            Username=email,
            TemporaryPassword=temporary_password,
            UserAttributes=_attributes(email, tenant_id, role),
            MessageAction="SUPPRESS",
        )
    except idp.exceptions.UsernameExistsException:
        # Said the same way whichever shop has it: nothing about another shop leaks.
        raise Conflict("This email already has a Shelfwise account; invite another address.", code="email_taken") \
            from None
    attrs = {a["Name"]: a["Value"] for a in reply["User"].get("Attributes", [])}
    return attrs.get("sub", reply["User"]["Username"])


def new_password(email: str, session: str, password: str) -> dict[str, Any]:
    """Answer the new-password challenge of a first sign-in; returns the tokens."""
    idp = _idp()
    try:
        reply = idp.respond_to_auth_challenge(
            ClientId=get_settings().user_pool_client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": password},
        )
    except idp.exceptions.InvalidPasswordException as exc:
        raise Invalid(
            "The password does not meet the rules: " + exc.response["Error"].get("Message", ""),
            [{"field": "new_password", "message": "does not meet the password rules"}],
        ) from None
    except (
        idp.exceptions.NotAuthorizedException,
        idp.exceptions.CodeMismatchException,
        idp.exceptions.ExpiredCodeException,
        idp.exceptions.UserNotFoundException,
        idp.exceptions.ResourceNotFoundException,  # moto: a session it does not know
        idp.exceptions.InvalidParameterException,
    ):
        raise Unauthorized(
            "This sign-in step has expired or does not match; sign in again with the emailed password.",
            code="invalid_session",
        ) from None
    result = reply.get("AuthenticationResult")
    if not result:
        raise Unauthorized("This account needs a step we do not support here; contact support.", code="challenge")
    return dict(result)


def remove_user(email: str) -> None:
    """End every session of a removed person (their refresh tokens stop working) and delete them,
    so the email can join a shop again. Their unexpired id tokens are refused by the app itself."""
    idp = _idp()
    pool = get_settings().user_pool_id
    try:
        idp.admin_user_global_sign_out(UserPoolId=pool, Username=email)
        idp.admin_delete_user(UserPoolId=pool, Username=email)
    except idp.exceptions.UserNotFoundException:
        pass  # already gone
