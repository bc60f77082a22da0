from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import StaffIn, StaffMember, StaffPage
from chalicelib.services import staff

bp = Blueprint(__name__)


@route(
    bp, "/staff", "POST", summary="Invite someone to the shop (emailed a temporary password)", body=StaffIn,
    response=StaffMember, status=201,
)
def invite(identity: Identity, body: StaffIn) -> StaffMember:
    return staff.invite(identity, body)


@route(bp, "/staff", "GET", summary="The shop's people: owners and staff, invited or active", response=StaffPage)
def list_staff(identity: Identity) -> StaffPage:
    return staff.list_staff(identity)


@route(bp, "/staff/{user_id}", "DELETE", summary="Remove someone: their sign-ins stop within 60 s", status=204)
def remove(identity: Identity, user_id: str) -> None:
    staff.remove(identity, user_id)
