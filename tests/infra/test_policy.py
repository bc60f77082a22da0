"""The hand-written IAM policies (.chalice/policy-<stage>.json): least privilege, and enough.

"Enough" is checked against the code: every AWS operation chalicelib/ calls must be allowed, so a
new call (say a BatchWriteItem for imports) fails here, not in production with AccessDenied.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from infra import package

from .conftest import ROOT

# IAM prefix of each service the app calls, and what an operation needs when it is not itself an IAM
# action: a transaction is authorized item by item; InitiateAuth and RespondToAuthChallenge are public
# (unsigned) Cognito calls.
SERVICES = {
    "dynamodb": "dynamodb", "cognito-idp": "cognito-idp", "ses": "ses", "sesv2": "ses", "s3": "s3", "sqs": "sqs",
    "secretsmanager": "secretsmanager",
}
NEEDS = {
    "dynamodb:TransactWriteItems": {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"},
    "dynamodb:TransactGetItems": {"dynamodb:GetItem"},
    "cognito-idp:InitiateAuth": set(),
    "cognito-idp:RespondToAuthChallenge": set(),  # public too: the first sign-in's new password
    "ses:SendEmail": {"ses:SendEmail"},
    "sqs:SendMessageBatch": {"sqs:SendMessage"},
    "s3:HeadObject": {"s3:GetObject"},
    "s3:ListObjectsV2": {"s3:ListBucket"},
}
# powertools' idempotency store (DynamoDBPersistenceLayer) calls these on the idempotency table.
POWERTOOLS = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
# Lambda's SQS trigger reads a queue with the function's role (app.py forecast_shop, import_continue).
SQS_TRIGGER = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}


def policy(stage: str) -> dict[str, Any]:
    return json.loads((ROOT / ".chalice" / f"policy-{stage}.json").read_text())


def statements(stage: str) -> list[dict[str, Any]]:
    return policy(stage)["Statement"]


def allowed_actions(stage: str) -> set[str]:
    found: set[str] = set()
    for statement in statements(stage):
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        found.update([actions] if isinstance(actions, str) else actions)
    return found


def operations_in_code() -> set[str]:
    """`service:Operation` for every boto3 client method called in chalicelib/ (by its snake_case name)."""
    import botocore.session
    from botocore import xform_name

    session = botocore.session.get_session()
    by_method: dict[str, set[str]] = {}
    for service, prefix in SERVICES.items():
        for operation in session.get_service_model(service).operation_names:
            by_method.setdefault(xform_name(operation), set()).add(f"{prefix}:{operation}")
    found: set[str] = set()
    for path in (ROOT / "chalicelib").rglob("*.py"):
        for method in re.findall(r"\.([a-z][a-z0-9_]*)\(", path.read_text()):
            found |= by_method.get(method, set())
    return found


@pytest.mark.parametrize("stage", package.STAGES)
def test_no_wildcards(stage: str) -> None:
    for statement in statements(stage):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in action for action in actions), statement["Sid"]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in resources:
            # Exact ARNs: the infra stack's exports, or this account, region and exact names. The only
            # wildcards: the table's indexes, and the log streams of the functions' own log groups.
            assert isinstance(resource, dict), f"{statement['Sid']}: {resource}"
            text = json.dumps(resource).replace("/index/*", "").replace(':*"', '"').replace("/imports/*", "")
            text = text.replace("/refused/*", "")  # the imports bucket: uploads and refused rows
            assert "*" not in text, f"{statement['Sid']}: {text}"
    assert "NotAction" not in json.dumps(policy(stage)) and "NotResource" not in json.dumps(policy(stage))


@pytest.mark.parametrize("stage", package.STAGES)
def test_allows_every_call_the_app_makes(stage: str) -> None:
    allowed = allowed_actions(stage)
    called = operations_in_code()
    assert "dynamodb:TransactWriteItems" in called and "ses:SendEmail" in called  # the scan works
    missing = {}
    for operation in called:
        needed = NEEDS.get(operation, {operation})
        if not needed <= allowed:
            missing[operation] = needed - allowed
    assert not missing, f"add to .chalice/policy-{stage}.json (and re-check least privilege): {missing}"
    assert POWERTOOLS <= allowed


@pytest.mark.parametrize("stage", package.STAGES)
def test_allows_nothing_the_app_does_not_call(stage: str) -> None:
    called = operations_in_code()
    needed = set().union(*(NEEDS.get(op, {op}) for op in called)) | POWERTOOLS
    logs = {"logs:CreateLogStream", "logs:PutLogEvents"}  # Lambda's own logging
    assert allowed_actions(stage) - needed - logs - SQS_TRIGGER == set()


@pytest.mark.parametrize("stage", package.STAGES)
def test_scoped_to_this_stage(stage: str) -> None:
    text = json.dumps(policy(stage))
    other = next(s for s in package.STAGES if s != stage)
    assert f"shelfwise-{other}" not in text
    for statement in statements(stage):
        resources = json.dumps(statement["Resource"])
        assert f"shelfwise-{stage}" in resources, statement["Sid"]
    # The two stages differ only in their names.
    assert text.replace(f"shelfwise-{stage}", "shelfwise-STAGE") == json.dumps(policy(other)).replace(
        f"shelfwise-{other}", "shelfwise-STAGE"
    )


def test_sending_is_limited_to_the_sender() -> None:
    for stage in package.STAGES:
        ses = next(s for s in statements(stage) if s["Action"] == ["ses:SendEmail"])
        assert ses["Resource"] == {"Fn::ImportValue": f"shelfwise-{stage}-SenderIdentityArn"}
        sender = {"Fn::ImportValue": f"shelfwise-{stage}-AlertSender"}
        assert ses["Condition"]["StringEquals"]["ses:FromAddress"] == sender


def test_stages_use_their_policy_without_autogen() -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert config["autogen_policy"] is False
    for stage in package.STAGES:
        assert config["stages"][stage]["autogen_policy"] is False
        assert config["stages"][stage]["iam_policy_file"] == f"policy-{stage}.json"


def test_packaged_roles_carry_the_policy(packaged_template: dict[str, Any]) -> None:
    roles = [r for r in packaged_template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert len(roles) == len(package.function_names("prod"))  # one per function
    for role in roles:
        (document,) = [p["PolicyDocument"] for p in role["Properties"]["Policies"]]
        assert document == policy("prod")
        assert not role["Properties"].get("ManagedPolicyArns")
