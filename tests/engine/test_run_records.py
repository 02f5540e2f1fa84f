"""What a run reports and remembers around its writes: the status and FailureReason its
writes led to, a report kept when the last look fails, a secret intent only for a step
that carries the secret, and a refused secret-carrying request not sent again."""

from __future__ import annotations

import copy
from typing import Any

from engine.world import World
from handler.deployment import captured_logs
from workforce_emulator import controls
from workforce_reconciler.plan import Operation, Outcome, Report, RunStatus


def test_a_workforce_that_fails_during_the_run_is_reported_failed_with_its_reason(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given drift on the CIDRs and on a team, a service that shows Updating once after
    # UpdateWorkforce, and the update ending in Failed while the team's step waits
    world.run(oidc_doc)
    world.sagemaker.update_workforce(
        WorkforceName="labeling-oidc", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}
    )
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="drifted")
    controls.configure(activation_describes=1)

    world.while_sleeping = lambda: controls.set_status(
        "labeling-oidc", "Failed", "The IdP could not be reached"
    )

    # When the reconciler runs
    report = world.run()

    # Then the report carries the status the writes led to and SageMaker's reason, not
    # the Active seen before the run
    assert [(r.Action.Operation, r.Outcome) for r in report.Results] == [
        (Operation.UPDATE_WORKFORCE, Outcome.APPLIED),
        (Operation.UPDATE_WORKTEAM, Outcome.FAILED),
    ]
    assert (report.WorkforceStatus, report.FailureReason) == (
        "Failed",
        "The IdP could not be reached",
    )
    assert report.status is RunStatus.WORKFORCE_FAILED


def test_a_last_look_that_fails_after_the_writes_keeps_the_report(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a drifted team, and DescribeWorkforce denied once the plan is approved (the
    # run's last look at the workforce, after its writes)
    world.run(oidc_doc)
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="drifted")
    world.put_document(oidc_doc)

    def approve(planned: Report) -> bool:
        controls.add_fault("DescribeWorkforce", error="AccessDeniedException", count=5)
        return True

    # When the reconciler runs
    report = world.run(approve=approve)

    # Then the report of what was applied is kept, with the status seen before the writes
    assert report.Error is None
    assert [(r.Action.Operation, r.Outcome) for r in report.Results] == [
        (Operation.UPDATE_WORKTEAM, Outcome.APPLIED)
    ]
    assert report.WorkforceStatus == "Active"
    assert (
        world.teams()["text-reviewers"]["Description"] == (oidc_doc["Workteams"][1]["Description"])
    )


def test_a_rotation_held_back_by_the_teams_stays_reported_after_other_changes_apply(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a workforce with teams, a rotated client secret (blocked: SageMaker refuses
    # OIDC updates while teams exist) and drift on the CIDRs (applicable)
    world.run(oidc_doc)
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated")
    world.sagemaker.update_workforce(
        WorkforceName="labeling-oidc", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}
    )

    # When the reconciler runs twice
    first = world.run()
    second = world.run()

    # Then the first corrected the CIDRs, and the rotation is still blocked drift in the
    # second: the CIDRs' update did not count as applying the new secret version
    assert first.Plan is not None
    assert second.Plan is not None
    assert [a.Operation for a in first.Plan.applicable_actions] == [Operation.UPDATE_WORKFORCE]
    assert [c.Field for a in second.Plan.blocked_actions for c in a.Changes] == [
        "OidcConfig.ClientSecretVersion"
    ]
    assert second.Plan.applicable_actions == ()


def test_a_refused_secret_update_is_not_sent_again_by_the_lambda_even_after_other_applies(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a workforce without teams whose client secret was rotated, and SageMaker
    # refusing the update that carries it
    doc = copy.deepcopy(oidc_doc)
    doc["Workteams"] = []
    world.run(doc)
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated")
    controls.add_fault("UpdateWorkforce", error="ValidationException", message="bad client")

    # When the Lambda runs twice
    first = world.run(lambda_like=True)
    controls.clear_calls()
    second = world.run(lambda_like=True)

    # Then the first sent it and it was refused; the second remembers the refusal of
    # this version and sends nothing
    assert [r.Outcome for r in first.Results] == [Outcome.REFUSED]
    assert second.status is RunStatus.BLOCKED
    assert world.writes() == []

    # When a tag drifts and the Lambda corrects it, then runs again
    arn = world.workforce("labeling-oidc")["WorkforceArn"]
    world.sagemaker.delete_tags(ResourceArn=arn, TagKeys=["team"])
    world.run(lambda_like=True)
    controls.clear_calls()
    world.run(lambda_like=True)

    # Then the refused update is still remembered, and not sent
    assert world.writes() == []


def test_a_lost_look_at_the_new_workforce_is_logged_and_the_next_run_is_in_sync(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given DescribeWorkforce denied once after the plan is approved: the look right after
    # CreateWorkforce that dates the workforce for the secret's record
    world.put_document(oidc_doc)

    def approve(planned: Report) -> bool:
        controls.add_fault("DescribeWorkforce", error="AccessDeniedException", message="no")
        return True

    # When the reconciler creates the workforce and its teams
    with captured_logs() as logs:
        report = world.run(approve=approve)

    # Then everything was applied, the lost look is one warning naming the error, and
    # the next run has nothing to do (the intent written before the call proves the secret)
    assert report.status is RunStatus.CORRECTED
    warnings = [
        line["error"]
        for line in logs
        if line["message"] == "could not read the workforce's CreateDate"
    ]
    assert len(warnings) == 1
    assert "AccessDeniedException" in warnings[0]
    assert world.run().status is RunStatus.IN_SYNC
