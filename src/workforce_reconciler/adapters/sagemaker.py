"""SageMaker gateway: the only module that calls the SageMaker API.

Throttling and 5xx answers are retried by botocore itself (``standard`` or
``adaptive`` retry mode, see ``aws.py``); what still fails arrives here as a
``ClientError`` and leaves as one of the engine's exceptions (``errors.py``).
Each method names the IAM action it needs; ``template.yaml`` grants exactly these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from workforce_reconciler.adapters.translate import translate
from workforce_reconciler.errors import NotFoundError

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import WorkforceTypeDef, WorkteamTypeDef

# IAM actions, one per method below; tests compare this with template.yaml.
IAM_ACTIONS = (
    "sagemaker:DescribeWorkforce",
    "sagemaker:ListWorkforces",
    "sagemaker:CreateWorkforce",
    "sagemaker:UpdateWorkforce",
    "sagemaker:DeleteWorkforce",
    "sagemaker:ListWorkteams",
    "sagemaker:DescribeWorkteam",
    "sagemaker:ListLabelingJobsForWorkteam",
    "sagemaker:DescribeLabelingJob",
    "sagemaker:CreateWorkteam",
    "sagemaker:UpdateWorkteam",
    "sagemaker:DeleteWorkteam",
    "sagemaker:ListTags",
    "sagemaker:AddTags",
    "sagemaker:DeleteTags",
)


class SageMakerGateway:
    """``ports.WorkforceGateway`` on a boto3 SageMaker client: paginators, error translation."""

    def __init__(self, client: SageMakerClient) -> None:
        self._client = client

    @property
    def region(self) -> str:
        return self._client.meta.region_name

    def describe_workforce(self, name: str) -> WorkforceTypeDef | None:
        """The workforce, or None when it does not exist.  IAM: sagemaker:DescribeWorkforce."""
        try:
            response = self._client.describe_workforce(WorkforceName=name)
        except (ClientError, BotoCoreError) as exc:
            translated = translate("DescribeWorkforce", exc)
            if isinstance(translated, NotFoundError):
                return None
            raise translated from None
        return response["Workforce"]

    def list_workforces(self) -> list[WorkforceTypeDef]:
        """Every workforce of the account and region (at most one).

        IAM: sagemaker:ListWorkforces.
        """
        try:
            pages = self._client.get_paginator("list_workforces").paginate(
                PaginationConfig={"PageSize": 100}
            )
            return [w for page in pages for w in page.get("Workforces", [])]
        except (ClientError, BotoCoreError) as exc:
            raise translate("ListWorkforces", exc) from None

    def list_workteams(self) -> list[WorkteamTypeDef]:
        """Every work team, whole objects, 100 a page.  IAM: sagemaker:ListWorkteams."""
        try:
            pages = self._client.get_paginator("list_workteams").paginate(
                PaginationConfig={"PageSize": 100}
            )
            return [t for page in pages for t in page.get("Workteams", [])]
        except (ClientError, BotoCoreError) as exc:
            raise translate("ListWorkteams", exc) from None

    def describe_workteam(self, name: str) -> WorkteamTypeDef | None:
        """The team, or None when it does not exist.  IAM: sagemaker:DescribeWorkteam."""
        try:
            response = self._client.describe_workteam(WorkteamName=name)
        except (ClientError, BotoCoreError) as exc:
            translated = translate("DescribeWorkteam", exc)
            if isinstance(translated, NotFoundError):
                return None
            raise translated from None
        return response["Workteam"]

    def labeling_jobs_in_progress(self, workteam_arn: str) -> list[str]:
        """The names of the team's labeling jobs that are InProgress.

        IAM: sagemaker:ListLabelingJobsForWorkteam, sagemaker:DescribeLabelingJob (the
        list does not carry a job's status).
        """
        try:
            pages = self._client.get_paginator("list_labeling_jobs_for_workteam").paginate(
                WorkteamArn=workteam_arn
            )
            names = [
                job["LabelingJobName"]
                for page in pages
                for job in page.get("LabelingJobSummaryList", [])
            ]
        except (ClientError, BotoCoreError) as exc:
            raise translate("ListLabelingJobsForWorkteam", exc) from None
        return [name for name in names if self._job_status(name) == "InProgress"]

    def _job_status(self, name: str) -> str:
        try:
            return self._client.describe_labeling_job(LabelingJobName=name)["LabelingJobStatus"]
        except (ClientError, BotoCoreError) as exc:
            raise translate("DescribeLabelingJob", exc) from None

    def list_tags(self, arn: str) -> dict[str, str]:
        """A resource's tags.  IAM: sagemaker:ListTags."""
        try:
            pages = self._client.get_paginator("list_tags").paginate(ResourceArn=arn)
            return {t["Key"]: t["Value"] for page in pages for t in page.get("Tags", [])}
        except (ClientError, BotoCoreError) as exc:
            raise translate("ListTags", exc) from None

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """Send one write the plan names, with its exact parameters.

        IAM: sagemaker:<operation>. A DeleteWorkteam/DeleteWorkforce of something
        already gone raises NotFoundError; apply treats that as done.
        """
        method = getattr(self._client, xform_name(operation))
        try:
            response: dict[str, Any] = method(**request)
        except (ClientError, BotoCoreError) as exc:
            raise translate(operation, exc) from None
        response.pop("ResponseMetadata", None)
        return response
