"""`make stackset`: the application as a CloudFormation StackSet deploys it (docs/fleet.md).

A StackSet refuses templates that use macros, and ``AWS::Serverless-2016-10-31`` is one; and
a stack instance's function code must sit in a bucket of the instance's own Region, while
``sam deploy`` uploads to one bucket. So this writes into ``build/stackset/``:

* ``template.json``: ``template.yaml`` translated offline by aws-sam-translator (the same
  library, at the version ``sam`` uses, that CloudFormation's transform runs), with no
  ``Transform``; the function's code is read from ``s3://<CodeBucketPrefix>-<region>/<CodeKey>``
  and those two parameters are added to the template's own;
* ``reconcile-function-<sha256>.zip``: the function's artifact, built by ``src/Makefile``'s
  recipe (the one ``sam build`` runs: arm64 wheels, bytecode) and zipped reproducibly
  (sorted entries, fixed dates), so building the same code again in the same checkout
  gives the same key, and an update with no code change replaces nothing. (pip writes the
  building interpreter's path into the one console script the dependencies carry,
  ``bin/jp.py``, so another checkout directory gives another key for the same code:
  harmless, a redeployment of identical code.)
* ``upload-code.sh``: copies that zip to each Region's bucket (``aws s3 cp``).

Nothing here calls AWS: the translation resolves no managed policy (the two SAM adds are
named below) and reads the Region only for the partition, which it then leaves to
CloudFormation (``${AWS::Partition}``), so one template serves every Region.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.utils.py27hash_fix import (
    to_py27_compatible_template,
    undo_mark_unicode_str_in_template,
)
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
OUT = ROOT / "build" / "stackset"
FUNCTION = "ReconcileFunction"
KEY_PREFIX = "workforce-reconciler/"
# CloudFormation's limit for --template-body (a larger template needs --template-url).
TEMPLATE_BODY_MAX = 51_200
# Translation needs a Region for its boto session; nothing of it stays in the output.
TRANSLATION_REGION = "us-east-1"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: the same bytes every build

CODE_PARAMETERS: dict[str, dict[str, Any]] = {
    "CodeBucketPrefix": {
        "Type": "String",
        # The bucket is <prefix>-<region>: at most 63 characters, S3's bucket-name rules.
        "AllowedPattern": "^[a-z0-9][a-z0-9.-]{1,40}[a-z0-9]$",
        "ConstraintDescription": (
            "lowercase letters, digits, dots and hyphens (the buckets are <prefix>-<region>)"
        ),
        "Description": (
            "The function's code is read from the bucket <CodeBucketPrefix>-<region> of each "
            "Region the StackSet deploys to (upload-code.sh puts it there)."
        ),
    },
    "CodeKey": {
        "Type": "String",
        "AllowedPattern": "^[^\\s]+\\.zip$",
        "ConstraintDescription": "an S3 object key ending in .zip",
        "Description": (
            "The key of the function's zip in those buckets (make stackset names it after its "
            "content: a new key is a new version)."
        ),
    },
}


class OfflineManagedPolicyLoader:
    """What the translator asks for managed policies by name, answered without IAM.

    The real loader lists every AWS managed policy through IAM (an account). The template
    names only the two SAM adds itself; any other would be a template change to add here.
    """

    POLICIES = {
        "AWSLambdaBasicExecutionRole": (
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        ),
        "AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    }

    def load(self) -> dict[str, str]:
        return dict(self.POLICIES)


def load_sam_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """template.yaml parsed as the SAM CLI parses it (short-form intrinsics included)."""
    parsed: dict[str, Any] = yaml_parse(path.read_text())
    return parsed


def translate(sam_template: dict[str, Any]) -> dict[str, Any]:
    """The SAM transform, offline (what samtranslator.translator.transform.transform does,
    with a boto session that only names a Region)."""
    template = copy.deepcopy(sam_template)
    pseudo = {
        "AWS::Region": TRANSLATION_REGION,
        "AWS::AccountId": "123456789012",
        "AWS::Partition": "aws",
        "AWS::StackName": "workforce-reconciler",
        "AWS::URLSuffix": "amazonaws.com",
    }
    to_py27_compatible_template(template, pseudo)
    session = boto3.session.Session(region_name=TRANSLATION_REGION)
    translated = Translator(None, Parser(), boto_session=session).translate(
        template,
        parameter_values=pseudo,
        get_managed_policy_map=OfflineManagedPolicyLoader().load,
    )
    result: dict[str, Any] = undo_mark_unicode_str_in_template(translated)
    return result


def _partition_neutral(arn: Any) -> Any:
    """``arn:aws:...`` as ``arn:${AWS::Partition}:...``: the translator writes the partition
    of its own Region into the managed policies' ARNs; a StackSet may span partitions' Regions
    only through CloudFormation's pseudo parameter."""
    if isinstance(arn, str) and arn.startswith("arn:aws:"):
        return {"Fn::Sub": "arn:${AWS::Partition}:" + arn.removeprefix("arn:aws:")}
    return arn


def stackset_template(sam_template: dict[str, Any], code_key: str) -> dict[str, Any]:
    """``template.yaml`` as a StackSet takes it: no transform, code from the Region's bucket."""
    packaged = copy.deepcopy(sam_template)
    packaged["Parameters"].update(copy.deepcopy(CODE_PARAMETERS))
    packaged["Parameters"]["CodeKey"]["Default"] = code_key
    groups = packaged["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
    groups.append(
        {
            "Label": {"default": "Function code (one bucket per Region)"},
            "Parameters": list(CODE_PARAMETERS),
        }
    )
    function = packaged["Resources"][FUNCTION]
    function.pop("Metadata", None)  # BuildMethod: make stackset builds the artifact
    function["Properties"]["CodeUri"] = {
        "Bucket": {"Fn::Sub": "${CodeBucketPrefix}-${AWS::Region}"},
        "Key": {"Ref": "CodeKey"},
    }
    translated = translate(packaged)
    translated["Description"] = (
        sam_template["Description"] + " StackSet form of template.yaml, generated by "
        "`make stackset` (scripts/stackset.py): edit template.yaml, not this."
    )
    for resource in translated["Resources"].values():
        properties = resource.get("Properties", {})
        if "ManagedPolicyArns" in properties:
            properties["ManagedPolicyArns"] = [
                _partition_neutral(arn) for arn in properties["ManagedPolicyArns"]
            ]
    return translated


def build_artifact(dest: Path) -> None:
    """The function's artifact into ``dest``, by src/Makefile's recipe (``sam build``'s)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(ROOT / "src"),
            "build-ReconcileFunction",
            f"ARTIFACTS_DIR={dest}",
            f"PYTHON={sys.executable}",
        ],
        check=True,
    )


def zip_artifact(artifact: Path, dest_dir: Path) -> tuple[Path, str]:
    """A reproducible zip of ``artifact`` (sorted entries, fixed dates, modes kept) named
    after its content; returns it and its S3 key."""
    staging = dest_dir / "reconcile-function.zip.partial"
    with zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(p for p in artifact.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(artifact).as_posix(), date_time=ZIP_DATE)
            executable = os.access(path, os.X_OK)
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    digest = hashlib.sha256(staging.read_bytes()).hexdigest()[:16]
    name = f"reconcile-function-{digest}.zip"
    for old in dest_dir.glob("reconcile-function-*.zip"):
        old.unlink()
    final = dest_dir / name
    staging.rename(final)
    return final, KEY_PREFIX + name


UPLOAD_SCRIPT = """#!/bin/sh
# Generated by `make stackset` (scripts/stackset.py). Copies the function's code to the
# bucket of each Region a StackSet deploys to, where template.json reads it:
#   s3://<CodeBucketPrefix>-<region>/{key}
# The buckets exist already, readable by the target accounts (docs/fleet.md).
# usage: upload-code.sh CODE_BUCKET_PREFIX REGION [REGION...]
set -eu
if [ "$#" -lt 2 ]; then
  echo "usage: $0 CODE_BUCKET_PREFIX REGION [REGION...]" >&2
  exit 1
fi
prefix=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
for region in "$@"; do
  aws s3 cp "$here/{zip_name}" "s3://$prefix-$region/{key}" --region "$region" --only-show-errors
  echo "uploaded s3://$prefix-$region/{key}"
done
"""


def write_upload_script(dest_dir: Path, zip_name: str, key: str) -> Path:
    script = dest_dir / "upload-code.sh"
    script.write_text(UPLOAD_SCRIPT.replace("{zip_name}", zip_name).replace("{key}", key))
    script.chmod(0o755)
    return script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write (build/stackset)")
    parser.add_argument(
        "--artifact",
        type=Path,
        help="an artifact directory already built (e.g. .aws-sam/build/ReconcileFunction "
        "after `make build`) instead of building one",
    )
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    artifact: Path = args.artifact or out / "artifact"
    if args.artifact is None:
        build_artifact(artifact)
    elif not (artifact / "workforce_reconciler" / "handler.py").is_file():
        parser.error(f"--artifact {artifact}: no workforce_reconciler/handler.py there")
    zipped, key = zip_artifact(artifact, out)
    template = stackset_template(load_sam_template(), key)
    body = json.dumps(template, indent=1) + "\n"
    (out / "template.json").write_text(body)
    upload = write_upload_script(out, zipped.name, key)
    print(
        f"\nStackSet artifact in {out}:\n"
        f"  template.json  {len(body):,} bytes (--template-body takes {TEMPLATE_BODY_MAX:,}), "
        "no transform\n"
        f"  {zipped.name}  {zipped.stat().st_size / 2**20:.1f} MiB, CodeKey {key}\n"
        f"  {upload.name}  {upload} <CodeBucketPrefix> <region>...\n"
        "Next: docs/fleet.md (the buckets, create-stack-set, create-stack-instances)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
