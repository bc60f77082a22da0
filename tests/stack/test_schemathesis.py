"""The OpenAPI description tells the truth: schemathesis, driven by /openapi.json alone, sends
generated and boundary requests to every operation of the running stack as a signed-in owner,
and finds no server error, no reply that breaks the described schema, and no status code or
content type the description does not list. Bounded in examples and time: a test, not a campaign
(a campaign of 10,674 cases, seed 7, 240 s, found only the 401s of /auth/login and /auth/refresh,
now described)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from local.stack import LocalStack
from tests.stack.helpers import Api

MAX_SECONDS = 60  # schemathesis's own time budget for generating and sending
EXAMPLES = 5  # per operation and phase


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    stack: LocalStack, owner: Api, tmp_path: Path
) -> None:
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{stack.api_url}/openapi.json",
        "--header", f"Authorization: {owner.headers['Authorization']}",
        "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
        "--max-examples", str(EXAMPLES), "--max-time", str(MAX_SECONDS),
        "--seed", os.environ.get("SCHEMATHESIS_SEED", "1"), "--request-timeout", "10",
        "--generation-database", "none", "--no-color", "--warnings", "off",
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=MAX_SECONDS + 60)  # noqa: S603
    took = time.monotonic() - started
    summary = done.stdout[done.stdout.rfind("SUMMARY"):] if "SUMMARY" in done.stdout else done.stdout[-3000:]
    print(f"schemathesis: {took:.0f} s\n{summary}")
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    assert "Tested: " in done.stdout and took < 90
