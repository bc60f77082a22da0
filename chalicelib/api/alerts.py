from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import decode_cursor, encode_cursor, read_body, read_query, route
from chalicelib.models import AlertPage, AlertSettings, AlertSettingsIn, ListQuery
from chalicelib.services import alerts

bp = Blueprint(__name__)


@route(
    bp, "/settings/alerts", "GET", summary="Who gets low-stock emails, and whether they are on", response=AlertSettings
)
def get_alert_settings(identity: Identity) -> AlertSettings:
    return alerts.get_settings_for(identity)


@route(
    bp,
    "/settings/alerts",
    "PUT",
    summary="Set low-stock email recipients and switch",
    body=AlertSettingsIn,
    response=AlertSettings,
)
def put_alert_settings(identity: Identity) -> AlertSettings:
    return alerts.put_settings(identity, read_body(AlertSettingsIn))


@route(
    bp,
    "/alerts",
    "GET",
    summary="Low-stock emails sent, newest first",
    response=AlertPage,
    query={"limit": "integer", "cursor": "string"},
)
def list_alerts(identity: Identity) -> AlertPage:
    query = read_query(ListQuery)
    page, last = alerts.list_alerts(identity, query.limit, decode_cursor(query.cursor, "ulid"))
    page.next_cursor = encode_cursor(last)
    return page
