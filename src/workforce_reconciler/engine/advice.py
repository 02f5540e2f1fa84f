"""What the plan tells a person about the changes it cannot make on its own: the reason,
and the ways out, each one a person can follow (and each tested by following it).

Pure wording, used by ``diff``; nothing here decides anything.
"""

from __future__ import annotations

from collections.abc import Iterable

from workforce_reconciler.text import count

OIDC_RULE = (
    "SageMaker updates an OIDC configuration (the client secret included) only while the "
    "workforce has no work teams (UpdateWorkforce API reference)"
)


def oidc_blocked(teams: Iterable[str]) -> str:
    names = sorted(teams)
    return (
        f"{OIDC_RULE}, and it has {count(len(names), 'work team')} ({', '.join(names)}). "
        "Ways out: (a) set Policy.RecreateWorkteamsForOidcChanges to true: the reconciler "
        "deletes the teams, updates the workforce and re-creates each team as it was "
        "(their workers are cut off meanwhile); (b) if SageMaker already holds this "
        "configuration (you made the change yourself, with the teams removed), adopt it: "
        "`workforce-reconciler apply --parameter <parameter> --state-table <table> "
        "--secret-already-applied` records the client secret's version without sending it; "
        "(c) delete the work teams (and remove them from the document): the next run "
        "updates the workforce"
    )


def jobs_in_progress(jobs: dict[str, tuple[str, ...]]) -> str:
    running = "; ".join(f"team {team}: {', '.join(names)}" for team, names in sorted(jobs.items()))
    return (
        f"{OIDC_RULE}. Policy.RecreateWorkteamsForOidcChanges allows re-creating the teams, "
        f"but labeling jobs are in progress ({running}): deleting a team now would stop its "
        "job. The change waits until no job is in progress (or stop the job)"
    )


def recreating(teams: Iterable[str]) -> str:
    return (
        f"{OIDC_RULE}: the team is deleted, the workforce updated, and the team re-created "
        f"as it was (Policy.RecreateWorkteamsForOidcChanges; {count(len(list(teams)), 'team')})"
    )


RECREATE_RECORDED = (
    "re-creating a work team that an earlier run deleted for an OIDC change, as the state "
    "table recorded it"
)


def empty_allow_list(dualstack: bool) -> str:
    everything = '["0.0.0.0/0", "::/0"]' if dualstack else '["0.0.0.0/0"]'
    return (
        "SageMaker takes 1-10 CIDRs: for no restriction, put "
        f"SourceIpConfig.Cidrs {everything} in the document instead of []"
    )


def failed(
    workforce: str,
    region: str,
    teams: Iterable[str],
    policy: str = "set Policy.AllowDisruptiveChanges to allow it",
) -> str:
    """How a Failed workforce is re-created: the policy, or the AWS CLI commands."""
    commands = [
        f"aws sagemaker delete-workteam --region {region} --workteam-name {team}"
        for team in sorted(teams)
    ]
    commands.append(
        f"aws sagemaker delete-workforce --region {region} --workforce-name {workforce}"
    )
    steps = "\n  ".join(commands)
    return (
        "SageMaker cannot change a Failed workforce; it must be deleted and created again, "
        f"which cuts every worker off. Either let the reconciler do it ({policy}: the next "
        "run re-creates it and its teams from the document), or delete it yourself and "
        f"the next run creates it again:\n  {steps}"
    )
