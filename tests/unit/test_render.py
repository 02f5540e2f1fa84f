"""The text a person reads for a plan and a report (CLI output and email bodies)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from workforce_reconciler.plan import (
    Action,
    ActionResult,
    Classification,
    DocumentProblem,
    FieldChange,
    Finding,
    Mode,
    Operation,
    Outcome,
    Plan,
    Report,
    ResourceType,
    Severity,
)
from workforce_reconciler.render import format_action, format_plan, format_report, format_result

_TYPES = {
    Operation.CREATE_WORKFORCE: ResourceType.WORKFORCE,
    Operation.UPDATE_WORKFORCE: ResourceType.WORKFORCE,
    Operation.DELETE_WORKFORCE: ResourceType.WORKFORCE,
}


def action(
    operation: Operation,
    name: str,
    *changes: tuple[str, Any, Any],
    classification: Classification = Classification.CORRECTABLE,
    reason: str = "differs from the document",
) -> Action:
    return Action(
        Operation=operation,
        ResourceType=_TYPES.get(operation, ResourceType.WORKTEAM),
        ResourceName=name,
        Classification=classification,
        Changes=tuple(FieldChange(Field=f, Before=b, After=a) for f, b, a in changes),
        Reason=reason,
    )


UPDATE_SCOPE = action(
    Operation.UPDATE_WORKFORCE,
    "default",
    ("OidcConfig.Scope", "openid", "openid email"),
    ("SourceIpConfig.Cidrs", ["10.0.0.0/16"], ["10.0.0.0/16", "192.168.0.0/24"]),
)
CREATE_LABELERS = action(
    Operation.CREATE_WORKTEAM, "labelers", ("Description", None, "Image labelers")
)
BLOCKED_DELETE = action(
    Operation.DELETE_WORKTEAM,
    "old",
    classification=Classification.BLOCKED,
    reason="not in the document, and Policy does not allow deleting work teams",
)


def test_empty_plan_says_the_workforce_matches() -> None:
    # Given a plan without actions
    plan = Plan(WorkforceName="default")

    # When it is rendered
    text = format_plan(plan)

    # Then it is the one-line answer
    assert text == "No changes. Workforce default matches the document."


def test_plan_lists_each_action_with_its_changes_and_a_summary() -> None:
    # Given an update, a create and a blocked delete
    plan = Plan(WorkforceName="default", Actions=(UPDATE_SCOPE, CREATE_LABELERS, BLOCKED_DELETE))

    # When it is rendered
    text = format_plan(plan)

    # Then each action reads like a diff, blocked ones say why, and the summary counts them
    assert text == (
        "~ Workforce/default (UpdateWorkforce)\n"
        "    OidcConfig.Scope: 'openid' -> 'openid email'\n"
        '    SourceIpConfig.Cidrs: ["10.0.0.0/16"] -> ["10.0.0.0/16", "192.168.0.0/24"]\n'
        "+ Workteam/labelers (CreateWorkteam)\n"
        "    Description: (none) -> 'Image labelers'\n"
        "- Workteam/old (DeleteWorkteam)\n"
        "    ! blocked: not in the document, and Policy does not allow deleting work teams\n"
        "\n"
        "Plan: 1 to create, 1 to update, 0 to delete, 1 blocked."
    )


def test_tag_changes_render_as_updates_of_the_resource_tags() -> None:
    # Given tag actions on a work team
    add = action(Operation.ADD_TAGS, "labelers", ("Tags.team", None, "vision"))
    delete = action(Operation.DELETE_TAGS, "labelers", ("Tags.owner", "bob", None))

    # When they are rendered
    lines = format_action(add) + format_action(delete)

    # Then both are "~" updates of the team's tags, and the plan counts them as updates
    assert lines == [
        "~ Workteam/labelers (AddTags)",
        "    Tags.team: (none) -> 'vision'",
        "~ Workteam/labelers (DeleteTags)",
        "    Tags.owner: 'bob' -> (none)",
    ]
    summary = format_plan(Plan(WorkforceName="default", Actions=(add, delete))).splitlines()[-1]
    assert summary == "Plan: 0 to create, 2 to update, 0 to delete, 0 blocked."


def test_disruptive_allowed_actions_are_marked() -> None:
    # Given a workforce replacement the policy allows
    replace = action(
        Operation.DELETE_WORKFORCE, "default", classification=Classification.DISRUPTIVE
    )

    # When it is rendered
    lines = format_action(replace)

    # Then the person sees it cuts workers off
    assert lines == ["- Workforce/default (DeleteWorkforce) [disruptive]"]


def test_colour_only_when_asked() -> None:
    # Given a plan with a create and a blocked delete
    plan = Plan(WorkforceName="default", Actions=(CREATE_LABELERS, BLOCKED_DELETE))

    # When it is rendered with and without colour
    plain = format_plan(plan)
    coloured = format_plan(plan, color=True)

    # Then only the coloured one has ANSI codes: green create, red delete
    assert "\033[" not in plain
    assert "\033[32m+ Workteam/labelers (CreateWorkteam)\033[0m" in coloured
    assert "\033[31m- Workteam/old (DeleteWorkteam)\033[0m" in coloured


def test_client_secret_never_rendered() -> None:
    # Given changes and an error that (against the rules) carry a client secret
    leaky = action(
        Operation.UPDATE_WORKFORCE,
        "default",
        ("OidcConfig.ClientSecret", "old-s3cret", "new-s3cret"),
        ("OidcConfig", {"ClientId": "abc", "clientSECRET": "dict-s3cret"}, {"ClientId": "abc"}),
    )
    report = Report(
        Trigger="schedule",
        Mode=Mode.ENFORCE,
        Region="us-east-1",
        WorkforceName="default",
        Plan=Plan(WorkforceName="default", Actions=(leaky,)),
        Results=(
            ActionResult(
                Action=leaky,
                Outcome=Outcome.FAILED,
                ErrorCode="ValidationException",
                ErrorMessage='Invalid request {"ClientSecret": "echo-s3cret"}',
            ),
        ),
    )

    # When the report is rendered
    text = format_report(report)

    # Then no secret value appears, and the fields are still named
    assert "s3cret" not in text
    assert "    OidcConfig.ClientSecret: '(redacted)' -> '(redacted)'" in text
    assert '{"ClientId": "abc", "clientSECRET": "(redacted)"} -> {"ClientId": "abc"}' in text
    assert 'Invalid request {"ClientSecret": (redacted)}' in text


def test_report_lists_each_result_and_the_failed_workforce() -> None:
    # Given a run that applied one action, failed one and skipped one, on a Failed workforce
    skipped = action(Operation.UPDATE_WORKTEAM, "reviewers", ("Description", "a", "b"))
    report = Report(
        Trigger="schedule",
        Mode=Mode.ENFORCE,
        Region="us-east-1",
        WorkforceName="default",
        Plan=Plan(WorkforceName="default", Actions=(UPDATE_SCOPE, CREATE_LABELERS, skipped)),
        Results=(
            ActionResult(Action=UPDATE_SCOPE, Outcome=Outcome.APPLIED),
            ActionResult(
                Action=CREATE_LABELERS,
                Outcome=Outcome.FAILED,
                ErrorCode="ResourceLimitExceeded",
                ErrorMessage="The account-level service limit 'Workteams' is 25.",
            ),
            ActionResult(
                Action=skipped,
                Outcome=Outcome.SKIPPED,
                ErrorMessage="skipped: an earlier step (CreateWorkteam) failed",
            ),
        ),
        WorkforceStatus="Failed",
        FailureReason="The OIDC issuer could not be reached.",
    )

    # When it is rendered
    text = format_report(report)

    # Then the plan, each outcome, the workforce's failure and the status are all there
    assert text == (
        "~ Workforce/default (UpdateWorkforce)\n"
        "    OidcConfig.Scope: 'openid' -> 'openid email'\n"
        '    SourceIpConfig.Cidrs: ["10.0.0.0/16"] -> ["10.0.0.0/16", "192.168.0.0/24"]\n'
        "+ Workteam/labelers (CreateWorkteam)\n"
        "    Description: (none) -> 'Image labelers'\n"
        "~ Workteam/reviewers (UpdateWorkteam)\n"
        "    Description: 'a' -> 'b'\n"
        "\n"
        "Plan: 1 to create, 2 to update, 0 to delete, 0 blocked.\n"
        "\n"
        "Results:\n"
        "  applied ~ Workforce/default (UpdateWorkforce)\n"
        "  failed  + Workteam/labelers (CreateWorkteam): ResourceLimitExceeded: "
        "The account-level service limit 'Workteams' is 25.\n"
        "  skipped ~ Workteam/reviewers (UpdateWorkteam): "
        "skipped: an earlier step (CreateWorkteam) failed\n"
        "\n"
        "Workforce default is Failed: The OIDC issuer could not be reached.\n"
        "\n"
        "Status: WorkforceFailed (mode enforce, trigger schedule)."
    )


def test_report_of_an_invalid_document_lists_every_problem() -> None:
    # Given a report of a document with two problems
    report = Report(
        Trigger="parameter-change",
        Mode=Mode.ENFORCE,
        Region="eu-west-1",
        DocumentSource="ssm:/workforce-reconciler/desired-state",
        DocumentProblems=(
            DocumentProblem(Path="Workforce.OidcConfig.ClientId", Message="Field required"),
            DocumentProblem(Path="Workteams[1].WorkteamName", Message="duplicate name 'a'"),
        ),
    )

    # When it is rendered
    text = format_report(report)

    # Then every problem is shown with its path, and that nothing changed
    assert text == (
        "The desired-state document ssm:/workforce-reconciler/desired-state is invalid "
        "(2 problems):\n"
        "  Workforce.OidcConfig.ClientId: Field required\n"
        "  Workteams[1].WorkteamName: duplicate name 'a'\n"
        "Nothing was changed.\n"
        "\n"
        "Status: InvalidDocument (mode enforce, trigger parameter-change)."
    )


def test_report_of_a_missing_document_says_nothing_was_deleted() -> None:
    # Given a report of a deleted parameter
    report = Report(
        Trigger="parameter-change",
        Mode=Mode.ENFORCE,
        Region="eu-west-1",
        DocumentSource="ssm:/wr/doc",
    )

    # When it is rendered
    text = format_report(report)

    # Then it says so
    assert text == (
        "The desired-state document ssm:/wr/doc does not exist. "
        "Nothing was changed, and nothing was deleted because of it.\n"
        "\n"
        "Status: DocumentMissing (mode enforce, trigger parameter-change)."
    )


def test_findings_are_listed_under_the_plan() -> None:
    # Given an in-sync plan with a finding
    plan = Plan(
        WorkforceName="default",
        Findings=(
            Finding(
                Code="TagsUnverifiable",
                Severity=Severity.WARNING,
                Message="workforce tags cannot be read back",
                ResourceName="default",
            ),
        ),
    )

    # When it is rendered
    text = format_plan(plan)

    # Then the finding follows the answer
    assert text == (
        "No changes. Workforce default matches the document.\n"
        "\n"
        "Findings:\n"
        "  WARNING TagsUnverifiable (default): workforce tags cannot be read back"
    )


def test_failed_workforce_with_nothing_planned_does_not_claim_it_matches() -> None:
    # Given a run that found the workforce Failed (the plan makes no writes then)
    report = Report(
        Trigger="schedule",
        Mode=Mode.ENFORCE,
        Region="us-east-1",
        WorkforceName="default",
        Plan=Plan(WorkforceName="default"),
        WorkforceStatus="Failed",
        FailureReason="OIDC issuer unreachable",
    )

    # Then the text says what is wrong and that nothing is changed, not "No changes"
    assert format_report(report) == (
        "Workforce default is Failed: OIDC issuer unreachable\n"
        "Nothing is changed while SageMaker reports it Failed.\n"
        "\n"
        "Status: WorkforceFailed (mode enforce, trigger schedule)."
    )


def test_a_secret_echoed_in_the_failure_reason_is_redacted_in_the_text_report() -> None:
    # Given a Failed workforce whose FailureReason (service text) echoes a client secret
    report = Report(
        Trigger="schedule",
        Mode=Mode.ENFORCE,
        Region="us-east-1",
        WorkforceName="default",
        Plan=Plan(WorkforceName="default"),
        WorkforceStatus="Failed",
        FailureReason="token exchange failed with ClientSecret=hunter2-secret",
    )

    # When it is rendered for a person (CLI output, email body)
    text = format_report(report)

    # Then the reason is there without the value (the JSON twin: tests/cli)
    assert "hunter2-secret" not in text
    assert text.splitlines()[0] == (
        "Workforce default is Failed: token exchange failed with ClientSecret=(redacted)"
    )


def test_a_failed_workforce_without_a_reason_says_so() -> None:
    report = Report(
        Trigger="schedule",
        Mode=Mode.ENFORCE,
        Region="us-east-1",
        Plan=Plan(WorkforceName="default"),
        WorkforceStatus="Failed",
    )
    assert format_report(report).splitlines()[0] == "Workforce default is Failed: no reason given"


def test_secret_version_change_shows_versions_not_redaction() -> None:
    # Given a rotated secret (the plan carries versions, never the value)
    action = Action(
        Operation=Operation.UPDATE_WORKFORCE,
        ResourceType=ResourceType.WORKFORCE,
        ResourceName="default",
        Classification=Classification.CORRECTABLE,
        Reason="the workforce differs from the document",
        Changes=(
            FieldChange(
                Field="OidcConfig.ClientSecretVersion", Before="version 3", After="version 4"
            ),
        ),
    )

    # Then a person sees which version is applied
    assert (
        format_action(action)[1] == "    OidcConfig.ClientSecretVersion: 'version 3' -> 'version 4'"
    )


def test_a_findings_advice_follows_it_one_line_each() -> None:
    # Given a finding with advice over two lines (a command on its own line)
    plan = Plan(
        WorkforceName="default",
        Findings=(
            Finding(
                Code="Example",
                Severity=Severity.INFO,
                Message="something to know",
                Advice="Do this:\n  aws sagemaker describe-workforce --workforce-name default",
            ),
        ),
    )

    # Then the advice is under the finding, indented, each line whole
    assert format_plan(plan).endswith(
        "  INFO Example: something to know\n"
        "    Do this:\n"
        "      aws sagemaker describe-workforce --workforce-name default"
    )


def test_a_coloured_report_paints_blocked_steps_failures_and_a_failed_workforce() -> None:
    # Given a report with a blocked delete, a failed create and a Failed workforce
    report = Report(
        Trigger="cli-apply",
        Mode=Mode.ENFORCE,
        Region="us-east-1",
        WorkforceName="default",
        Plan=Plan(WorkforceName="default", Actions=(CREATE_LABELERS, BLOCKED_DELETE)),
        Results=(
            ActionResult(Action=CREATE_LABELERS, Outcome=Outcome.FAILED),
            ActionResult(Action=CREATE_LABELERS, Outcome=Outcome.APPLIED, ErrorMessage="as asked"),
        ),
        WorkforceStatus="Failed",
        FailureReason="IdP down",
    )

    # When it is rendered for a terminal
    lines = format_report(report, color=True).splitlines()

    # Then each part has its colour; a failure without code or message says so
    assert (
        "    \033[1m\033[31m! blocked: not in the document, and Policy does not allow deleting "
        "work teams\033[0m"
    ) in lines
    assert (
        "  \033[31mfailed  + Workteam/labelers (CreateWorkteam): Error: no message\033[0m"
    ) in lines
    assert "  \033[32mapplied + Workteam/labelers (CreateWorkteam): as asked\033[0m" in lines
    assert "\033[1m\033[31mWorkforce default is Failed: IdP down\033[0m" in lines


def test_omitted_problems_are_counted_and_a_document_without_a_source_still_reads() -> None:
    # Given a document (read from stdin: no source) with 53 problems, 50 of them shown
    report = Report(
        Trigger="cli-plan",
        Mode=Mode.ENFORCE,
        Region="us-east-1",
        DocumentProblems=(DocumentProblem(Path="$.Version", Message="must be 1"),),
        DocumentProblemsOmitted=52,
    )

    # Then the count covers all of them and the rest are announced
    assert format_report(report).splitlines()[:3] == [
        "The desired-state document is invalid (53 problems):",
        "  $.Version: must be 1",
        "  ... and 52 more problems (fix these first)",
    ]
    missing = Report(Trigger="cli-plan", Mode=Mode.ENFORCE, Region="us-east-1")
    assert format_report(missing).splitlines()[0] == (
        "The desired-state document does not exist. "
        "Nothing was changed, and nothing was deleted because of it."
    )


def test_values_render_compact_with_every_blocked_action_counted() -> None:
    # Given two blocked actions, one with values JSON cannot write natively
    when = datetime(2024, 5, 1, tzinfo=UTC)
    odd = action(
        Operation.UPDATE_WORKTEAM,
        "café",
        ("Description", when, ["équipe", "naïve"]),
        ("OidcConfig.ClientSecret", None, "x"),
        ("OidcConfig.client_secret", "x", None),
        classification=Classification.BLOCKED,
    )
    plan = Plan(WorkforceName="default", Actions=(BLOCKED_DELETE, odd))

    # When the plan is rendered
    text = format_plan(plan)

    # Then values are one-line JSON as written (not \u escapes), a date as text, an absent
    # secret "(none)" and a set one "(redacted)", and both blocked actions are counted
    assert '    Description: "2024-05-01 00:00:00+00:00" -> ["équipe", "naïve"]' in text
    assert "    OidcConfig.ClientSecret: (none) -> '(redacted)'" in text
    assert "    OidcConfig.client_secret: '(redacted)' -> (none)" in text
    assert text.endswith("Plan: 0 to create, 0 to update, 0 to delete, 2 blocked.")
    finding = Finding(Code="X", Severity=Severity.INFO, Message="about the account")
    assert format_plan(Plan(WorkforceName="d", Findings=(finding,))).endswith(
        "  INFO X: about the account"
    )


def test_an_applied_delete_is_counted_and_a_result_is_plain_unless_colour_is_asked() -> None:
    delete = action(Operation.DELETE_WORKTEAM, "old")
    plan = Plan(WorkforceName="default", Actions=(delete, CREATE_LABELERS))
    assert format_plan(plan).endswith("Plan: 1 to create, 0 to update, 1 to delete, 0 blocked.")
    applied = ActionResult(Action=delete, Outcome=Outcome.APPLIED)
    assert format_result(applied) == "applied - Workteam/old (DeleteWorkteam)"
