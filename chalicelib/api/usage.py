"""What the shop used this month and what it costs (owner)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import Usage, UsageQuery
from chalicelib.services import usage

bp = Blueprint(__name__)


@route(bp, "/usage", "GET", summary="The shop's metered usage in a month and its estimated cost (owner)",
       query=UsageQuery, response=Usage)
def get_usage(identity: Identity, query: UsageQuery) -> Usage:
    return usage.of_shop(identity, query.month)
