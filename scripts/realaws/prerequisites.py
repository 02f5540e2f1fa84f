"""What the acceptance scenarios need besides SageMaker, made with boto3, tagged, and entered
in the ledger: a Cognito user pool (with a domain, an app client with a secret, and groups, as
the Terraform provider's acceptance tests make for a Cognito workforce), an OIDC client secret
in Secrets Manager, and what the SAM stack would give the Lambda (state table, topic,
desired-state parameter).

The OIDC identity provider itself is not needed: SageMaker accepts an OidcConfig whose
endpoints answer nothing (the Terraform provider's acceptance tests use
``https://example.com``), so the scenarios use endpoints under ``example.com`` and no worker
can sign in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from .ledger import TAG_KEY, Ledger

OIDC_BASE = "https://example.com/workforce-reconciler-acceptance"


@dataclass(frozen=True)
class CognitoPool:
    user_pool: str
    client_id: str
    groups: tuple[str, ...]


def cognito_pool(ledger: Ledger, name: str, groups: tuple[str, ...]) -> CognitoPool:
    """A user pool with a domain, an app client that has a secret, and the groups."""
    cognito = ledger.target.client("cognito-idp")
    pool = cognito.create_user_pool(PoolName=name, UserPoolTags={TAG_KEY: ledger.run_id})
    pool_id = pool["UserPool"]["Id"]
    ledger.add("cognito-user-pool", pool_id)
    cognito.create_user_pool_domain(Domain=name.lower(), UserPoolId=pool_id)
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName=name, GenerateSecret=True
    )["UserPoolClient"]
    for group in groups:
        cognito.create_group(GroupName=group, UserPoolId=pool_id)
    return CognitoPool(pool_id, client["ClientId"], groups)


def client_secret(ledger: Ledger, name: str) -> str:
    """A Secrets Manager secret holding a random client secret (never printed); its ARN."""
    ledger.add("secretsmanager-secret", name)
    created = ledger.target.client("secretsmanager").create_secret(
        Name=name, SecretString=secrets.token_urlsafe(32), Tags=[ledger.tag]
    )
    return str(created["ARN"])


def rotate(ledger: Ledger, secret: str) -> str:
    """A new random value as the secret's current version; the new VersionId."""
    answer = ledger.target.client("secretsmanager").put_secret_value(
        SecretId=secret, SecretString=secrets.token_urlsafe(32)
    )
    return str(answer["VersionId"])


def state_table(ledger: Ledger, name: str) -> str:
    """The reconciler's state table (the template's keys), once it is ACTIVE."""
    dynamodb = ledger.target.client("dynamodb")
    ledger.add("dynamodb-table", name)
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
        Tags=[ledger.tag],
    )
    dynamodb.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": max(1, int(ledger.waits.poll_seconds))}
    )
    return name


def topic(ledger: Ledger, name: str) -> str:
    arn = str(ledger.target.client("sns").create_topic(Name=name, Tags=[ledger.tag])["TopicArn"])
    ledger.add("sns-topic", arn)
    return arn


def parameter(ledger: Ledger, name: str, value: str) -> None:
    """The desired-state parameter, created with its first value (Standard, String)."""
    ledger.add("ssm-parameter", name)
    ledger.target.client("ssm").put_parameter(
        Name=name, Value=value, Type="String", Tags=[ledger.tag]
    )


def oidc_config(client_id: str, secret_arn: str, *, path: str = "") -> dict[str, str]:
    """A document's OidcConfig with endpoints no one answers (``path`` makes another)."""
    base = f"{OIDC_BASE}{path}"
    return {
        "ClientId": client_id,
        "ClientSecretArn": secret_arn,
        "Issuer": base,
        "AuthorizationEndpoint": f"{base}/authorize",
        "TokenEndpoint": f"{base}/token",
        "UserInfoEndpoint": f"{base}/userinfo",
        "LogoutEndpoint": f"{base}/logout",
        "JwksUri": f"{base}/keys",
    }
