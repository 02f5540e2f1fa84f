"""Which events start a run: the samples in events/, and anything else EventBridge might send."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handler.deployment import PARAMETER, event
from workforce_reconciler.handler import classify


@pytest.mark.parametrize(
    ("sample", "trigger"),
    [
        ("schedule", "schedule"),
        ("ssm-create", "ssm:Create"),
        ("ssm-update", "ssm:Update"),
        ("ssm-delete", "ssm:Delete"),
        ("ssm-label", "ssm:LabelParameterVersion"),
    ],
)
def test_sample_events_start_a_run(sample: str, trigger: str) -> None:
    assert classify(event(sample), PARAMETER) == trigger


def test_the_parameter_name_matches_with_or_without_its_leading_slash() -> None:
    assert classify(event("ssm-update"), PARAMETER.lstrip("/")) == "ssm:Update"


@pytest.mark.parametrize(
    "change",
    [
        {"detail": {"operation": "Update", "name": "/another/parameter", "type": "String"}},
        {"source": "aws.ec2"},
        {"detail-type": "EC2 Instance State-change Notification"},
        {"detail": "not an object"},
    ],
)
def test_events_that_are_not_ours_are_ignored(change: dict[str, Any]) -> None:
    modified = copy.deepcopy(event("ssm-update"))
    modified.update(change)
    assert classify(modified, PARAMETER) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_value_is_classified_or_ignored_never_an_exception(value: Any) -> None:
    assert classify(value, PARAMETER) in {None, "schedule"} or str(
        classify(value, PARAMETER)
    ).startswith("ssm:")


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["source", "detail-type", "detail", "id", "time"]), json_values)
)
def test_damaged_sample_events_never_raise(overrides: dict[str, Any]) -> None:
    damaged = {**event("ssm-update"), **overrides}
    result = classify(damaged, PARAMETER)
    assert result is None or result == "schedule" or result.startswith("ssm:")


@pytest.mark.parametrize(
    "name",
    [f"{PARAMETER}-staging", f"{PARAMETER}/old", PARAMETER.removeprefix("/workforce")],
)
def test_another_parameter_whose_name_begins_or_ends_like_ours_is_not_ours(name: str) -> None:
    # (two deployments in one account: one's parameter name may extend the other's)
    modified = copy.deepcopy(event("ssm-update"))
    modified["detail"]["name"] = name
    assert classify(modified, PARAMETER) is None
