"""The CLI with every logger at DEBUG: the secret is in no log line and no output, and
stdout stays one JSON document with --output json."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from cli.helpers import Cli
from engine.world import SECRET_VALUE, TABLE, World
from workforce_reconciler.adapters.state_store import DynamoDBStateStore
from workforce_reconciler.errors import TransientError
from workforce_reconciler.observability import BODY_LOGGERS


@pytest.fixture
def everything_at_debug() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in ("botocore", *BODY_LOGGERS))]
    levels = [each.level for each in loggers]
    loggers[0].addHandler(handler)
    for each in loggers:
        each.setLevel(logging.DEBUG)
    yield stream
    loggers[0].removeHandler(handler)
    for each, level in zip(loggers, levels, strict=True):
        each.setLevel(level)


def test_apply_at_debug_logs_no_secret_and_keeps_stdout_one_json_document(
    world: World,
    cli: Cli,
    oidc_file: Path,
    everything_at_debug: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the state table refusing to record the secret's version (the engine then logs
    # a warning), and every logger at DEBUG
    put_record = DynamoDBStateStore.put_record

    def throttled(store: DynamoDBStateStore, scope: str, key: str, item: dict[str, str]) -> None:
        if key == "secret":
            raise TransientError("PutItem failed: ProvisionedThroughputExceededException: slow")
        put_record(store, scope, key, item)

    monkeypatch.setattr(DynamoDBStateStore, "put_record", throttled)

    # When the OIDC example is applied with --output json
    ran = cli(
        "apply", "--file", oidc_file, "--auto-approve", "--output", "json", "--state-table", TABLE
    )

    # Then stdout is one JSON document (the warning went to stderr), and the secret is
    # nowhere
    assert ran.code == 0, ran.printed
    assert json.loads(ran.out)["Status"] == "Corrected"
    assert "could not record the client secret's version" in ran.err
    logs = everything_at_debug.getvalue()
    assert "botocore" in logs
    for text in (logs, ran.printed):
        for spelling in (SECRET_VALUE, SECRET_VALUE.upper(), quote(SECRET_VALUE, safe="")):
            assert spelling not in text
