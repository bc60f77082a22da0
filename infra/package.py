"""Package the Chalice app for a stage, offline, as a CloudFormation (SAM) template and a zip.

    python -m infra.package --stage prod [--out DIR] [--site-url URL]      (make package STAGE=prod)

1. The wheelhouse: `pip download` of requirements.txt into .local/wheelhouse, as manylinux x86_64
   wheels for CPython 3.11 (what Lambda's python3.11 runtime loads). Done again only when
   requirements.txt changes; the only step that needs a package registry.
2. A clean copy of the project (app.py, chalicelib/ without __pycache__, .chalice/config.json and
   the policies, requirements.txt) in .local/build/<stage>/project, so nothing a developer has
   lying around (stale .pyc, .chalice/deployed) ends up in the package.
3. `chalice package --stage <stage> --pkg-format cloudformation --merge-template <overlay>` with
   PIP_NO_INDEX=1 and PIP_FIND_LINKS=<wheelhouse>: chalice's own `pip download` finds everything in
   the wheelhouse and never reaches an index. The overlay (`overlay()` below) gives the functions
   the names Chalice's own deploy would (shelfwise-<stage>, shelfwise-<stage>-check_stock_levels:
   the alarms in infra/template.yaml watch these names), their environment from the infra stack's
   exports, log groups with a retention, and the reasons for the checkov checks that do not apply.
   Then `http_api()` puts an HTTP API (API Gateway v2) in front of the API function in place of
   chalice's REST API: the same routes and CORS, throttled, at $1.00 a million requests, not $3.50.
4. Bytecode: every .py in the zip is compiled with the packaging interpreter, which is the runtime's
   version (chalice picks the runtime from it; checked below), as unchecked-hash .pyc: Lambda's
   /var/task is read-only, so without them every cold start compiles the app and its dependencies
   again, and timestamp-checked .pyc would not match the zip's file times.

The app reads SITE_URL (CORS origin) and ALERT_CHECK_RATE_MINUTES (schedule) when packaged, so
they are set in chalice's environment; make deploy passes the stack's real site URL.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
WHEELHOUSE = LOCAL / "wheelhouse"
BUILD = LOCAL / "build"
STAGES = ("dev", "prod")
# Lambda's python3.11 runtime (Amazon Linux 2, glibc 2.26, x86_64): manylinux2014 (glibc 2.17) wheels.
LAMBDA_PYTHON = "3.11"
WHEEL_PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_17_x86_64")
PLACEHOLDER_SITE_URL = "https://site.invalid"
LOG_RETENTION_DAYS = 30
# API Gateway stage throttling: far above what a few hundred shops do, low enough to cap a runaway bill
# (each shop has its own, lower limit in the app: settings.PLANS).
API_RATE_LIMIT = 50
API_BURST_LIMIT = 100
# The Lambda proxy event chalice reads is REST's; an HTTP API sends that shape in payload format 1.0.
HTTP_API_PAYLOAD = "1.0"


def function_names(stage: str) -> dict[str, str]:
    """Logical ids in chalice's template -> the function names (as `chalice deploy` names them)."""
    return {
        "APIHandler": f"shelfwise-{stage}",
        "CheckStockLevels": f"shelfwise-{stage}-check_stock_levels",
        "ForecastNightly": f"shelfwise-{stage}-forecast_nightly",
        "ForecastShop": f"shelfwise-{stage}-forecast_shop",
        "ImportContinue": f"shelfwise-{stage}-import_continue",
    }


def export(stage: str, name: str) -> dict[str, str]:
    return {"Fn::ImportValue": f"shelfwise-{stage}-{name}"}


# checkov checks that fail on the packaged functions and API, and why they are left.
FUNCTION_SKIPS = [
    {
        "id": "CKV_AWS_115",
        "comment": "No reserved concurrency: new accounts have a concurrency quota of 10, and any reservation "
        "fails the deploy there; API Gateway stage throttling caps the request rate instead.",
    },
    {
        "id": "CKV_AWS_116",
        "comment": "No dead-letter queue: the API function is invoked synchronously (the caller gets the error), "
        "and the stock check runs again in 15 minutes and picks up whatever a failed run left.",
    },
    {
        "id": "CKV_AWS_117",
        "comment": "Not in a VPC: the function reaches only AWS APIs (DynamoDB, Cognito, SES); a VPC would need "
        "NAT or endpoints (about $7-30 a month each) for no isolation gain.",
    },
    {
        "id": "CKV_AWS_173",
        "comment": "The environment holds names and ids (tables, user pool, site URL, sender), no secrets; the "
        "default AWS managed key encrypts it at rest.",
    },
]
HTTP_API_SKIPS = [
    {
        "id": "CKV_AWS_95",
        "comment": "No API access log: a second log line for every request (about as much as the rest of a "
        "shop's logs); the app logs each error with its tenant and request ids, and API Gateway's own "
        "metrics (count, latency, 4xx, 5xx) are on without it.",
    },
]
LOG_GROUP_SKIPS = [
    {
        "id": "CKV_AWS_158",
        "comment": "CloudWatch Logs encrypts log data at rest by default; the logs hold no secrets and a "
        "customer managed key costs $1 a month.",
    },
]


def overlay(stage: str) -> dict[str, Any]:
    """The template merged into chalice's output (`chalice package --merge-template`)."""
    environment = {
        "USER_POOL_ID": export(stage, "UserPoolId"),
        "USER_POOL_CLIENT_ID": export(stage, "UserPoolClientId"),
        "SITE_URL": export(stage, "SiteUrl"),
        "ALERT_SENDER": export(stage, "AlertSender"),
        "IMPORTS_BUCKET": export(stage, "ImportsBucketName"),
        "IMPORTS_QUEUE_URL": export(stage, "ImportsQueueUrl"),
        # The secret's ARN, not a key: the keys are read from Secrets Manager when first needed.
        "FEEDBACK_SECRET_ARN": export(stage, "FeedbackKeysArn"),
    }
    resources: dict[str, Any] = {}
    for logical_id, name in function_names(stage).items():
        log_group = f"{logical_id}LogGroup"
        resources[log_group] = {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Metadata": {"checkov": {"skip": LOG_GROUP_SKIPS}},
            "Properties": {"LogGroupName": f"/aws/lambda/{name}", "RetentionInDays": LOG_RETENTION_DAYS},
        }
        resources[logical_id] = {
            "DependsOn": [log_group],
            "Metadata": {"checkov": {"skip": FUNCTION_SKIPS}},
            "Properties": {"FunctionName": name, "Environment": {"Variables": environment}},
        }
    return {
        "Description": f"Shelfwise {stage}: the API and the scheduled stock check (chalice package).",
        "Resources": resources,
    }


def http_api(template: dict[str, Any]) -> None:
    """Replace chalice's REST API in `template` by an HTTP API in front of the same function.

    The routes are chalice's (one per path and method, so API Gateway fills in the route's path and
    its parameters as the REST API did; a path no route has gets API Gateway's 404 without waking
    the function), and the CORS answer too (chalice renders app.py's CORSConfig into every path's
    OPTIONS reply: one origin, headers and max age for all). Usage plans and API keys are REST-only;
    each shop's own limit is the app's (429 with Retry-After), the stage's throttle caps the total."""
    from chalicelib.http import EXPOSED_HEADERS

    resources = template["Resources"]
    paths = resources.pop("RestAPI")["Properties"]["DefinitionBody"]["paths"]
    resources.pop("APIHandlerInvokePermission")
    for name in ("RestAPIId", "EndpointURL"):
        template.get("Outputs", {}).pop(name, None)
    cors = {
        json.dumps({k.rsplit(".", 1)[-1]: v.strip("'") for k, v in reply.items() if not k.endswith("-Methods")},
                   sort_keys=True)
        for methods in paths.values() for method, operation in methods.items() if method == "options"
        for reply in [operation["x-amazon-apigateway-integration"]["responses"]["default"]["responseParameters"]]
    }  # fmt: skip
    if len(cors) != 1:
        raise SystemExit(f"an HTTP API has one CORS setting; chalice made {len(cors)}")
    header = json.loads(cors.pop())
    resources["HttpApi"] = {
        "Type": "AWS::ApiGatewayV2::Api",
        "Properties": {
            "Name": {"Fn::Sub": "${AWS::StackName}"},
            "ProtocolType": "HTTP",
            "CorsConfiguration": {
                "AllowOrigins": [header["Access-Control-Allow-Origin"]],
                "AllowHeaders": header["Access-Control-Allow-Headers"].split(","),
                "AllowMethods": sorted({m.upper() for methods in paths.values() for m in methods} - {"OPTIONS"}),
                "MaxAge": int(header["Access-Control-Max-Age"]),
                # chalice sends these on each reply, which an HTTP API with CORS set replaces by its own
                "ExposeHeaders": list(EXPOSED_HEADERS),
            },
        },
    }
    resources["HttpApiIntegration"] = {
        "Type": "AWS::ApiGatewayV2::Integration",
        "Properties": {
            "ApiId": {"Ref": "HttpApi"},
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": {"Fn::GetAtt": ["APIHandler", "Arn"]},
            "PayloadFormatVersion": HTTP_API_PAYLOAD,
            "TimeoutInMillis": 29000,
        },
    }
    for path, methods in paths.items():
        for method in sorted(set(methods) - {"options"}):
            words = re.findall(r"[A-Za-z0-9]+", path)
            logical_id = "HttpRoute" + method.capitalize() + "".join(w[:1].upper() + w[1:] for w in words)
            if logical_id in resources:
                raise SystemExit(f"two routes would be {logical_id}")
            resources[logical_id] = {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": {"Ref": "HttpApi"},
                    "RouteKey": f"{method.upper()} {path}",
                    "Target": {"Fn::Sub": "integrations/${HttpApiIntegration}"},
                },
            }
    resources["HttpApiStage"] = {
        "Type": "AWS::ApiGatewayV2::Stage",
        "Metadata": {"checkov": {"skip": HTTP_API_SKIPS}},
        "Properties": {
            "ApiId": {"Ref": "HttpApi"},
            "StageName": "$default",
            "AutoDeploy": True,
            "DefaultRouteSettings": {"ThrottlingRateLimit": API_RATE_LIMIT, "ThrottlingBurstLimit": API_BURST_LIMIT},
        },
    }
    resources["HttpApiInvokePermission"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": {"Ref": "APIHandler"},
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"},
        },
    }
    template.setdefault("Outputs", {})["EndpointURL"] = {"Value": {"Fn::Sub": "${HttpApi.ApiEndpoint}/"}}


# --- the wheelhouse --------------------------------------------------------------------------------


def _requirements_hash() -> str:
    text = (ROOT / "requirements.txt").read_bytes()
    key = text + repr((LAMBDA_PYTHON, WHEEL_PLATFORMS)).encode()
    return hashlib.sha256(key).hexdigest()


def ensure_wheelhouse(quiet: bool = False) -> Path:
    """Lambda wheels for requirements.txt in .local/wheelhouse; downloads only when they changed."""
    stamp = WHEELHOUSE / ".requirements.sha256"
    wanted = _requirements_hash()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        return WHEELHOUSE
    if not quiet:
        print(f"wheelhouse: downloading Lambda wheels for requirements.txt into {WHEELHOUSE}", flush=True)
    LOCAL.mkdir(exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix="wheelhouse-", dir=LOCAL))
    try:
        command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
                   "-r", str(ROOT / "requirements.txt"), "--dest", str(fresh), "--only-binary=:all:",
                   "--implementation", "cp", "--python-version", LAMBDA_PYTHON]
        for platform in WHEEL_PLATFORMS:
            command += ["--platform", platform]
        subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 - our own arguments
        (fresh / ".requirements.sha256").write_text(wanted + "\n")
        shutil.rmtree(WHEELHOUSE, ignore_errors=True)
        fresh.rename(WHEELHOUSE)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return WHEELHOUSE


# --- the project copy and chalice package -----------------------------------------------------------


def _copy_project(work: Path) -> Path:
    """A clean copy of what chalice packages; keeps chalice's dependency cache between builds."""
    project = work / "project"
    project.mkdir(parents=True, exist_ok=True)
    for name in ("app.py", "requirements.txt"):
        shutil.copy2(ROOT / name, project / name)
    for folder in ("chalicelib", "vendor"):
        shutil.rmtree(project / folder, ignore_errors=True)
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    chalice_dir = project / ".chalice"
    chalice_dir.mkdir(exist_ok=True)
    for path in (ROOT / ".chalice").glob("*.json"):
        shutil.copy2(path, chalice_dir / path.name)
    return project


def _chalice() -> str:
    found = Path(sys.executable).with_name("chalice")
    return str(found) if found.exists() else "chalice"


def build(
    stage: str,
    out: Path | None = None,
    site_url: str | None = None,
    region: str | None = None,
    compile_bytecode: bool = True,
    quiet: bool = False,
    work: Path | None = None,
) -> Path:
    """Package the app for `stage` into `out` (sam.json + deployment.zip); returns `out`.

    `work` holds the project copy and chalice's dependency cache (default .local/build/<stage>)."""
    if stage not in STAGES:
        raise SystemExit(f"unknown stage {stage!r}: one of {', '.join(STAGES)}")
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if runtime != f"python{LAMBDA_PYTHON}":
        raise SystemExit(f"package with Python {LAMBDA_PYTHON} (the Lambda runtime); this is {runtime}")
    wheelhouse = ensure_wheelhouse(quiet=quiet)
    out = (out or LOCAL / "package" / stage).resolve()
    shutil.rmtree(out, ignore_errors=True)
    work = work or BUILD / stage
    project = _copy_project(work)
    overlay_path = work / "overlay.json"
    overlay_path.write_text(json.dumps(overlay(stage), indent=2) + "\n")
    if not site_url and not quiet:
        print(f"package: no SITE_URL given; CORS allows {PLACEHOLDER_SITE_URL} (make deploy passes the real one)")
    env = {
        **os.environ,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "AWS_DEFAULT_REGION": region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        or "us-east-1",
        "SITE_URL": site_url or PLACEHOLDER_SITE_URL,
        "IMPORTS_QUEUE": f"shelfwise-{stage}-imports",  # the queue import_continue reads (infra/template.yaml)
    }
    command = [_chalice(), "--project-dir", str(project), "package", "--stage", stage,
               "--pkg-format", "cloudformation", "--template-format", "json",
               "--merge-template", str(overlay_path), str(out)]
    reply = subprocess.run(command, env=env, cwd=project, capture_output=True, text=True)  # noqa: S603
    if reply.returncode != 0:
        raise SystemExit(f"chalice package failed:\n{reply.stdout}\n{reply.stderr}")
    template = json.loads((out / "sam.json").read_text())
    http_api(template)
    (out / "sam.json").write_text(json.dumps(template, indent=2) + "\n")
    runtimes = {r["Properties"].get("Runtime") for r in template["Resources"].values()
                if r["Type"] == "AWS::Serverless::Function"}
    if runtimes != {runtime}:
        raise SystemExit(f"functions run on {runtimes}, bytecode would be for {runtime}")
    if compile_bytecode:
        compiled, failed = compile_zip(out / "deployment.zip")
        if not quiet:
            print(f"package: {compiled} modules compiled to bytecode ({failed} not compilable, left as source)")
    if not quiet:
        size = (out / "deployment.zip").stat().st_size / 1e6
        print(f"package: {out}/sam.json and deployment.zip ({size:.1f} MB) for stage {stage}")
    return out


# --- bytecode --------------------------------------------------------------------------------------

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def compile_zip(path: Path) -> tuple[int, int]:
    """Add an unchecked-hash .pyc beside every .py in the zip (and drop any other .pyc).

    Returns (compiled, failed). Sources stay in the zip: tracebacks show lines, and a module whose
    .pyc is missing still imports."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        modes: dict[str, int] = {}
        with zipfile.ZipFile(path) as zipped:
            for info in zipped.infolist():
                if info.filename.endswith(".pyc") or "/__pycache__/" in f"/{info.filename}":
                    continue
                zipped.extract(info, tree)
                modes[info.filename] = info.external_attr
        sources = [p for p in tree.rglob("*.py")]
        failed = 0
        for source in sources:
            relative = source.relative_to(tree).as_posix()
            try:
                py_compile.compile(
                    str(source),
                    dfile=f"/var/task/{relative}",
                    doraise=True,
                    optimize=0,
                    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                )
            except py_compile.PyCompileError:
                failed += 1  # e.g. a dependency's Python 2 example file: never imported
        rebuilt = Path(tmp) / "rebuilt.zip"
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
            for file in sorted(p for p in tree.rglob("*") if p.is_file()):
                name = file.relative_to(tree).as_posix()
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.external_attr = modes.get(name, 0o644 << 16)
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, file.read_bytes())
        shutil.move(rebuilt, path)
    return len(sources) - failed, failed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default=os.environ.get("STAGE", "dev"), choices=STAGES)
    parser.add_argument("--out", type=Path, help="output folder (default .local/package/<stage>)")
    parser.add_argument("--site-url", default=os.environ.get("SITE_URL"), help="the site's origin, for CORS")
    parser.add_argument("--region", default=None)
    parser.add_argument("--no-bytecode", action="store_true", help="leave the zip as chalice made it")
    parser.add_argument("--wheelhouse-only", action="store_true", help="only fill .local/wheelhouse")
    args = parser.parse_args(argv)
    if args.wheelhouse_only:
        ensure_wheelhouse()
        return
    build(args.stage, args.out, args.site_url, args.region, compile_bytecode=not args.no_bytecode)


if __name__ == "__main__":
    main()
