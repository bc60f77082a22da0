"""HTTP views, one blueprint per area. Each view parses, calls a service and shapes the reply."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
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
def put_alert_settings(identity: Identity, body: AlertSettingsIn) -> AlertSettings:
    return alerts.put_settings(identity, body)


@route(
    bp,
    "/alerts",
    "GET",
    summary="Low-stock emails sent, newest first",
    response=AlertPage,
    query=ListQuery,
    cursor="ulid",
)
def list_alerts(identity: Identity, query: ListQuery, position: str | None) -> tuple[AlertPage, str | None]:
    return alerts.list_alerts(identity, query.limit, position)
