"""`make stackset` end to end: scripts/stackset.py run as the Makefile runs it (the artifact
built by src/Makefile's recipe, so the first run downloads the aarch64 wheels; pip's cache
serves the next ones), then its upload script run with the AWS CLI against the emulator."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest
import stackset

from template.sam_app import ROOT

BIN = Path(sys.executable).parent
REGIONS = ("us-east-1", "eu-west-1")
PREFIX = "example-org-workforce-reconciler-code"


def run_script(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "stackset.py"), *map(str, argv)],
        cwd=ROOT,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """build/stackset as `make stackset` leaves it (here in a temporary directory)."""
    directory = tmp_path_factory.mktemp("stackset")
    done = run_script("--out", directory)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "template.json" in done.stdout
    return directory


def the_zip(out: Path) -> Path:
    [zipped] = out.glob("reconcile-function-*.zip")
    return zipped


def test_it_writes_the_template_the_zip_and_the_upload_script(out: Path) -> None:
    # Given what `make stackset` wrote
    zipped = the_zip(out)
    template: dict[str, Any] = json.loads((out / "template.json").read_text())

    # When reading the zip's name and the key the template defaults to
    digest = hashlib.sha256(zipped.read_bytes()).hexdigest()[:16]
    key = template["Parameters"]["CodeKey"]["Default"]

    # Then the zip is named after its content, the template reads that key, and the
    # template is the one stackset_template makes (what the other tests check)
    assert zipped.name == f"reconcile-function-{digest}.zip"
    assert key == f"workforce-reconciler/{zipped.name}"
    assert template == stackset.stackset_template(stackset.load_sam_template(), key)
    assert os.access(out / "upload-code.sh", os.X_OK)


def test_the_zip_holds_the_function_as_sam_build_makes_it(out: Path) -> None:
    # Given the zip
    with zipfile.ZipFile(the_zip(out)) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}

    # When looking for the handler, its bytecode, the arm64 build of pydantic-core, and
    # what must never ship
    top_level = {name.split("/")[0] for name in names}

    # Then the handler is at the top with everything it imports, readable by Lambda, and
    # nothing of the tests or the emulator is there
    assert "workforce_reconciler/handler.py" in names
    assert "workforce_reconciler/__pycache__/handler.cpython-311.pyc" in names
    assert any(n.startswith("pydantic_core/_pydantic_core.cpython-311-aarch64") for n in names)
    assert {"moto", "workforce_emulator", "tests", "samtranslator"} & top_level == set()
    assert all(mode & 0o444 == 0o444 for mode in modes.values())


def test_building_again_gives_the_same_key(out: Path, tmp_path: Path) -> None:
    # Given the zip of the first build, and the artifact directory it was made from
    first = the_zip(out).name

    # When the same artifact is zipped again (an update with no code change)
    again, _ = stackset.zip_artifact(out / "artifact", tmp_path)

    # Then the bytes, hence the key, are the same: CloudFormation replaces nothing
    assert again.name == first


def test_the_upload_script_puts_the_zip_in_the_bucket_of_each_region(
    out: Path, emulator_server: str
) -> None:
    # Given a code bucket per Region, as docs/fleet.md has them created
    for region in REGIONS:
        s3 = boto3.client("s3", region_name=region, endpoint_url=emulator_server)
        location = {} if region == "us-east-1" else {"LocationConstraint": region}
        s3.create_bucket(Bucket=f"{PREFIX}-{region}", CreateBucketConfiguration=location)  # type: ignore[arg-type]

    # When the generated script runs with the AWS CLI (here against the emulator)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "AWS_ENDPOINT_URL": emulator_server,
    }
    done = subprocess.run(
        [str(out / "upload-code.sh"), PREFIX, *REGIONS],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    # Then each Region's bucket holds the zip at the key the template reads
    assert done.returncode == 0, done.stdout + done.stderr
    key = json.loads((out / "template.json").read_text())["Parameters"]["CodeKey"]["Default"]
    for region in REGIONS:
        s3 = boto3.client("s3", region_name=region, endpoint_url=emulator_server)
        body = s3.get_object(Bucket=f"{PREFIX}-{region}", Key=key)["Body"].read()
        assert body == the_zip(out).read_bytes()
        assert f"uploaded s3://{PREFIX}-{region}/{key}" in done.stdout


def test_the_upload_script_without_regions_says_how_to_use_it(out: Path) -> None:
    # Given the script
    # When it is run without a Region
    done = subprocess.run(
        [str(out / "upload-code.sh"), PREFIX], capture_output=True, text=True, check=False
    )

    # Then it uploads nothing and says how to call it
    assert done.returncode == 1
    assert "usage:" in done.stderr
    assert "CODE_BUCKET_PREFIX REGION [REGION...]" in done.stderr


def test_an_artifact_directory_without_the_handler_is_refused(tmp_path: Path) -> None:
    # Given a directory that is not a built artifact
    # When it is given as --artifact
    done = run_script("--out", tmp_path / "out", "--artifact", tmp_path)

    # Then the script says so, without a traceback
    assert done.returncode == 2
    assert "no workforce_reconciler/handler.py there" in done.stderr
    assert "Traceback" not in done.stderr
