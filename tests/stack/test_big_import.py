"""An import of any size over real HTTP: the file goes to moto's S3 through the presigned POST,
the local event delivery (local/import_loop.py) runs it, and the API reports it done."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.stack.helpers import Api

pytestmark = pytest.mark.stack
SLICE = Path(__file__).resolve().parent.parent / "data" / "superstore-slice.csv"


def upload(api: Api, data: bytes, **extra: Any) -> tuple[str, requests.Response]:
    reply = api.post("/imports", json={"kind": "sales", "filename": "slice.csv", "bytes": len(data), **extra})
    assert reply.status_code == 201, reply.text
    started = reply.json()
    sent = requests.post(started["upload"]["url"], data=started["upload"]["fields"],
                         files={"file": ("slice.csv", data, "text/csv")}, timeout=60)
    return started["import_id"], sent


def wait_done(api: Api, import_id: str, seconds: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        status = api.get(f"/imports/{import_id}").json()
        if status["status"] in ("done", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(1)


def test_a_file_posted_to_s3_is_imported_by_the_s3_event(owner, new_shop):
    data = SLICE.read_bytes()
    import_id, sent = upload(owner, data)
    assert sent.status_code in (200, 201, 204), sent.text
    status = wait_done(owner, import_id)
    assert status["status"] == "done", status
    assert (status["rows_done"], status["rows_total"], status["lines"], status["error_count"]) == (300, 300, 300, 0)
    orders = {line.split(b",")[1] for line in data.splitlines()[1:]}
    assert status["sales"] == len(orders)
    assert owner.get("/imports").json()["items"][0]["import_id"] == import_id
    # another shop sees nothing of it
    other = new_shop()
    assert other.get(f"/imports/{import_id}").status_code == 404
    assert other.get("/imports").json()["items"] == []


def test_a_file_bigger_than_declared_fails(owner):
    """S3 itself refuses it (the policy's content-length-range; moto's server does not check
    policies), and the import checks the size it finds too."""
    data = SLICE.read_bytes()
    reply = owner.post("/imports", json={"kind": "sales", "filename": "slice.csv", "bytes": 100}).json()
    requests.post(reply["upload"]["url"], data=reply["upload"]["fields"],
                  files={"file": ("slice.csv", data, "text/csv")}, timeout=60)
    status = wait_done(owner, reply["import_id"], 60)
    assert status["status"] == "failed" and "declared" in status["reason"], status
    assert status["sales"] == 0
