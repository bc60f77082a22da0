"""Deploy Shelfwise to an AWS account, or tear it down, with the aws CLI.

    make deploy STAGE=prod ALERT_SENDER=alerts@example.com [ALARM_EMAIL=ops@example.com]
    make teardown STAGE=dev            (prod also needs CONFIRM=prod)

deploy:
  1. the infra stack `shelfwise-<stage>-infra` from infra/template.yaml (tables, bucket, CloudFront,
     user pool, SES identity, alarms, the secret holding the feedback link keys), with
     `aws cloudformation deploy`;
  2. the app: `chalice package` offline from the wheelhouse (infra/package.py, with the stack's
     site URL for CORS), uploaded by `aws cloudformation package` to the stack's artifacts bucket and
     deployed as the stack `shelfwise-<stage>-app`; its functions read the infra stack's exports;
  3. the site: frontend/ with a config.js naming the API's URL, synced to the site bucket, then a
     CloudFront invalidation.

Settings (environment or make variables): STAGE (dev|prod), ALERT_SENDER (needed the first time;
kept by the stack after), SENDER_IDENTITY (the verified domain, if the sender's domain rather than
the address is the SES identity), CREATE_SENDER_IDENTITY (false when the identity already exists in
this account and region), ALARM_EMAIL, and the aws CLI's own (AWS_PROFILE, AWS_REGION...).
See docs/deploy.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.yaml"
STAGES = ("dev", "prod")
# Served without revalidation delay: the entry page and the config that names the API.
NO_CACHE = ("index.html", "config.js", "sw.js", "manifest.webmanifest")


def infra_stack(stage: str) -> str:
    return f"shelfwise-{stage}-infra"


def app_stack(stage: str) -> str:
    return f"shelfwise-{stage}-app"


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def run_aws(*args: str, capture: bool = True) -> subprocess.CompletedProcess[str]:
    """The aws CLI (found on PATH) with a fixed argument list."""
    cli = shutil.which("aws")
    if cli is None:
        raise SystemExit("the aws CLI is missing: install it (docs/deploy.md, prerequisites)")
    return subprocess.run([cli, *args], capture_output=capture, text=True)  # noqa: S603 - our own arguments


def aws(*args: str, capture: bool = True, check: bool = True) -> str:
    """Run the aws CLI; returns its output (JSON when asked with --output json)."""
    reply = run_aws(*args, capture=capture)
    if check and reply.returncode != 0:
        detail = (reply.stderr or "").strip() if capture else ""
        raise SystemExit(f"failed: aws {' '.join(args)}\n{detail}")
    return reply.stdout if capture else ""


def stack_status(name: str) -> str | None:
    reply = run_aws("cloudformation", "describe-stacks", "--stack-name", name, "--output", "json")
    if reply.returncode != 0:
        if "does not exist" in reply.stderr:
            return None
        raise SystemExit(f"cannot read stack {name}: {reply.stderr.strip()}")
    return json.loads(reply.stdout)["Stacks"][0]["StackStatus"]


def clear_failed_create(name: str) -> bool:
    """A stack whose first creation failed (ROLLBACK_COMPLETE) holds nothing and cannot be updated:
    delete it so the deploy can create it again. Returns whether the stack exists (afterwards)."""
    status = stack_status(name)
    if status == "ROLLBACK_COMPLETE":
        say(f"{name} failed to create last time (see its events in the console); deleting it to start again")
        aws("cloudformation", "delete-stack", "--stack-name", name)
        aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", name)
        return False
    return status is not None


def stack_outputs(name: str) -> dict[str, str]:
    stacks = json.loads(aws("cloudformation", "describe-stacks", "--stack-name", name, "--output", "json"))
    return {o["OutputKey"]: o["OutputValue"] for o in stacks["Stacks"][0].get("Outputs", [])}


def stack_parameters(name: str) -> dict[str, str]:
    stacks = json.loads(aws("cloudformation", "describe-stacks", "--stack-name", name, "--output", "json"))
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in stacks["Stacks"][0].get("Parameters", [])}


def preflight() -> str:
    """The CLI is there, credentials work, a region is set. Returns the region."""
    identity = run_aws("sts", "get-caller-identity", "--output", "json")
    if identity.returncode != 0:
        raise SystemExit("no working AWS credentials (aws sts get-caller-identity failed):\n" + identity.stderr.strip())
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    region = region or aws("configure", "get", "region", check=False).strip()
    if not region:
        raise SystemExit("no region: set AWS_REGION (or `aws configure set region ...`)")
    account = json.loads(identity.stdout)["Account"]
    say(f"account {account}, region {region}")
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = region
    return region


def _infra_parameters(stage: str, exists: bool, protect: bool | None = None) -> list[str]:
    protect = (stage == "prod") if protect is None else protect
    params = [f"Stage={stage}", f"DeletionProtection={'true' if protect else 'false'}"]
    settings = {
        "AlertSender": os.environ.get("ALERT_SENDER", ""),
        "SenderIdentity": os.environ.get("SENDER_IDENTITY"),
        "CreateSenderIdentity": os.environ.get("CREATE_SENDER_IDENTITY"),
        "AlarmEmail": os.environ.get("ALARM_EMAIL"),
    }
    if not exists and not settings["AlertSender"]:
        raise SystemExit("the first deploy of a stage needs ALERT_SENDER=<the alerts' From address>")
    # Unset ones keep the stack's current value (aws cloudformation deploy reuses them).
    params += [f"{key}={value}" for key, value in settings.items() if value]
    return params


def deploy_infra(stage: str, protect: bool | None = None) -> dict[str, str]:
    name = infra_stack(stage)
    exists = clear_failed_create(name)
    say(f"infra stack {name} ({'update' if exists else 'create'}; CloudFront takes a few minutes the first time)")
    aws(
        "cloudformation", "deploy",
        "--template-file", str(TEMPLATE),
        "--stack-name", name,
        "--parameter-overrides", *_infra_parameters(stage, exists, protect),
        "--tags", "app=shelfwise", f"stage={stage}",
        "--no-fail-on-empty-changeset",
        capture=False,
    )  # fmt: skip
    return stack_outputs(name)


def check_sender(outputs: dict[str, str]) -> None:
    """Warn (not fail) while SES cannot send yet: the rest of the product works meanwhile."""
    identity = outputs["SenderIdentityArn"].split(":identity/", 1)[1]
    reply = run_aws("sesv2", "get-email-identity", "--email-identity", identity, "--output", "json")
    if reply.returncode != 0 or not json.loads(reply.stdout).get("VerifiedForSendingStatus"):
        say(f"WARNING: SES identity {identity} is not verified yet: click the link SES emailed (or publish the "
            "domain's DKIM records); stock alerts fail until then")
    account = run_aws("sesv2", "get-account", "--output", "json")
    if account.returncode == 0 and not json.loads(account.stdout).get("ProductionAccessEnabled"):
        say("WARNING: this account's SES is in the sandbox: it emails verified addresses only. Request production "
            "access (SES console, Account dashboard) before shops rely on alerts")


def deploy_app(stage: str, outputs: dict[str, str], region: str) -> dict[str, str]:
    from infra import package

    out = package.build(stage, site_url=outputs["SiteUrl"], region=region)
    packaged = out / "packaged.json"
    say(f"uploading the app package to s3://{outputs['ArtifactsBucketName']}/app/")
    aws(
        "cloudformation", "package",
        "--template-file", str(out / "sam.json"),
        "--s3-bucket", outputs["ArtifactsBucketName"],
        "--s3-prefix", "app",
        "--use-json",
        "--output-template-file", str(packaged),
    )  # fmt: skip
    name = app_stack(stage)
    clear_failed_create(name)
    say(f"app stack {name}")
    aws(
        "cloudformation", "deploy",
        "--template-file", str(packaged),
        "--stack-name", name,
        "--s3-bucket", outputs["ArtifactsBucketName"],
        "--s3-prefix", "app",
        "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND",
        "--tags", "app=shelfwise", f"stage={stage}",
        "--no-fail-on-empty-changeset",
        capture=False,
    )  # fmt: skip
    return stack_outputs(name)


def site_config_js(api_url: str) -> str:
    return f"window.SHELFWISE_CONFIG = {json.dumps({'apiUrl': api_url.rstrip('/')})};\n"


def build_site(stage: str, api_url: str) -> Path:
    """frontend/ as it is, with the deployed config.js (frontend/config.js stays the local one)."""
    site = ROOT / ".local" / "build" / stage / "site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(ROOT / "frontend", site, ignore=shutil.ignore_patterns("config.js", ".*", "node_modules"))
    (site / "config.js").write_text(site_config_js(api_url))
    if (site / "sw.js").exists():  # the service worker names this build's files and their hashes
        from infra.pwa import stamp

        (site / "sw.js").write_bytes(stamp(site, (site / "config.js").read_bytes()))
    return site


def publish_site(site: Path, outputs: dict[str, str]) -> None:
    bucket = f"s3://{outputs['SiteBucketName']}"
    say(f"site to {bucket}")
    excludes = [arg for name in NO_CACHE for arg in ("--exclude", name)]
    # Module files keep their names from one deploy to the next: browsers must revalidate them
    # (ETag) so a deploy never serves a mix of old and new modules.
    aws("s3", "sync", str(site), bucket, "--delete", *excludes, "--cache-control", "no-cache",
        capture=False)
    for name in NO_CACHE:
        if (site / name).exists():
            aws("s3", "cp", str(site / name), f"{bucket}/{name}", "--cache-control", "no-cache", capture=False)
    aws("cloudfront", "create-invalidation", "--distribution-id", outputs["DistributionId"], "--paths", "/*")


def deploy(stage: str) -> None:
    region = preflight()
    outputs = deploy_infra(stage)
    check_sender(outputs)
    app = deploy_app(stage, outputs, region)
    api_url = app["EndpointURL"].rstrip("/")
    publish_site(build_site(stage, api_url), outputs)
    say("done")
    print(f"    site: {outputs['SiteUrl']}")
    print(f"    API:  {api_url}")
    print(f"    alarms: {outputs['AlarmTopicArn']}")
    print(f"    feedback link keys: {outputs['FeedbackKeysArn']} (rotate: make rotate-feedback-key STAGE={stage})")


def _empty_bucket(bucket: str) -> None:
    if bucket:
        aws("s3", "rm", f"s3://{bucket}", "--recursive", "--only-show-errors", capture=False, check=False)


def teardown(stage: str, confirm: str, backup: bool) -> None:
    if stage == "prod" and confirm != "prod":
        raise SystemExit("tearing down prod deletes the shops' data: run with CONFIRM=prod (a backup is made first)")
    preflight()
    if stack_status(app_stack(stage)) is not None:
        say(f"deleting {app_stack(stage)}")
        aws("cloudformation", "delete-stack", "--stack-name", app_stack(stage))
        aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", app_stack(stage))
    name = infra_stack(stage)
    if stack_status(name) is None:
        say(f"{name} does not exist: nothing more to delete")
        return
    outputs = stack_outputs(name)
    if backup:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for table in (outputs["TableName"], outputs["IdempotencyTableName"]):
            say(f"backing up {table} (kept after teardown; delete it in the DynamoDB console when done)")
            aws("dynamodb", "create-backup", "--table-name", table, "--backup-name", f"{table}-final-{stamp}")
    if stack_parameters(name).get("DeletionProtection") == "true":
        say("lifting deletion protection from the tables and the user pool")
        deploy_infra(stage, protect=False)
    _empty_bucket(outputs.get("SiteBucketName", ""))
    _empty_bucket(outputs.get("ArtifactsBucketName", ""))
    say(f"deleting {name}")
    aws("cloudformation", "delete-stack", "--stack-name", name)
    aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", name)
    say("done")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Deploy Shelfwise to AWS, or tear it down (docs/deploy.md).")
    parser.add_argument("action", choices=("deploy", "teardown"))
    parser.add_argument("--stage", default=os.environ.get("STAGE", "dev"), choices=STAGES)
    args = parser.parse_args(argv)
    if args.action == "deploy":
        deploy(args.stage)
    else:
        backup = os.environ.get("BACKUP", "true" if args.stage == "prod" else "false").lower() in ("1", "true", "yes")
        teardown(args.stage, os.environ.get("CONFIRM", ""), backup)


if __name__ == "__main__":
    sys.exit(main())
