"""The text report of a Failed workforce names the ways out once, and only its own."""

from __future__ import annotations

from workforce_reconciler.engine import advice
from workforce_reconciler.plan import (
    Action,
    Classification,
    Finding,
    Mode,
    Operation,
    Plan,
    Report,
    ResourceType,
    Severity,
)
from workforce_reconciler.render import format_report

WAYS_OUT = advice.failed("default", "eu-west-1", ["labelers"])
FAILED = Finding(
    Code="WorkforceFailed",
    Severity=Severity.CRITICAL,
    Message="workforce default has Status Failed: IdP down",
    ResourceName="default",
    Advice=WAYS_OUT + " (token ClientSecret=hunter2-secret)",
)
OTHER = Finding(
    Code="TagsUnverifiable",
    Severity=Severity.WARNING,
    Message="workforce tags cannot be read back",
    ResourceName="default",
    Advice="Grant sagemaker:ListTags to read them.",
)


def failed_report(plan: Plan) -> Report:
    return Report(
        Trigger="schedule",
        Mode=Mode.DETECT,
        Region="eu-west-1",
        WorkforceName="default",
        Plan=plan,
        WorkforceStatus="Failed",
        FailureReason="IdP down",
    )


def test_a_failed_workforce_with_nothing_planned_lists_its_ways_out_redacted() -> None:
    # Given a Failed workforce the policy does not let the reconciler re-create (so the
    # plan is empty), with another finding that has advice of its own
    report = failed_report(Plan(WorkforceName="default", Findings=(OTHER, FAILED)))

    # When the report is rendered for a person
    text = format_report(report)

    # Then the failure is followed by how to get out of it, each line whole and unindented,
    # any secret in it hidden; the other finding's advice is not mixed into it
    assert text == (
        "Workforce default is Failed: IdP down\n"
        "Nothing is changed while SageMaker reports it Failed.\n"
        "SageMaker cannot change a Failed workforce; it must be deleted and created again, "
        "which cuts every worker off. Either let the reconciler do it (set "
        "Policy.AllowDisruptiveChanges to allow it: the next run re-creates it and its teams "
        "from the document), or delete it yourself and the next run creates it again:\n"
        "  aws sagemaker delete-workteam --region eu-west-1 --workteam-name labelers\n"
        "  aws sagemaker delete-workforce --region eu-west-1 --workforce-name default "
        "(token ClientSecret=(redacted))\n"
        "\n"
        "Status: WorkforceFailed (mode detect, trigger schedule)."
    )


def test_a_failed_workforce_being_replaced_lists_its_ways_out_once() -> None:
    # Given a Failed workforce the plan replaces (the plan lists the finding with its advice)
    replace = Action(
        Operation=Operation.DELETE_WORKFORCE,
        ResourceType=ResourceType.WORKFORCE,
        ResourceName="default",
        Classification=Classification.DISRUPTIVE,
        Reason="the workforce is Failed (IdP down)",
    )
    report = failed_report(Plan(WorkforceName="default", Actions=(replace,), Findings=(FAILED,)))

    # When the report is rendered
    text = format_report(report)

    # Then the ways out appear once, under the finding in the plan, not again at the end
    assert text.count("delete-workforce --region eu-west-1") == 1
    assert text.endswith(
        "      aws sagemaker delete-workforce --region eu-west-1 --workforce-name default "
        "(token ClientSecret=(redacted))\n"
        "\n"
        "Workforce default is Failed: IdP down\n"
        "Nothing is changed while SageMaker reports it Failed.\n"
        "\n"
        "Status: WorkforceFailed (mode detect, trigger schedule)."
    )
