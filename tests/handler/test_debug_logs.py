"""No secret in any log line, whatever the log level: the root logger at DEBUG (as the
Lambda runtime sets it with AWS_LAMBDA_LOG_LEVEL=DEBUG) included."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from handler.deployment import SECRET_VALUE, Deployment, event
from workforce_emulator import controls
from workforce_reconciler.observability import BODY_LOGGERS

Invoke = Callable[[dict[str, Any]], dict[str, Any]]


def spellings(secret: str) -> list[str]:
    """The forms an error or a serializer could give the secret back in."""
    return [
        secret,
        secret.lower(),
        secret.upper(),
        json.dumps(secret)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret),
    ]


@pytest.fixture(params=["root", "root-and-botocore"])
def everything_at_debug(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """Every log record of the process, at DEBUG, as a root handler would write it; and
    then also with botocore's own loggers set to DEBUG by hand after import."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger()]
    if request.param == "root-and-botocore":
        loggers += [logging.getLogger(name) for name in ("botocore", *BODY_LOGGERS)]
    levels = [each.level for each in loggers]
    loggers[0].addHandler(handler)
    for each in loggers:
        each.setLevel(logging.DEBUG)
    yield stream
    loggers[0].removeHandler(handler)
    for each, level in zip(loggers, levels, strict=True):
        each.setLevel(level)


def test_no_log_line_carries_the_secret_with_everything_at_debug(
    deployment: Deployment, invoke: Invoke, everything_at_debug: io.StringIO
) -> None:
    # Given a document that creates an OIDC workforce (the secret is read and sent), and
    # a service error that echoes the secret in another spelling
    doc = deployment.oidc_document()
    doc["Workteams"] = []
    deployment.put_document(doc)
    controls.add_fault(
        "CreateWorkforce",
        error="ValidationException",
        message=f"client secret {SECRET_VALUE.upper()} / {json.dumps(SECRET_VALUE)} refused",
    )

    # When runs read it, send it, are refused, and send it again
    invoke(event("ssm-update"))
    invoke(event("schedule"))
    deployment.secretsmanager.put_secret_value(
        SecretId=deployment.secret_arn, SecretString="rotated-Secret+/=&value"
    )
    invoke(event("schedule"))

    # Then DEBUG lines were written (botocore's among them), none with a secret
    logs = everything_at_debug.getvalue()
    assert "botocore" in logs
    assert "CreateWorkforce" in logs
    for secret in (SECRET_VALUE, "rotated-Secret+/=&value"):
        for spelling in spellings(secret):
            assert spelling not in logs, spelling
