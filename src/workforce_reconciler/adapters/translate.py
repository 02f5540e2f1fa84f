"""botocore errors -> the engine's exceptions (``errors.py``): one translator for every adapter.

What is transient ("try again later") is botocore's own judgement first: the error codes
and HTTP statuses its standard retry mode retries (``botocore.retries.standard``), so an
error counts as transient here exactly when botocore would have retried it, and it
arrives here only because botocore's attempts are spent. A few codes that services
use for the same thing and botocore does not list are added by name.
"""

from __future__ import annotations

import re

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.retries.standard import (
    RetryContext,
    ThrottledRetryableChecker,
    TransientRetryableChecker,
)

from workforce_reconciler.errors import AwsError, ConflictError, NotFoundError, TransientError

_BOTOCORE_CHECKERS = (ThrottledRetryableChecker(), TransientRetryableChecker())

# Spellings of "try again later" that botocore's checkers do not list (they are retried
# there by their 5xx status, which an emulator or a proxy may not set): SageMaker's and
# SNS's internal errors, SNS's and KMS's throttling.
_MORE_TRANSIENT_CODES = frozenset(
    {
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "InternalServerException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "Throttled",
        "KMSThrottling",
        "KMSThrottlingException",
    }
)

_NOT_FOUND_CODES = frozenset(
    {"ResourceNotFound", "ResourceNotFoundException", "NotFoundException", "NotFound"}
)
_NOT_FOUND = re.compile(
    r"not found|no \w+ (?:was )?found|does not exist|could not find|cannot find", re.IGNORECASE
)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def is_transient(error: ClientError | BotoCoreError) -> bool:
    """Whether a retry later may succeed: throttling, 5xx, timeouts, dropped connections."""
    if isinstance(error, BotoCoreError):
        return isinstance(error, HTTPClientError | BotoConnectionError)
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    if status >= 500 or error_code(error) in _MORE_TRANSIENT_CODES:
        return True
    context = RetryContext(attempt_number=1, parsed_response=error.response)
    return any(checker.is_retryable(context) for checker in _BOTOCORE_CHECKERS)


def _is_not_found(code: str, message: str) -> bool:
    if code in _NOT_FOUND_CODES:
        return True
    # SageMaker answers a missing workforce or team with ValidationException and a
    # sentence ("No workforce found with name 'x'."): the sentence is all there is.
    return code == "ValidationException" and bool(_NOT_FOUND.search(message))


def translate(operation: str, error: ClientError | BotoCoreError) -> AwsError | TransientError:
    """The engine's exception for a botocore error (never carrying request data)."""
    if isinstance(error, BotoCoreError):
        if is_transient(error):
            # Connection errors, read timeouts: botocore already retried them.
            return TransientError(f"{operation} failed: {error}", code=type(error).__name__)
        # Client-side and permanent: parameter validation, no credentials, ...
        return AwsError(operation, type(error).__name__, str(error))
    code = error_code(error)
    message = str(error.response.get("Error", {}).get("Message", ""))
    if is_transient(error):
        return TransientError(f"{operation} failed: {code}: {message}", code=code)
    if _is_not_found(code, message):
        return NotFoundError(operation, code, message)
    if code == "ConflictException":
        return ConflictError(operation, code, message)
    return AwsError(operation, code, message)
