"""Locations and transfers between them (API.md, Wave 2: Locations)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import (
    Location,
    LocationIn,
    LocationList,
    StockByLocationReport,
    Transfer,
    TransferIn,
    TransferPage,
    TransferQuery,
    TransferReceiveIn,
)
from chalicelib.services import locations, transfers

bp = Blueprint(__name__)


@route(bp, "/locations", "GET", summary="The shop's locations, the first (Main) first", response=LocationList,
       staff=True)  # fmt: skip
def list_locations(identity: Identity) -> LocationList:
    return locations.list_locations(identity)


@route(bp, "/locations", "POST", summary="Add a location", body=LocationIn, response=Location, status=201)
def create_location(identity: Identity, body: LocationIn) -> Location:
    return locations.create(identity, body)


@route(bp, "/locations/{location_id}", "DELETE", summary="Delete an empty location", status=204)
def delete_location(identity: Identity, location_id: str) -> None:
    locations.delete(identity, location_id)


@route(
    bp, "/transfers", "POST", summary="Send stock to another location (it leaves the sender at once)",
    body=TransferIn, response=Transfer, status=201, idempotent=True, staff=True,
)
def send_transfer(identity: Identity, body: TransferIn, idempotency_key: str | None) -> Transfer:
    return transfers.send(identity, body, key=idempotency_key)


@route(
    bp, "/transfers", "GET", summary="Transfers, newest first (?status=open: not fully received)",
    response=TransferPage, query=TransferQuery, cursor="ulid", staff=True,
)
def list_transfers(identity: Identity, query: TransferQuery, position: str | None) -> tuple[TransferPage, str | None]:
    return transfers.list_transfers(identity, query.status, query.limit, position)


@route(bp, "/transfers/{transfer_id}", "GET", summary="One transfer", response=Transfer, staff=True)
def get_transfer(identity: Identity, transfer_id: str) -> Transfer:
    return transfers.get(identity, transfer_id)


@route(
    bp, "/transfers/{transfer_id}/receive", "POST",
    summary="Receive a transfer at its location, in full ({}) or in part ({\"lines\": [...]})",
    body=TransferReceiveIn, response=Transfer, idempotent=True, staff=True,
)
def receive_transfer(
    identity: Identity, transfer_id: str, body: TransferReceiveIn, idempotency_key: str | None
) -> Transfer:
    return transfers.receive(identity, transfer_id, body, key=idempotency_key)


@route(
    bp, "/reports/stock-by-location", "GET", summary="Units and stock value per location and in transit",
    response=StockByLocationReport,
)
def stock_by_location(identity: Identity) -> StockByLocationReport:
    return locations.stock_report(identity)
