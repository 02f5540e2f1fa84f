"""A central topic in another Region: SNS takes a Publish to a topic only at that topic's own
Region's endpoint, so the function's SNS client is made for the topic's Region.

(moto finds a topic by its ARN whatever endpoint is asked, so the handler tests cannot see a
wrong Region; this checks where the client sends its requests.)"""

from __future__ import annotations

import pytest

from workforce_reconciler.aws import Clients
from workforce_reconciler.settings import Settings

BASE = {"DESIRED_STATE_PARAMETER": "/p", "STATE_TABLE": "t"}


@pytest.mark.parametrize(
    ("topic_arn", "region"),
    [
        ("arn:aws:sns:eu-west-1:999988887777:workforce-fleet", "eu-west-1"),
        ("arn:aws-us-gov:sns:us-gov-west-1:999988887777:fleet", "us-gov-west-1"),
        ("workforce-fleet", None),  # not an ARN: the session's Region
    ],
)
def test_the_topic_region_is_read_from_its_arn(topic_arn: str, region: str | None) -> None:
    # Given the function's TOPIC_ARN
    settings = Settings.from_env({**BASE, "TOPIC_ARN": topic_arn})

    # When asking which Region to publish in
    # Then it is the ARN's
    assert settings.topic_region == region


def test_the_sns_client_for_another_regions_topic_sends_there() -> None:
    # Given the function's clients in us-east-1
    clients = Clients.create(region="us-east-1")

    # When asking for SNS in the topic's Region, and in the function's own
    there = clients.sns("eu-west-1")
    here = clients.sns("us-east-1")

    # Then the first signs for and sends to eu-west-1; the second is the session's client
    assert there.meta.region_name == "eu-west-1"
    assert there.meta.endpoint_url == "https://sns.eu-west-1.amazonaws.com"
    assert here is clients.sns()
    assert here.meta.region_name == "us-east-1"
    assert clients.sns("eu-west-1") is there
