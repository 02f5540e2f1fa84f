"""A SageMaker private-workforce and work-team emulator on top of moto.

Importing this package installs the operations into moto's SageMaker service
(idempotent); then boto3's ``sagemaker`` client serves CreateWorkforce, DescribeWorkforce,
UpdateWorkforce, DeleteWorkforce, ListWorkforces, CreateWorkteam, DescribeWorkteam,
UpdateWorkteam, DeleteWorkteam, ListWorkteams, ListLabelingJobsForWorkteam and
AddTags/ListTags/DeleteTags on workforce and work-team ARNs (and SSM's PutParameter size
limits), under ``moto.mock_aws()`` or through ``workforce_emulator.server``. Test controls
are in ``workforce_emulator.controls``.
"""

from __future__ import annotations

from . import controls
from ._install import install
from .controls import DEFAULT_ACCOUNT_ID

__all__ = ["DEFAULT_ACCOUNT_ID", "controls", "install"]

install()
