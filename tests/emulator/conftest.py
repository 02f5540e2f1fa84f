"""Fixtures for the emulator's own tests."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from .helpers import COGNITO, ONE_ATTEMPT, UNCHECKED, oidc


@pytest.fixture
def sagemaker(aws: None, boto_session: boto3.session.Session) -> Any:
    """An in-process SageMaker client (moto + emulator), one attempt per call."""
    return boto_session.client("sagemaker", config=ONE_ATTEMPT)


@pytest.fixture
def unchecked(aws: None, boto_session: boto3.session.Session) -> Any:
    """Like ``sagemaker`` but without botocore's client-side parameter validation."""
    return boto_session.client("sagemaker", config=UNCHECKED)


@pytest.fixture
def cognito_workforce(sagemaker: Any) -> str:
    sagemaker.create_workforce(WorkforceName="default", CognitoConfig=COGNITO)
    return "default"


@pytest.fixture
def oidc_workforce(sagemaker: Any) -> str:
    sagemaker.create_workforce(WorkforceName="default", OidcConfig=oidc())
    return "default"
