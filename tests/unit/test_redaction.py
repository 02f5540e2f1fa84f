"""The one place that hides the client secret: by key, by field path, by value in free text."""

from __future__ import annotations

import json
import uuid

import pytest

from workforce_reconciler.redaction import (
    REDACTED,
    is_secret_field,
    known_secrets,
    redact,
    redact_text,
    remember_secret,
    scrub,
)


def test_every_spelling_of_the_secret_key_is_hidden_at_any_depth() -> None:
    # Given a structure with the key in the spellings a service or a person may use
    value = {
        "client_secret": "a",
        "Client-Secret": "b",
        "CLIENTSECRET": "c",
        "ClientSecretArn": "arn:aws:secretsmanager:us-east-1:1:secret:x",
        "nested": [{"ClientSecret": "d"}, ("e",)],
        "count": 3,
    }

    # Then every secret value is hidden, and nothing else is touched
    assert redact(value) == {
        "client_secret": REDACTED,
        "Client-Secret": REDACTED,
        "CLIENTSECRET": REDACTED,
        "ClientSecretArn": "arn:aws:secretsmanager:us-east-1:1:secret:x",
        "nested": [{"ClientSecret": REDACTED}, ["e"]],
        "count": 3,
    }


@pytest.mark.parametrize(
    ("field", "secret"),
    [
        ("OidcConfig.ClientSecret", True),
        ("Workforce.OidcConfig.ClientSecret", True),
        ("ClientSecret", True),
        ("OidcConfig.ClientSecretVersion", False),
        ("ClientSecret.Version", False),
    ],
)
def test_a_field_path_names_the_secret_by_its_last_part(field: str, secret: bool) -> None:
    assert is_secret_field(field) is secret


def test_the_secret_is_scrubbed_as_is_in_any_case_json_escaped_and_url_encoded() -> None:
    # Given a secret with characters each spelling writes differently
    secret = 'Ab"c/d\\e f'

    # Then each spelling a service could echo is hidden whole
    for echoed in (
        secret,
        secret.upper(),
        json.dumps(secret)[1:-1],
        "Ab%22c%2Fd%5Ce%20f",
        "Ab%22c%2Fd%5Ce+f",
    ):
        assert scrub(f"before {echoed} after", [secret]) == f"before {REDACTED} after", echoed
    assert scrub(json.dumps({"m": secret}), [secret]) == json.dumps({"m": REDACTED})


def test_a_secret_inside_another_is_hidden_whole_and_nothing_else_is_touched() -> None:
    # Given two secrets, one inside the other, and text that is no secret at all
    text = "token abcde; null is full of dull words"

    # Then the longer is hidden whole (not "a(redacted)e"), and the rest is as it was
    assert scrub(text, ["bcd", "abcde"]) == f"token {REDACTED}; null is full of dull words"
    # (also where both start at the same place, in another case: longest first, not A-Z)
    assert scrub("x ABCDEF y", ["abc", "ABCDEF"]) == f"x {REDACTED} y"
    assert scrub(text, []) == text
    assert scrub(text, [""]) == text


def test_a_secret_this_process_read_is_remembered_for_the_log_scrubber() -> None:
    value = f"remembered-{uuid.uuid4()}"  # new in this process: no earlier test read it
    remember_secret(value)
    remember_secret("")
    assert value in known_secrets()
    assert "" not in known_secrets()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param(
            "cannot read ssm:/idp/oidc/client-secret: ParameterNotFound.",
            "cannot read ssm:/idp/oidc/client-secret: ParameterNotFound.",
            id="an SSM reference and the error after it",
        ),
        pytest.param(
            "/idp/client_secret: ParameterNotFound",
            "/idp/client_secret: ParameterNotFound",
            id="a parameter name at the start of the text",
        ),
        pytest.param(
            "secretsmanager:oidc-client-secret: ResourceNotFoundException",
            "secretsmanager:oidc-client-secret: ResourceNotFoundException",
            id="a Secrets Manager name",
        ),
        pytest.param(
            "at arn:aws:secretsmanager:eu-west-1:111122223333:secret:wf/client-secret: denied",
            "at arn:aws:secretsmanager:eu-west-1:111122223333:secret:wf/client-secret: denied",
            id="an ARN",
        ),
        pytest.param(
            "https://idp.example.com/token?client_secret=s3cr3t&scope=openid",
            "https://idp.example.com/token?client_secret=(redacted)&scope=openid",
            id="= always hides: a URL's query",
        ),
        pytest.param("a:b/ClientSecret=s3cr3t", "a:b/ClientSecret=(redacted)", id="= after a path"),
        pytest.param(
            '{"Name":"x","ClientSecret":"s3cr3t"}',
            '{"Name":"x","ClientSecret":(redacted)}',
            id="compact JSON: the colon before the key is not a reference",
        ),
        pytest.param("ssm:/a ClientSecret: s3cr3t", "ssm:/a ClientSecret: (redacted)", id="a key"),
        pytest.param(
            "ssm:/ ClientSecret: s3cr3t", "ssm:/ ClientSecret: (redacted)", id="a key after a space"
        ),
        pytest.param(
            "XmlConfig.ClientSecret: s3cr3t",
            "XmlConfig.ClientSecret: (redacted)",
            id="a dotted field path is a key, not a reference",
        ),
    ],
)
def test_a_reference_named_like_the_secret_is_shown_and_a_key_value_pair_is_hidden(
    text: str, shown: str
) -> None:
    assert redact_text(text) == shown
