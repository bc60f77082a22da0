"""Imports of any size: the upload goes straight to S3; these views start one and report on it."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.auth import Identity
from chalicelib.http import route
from chalicelib.models import (
    ImportCreate,
    ImportCreated,
    ImportPage,
    ImportPreview,
    ImportPreviewIn,
    ImportStatus,
    ListQuery,
)
from chalicelib.services import bigimports

bp = Blueprint(__name__)


@route(bp, "/imports", "POST", summary="Start an import of any size: a presigned S3 POST to upload the file to",
       body=ImportCreate, response=ImportCreated, status=201)
def create_import(identity: Identity, body: ImportCreate) -> ImportCreated:
    return bigimports.create(identity, body)


@route(bp, "/imports/preview", "POST", summary="A file's layout from its header, or a column mapping to confirm",
       body=ImportPreviewIn, response=ImportPreview)
def preview_import(identity: Identity, body: ImportPreviewIn) -> ImportPreview:
    return bigimports.preview(identity, body)


@route(bp, "/imports", "GET", summary="This shop's imports, newest first", response=ImportPage, query=ListQuery,
       cursor="ulid")
def shop_imports(identity: Identity, query: ListQuery, position: str | None) -> tuple[ImportPage, str | None]:
    return bigimports.imports_page(identity, query.limit, position)


@route(bp, "/imports/{import_id}", "GET", summary="An import's progress, counts and row errors",
       response=ImportStatus)
def get_import(identity: Identity, import_id: str) -> ImportStatus:
    return bigimports.get(identity, import_id)
