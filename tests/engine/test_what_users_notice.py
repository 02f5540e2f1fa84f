"""Behaviours a user would notice if they broke, each planted as a bug once and seen to fail.

Mutation testing (``make mutation``) found these unpinned: a one-line bug in each left
every other test green.
"""

from __future__ import annotations

import copy
from typing import Any

from engine.world import World
from workforce_emulator import controls
from workforce_reconciler.plan import Operation, Outcome, RunStatus


def test_reordered_subnets_and_security_groups_are_not_drift(
    world: World, cognito_doc: dict[str, Any]
) -> None:
    # Given a workforce in a VPC with two subnets and two security groups
    vpc = cognito_doc["Workforce"]["WorkforceVpcConfig"]
    vpc["SecurityGroupIds"] = ["sg-0123456789abcdef0", "sg-0fedcba9876543210"]
    assert world.run(cognito_doc).status is RunStatus.CORRECTED
    controls.clear_calls()

    # When the document lists both in another order
    reordered = copy.deepcopy(cognito_doc)
    reordered["Workforce"]["WorkforceVpcConfig"]["Subnets"].reverse()
    reordered["Workforce"]["WorkforceVpcConfig"]["SecurityGroupIds"].reverse()
    report = world.run(reordered)

    # Then it is in sync and nothing is written (an order compare would update every run)
    assert report.status is RunStatus.IN_SYNC, report.Plan
    assert world.writes() == []

    # But a different subnet is drift, corrected with one UpdateWorkforce
    reordered["Workforce"]["WorkforceVpcConfig"]["Subnets"][0] = "subnet-0123456789abcdef0"
    assert world.run(reordered).status is RunStatus.CORRECTED
    assert world.writes() == ["UpdateWorkforce"]
    assert sorted(world.workforce("labeling-cognito")["WorkforceVpcConfig"]["Subnets"]) == sorted(
        reordered["Workforce"]["WorkforceVpcConfig"]["Subnets"]
    )


def test_a_team_already_deleted_by_someone_else_is_done_not_failed(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a team the document does not list, unlisted teams to be deleted, and someone
    # deleting it first: SageMaker answers the run's DeleteWorkteam "does not exist"
    world.run(oidc_doc)
    world.sagemaker.create_workteam(
        WorkteamName="hand-made",
        WorkforceName="labeling-oidc",
        Description="made in the console",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}],
    )
    oidc_doc["Policy"]["DeleteUnlistedWorkteams"] = True
    controls.add_fault(
        "DeleteWorkteam",
        error="ValidationException",
        message="The work team 'hand-made' does not exist.",
    )

    # When the reconciler runs
    report = world.run(oidc_doc)

    # Then the deletion is done, not a failure a person is told about
    assert report.status is RunStatus.CORRECTED, report.Results
    (result,) = report.Results
    assert (result.Action.Operation, result.Outcome) == (Operation.DELETE_WORKTEAM, Outcome.APPLIED)
    assert report.failed == ()


def test_access_denied_on_the_workforce_tags_fails_the_run(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a converged workforce whose tags the document manages, and a role that may
    # not list them
    world.run(oidc_doc)
    controls.add_fault("ListTags", error="AccessDeniedException", count=1)
    controls.clear_calls()

    # When the reconciler runs
    report = world.run()

    # Then the run fails naming the denial (tag drift unseen is not "in sync"), writes
    # nothing, and says nothing about tags being unlistable
    assert report.status is RunStatus.ERROR
    assert report.Error is not None
    assert report.Error.Code == "AccessDeniedException"
    assert not report.Error.Retryable
    assert report.Plan is None
    assert world.writes() == []


def test_a_team_write_after_a_workforce_update_waits_for_it_to_be_active(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a converged setup, then drift on the workforce's CIDRs and on a team, and a
    # SageMaker that refuses team writes while the workforce is Updating (the default)
    # and takes 3 describes to finish an update
    world.run(oidc_doc)
    world.sagemaker.update_workforce(
        WorkforceName="labeling-oidc", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}
    )
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="drifted")
    world.workforce("labeling-oidc")  # (the out-of-band update settles)
    controls.configure(workteam_writes_need_active=True, activation_describes=3)
    controls.clear_calls()

    # When the reconciler runs
    report = world.run()

    # Then both are corrected, and the team write was sent once, when it could succeed
    assert report.status is RunStatus.CORRECTED, report.Results
    assert world.writes() == ["UpdateWorkforce", "UpdateWorkteam"]
    assert world.teams()["text-reviewers"]["Description"] == (
        "Reviews sentiment labels on support tickets"
    )
    assert "10.0.0.0/8" not in world.workforce("labeling-oidc")["SourceIpConfig"]["Cidrs"]


def test_sagemaker_holds_the_secret_from_secrets_manager_on_create_and_rotation(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given the OIDC example without teams (SageMaker takes OIDC updates only then)
    oidc_doc["Workteams"] = []

    # When the reconciler creates the workforce
    assert world.run(oidc_doc).status is RunStatus.CORRECTED

    # Then SageMaker holds the secret's value itself
    assert controls.secret_fingerprint("labeling-oidc") == controls.fingerprint_of(
        world.secretsmanager.get_secret_value(SecretId=world.secret_arn)["SecretString"]
    )

    # When the secret is rotated, then SageMaker holds the new value
    world.secretsmanager.put_secret_value(SecretId=world.secret_arn, SecretString="rotated-1")
    assert world.run().status is RunStatus.CORRECTED
    assert controls.secret_fingerprint("labeling-oidc") == controls.fingerprint_of("rotated-1")
