"""Smoke test: the plain parts of infra/template.yaml created by moto's CloudFormation.

moto's CloudFormation creates DynamoDB tables, S3 buckets and SNS topics (not Cognito, CloudFront, secrets,
SES or alarms), so the stack here holds those, as the template writes them. It applies keys,
indexes, billing, deletion protection and bucket encryption, which are checked; TTL, PITR and the
public access block it ignores (their template properties are checked in test_templates.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib import db

MOTO_TYPES = {"AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SNS::Topic", "AWS::SQS::Queue"}
REGION = "us-east-1"


def plain_parts(template: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in template.items() if k in ("AWSTemplateFormatVersion", "Parameters", "Conditions")}
    kept["Resources"] = {k: dict(v) for k, v in template["Resources"].items() if v["Type"] in MOTO_TYPES}
    for resource in kept["Resources"].values():  # no dependency on a resource left out
        if resource.get("DependsOn") not in (None, *kept["Resources"]):
            del resource["DependsOn"]
    return kept


@pytest.fixture(scope="module")
def stack(infra_template: dict[str, Any], monkeypatch_module: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch_module.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch_module.delenv(name, raising=False)
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        parameters = {"Stage": "prod", "AlertSender": "alerts@example.com", "DeletionProtection": "true"}
        cloudformation.create_stack(
            StackName="shelfwise-prod-infra",
            TemplateBody=json.dumps(plain_parts(infra_template)),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        )
        status = cloudformation.describe_stacks(StackName="shelfwise-prod-infra")["Stacks"][0]["StackStatus"]
        resources = cloudformation.list_stack_resources(StackName="shelfwise-prod-infra")["StackResourceSummaries"]
        yield {"status": status, "resources": {r["LogicalResourceId"]: r for r in resources}}


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_stack_is_created(stack: dict[str, Any]) -> None:
    assert stack["status"] == "CREATE_COMPLETE"
    assert set(stack["resources"]) == {"Table", "IdempotencyTable", "SiteBucket", "ArtifactsBucket", "AlarmTopic",
                                       "ImportsBucket", "ImportsQueue", "ImportsDeadLetters", "ForecastQueue",
                                       "ForecastDeadLetterQueue"}
    assert all(r["ResourceStatus"] == "CREATE_COMPLETE" for r in stack["resources"].values())


def test_table_has_the_apps_keys_and_index(stack: dict[str, Any]) -> None:
    table = boto3.client("dynamodb", region_name=REGION).describe_table(TableName="shelfwise-prod")["Table"]
    wanted = db.table_definition("shelfwise-prod")
    assert table["KeySchema"] == wanted["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(wanted["AttributeDefinitions"], key=str)
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionProtectionEnabled"] is True
    (index,) = table["GlobalSecondaryIndexes"]
    (wanted_index,) = wanted["GlobalSecondaryIndexes"]
    assert index["IndexName"] == db.LOW_STOCK_INDEX
    assert index["KeySchema"] == wanted_index["KeySchema"]
    assert index["Projection"] == wanted_index["Projection"]


def test_idempotency_table_has_the_apps_key(stack: dict[str, Any]) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    table = dynamodb.describe_table(TableName="shelfwise-prod-idempotency")["Table"]
    assert table["KeySchema"] == db.idempotency_table_definition("x")["KeySchema"]


def test_low_stock_index_serves_the_check(stack: dict[str, Any]) -> None:
    """A product written with low-stock keys is found through the index, as the scheduled check reads it."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    keys = db.low_stock_keys("t1", "SKU-1")
    dynamodb.put_item(
        TableName="shelfwise-prod",
        Item=db.to_ddb({"PK": db.shop_pk("t1"), "SK": "PRODUCT#SKU-1", "sku": "SKU-1", "on_hand": 1, **keys}),
    )
    found = dynamodb.query(
        TableName="shelfwise-prod",
        IndexName=db.LOW_STOCK_INDEX,
        KeyConditionExpression="low_pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys["low_pk"]}},
    )["Items"]
    assert [db.from_ddb(i)["sku"] for i in found] == ["SKU-1"]


def test_buckets_are_encrypted(stack: dict[str, Any]) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    for logical_id in ("SiteBucket", "ArtifactsBucket"):
        name = stack["resources"][logical_id]["PhysicalResourceId"]
        (rule,) = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"



def test_feedback_secret_holds_a_key_the_app_signs_with(infra_template: dict[str, Any], stack: Any) -> None:
    """moto's CloudFormation does not make secrets, so this makes FeedbackLinkKeys as CloudFormation
    documents it: a random password from GenerateSecretString's rules, put into its template under
    GenerateStringKey. The app must read that value as one current key, long and random."""
    from chalicelib.services.feedback import keys_of_document

    rules = infra_template["Resources"]["FeedbackLinkKeys"]["Properties"]["GenerateSecretString"]
    secrets = boto3.client("secretsmanager", region_name=REGION)
    password = secrets.get_random_password(
        PasswordLength=rules["PasswordLength"], ExcludePunctuation=rules["ExcludePunctuation"]
    )["RandomPassword"]
    value = {**json.loads(rules["SecretStringTemplate"]), rules["GenerateStringKey"]: password}
    arn = secrets.create_secret(Name="shelfwise-prod-feedback", SecretString=json.dumps(value))["ARN"]
    text = secrets.get_secret_value(SecretId=arn)["SecretString"]
    ((kid, key),) = keys_of_document(text)
    assert kid == "k1" and len(key) == 64 and key.isalnum()
