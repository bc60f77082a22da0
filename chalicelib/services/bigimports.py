"""Imports of any size: the file goes straight to S3, and is read in the background in chunks.

1. `create`: an import record (waiting_for_upload) and a presigned POST that lets the browser put
   exactly one object, under this shop's prefix, of at most the declared size.
2. The upload's S3 event (through the imports queue: `handle_message`) starts the work; `run`
   reads the file as a stream from its place (a byte offset and a row), a chunk of whole orders at
   a time. Each chunk's orders go in all-or-nothing per order (the sales import's transactions),
   then the place moves on with the chunk's counts in one conditional write. A run that dies (a
   timeout, a crash) is followed by another that starts at the last place: the orders it had
   written are recognised by their sale ids (derived from the order ids) and counted, once, as
   this import's.
3. A run stops after a time budget and hands on through SQS, so no file is too long for Lambda.

Rows refused are kept per chunk in S3 and joined at the end into one CSV to download and fix.
"""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib import aws, clock, db, usage
from chalicelib.auth import Identity
from chalicelib.errors import AppError, BadRequest, Invalid, NotFound, PayloadTooLarge
from chalicelib.models import ImportCreate, ImportCreated, ImportPage, ImportPreview, ImportPreviewIn, ImportStatus
from chalicelib.observability import count, logger
from chalicelib.services import layouts
from chalicelib.settings import get_settings

CHUNK_ROWS = 1000  # rows per chunk (more when an order runs past it: a chunk ends between orders)
CHUNK_BYTES = 2_000_000  # and at most this much of the file (as rows go: at a row's end)
RUN_SECONDS = 240.0  # a run's budget; the function's timeout is 300 s
CHUNK_SECONDS = 60.0  # what one chunk may take at worst: no chunk starts with less left
LEASE_SECONDS = 300  # a run holds the import this long; the queue's visibility timeout is longer
UPLOAD_SECONDS = 900
MAX_COLUMNS = 200
MAX_RECORD_BYTES = 1_000_000
MAX_ERRORS = 1000
PIECE_BYTES = 256 * 1024
UPLOAD_PREFIX = "imports/"
REFUSED_PREFIX = "refused/"
# What a file that is not text starts with (spreadsheets, archives, documents, images).
NOT_CSV = {
    b"PK\x03\x04": "a spreadsheet or archive (.xlsx, .zip)",
    b"\xd0\xcf\x11\xe0": "an Excel 97-2003 spreadsheet (.xls)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}


class BadFile(Exception):
    """The file cannot be imported at all; the import fails with this reason."""


def _s3() -> Any:
    return aws.client("s3")


def upload_key(tenant_id: str, import_id: str) -> str:
    return f"{UPLOAD_PREFIX}{tenant_id}/{import_id}.csv"


def _refused_key(tenant_id: str, import_id: str, first_row: int | None = None) -> str:
    tail = f"/{first_row:012d}.csv" if first_row is not None else ".csv"
    return f"{REFUSED_PREFIX}{tenant_id}/{import_id}{tail}"


# --- the API side -------------------------------------------------------------------------------


def create(identity: Identity, request: ImportCreate) -> ImportCreated:
    settings = get_settings()
    if request.bytes > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"The file is {request.bytes / 1e6:.1f} MB; an import can take at most "
            f"{settings.max_upload_bytes / 1e6:.0f} MB. Split it (keep the header row in each part)."
        )
    if request.columns is not None:
        wrong = layouts.problems(request.kind, request.columns)
        if wrong:
            raise Invalid("The column mapping is not complete: " + "; ".join(
                f"{p['field']}: {p['message']}" for p in wrong) + ".", wrong)
        db.update_shop(identity.tenant_id, {f"import_columns_{request.kind}": request.columns})
    now = clock.now()
    import_id = clock.new_id(now)
    key = upload_key(identity.tenant_id, import_id)
    expires = now + timedelta(seconds=UPLOAD_SECONDS)
    db.put_import(identity.tenant_id, {
        "import_id": import_id, "kind": request.kind, "filename": request.filename, "bytes": request.bytes,
        "columns": request.columns, "day_first": request.day_first, "status": "waiting_for_upload",
        "user_id": identity.user_id, "created_at": clock.iso(now), "expires_at": clock.iso(expires),
        "next_offset": 0, "next_row": 1, "rows_total": 0, "rows_done": 0, "error_count": 0,
    })
    # The policy pins the key (this shop's prefix, this import) and the size: the browser can put
    # this one file and nothing else, nowhere else, no bigger than it said.
    post = _s3().generate_presigned_post(
        Bucket=settings.imports_bucket, Key=key,
        Conditions=[["content-length-range", 1, request.bytes]], ExpiresIn=UPLOAD_SECONDS,
    )
    count("ImportsCreated")
    return ImportCreated(import_id=import_id, upload={"url": post["url"], "fields": post["fields"]},
                         expires_at=clock.iso(expires))


def preview(identity: Identity, request: ImportPreviewIn) -> ImportPreview:
    """What the site shows before an upload: the layout recognised from the header, or a mapping
    to confirm (this shop's last one if it fits the file, else suggested from the column names)."""
    header = [h.strip() for h in request.header]
    layout = _layout(request.kind, header, None)
    columns: dict[str, str] = {}
    remembered = False
    if layout is None:
        shop = db.get_shop(identity.tenant_id) or {}
        kept = shop.get(f"import_columns_{request.kind}") or {}
        if kept and all(c in header for c in kept.values()):
            columns, remembered = dict(kept), True
        else:
            columns = layouts.suggest(request.kind, header)
    return ImportPreview(kind=request.kind, layout=layout, columns=columns, remembered=remembered,
                         fields=list(layouts.FIELDS[request.kind]),
                         problems=layouts.problems(request.kind, columns, header) if layout is None else [])


def _layout(kind: str, header: list[str], columns: dict[str, str] | None) -> str | None:
    from chalicelib.services import imports

    if columns:
        return "mapped"
    if kind == "sales":
        return imports.sales_layout(header)
    return "products" if "sku" in {imports._field(h) for h in header} else None


def get(identity: Identity, import_id: str) -> ImportStatus:
    item = db.get_import(identity.tenant_id, import_id) if _is_id(import_id) else None
    if item is None:
        raise NotFound(f"No import {import_id!r} in this shop.")
    return _status(identity.tenant_id, item, with_errors=True)


def imports_page(identity: Identity, limit: int, after: str | None) -> tuple[ImportPage, str | None]:
    items, last = db.query_imports(identity.tenant_id, limit, after)
    return ImportPage(items=[_status(identity.tenant_id, i, with_errors=False) for i in items],
                      next_cursor=None), last


def _is_id(text: str) -> bool:
    return len(text) == 26 and text.isalnum()


def _status(tenant_id: str, item: dict[str, Any], with_errors: bool) -> ImportStatus:
    errors = db.import_errors(tenant_id, item["import_id"], MAX_ERRORS) if with_errors else []
    url = None
    if with_errors and item["status"] in ("done", "failed") and db.as_int(item.get("error_count")):
        url = _s3().generate_presigned_url(
            "get_object", ExpiresIn=3600,
            Params={"Bucket": get_settings().imports_bucket, "Key": _refused_key(tenant_id, item["import_id"]),
                    "ResponseContentDisposition": 'attachment; filename="refused-rows.csv"'},
        )
    counts = {k: db.as_int(item.get(k)) for k in ("rows_total", "rows_done", "created", "updated", "sales", "lines",
                                                  "already_imported", "products_created", "error_count", "returns")}
    return ImportStatus(
        import_id=item["import_id"], kind=item["kind"], filename=item["filename"], status=item["status"],
        layout=item.get("layout"), errors=errors, refused_rows_url=url, reason=item.get("reason"),
        created_at=item["created_at"], started_at=item.get("started_at"), finished_at=item.get("finished_at"),
        **counts,
    )


# --- the background side ------------------------------------------------------------------------


def uploaded(bucket: str, key: str) -> str:
    """An upload landed (its S3 event): run its import."""
    if bucket != get_settings().imports_bucket or not key.startswith(UPLOAD_PREFIX):
        return "ignored"
    parts = key[len(UPLOAD_PREFIX):].removesuffix(".csv").split("/")
    if len(parts) != 2 or not _is_id(parts[1]):
        return "ignored"
    return run(parts[0], parts[1])


def handle_message(body: str) -> str:
    """A message of the imports queue: an S3 event (an upload landed) or a run handing on."""
    from urllib.parse import unquote_plus

    message = json.loads(body)
    if "Records" in message:
        outcomes = [uploaded(r["s3"]["bucket"]["name"], unquote_plus(r["s3"]["object"]["key"]))
                    for r in message["Records"] if "s3" in r]
        return ",".join(outcomes) or "ignored"
    if "tenant_id" in message and "import_id" in message:
        return run(message["tenant_id"], message["import_id"])
    return "ignored"  # S3's test event when notifications are switched on


def _hand_on(tenant_id: str, import_id: str) -> None:
    aws.client("sqs").send_message(QueueUrl=get_settings().imports_queue_url,
                                   MessageBody=json.dumps({"tenant_id": tenant_id, "import_id": import_id}))


@dataclass
class Record:
    """One CSV record of the file: where it starts, its first line, how many lines, its bytes."""

    offset: int
    row: int
    lines: int
    data: bytes


def records(pieces: Iterator[bytes], offset: int, row: int) -> Iterator[Record]:
    """The file's records from `offset` (which starts a record, on line `row`). A record ends at
    a line end outside quotes, so a quoted cell may hold line breaks."""
    pending = bytearray()
    quotes = lines = 0
    for piece in pieces:
        at = 0
        while True:
            end = piece.find(b"\n", at)
            if end < 0:
                pending += piece[at:]
                quotes += piece.count(b'"', at)
                break
            pending += piece[at:end + 1]
            quotes += piece.count(b'"', at, end + 1)
            lines += 1
            at = end + 1
            if quotes % 2 == 0:
                yield Record(offset, row, lines, bytes(pending))
                offset += len(pending)
                row += lines
                pending.clear()
                quotes = lines = 0
            if len(pending) > MAX_RECORD_BYTES:
                break
        if len(pending) > MAX_RECORD_BYTES:
            raise BadFile(f"Row {row} is longer than {MAX_RECORD_BYTES // 1_000_000} MB: this is not a CSV file "
                          "a till or spreadsheet writes (or a quote is never closed).")
    if pending:
        yield Record(offset, row, lines + 1, bytes(pending))


def _pieces(tenant_id: str, item: dict[str, Any], offset: int) -> Iterator[bytes]:
    params: dict[str, Any] = {"Bucket": get_settings().imports_bucket, "Key": upload_key(tenant_id, item["import_id"])}
    if item.get("etag"):
        params["IfMatch"] = item["etag"]  # the file read is the file the import started on
    if offset:
        params["Range"] = f"bytes={offset}-"
    client = _s3()
    try:
        body = client.get_object(**params)["Body"]
    except client.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in ("PreconditionFailed", "412"):
            raise BadFile("The file was replaced while it was being imported; start a new import.") from None
        if code in ("InvalidRange", "416"):
            return
        if code in ("NoSuchKey", "404"):
            raise BadFile("The uploaded file is no longer there (uploads are kept a week); upload it again.") from None
        raise
    yield from body.iter_chunks(PIECE_BYTES)


def run(tenant_id: str, import_id: str, seconds: float = RUN_SECONDS, chunks: int | None = None) -> str:
    """Work on an import for up to `seconds` (or `chunks` chunks): 'done', 'failed', 'more'
    (handed on), or 'busy' (another run holds it, or there is nothing to do). What it costs in
    DynamoDB counts to the shop's usage (a 500,000-line history is a few million write units)."""
    with usage.charged_to(tenant_id):
        return _run(tenant_id, import_id, seconds, chunks)


def _run(tenant_id: str, import_id: str, seconds: float, chunks: int | None) -> str:
    started = time.monotonic()
    worker = uuid.uuid4().hex
    now = clock.now()
    item = db.claim_import(tenant_id, import_id, worker, clock.iso(now),
                           clock.iso(now + timedelta(seconds=LEASE_SECONDS)))
    if item is None:
        return "busy"
    try:
        if item["status"] == "waiting_for_upload":
            item = _start(tenant_id, item, worker)
            if item is None:
                return "busy"
        header = _header_bytes(tenant_id, item)
        item["_header"] = header
        item["_key_of"] = _order_key(item, _cells(header, header))
        stream = records(_pieces(tenant_id, item, db.as_int(item["next_offset"])), db.as_int(item["next_offset"]),
                         db.as_int(item["next_row"]))
        waiting: Record | None = None
        while True:
            if time.monotonic() - started > seconds - CHUNK_SECONDS or chunks == 0:
                db.update_import(tenant_id, import_id, {"lease_until": ""}, worker=worker)  # the next run may start
                if get_settings().imports_queue_url:
                    _hand_on(tenant_id, import_id)
                return "more"
            chunk, waiting = _next_chunk(stream, waiting, item)
            if not chunk:
                _finish(tenant_id, item, worker)
                return "done"
            if not _import_chunk(tenant_id, item, worker, header, chunk):
                return "busy"  # another run counted this chunk: it carries on
            item["next_offset"] = chunk[-1].offset + len(chunk[-1].data)
            chunks = None if chunks is None else chunks - 1
    except (BadFile, Invalid, BadRequest) as exc:
        _fail(tenant_id, import_id, worker, exc.message if isinstance(exc, AppError) else str(exc))
        return "failed"


def _start(tenant_id: str, item: dict[str, Any], worker: str) -> dict[str, Any] | None:
    """The upload is there: check it is a CSV file of a layout we read, count its lines."""
    client = _s3()
    try:
        head = client.head_object(Bucket=get_settings().imports_bucket, Key=upload_key(tenant_id, item["import_id"]))
    except client.exceptions.ClientError:
        db.update_import(tenant_id, item["import_id"], {"lease_until": ""}, worker=worker)
        return None  # not uploaded yet: the upload's own event will start it
    item["etag"] = head["ETag"]
    size = int(head["ContentLength"])
    if size == 0:
        raise BadFile("The file is empty; send a CSV file with a header row.")
    if size > db.as_int(item["bytes"]):  # S3 refuses it by the upload's policy; in case it did not
        raise BadFile(f"The file is {size:,} bytes, more than the {db.as_int(item['bytes']):,} declared; "
                      "start a new import with its real size.")
    first = next(_pieces(tenant_id, {**item, "etag": head["ETag"]}, 0), b"")[:4096]
    for magic, what in NOT_CSV.items():
        if first.startswith(magic):
            raise BadFile(f"The file is {what}, not a CSV file: save it as CSV (comma-separated) and import that.")
    if b"\x00" in first:
        raise BadFile("The file is not text (it has NUL bytes): save it as CSV and import that.")
    stream = records(_pieces(tenant_id, item, 0), 0, 1)
    header_record = next(stream, None)
    if header_record is None:
        raise BadFile("The file is empty; send a CSV file with a header row.")
    header = _cells(header_record.data, header_record.data)
    if not any(header):
        raise BadFile("The file's first line is empty; it must name the columns.")
    if len(header) > MAX_COLUMNS:
        raise BadFile(f"The file has {len(header)} columns; an import reads at most {MAX_COLUMNS}.")
    columns = item.get("columns") or None
    layout = _layout(item["kind"], header, columns)
    if columns:
        wrong = layouts.problems(item["kind"], columns, header)
        if wrong:
            raise BadFile("The column mapping does not fit the file: " + "; ".join(
                f"{p['field']}: {p['message']}" for p in wrong) + ".")
    if layout is None:
        needs = "a 'sku' column" if item["kind"] == "products" else "the Superstore or Shelfwise columns"
        raise BadFile(f"The file's layout is not one Shelfwise recognises ({needs}); "
                      "choose which of its columns holds what (a column mapping) and import it again.")
    lines, last = 0, b"\n"
    for piece in _pieces(tenant_id, item, len(header_record.data)):
        lines += piece.count(b"\n")
        last = piece[-1:] or last
    started = db.update_import(tenant_id, item["import_id"], {
        "status": "processing", "started_at": clock.now_iso(), "etag": head["ETag"], "layout": layout,
        "header_end": len(header_record.data), "next_offset": len(header_record.data),
        "next_row": 1 + header_record.lines, "rows_total": lines + (0 if last == b"\n" else 1),
        "size": size, "header_lines": header_record.lines,
    }, status_in=("waiting_for_upload",), worker=worker)
    if started is not None:
        logger.info("import started", extra={"import_id": item["import_id"], "layout": layout, "bytes": size})
    return started


def _header_bytes(tenant_id: str, item: dict[str, Any]) -> bytes:
    end = db.as_int(item["header_end"])
    client = _s3()
    try:
        reply = client.get_object(Bucket=get_settings().imports_bucket, Key=upload_key(tenant_id, item["import_id"]),
                                  Range=f"bytes=0-{end - 1}", IfMatch=item["etag"])
    except client.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412", "NoSuchKey", "404"):
            raise BadFile("The file was replaced or removed while it was being imported; start a new import.") \
                from None
        raise
    return bytes(reply["Body"].read())


def _cells(header_data: bytes, data: bytes) -> list[str]:
    from chalicelib import csvfiles

    text = csvfiles.decode(data).lstrip("\ufeff")
    separator = csvfiles.separator(csvfiles.decode(header_data).lstrip("\ufeff").split("\n", 1)[0])
    try:
        return [c.strip() for c in next(csv.reader(io.StringIO(text, newline=""), delimiter=separator), [])]
    except csv.Error as exc:
        raise BadFile(f"The file cannot be read as CSV: {exc}.") from None


def _order_key(item: dict[str, Any], header: list[str]) -> Any:
    """How to tell a row's order (a chunk ends only between orders), or None (any row may end it)."""
    if item["kind"] != "sales":
        return None
    columns = item.get("columns") or {}
    if columns:
        names = [columns["order_id"]] if "order_id" in columns else []
    elif item.get("layout") == "own":
        names = ["external_id", "sale_id"]
    else:
        names = ["Order ID"]
    places = [header.index(n) for n in names if n in header]
    if not places:
        return None
    return lambda cells: next((cells[i] for i in places if i < len(cells) and cells[i]), "")


def _next_chunk(
    stream: Iterator[Record], waiting: Record | None, item: dict[str, Any]
) -> tuple[list[Record], Record | None]:
    """The next chunk of whole orders, and the record read past its end (the next chunk's first)."""
    header = item["_header"]
    key_of = item["_key_of"]
    chunk: list[Record] = [waiting] if waiting else []
    size = len(waiting.data) if waiting else 0
    last_key = key_of(_cells(header, waiting.data)) if waiting and key_of else None
    for record in stream:
        if not record.data.strip():
            chunk.append(record)  # a blank line: skipped, but part of the place
            continue
        full = len(chunk) >= CHUNK_ROWS or size >= CHUNK_BYTES
        if key_of is not None:
            key = key_of(_cells(header, record.data))
            if full and key != last_key:
                return chunk, record
            last_key = key
        elif full:
            return chunk, record
        chunk.append(record)
        size += len(record.data)
    return chunk, None


def _import_chunk(tenant_id: str, item: dict[str, Any], worker: str, header: bytes, chunk: list[Record]) -> bool:
    from chalicelib import csvfiles
    from chalicelib.services import imports

    raw = header + b"".join(r.data for r in chunk)
    if not raw.endswith(b"\n"):
        raw += b"\n"
    # Rows as the chunk's reader numbers them (a record's last line) -> rows as the file does.
    to_file: dict[int, int] = {}
    line = db.as_int(item["header_lines"])
    for record in chunk:
        line += record.lines
        to_file[line] = record.row + record.lines - 1
    header_cells, rows = csvfiles.rows(raw)
    decimal_comma = csvfiles.file_separator(header) == ";"
    columns = item.get("columns") or {}
    adds: dict[str, int] = {"rows_done": sum(1 for r in chunk if r.data.strip())}
    identity = Identity(tenant_id=tenant_id, user_id=item.get("user_id") or "import", email="", role="owner")
    if item["kind"] == "sales":
        mapped = layouts.SalesMapping(columns, bool(item.get("day_first"))) if columns else None
        sales_result = imports.sales_rows(tenant_id, header_cells, rows, decimal_comma, import_id=item["import_id"],
                                          chunk_at=db.as_int(item["next_offset"]), mapped=mapped)
        errors = sales_result.errors
        adds.update(sales=sales_result.sales, lines=sales_result.lines,
                    already_imported=sales_result.already_imported, products_created=sales_result.products_created,
                    returns=sales_result.returns)
    else:
        if columns:  # the file's columns renamed to the fields they hold
            raw = _renamed_header(header, columns) + raw[len(header):]
        product_result = imports.import_products(identity, raw, dry_run=False)
        errors = [e.model_copy(update={"column": columns.get(e.column, e.column)}) for e in product_result.errors]
        adds.update(created=product_result.created, updated=product_result.updated)
    found = [{"row": to_file.get(e.row, e.row), "column": e.column, "message": e.message} for e in errors]
    adds["error_count"] = len(found)
    first_row = chunk[0].row
    if found:
        refused = {e["row"] for e in found}
        body = b"".join(r.data if r.data.endswith(b"\n") else r.data + b"\n"
                        for r in chunk if r.row + r.lines - 1 in refused)
        key = _refused_key(tenant_id, item["import_id"], first_row)
        _s3().put_object(Bucket=get_settings().imports_bucket, Key=key, Body=body, ContentType="text/csv")
    kept = max(MAX_ERRORS - db.as_int(item.get("error_count")), 0)
    next_offset = chunk[-1].offset + len(chunk[-1].data)
    moved = db.import_progress(
        tenant_id, item["import_id"], worker=worker, offset=db.as_int(item["next_offset"]),
        sets={"next_offset": next_offset, "next_row": chunk[-1].row + chunk[-1].lines,
              "lease_until": clock.iso(clock.now() + timedelta(seconds=LEASE_SECONDS))},
        adds=adds, errors=(first_row, found[:kept]),
    )
    if moved:
        item["error_count"] = db.as_int(item.get("error_count")) + len(found)
        item["next_row"] = chunk[-1].row + chunk[-1].lines
    return moved


def _renamed_header(header: bytes, columns: dict[str, str]) -> bytes:
    from chalicelib import csvfiles

    field_of = {column: field for field, column in columns.items()}
    text = csvfiles.decode(header).lstrip("\ufeff")
    separator = csvfiles.separator(text.split("\n", 1)[0])
    cells = next(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\n").writerow(
        [field_of.get(c.strip(), f"unused {c}") for c in cells])
    return out.getvalue().encode()


def _finish(tenant_id: str, item: dict[str, Any], worker: str) -> None:
    """Join the refused rows into one file, mark the import done, let go of the upload."""
    settings = get_settings()
    import_id = item["import_id"]
    if db.as_int(item.get("error_count")):
        header = item.get("_header") or _header_bytes(tenant_id, item)
        prefix = _refused_key(tenant_id, import_id).removesuffix(".csv") + "/"
        body = bytearray(header if header.endswith(b"\n") else header + b"\n")
        client = _s3()
        listing: dict[str, Any] = {"Bucket": settings.imports_bucket, "Prefix": prefix}
        while True:
            page = client.list_objects_v2(**listing)
            for found in page.get("Contents", []):
                body += client.get_object(Bucket=settings.imports_bucket, Key=found["Key"])["Body"].read()
            if not page.get("IsTruncated"):
                break
            listing["ContinuationToken"] = page["NextContinuationToken"]
        client.put_object(Bucket=settings.imports_bucket, Key=_refused_key(tenant_id, import_id), Body=bytes(body),
                          ContentType="text/csv")
    done = db.update_import(tenant_id, import_id, {
        "status": "done", "finished_at": clock.now_iso(), "lease_until": "",
    }, status_in=("processing",), worker=worker)
    if done is not None:
        # rows_total becomes the exact count (blank lines and quoted line breaks are not rows)
        db.update_import(tenant_id, import_id, {"rows_total": db.as_int(done.get("rows_done"))})
        count("ImportsDone")
        logger.info("import done", extra={"import_id": import_id, "rows": done.get("rows_done"),
                                          "errors": done.get("error_count")})


def _fail(tenant_id: str, import_id: str, worker: str, reason: str) -> None:
    db.update_import(tenant_id, import_id, {"status": "failed", "reason": reason, "finished_at": clock.now_iso(),
                                            "lease_until": ""}, worker=worker)
    count("ImportsFailed")
    logger.warning("import failed", extra={"import_id": import_id, "reason": reason})
