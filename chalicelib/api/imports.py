from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import ExportQuery, ImportQuery, ProductImportResult, SalesImportResult
from chalicelib.services import imports, reports

bp = Blueprint(__name__)


@route(
    bp,
    "/imports/products",
    "POST",
    summary="Import products from CSV (columns named like the product fields)",
    content_type="text/csv",
    response=ProductImportResult,
    query=ImportQuery,
)
def import_products(identity: Identity, body: bytes | None, query: ImportQuery) -> ProductImportResult:
    return imports.import_products(identity, body, query.dry_run)


@route(
    bp,
    "/imports/sales",
    "POST",
    summary="Import historical sales from CSV (Superstore columns)",
    content_type="text/csv",
    response=SalesImportResult,
    query=ImportQuery,
)
def import_sales(identity: Identity, body: bytes | None, query: ImportQuery) -> SalesImportResult:
    return imports.import_sales(identity, body, query.dry_run)


def _csv(text: str, filename: str) -> Response:
    return Response(
        body=text,
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


@route(bp, "/exports/products.csv", "GET", summary="All products as CSV", produces="text/csv")
def export_products(identity: Identity) -> Response:
    return _csv(imports.export_products(identity), "products.csv")


@route(
    bp,
    "/exports/sales.csv",
    "GET",
    summary="Sales lines between two dates as CSV",
    produces="text/csv",
    query=ExportQuery,
)
def export_sales(identity: Identity, query: ExportQuery) -> Response:
    first, last = reports.date_range(identity.tenant_id, query)
    return _csv(imports.export_sales(identity, first, last), f"sales-{first}-to-{last}.csv")
