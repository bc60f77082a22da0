"""`route()` does what it declares: it parses the body and query models it names and hands them
to the view, owns cursors, applies idempotency and hands the view the Idempotency-Key. Views
stay thin: none parses, pages or replays by hand."""

from __future__ import annotations

import ast
import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client
from pydantic import BaseModel

from chalicelib import http
from chalicelib.models import ListQuery, Strict
from tests.unit.conftest import register_shop

API_DIR = Path(__file__).resolve().parents[2] / "chalicelib" / "api"
BY_HAND = {"read_body", "read_query", "decode_cursor", "encode_cursor", "current_request", "header", "once",
           "b64encode", "b64decode", "urlsafe_b64encode", "urlsafe_b64decode", "model_validate", "model_dump"}


def test_no_view_parses_pages_or_replays_by_hand():
    for path in sorted(API_DIR.glob("*.py")):
        tree = ast.parse(path.read_text())
        names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        assert not names & BY_HAND, f"{path.name} does by hand what route() does: {sorted(names & BY_HAND)}"
        assert "base64" not in path.read_text() and "idempotency" not in {
            a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names
        }


def test_every_route_declares_what_its_view_takes(client):
    import app  # noqa: F401 - registers every route

    views = {}
    for module in ("alerts", "auth", "forecasts", "imports", "products", "purchasing", "reports", "sales", "system"):
        mod = __import__(f"chalicelib.api.{module}", fromlist=["bp"])
        for _, fn in inspect.getmembers(mod, inspect.isfunction):
            if hasattr(fn, "__wrapped__"):
                views[(fn.__wrapped__.__module__, fn.__wrapped__.__name__)] = inspect.signature(fn.__wrapped__)
    assert len(views) >= 30
    idempotent = {(d.method, d.path) for d in http.ROUTE_DOCS if d.idempotent}
    assert idempotent == {
        ("POST", "/sales"), ("POST", "/products/{sku}/stock"), ("POST", "/purchase-orders/{po_id}/receipts"),
        ("POST", "/sales/{sale_id}/returns"),
        ("POST", "/reorder-suggestions/orders"),
        ("POST", "/transfers"), ("POST", "/transfers/{transfer_id}/receive"),
    }
    for doc in http.ROUTE_DOCS:
        pages = doc.response is not None and "next_cursor" in doc.response.model_fields
        assert pages == (doc.cursor is not None), f"{doc.method} {doc.path}: a list owns its cursor"
        if pages:
            assert doc.query is not None and "cursor" in doc.query.model_fields
    for sig in views.values():
        params = sig.parameters
        if "position" in params:
            assert "query" in params


class Echo(Strict):
    word: str


class EchoQuery(ListQuery):
    flag: bool = False


class Things(BaseModel):
    items: list[int]
    next_cursor: str | None


@pytest.fixture
def test_app(monkeypatch) -> Iterator[tuple[Chalice, list[dict[str, Any]]]]:
    """A throwaway app whose views record what route() handed them (kept out of /openapi.json)."""
    monkeypatch.setattr(http, "ROUTE_DOCS", [])
    seen: list[dict[str, Any]] = []
    bp = Blueprint("edge_test")

    @http.route(bp, "/echo", "POST", summary="echo", body=Echo, query=EchoQuery, response=Echo, public=True)
    def echo(body: Echo, query: EchoQuery) -> Echo:
        seen.append({"body": body, "query": query})
        return body

    @http.route(bp, "/things", "GET", summary="list", response=Things, query=ListQuery, cursor="seq", public=True)
    def things(query: ListQuery, position: str | None) -> tuple[Things, int | None]:
        seen.append({"position": position, "limit": query.limit})
        return Things(items=[1, 2], next_cursor=None), 41 if position is None else None

    @http.route(bp, "/boxes/{box}", "POST", summary="once", body=Echo, response=Echo, status=201, idempotent=True)
    def box(identity: Any, box: str, body: Echo, idempotency_key: str | None) -> Echo:
        seen.append({"tenant": identity.tenant_id, "box": box, "key": idempotency_key})
        return Echo(word=f"{body.word}-{len(seen)}")

    app = Chalice(app_name="edge-route-test")
    app.register_blueprint(bp)
    yield app, seen


def test_route_hands_the_view_its_parsed_body_and_query(aws, test_app):
    app, seen = test_app
    with Client(app, stage_name="local") as c:
        reply = c.http.post("/echo?flag=true&limit=5", headers={"Content-Type": "application/json"},
                            body=json.dumps({"word": "hi"}))
        assert reply.status_code == 200 and json.loads(reply.body) == {"word": "hi"}
        assert seen[-1]["body"] == Echo(word="hi") and seen[-1]["query"].flag is True
        bad = c.http.post("/echo?limit=0", headers={"Content-Type": "application/json"}, body='{"word": 1}')
        assert bad.status_code == 422 and len(seen) == 1


def test_route_owns_the_cursor(aws, test_app):
    app, seen = test_app
    with Client(app, stage_name="local") as c:
        first = json.loads(c.http.get("/things").body)
        assert seen[-1]["position"] is None and first["next_cursor"]
        assert "41" not in first["next_cursor"]  # opaque
        second = json.loads(c.http.get(f"/things?cursor={first['next_cursor']}").body)
        assert seen[-1]["position"] == "41" and second["next_cursor"] is None
        forged = c.http.get("/things?cursor=eyJwIjoiwrIifQ")  # {"p":"²"}
        assert forged.status_code == 400 and json.loads(forged.body)["code"] == "bad_cursor"
        assert len(seen) == 2


def test_route_applies_idempotency_and_hands_the_view_the_key(client, test_app):
    app, seen = test_app
    shop = register_shop(client)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {shop.token}", "Idempotency-Key": "k-9"}
    with Client(app, stage_name="local") as c:
        first = c.http.post("/boxes/B1", headers=headers, body='{"word": "x"}')
        again = c.http.post("/boxes/B1", headers=headers, body='{"word": "x"}')
        other_box = c.http.post("/boxes/B2", headers=headers, body='{"word": "x"}')
        reused = c.http.post("/boxes/B1", headers=headers, body='{"word": "y"}')
        anonymous = c.http.post("/boxes/B1", headers={"Content-Type": "application/json"}, body='{"word": "x"}')
    assert first.status_code == 201 and again.status_code == 201
    assert json.loads(first.body) == json.loads(again.body) == {"word": "x-1"}
    assert seen[0] == {"tenant": shop.tenant_id, "box": "B1", "key": "k-9"}
    assert json.loads(other_box.body) == {"word": "x-2"}  # the key belongs to one box's operation
    assert reused.status_code == 422 and json.loads(reused.body)["code"] == "idempotency_key_reused"
    assert anonymous.status_code == 401
    assert len(seen) == 2


def test_auth_and_http_do_not_import_each_other():
    auth_source = (API_DIR.parent / "auth.py").read_text()
    assert "chalicelib.http" not in auth_source and "from chalicelib import http" not in auth_source
