"""The templates: lint, scan, and agreement with the app (tables, user pool, names, exports)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalicelib import db
from infra import package
from local import bootstrap

from .conftest import ROOT, TEMPLATE

CFN_LINT = [str(Path(sys.executable).with_name("cfn-lint"))]


def cfn_lint(path: Path) -> None:
    command = [*CFN_LINT, "--format", "parseable", str(path)]
    reply = subprocess.run(command, capture_output=True, text=True)  # noqa: S603 - our own arguments
    assert reply.returncode == 0, f"cfn-lint on {path.name}:\n{reply.stdout}{reply.stderr}"


def test_infra_template_lints_clean() -> None:
    cfn_lint(TEMPLATE)


def test_packaged_template_lints_clean(packaged: Path) -> None:
    cfn_lint(packaged / "sam.json")


# --- checkov -------------------------------------------------------------------------------------


def _ids(checks: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(c["check_id"], c["resource"]) for c in checks}


@pytest.mark.parametrize("name", ["infra", "app"])
def test_checkov_finds_nothing_unexplained(name: str, checkov_results: dict[str, Any]) -> None:
    result = checkov_results[name]
    assert result["passed"], f"checkov ran no check on {name}"
    assert not result["failed"], [f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in result["failed"]]
    for check in result["skipped"]:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason) > 30, f"{check['check_id']} on {check['resource']} is suppressed without a reason"


@pytest.mark.parametrize("name", ["infra", "app"])
def test_every_checkov_suppression_is_still_needed(name: str, checkov_results: dict[str, Any]) -> None:
    """Without the suppressions, exactly the suppressed checks fail: none is stale or hides another."""
    assert _ids(checkov_results[f"{name}-bare"]["failed"]) == _ids(checkov_results[name]["skipped"])


# --- the tables match chalicelib/db.py -------------------------------------------------------------


def _by_name(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return {item[key]: item for item in items}


def test_tables_match_the_apps_definitions(infra_template: dict[str, Any]) -> None:
    resources = infra_template["Resources"]
    for logical_id, wanted in (
        ("Table", db.table_definition("x")),
        ("IdempotencyTable", db.idempotency_table_definition("x")),
    ):
        props = resources[logical_id]["Properties"]
        assert props["BillingMode"] == wanted["BillingMode"] == "PAY_PER_REQUEST"
        assert props["KeySchema"] == wanted["KeySchema"], logical_id
        assert _by_name(props["AttributeDefinitions"], "AttributeName") == _by_name(
            wanted["AttributeDefinitions"], "AttributeName"
        ), logical_id
        have_indexes = _by_name(props.get("GlobalSecondaryIndexes", []), "IndexName")
        want_indexes = _by_name(wanted.get("GlobalSecondaryIndexes", []), "IndexName")
        assert have_indexes.keys() == want_indexes.keys(), logical_id
        for index_name, index in want_indexes.items():
            assert have_indexes[index_name]["KeySchema"] == index["KeySchema"]
            assert have_indexes[index_name]["Projection"] == index["Projection"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert props["DeletionProtectionEnabled"] == {"Fn::If": ["Protected", True, False]}
    assert db.LOW_STOCK_INDEX in _by_name(resources["Table"]["Properties"]["GlobalSecondaryIndexes"], "IndexName")
    assert resources["IdempotencyTable"]["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": "expiration",
        "Enabled": True,
    }


def test_table_names_match_the_stage_settings(infra_template: dict[str, Any]) -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    resources = infra_template["Resources"]
    assert resources["Table"]["Properties"]["TableName"] == {"Fn::Sub": "shelfwise-${Stage}"}
    assert resources["IdempotencyTable"]["Properties"]["TableName"] == {"Fn::Sub": "shelfwise-${Stage}-idempotency"}
    for stage in package.STAGES:
        env = config["stages"][stage]["environment_variables"]
        assert env["TABLE_NAME"] == f"shelfwise-{stage}"
        assert env["IDEMPOTENCY_TABLE_NAME"] == f"shelfwise-{stage}-idempotency"


# --- the user pool matches local/bootstrap.py --------------------------------------------------------


class _RecordingIdp:
    """Stands in for Cognito: records what bootstrap.create_user_pool asks for."""

    def __init__(self) -> None:
        self.calls: dict[str, dict[str, Any]] = {}

    def list_user_pools(self, **_: Any) -> dict[str, Any]:
        return {"UserPools": []}

    def create_user_pool(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["pool"] = kwargs
        return {"UserPool": {"Id": "us-east-1_x"}}

    def list_user_pool_clients(self, **_: Any) -> dict[str, Any]:
        return {"UserPoolClients": []}

    def create_user_pool_client(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["client"] = kwargs
        return {"UserPoolClient": {"ClientId": "c"}}


def test_user_pool_matches_the_local_one(infra_template: dict[str, Any]) -> None:
    idp = _RecordingIdp()
    bootstrap.create_user_pool(idp)
    pool, client = idp.calls["pool"], idp.calls["client"]
    props = infra_template["Resources"]["UserPool"]["Properties"]
    assert props["UsernameAttributes"] == pool["UsernameAttributes"]
    password = dict(props["Policies"]["PasswordPolicy"])
    password.pop("TemporaryPasswordValidityDays")
    assert password == pool["Policies"]["PasswordPolicy"]
    assert props["Schema"] == pool["Schema"]
    assert {a["Name"]: a["Mutable"] for a in props["Schema"]} == {"tenant_id": False, "role": True}
    # Only the app makes accounts (it sets the shop and the role).
    assert props["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    client_props = infra_template["Resources"]["UserPoolClient"]["Properties"]
    for key in ("ClientName", "GenerateSecret", "ExplicitAuthFlows", "ReadAttributes", "WriteAttributes"):
        assert client_props[key] == client[key], key
    assert client_props["WriteAttributes"] == ["email"]


# --- names and exports agree across the infra stack, the package and the policies --------------------


def _imports(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["Fn::ImportValue"]} if isinstance(node.get("Fn::ImportValue"), str) else set()
        return found.union(*(_imports(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_imports(v) for v in node))
    return set()


def test_every_import_is_exported(infra_template: dict[str, Any], packaged_template: dict[str, Any]) -> None:
    exports = {
        output["Export"]["Name"]["Fn::Sub"].replace("${Stage}", stage)
        for stage in package.STAGES
        for output in infra_template["Outputs"].values()
        if "Export" in output
    }
    policies = [json.loads((ROOT / ".chalice" / f"policy-{s}.json").read_text()) for s in package.STAGES]
    wanted = _imports(packaged_template) | _imports(policies) | _imports([package.overlay(s) for s in package.STAGES])
    assert wanted, "the app stack imports nothing from the infra stack?"
    assert wanted <= exports, wanted - exports


def test_app_gets_every_setting_it_reads(packaged_template: dict[str, Any]) -> None:
    from chalicelib.settings import _ENV

    needed = {"TABLE_NAME", "IDEMPOTENCY_TABLE_NAME", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "SITE_URL", "ALERT_SENDER",
              "FEEDBACK_SECRET_ARN"}
    assert needed <= set(_ENV.values())
    for logical_id in package.function_names("prod"):
        variables = packaged_template["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
        assert needed <= set(variables), needed - set(variables)
        # AWS_REGION is Lambda's own; an empty JWKS_URL means Cognito's published keys.
        assert "AWS_REGION" not in variables and "JWKS_URL" not in variables


def test_alarms_watch_the_packaged_functions(infra_template: dict[str, Any], packaged_template: dict[str, Any]) -> None:
    watched = set()
    for resource in infra_template["Resources"].values():
        if resource["Type"] == "AWS::CloudWatch::Alarm" and resource["Properties"].get("Namespace") == "AWS/Lambda":
            for dimension in resource["Properties"]["Dimensions"]:
                watched.add(dimension["Value"]["Fn::Sub"].replace("${Stage}", "prod"))
    functions = {
        r["Properties"]["FunctionName"]
        for r in packaged_template["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    }
    assert functions == {"shelfwise-prod", "shelfwise-prod-check_stock_levels", "shelfwise-prod-forecast_nightly",
                         "shelfwise-prod-forecast_shop", "shelfwise-prod-import_continue"}
    assert watched == functions


def test_packaged_app_is_configured_for_aws(packaged_template: dict[str, Any]) -> None:
    resources = packaged_template["Resources"]
    check = resources["CheckStockLevels"]["Properties"]
    assert check["Events"]["CheckStockLevelsEvent"]["Properties"]["Schedule"] == "rate(15 minutes)"
    queue = resources["ForecastShop"]["Properties"]["Events"]
    assert "shelfwise-prod-forecasts" in json.dumps(queue)  # the stage's queue, not the local default
    for logical_id in package.function_names("prod"):
        props = resources[logical_id]["Properties"]
        # The forecast run fits every product of a shop: more memory is more CPU, so it finishes sooner.
        memory = 1024 if logical_id == "ForecastShop" else 256
        assert props["Runtime"] == "python3.11" and props["MemorySize"] == memory
        assert resources[f"{logical_id}LogGroup"]["Properties"]["RetentionInDays"] == package.LOG_RETENTION_DAYS
    # The API answers CORS for the deployed site only (app.py reads SITE_URL when packaged).
    cors = resources["HttpApi"]["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == ["https://d111111abcdef8.cloudfront.net"]
    assert {"Authorization", "Content-Type", "Idempotency-Key"} <= set(cors["AllowHeaders"])
    assert cors["ExposeHeaders"] == ["Retry-After"]  # the site reads it on a 429
    assert "127.0.0.1" not in json.dumps(packaged_template)


def test_the_api_is_an_http_api_with_every_route_of_the_app(packaged_template: dict[str, Any]) -> None:
    """Issue 17: API Gateway v2 ($1.00 a million requests) in front of the API function, chalice's
    REST API ($3.50) gone; one route per path and method of the app, so a route's path parameters
    reach the view as on REST, and the stage throttled as the REST stage was."""
    from app import app

    resources = packaged_template["Resources"]
    types = {r["Type"] for r in resources.values()}
    assert "AWS::Serverless::Api" not in types and "AWS::ApiGateway::RestApi" not in types
    routes = {r["Properties"]["RouteKey"] for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert routes == {f"{method} {path}" for path, methods in app.routes.items() for method in methods}
    for r in resources.values():
        if r["Type"] == "AWS::ApiGatewayV2::Route":
            assert r["Properties"]["Target"] == {"Fn::Sub": "integrations/${HttpApiIntegration}"}
    integration = resources["HttpApiIntegration"]["Properties"]
    assert integration["IntegrationType"] == "AWS_PROXY" and integration["PayloadFormatVersion"] == "1.0"
    assert integration["IntegrationUri"] == {"Fn::GetAtt": ["APIHandler", "Arn"]}
    stage = resources["HttpApiStage"]["Properties"]
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"] == {"ThrottlingRateLimit": package.API_RATE_LIMIT,
                                             "ThrottlingBurstLimit": package.API_BURST_LIMIT}
    permission = resources["HttpApiInvokePermission"]["Properties"]
    assert permission["FunctionName"] == {"Ref": "APIHandler"} and "${HttpApi}/*" in permission["SourceArn"]["Fn::Sub"]
    assert "APIHandlerInvokePermission" not in resources
    # make deploy writes this URL into the site's config.js
    assert packaged_template["Outputs"]["EndpointURL"] == {"Value": {"Fn::Sub": "${HttpApi.ApiEndpoint}/"}}


def test_feedback_keys_come_from_the_stacks_secret(infra_template: dict[str, Any], packaged_template: Any) -> None:
    """The app gets the secret's ARN (never a key) and may read that one secret, nothing else of it."""
    secret = infra_template["Resources"]["FeedbackLinkKeys"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    generated = secret["Properties"]["GenerateSecretString"]
    assert json.loads(generated["SecretStringTemplate"]) == {"current": generated["GenerateStringKey"]}
    assert generated["PasswordLength"] >= 32
    assert infra_template["Outputs"]["FeedbackKeysArn"]["Value"] == {"Ref": "FeedbackLinkKeys"}
    variables = packaged_template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables["FEEDBACK_SECRET_ARN"] == {"Fn::ImportValue": "shelfwise-prod-FeedbackKeysArn"}
    assert "FEEDBACK_SECRETS" not in variables
    for stage in package.STAGES:
        policy = json.loads((ROOT / ".chalice" / f"policy-{stage}.json").read_text())
        (reads,) = [s for s in policy["Statement"] if any(a.startswith("secretsmanager:") for a in s["Action"])]
        assert reads["Action"] == ["secretsmanager:GetSecretValue"]
        assert reads["Resource"] == {"Fn::ImportValue": f"shelfwise-{stage}-FeedbackKeysArn"}
