"""Which account the messages name: the one in the ARN the function was invoked by."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workforce_reconciler.handler import account_of

FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:workforce-reconciler-Reconcile"


@dataclass
class Context:
    invoked_function_arn: str | None


class NoArn:
    """A context object without the attribute at all (a test harness, a local invoke)."""


@pytest.mark.parametrize(
    ("arn", "account"),
    [
        pytest.param(FUNCTION, "123456789012", id="function ARN"),
        pytest.param(f"{FUNCTION}:live", "123456789012", id="alias-qualified ARN"),
        pytest.param(
            "arn:aws:lambda:eu-west-1:123456789012", "123456789012", id="up to the account"
        ),
        pytest.param("arn:aws:lambda:eu-west-1", None, id="no account part"),
        pytest.param("arn:aws:lambda:eu-west-1::function:x", None, id="empty account part"),
        pytest.param("arn:aws:lambda:eu-west-1:aws:function:x", None, id="not an account number"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="None"),
    ],
)
def test_the_account_is_the_number_in_the_invoked_functions_arn(
    arn: str | None, account: str | None
) -> None:
    assert account_of(Context(arn)) == account  # type: ignore[arg-type]


def test_a_context_without_an_arn_names_no_account() -> None:
    assert account_of(NoArn()) is None  # type: ignore[arg-type]
