"""Every SageMaker call the engine really makes is one its adapters declare for IAM.

tests/template/test_template_iam.py checks that the role grants every declared action;
this closes the chain from the other end, with the emulator's call log as the witness:
calls made <= actions declared <= actions granted.
"""

from __future__ import annotations

import copy
from typing import Any

from engine.world import World
from workforce_emulator import controls
from workforce_reconciler.adapters import sagemaker


def test_every_sagemaker_call_of_every_path_is_declared(
    world: World, oidc_doc: dict[str, Any], cognito_doc: dict[str, Any]
) -> None:
    # Given runs down every path: create, update, tags, unlisted-team deletion, replacement
    world.run(oidc_doc)
    changed = copy.deepcopy(oidc_doc)
    changed["Workforce"]["SourceIpConfig"]["Cidrs"] = ["192.0.2.0/24"]
    changed["Workforce"]["Tags"] = [{"Key": "team", "Value": "other"}]
    changed["Workteams"][0]["Tags"] = []
    changed["Workteams"] = changed["Workteams"][:1]
    changed["Policy"]["DeleteUnlistedWorkteams"] = True
    world.run(changed)
    # and an OIDC change with teams, done by re-creating them (a finished job checked first)
    controls.add_labeling_job("image-labelers", "done-job", status="Completed")
    rotated = copy.deepcopy(changed)
    rotated["Policy"]["RecreateWorkteamsForOidcChanges"] = True
    rotated["Workforce"]["OidcConfig"]["Scope"] = "openid"
    world.run(rotated)
    replaced = copy.deepcopy(cognito_doc)
    replaced["Workforce"]["WorkforceName"] = "labeling-oidc"
    replaced["Policy"] = {"Mode": "enforce", "AllowDisruptiveChanges": True}
    world.run(replaced)

    # When collecting the operations SageMaker received
    made = {f"sagemaker:{c['Operation']}" for c in controls.calls()}

    # Then each is declared beside its call (so the template test holds the role to it)
    assert {
        "sagemaker:CreateWorkforce",
        "sagemaker:UpdateWorkforce",
        "sagemaker:DeleteWorkforce",
        "sagemaker:DeleteWorkteam",
        "sagemaker:AddTags",
        "sagemaker:DeleteTags",
        "sagemaker:ListLabelingJobsForWorkteam",
        "sagemaker:DescribeLabelingJob",
    } <= made, "the scenario must exercise the write paths"
    assert made - set(sagemaker.IAM_ACTIONS) == set()
