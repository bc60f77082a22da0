"""Create what the app expects to exist, idempotently: tables, user pool, app client, sender.

Used by the local stack at every start and by the tests; in AWS, infra/ creates the same.
"""

from __future__ import annotations

import logging
from typing import Any

from chalicelib import db

POOL_NAME = "shelfwise-users"
CLIENT_NAME = "shelfwise-web"


def create_tables(dynamodb: Any, table_name: str, idempotency_table_name: str) -> None:
    existing = set(dynamodb.list_tables().get("TableNames", []))
    if table_name not in existing:
        dynamodb.create_table(**db.table_definition(table_name))
    else:
        add_missing_indexes(dynamodb, table_name)
    if idempotency_table_name not in existing:
        dynamodb.create_table(**db.idempotency_table_definition(idempotency_table_name))
        dynamodb.get_waiter("table_exists").wait(TableName=idempotency_table_name)
        try:
            dynamodb.update_time_to_live(
                TableName=idempotency_table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
            )
        except dynamodb.exceptions.ClientError:  # TTL is a clean-up nicety; some emulators lack it
            logging.getLogger(__name__).info("time-to-live not supported here: idempotency records stay")
    dynamodb.get_waiter("table_exists").wait(TableName=table_name)


def add_missing_indexes(dynamodb: Any, table_name: str) -> None:
    """A table made by an older version gets the indexes added since (local data survives upgrades)."""
    wanted = db.table_definition(table_name)
    have = {
        i["IndexName"] for i in dynamodb.describe_table(TableName=table_name)["Table"].get("GlobalSecondaryIndexes", [])
    }
    for index in wanted.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in have:
            continue
        dynamodb.update_table(
            TableName=table_name,
            AttributeDefinitions=wanted["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        dynamodb.get_waiter("table_exists").wait(TableName=table_name)


def create_user_pool(idp: Any) -> tuple[str, str]:
    """The shop users' pool and the web app's client; returns (pool id, client id)."""
    pool_id = next((p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == POOL_NAME), None)
    if pool_id is None:
        pool_id = idp.create_user_pool(
            PoolName=POOL_NAME,
            UsernameAttributes=["email"],
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 8,
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": False,
                }
            },
            Schema=[
                {"Name": "tenant_id", "AttributeDataType": "String", "Mutable": False},
                {"Name": "role", "AttributeDataType": "String", "Mutable": True},
            ],
        )["UserPool"]["Id"]
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == CLIENT_NAME), None)
    if client_id is None:
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=CLIENT_NAME,
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            ReadAttributes=["email", "email_verified", "custom:tenant_id", "custom:role"],
            # Users may not change their own shop or role: only the app (admin API) sets them.
            WriteAttributes=["email"],
        )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def verify_sender(ses: Any, sender: str) -> None:
    ses.verify_email_identity(EmailAddress=sender)


def create_queue(sqs: Any, name: str) -> str:
    """The nightly forecast run's queue (one message per shop); returns its URL."""
    return str(sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "900"})["QueueUrl"])


def create_imports_storage(s3: Any, sqs: Any, bucket: str, queue: str, notify: bool = True) -> str:
    """The imports bucket (browsers POST to it, so it answers their CORS preflight) telling the
    imports queue of each upload (as infra/template.yaml sets it up in AWS), and that queue;
    returns the queue's URL."""
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["POST", "GET"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"], "MaxAgeSeconds": 600}]})
    queue_url: str = sqs.create_queue(QueueName=queue, Attributes={"VisibilityTimeout": "360"})["QueueUrl"]
    if notify:
        arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [{
            "QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "imports/"}]}},
        }]})
    return queue_url
