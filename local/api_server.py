"""Serve the API with Chalice's local dev server: `python -m local.api_server --port 8000`.

What `chalice local --no-autoreload` does, plus two fixes: Chalice's handler speaks HTTP/1.1
keep-alive but leaves Nagle's algorithm on, so every reply on a kept-alive connection waits
for the client's delayed ACK (about 40 ms); turning Nagle off makes the local API as quick as
the code behind it. And its server keeps socketserver's listen backlog of 5, which resets
connections in a burst; it is raised to the system's maximum.

It also answers GET /local/outbox (local/outbox.py): the emails the stack "sent" for the
signed-in shop, its token verified as the API verifies it. This exists only here, never in AWS.

The environment (table names, endpoints, pool ids) comes from the caller, normally
local/stack.py; the stage's environment from .chalice/config.json is applied on top, as in Lambda.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import socket
import sys
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _handler_class() -> Any:
    """Chalice's request handler, plus the local outbox route in front of the app's routes."""
    import os

    from chalice.local import ChaliceRequestHandler

    from local import outbox

    site = urlsplit(os.environ.get("SITE_URL", "http://127.0.0.1:8080"))
    origin = f"{site.scheme}://{site.netloc}"

    class Handler(ChaliceRequestHandler):
        def _outbox_reply(self, status: int, body: dict[str, Any] | None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Access-Control-Allow-Origin", origin)  # the site only, as the API's CORS
            self.send_header("Vary", "Origin")
            self.send_header("Cache-Control", "no-store")
            if body is None:
                self.send_header("Access-Control-Allow-Methods", "GET")
                self.send_header("Access-Control-Allow-Headers", "Authorization")
                self.send_header("Access-Control-Max-Age", "600")
            else:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _is_outbox(self) -> bool:
            return self.path.split("?", 1)[0] == outbox.PATH

        def do_GET(self) -> None:  # noqa: N802 - the http.server naming
            if not self._is_outbox():
                super().do_GET()
                return
            from chalicelib.errors import AppError

            try:
                messages = outbox.moto_messages(os.environ.get("AWS_ENDPOINT_URL", ""))
                reply = outbox.shop_outbox(self.headers.get("Authorization", ""), messages)
            except AppError as exc:
                self._outbox_reply(exc.status, exc.body())
                return
            self._outbox_reply(200, reply)

        def do_OPTIONS(self) -> None:  # noqa: N802
            if self._is_outbox():
                self._outbox_reply(204, None)
            else:
                super().do_OPTIONS()

    return Handler


def _unsupported_method(handler: Any, name: str) -> Any:
    """`do_<METHOD>` for a method the dev server has no handler for (TRACE, QUERY...)."""
    if name.startswith("do_"):
        return lambda: _method_not_allowed(handler)
    raise AttributeError(name)


def _method_not_allowed(handler: Any) -> None:
    body = b'{"code":"method_not_allowed","message":"This method is not supported here."}'
    handler.send_response(405)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Shelfwise API locally (chalice local).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    parser.add_argument("--project-dir", default=str(PROJECT_DIR))
    args = parser.parse_args(argv)

    import os

    from chalice.cli.factory import CLIFactory
    from chalice.deploy.validate import validate_routes
    from chalice.local import ChaliceRequestHandler, LocalDevServer, ThreadedHTTPServer

    ChaliceRequestHandler.disable_nagle_algorithm = True
    # Methods the API has no route for (TRACE, QUERY...) answer 405 in the API's error shape
    # (API Gateway refuses them too), not the dev server's HTML 501.
    ChaliceRequestHandler.__getattr__ = _unsupported_method  # type: ignore[attr-defined]
    # socketserver's default listen backlog is 5: a burst of more new connections (a page
    # loading, a test of 20 racing requests) gets "connection reset". Take what the OS allows.
    ThreadedHTTPServer.request_queue_size = socket.SOMAXCONN
    # Like `chalice local`: the app's own logs and the request lines on the console.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)  # "Found credentials..." on every first call
    signal.signal(signal.SIGTERM, _stop)

    os.chdir(args.project_dir)
    # environ=os.environ: the stage's environment variables land in this process, as in Lambda.
    factory = CLIFactory(args.project_dir, environ=os.environ)
    # What chalice.cli.create_local_server does, with the outbox-aware handler.
    config = factory.create_config_obj(chalice_stage_name=args.stage)
    validate_routes(config.chalice_app.routes)
    server = LocalDevServer(config.chalice_app, config, args.host, args.port, handler_cls=_handler_class())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
