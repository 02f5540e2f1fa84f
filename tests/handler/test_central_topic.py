"""The handler publishing to a central topic of another account and Region (a fleet's
operations topic, NotificationTopicArn), every message naming the function's account and
Region: as attributes, in the JSON form, in the email text and, where it fits, the subject."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from moto.sns.models import sns_backends

from engine.accounts import CentralTopic, attributes
from handler.deployment import Deployment, LambdaContext, event
from workforce_reconciler import handler

OPERATIONS_ACCOUNT = "999988887777"
OPERATIONS_REGION = "eu-west-1"
FUNCTION_ACCOUNT = "123456789012"  # the deployment's (moto's default account)


@pytest.fixture
def central(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> CentralTopic:
    """The deployment, its function told to publish to the central topic instead of its own."""
    topic = CentralTopic(OPERATIONS_ACCOUNT, OPERATIONS_REGION)
    monkeypatch.setenv("TOPIC_ARN", topic.arn)
    handler.reset()
    return topic


def test_messages_reach_the_central_topic_naming_the_functions_account_and_region(
    deployment: Deployment, central: CentralTopic, invoke: Callable[[dict[str, Any]], Any]
) -> None:
    # Given a desired state put in the function's account (us-east-1)
    deployment.put_document(deployment.oidc_document())

    # When the schedule runs the function, invoked as arn:aws:lambda:us-east-1:123456789012:...
    result = invoke(event("schedule"))

    # Then the operations account's queue has the message, not the deployment's own topic
    assert result["Status"] == "Corrected"
    [message] = central.messages()
    assert deployment.messages() == []
    # and the message says which account and Region it is about, in every form
    assert attributes(message) == {
        "event_type": "DriftCorrected",
        "severity": "INFO",
        "workforce": "labeling-oidc",
        "account": FUNCTION_ACCOUNT,
        "region": "us-east-1",
    }
    document = json.loads(message["Message"])
    assert (document["Account"], document["Region"]) == (FUNCTION_ACCOUNT, "us-east-1")
    # (a subject with no room for " [123456789012 us-east-1]" goes without it)
    assert message["Subject"] == (
        "[workforce-reconciler] Drift corrected on workforce labeling-oidc (3 changes)"
    )


def test_the_email_text_names_the_account_and_region_and_the_subject_where_it_fits(
    deployment: Deployment, central: CentralTopic, invoke: Callable[[dict[str, Any]], Any]
) -> None:
    # Given no desired-state document in the function's account
    # When the function runs
    invoke(event("schedule"))

    # Then the subject (which has room) ends with the account and Region
    [message] = central.messages()
    assert message["Subject"] == (
        "[workforce-reconciler] Desired-state document missing, nothing changed "
        f"[{FUNCTION_ACCOUNT} us-east-1]"
    )
    # and so does the text email subscribers get (moto does not deliver email: read what
    # the topic was given to deliver)
    topic = sns_backends[OPERATIONS_ACCOUNT][OPERATIONS_REGION].topics[central.arn]
    [(_, published, _, _, _)] = topic.sent_notifications
    email = json.loads(published)["email"]
    assert "Workforce: (unknown: the document could not be read)\n" in email
    assert f"Account:   {FUNCTION_ACCOUNT}\nRegion:    us-east-1\n" in email


def test_a_context_without_an_arn_says_the_account_is_unknown(
    deployment: Deployment, central: CentralTopic
) -> None:
    # Given a document, and an invocation whose context has no function ARN
    deployment.put_document(deployment.oidc_document())
    context = LambdaContext(invoked_function_arn="")

    # When the function runs
    handler.lambda_handler(event("schedule"), context)

    # Then the message still goes out, saying so rather than guessing
    [message] = central.messages()
    assert attributes(message)["account"] == "unknown"
    assert json.loads(message["Message"])["Account"] is None
