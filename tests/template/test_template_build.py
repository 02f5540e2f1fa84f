"""`sam build` on this machine, without Docker: what the Lambda artifact holds.

Runs the real SAM CLI once per session into a temporary build directory (the first run
downloads the aarch64 wheels; pip's cache serves the next ones).
"""

from __future__ import annotations

import importlib.util
import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from template.sam_app import PACKAGE_DIR, ROOT, TEMPLATE_PATH

EM_AARCH64 = 183  # ELF e_machine of arm64 (the function's architecture)
REQUIREMENTS = ROOT / "src" / "requirements.txt"
TASK_ROOT = "/var/task"  # where Lambda puts the artifact
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", f"{path} is not an ELF file"
    return int.from_bytes(header[18:20], "little")


@pytest.fixture(scope="session")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The function's build directory, as `sam build` leaves it."""
    work = tmp_path_factory.mktemp("sam-build")
    env = {
        **os.environ,
        "SAM_CLI_TELEMETRY": "0",
        "AWS_EC2_METADATA_DISABLED": "true",
        # python3.11 for src/Makefile: the project's interpreter first, as under `make build`.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("sam")),
            "build",
            "--template-file",
            str(TEMPLATE_PATH),
            "--build-dir",
            str(work / "build"),
            "--cache-dir",
            str(work / "cache"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Build Succeeded" in result.stdout
    return work / "build" / "ReconcileFunction"


def test_artifact_has_the_handler_and_the_whole_package(artifact: Path) -> None:
    # Given the package in the source tree
    source = {
        p.relative_to(PACKAGE_DIR).as_posix()
        for p in PACKAGE_DIR.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }

    # When listing the package in the artifact
    built_dir = artifact / "workforce_reconciler"
    built = {
        p.relative_to(built_dir).as_posix()
        for p in built_dir.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }

    # Then the handler module the template names is there, with every source file
    assert (artifact / "workforce_reconciler" / "handler.py").is_file()
    assert built == source


def test_artifact_ships_exactly_the_locked_runtime_dependencies(artifact: Path) -> None:
    # Given the locked runtime set
    locked = {
        normalize(name): version
        for name, version in (
            line.split("==")
            for line in REQUIREMENTS.read_text().splitlines()
            if line.strip() and not line.startswith("#")
        )
    }

    # When reading the distributions installed in the artifact
    installed = {
        normalize(m.group(1)): m.group(2)
        for p in artifact.glob("*.dist-info")
        if (m := re.fullmatch(r"(.+)-([^-]+)\.dist-info", p.name))
    }

    # Then pip resolved nothing beyond the lock and left nothing of it out
    assert installed == locked


def test_compiled_dependencies_are_built_for_arm64(artifact: Path) -> None:
    # Given the compiled extension of pydantic_core (the handler cannot import pydantic without it)
    [pydantic_core] = (artifact / "pydantic_core").glob("_pydantic_core.cpython-311-*.so")

    # When reading the machine of every shared object in the artifact
    machines = {p.relative_to(artifact).as_posix(): elf_machine(p) for p in artifact.rglob("*.so")}

    # Then all of them, pydantic_core included, are aarch64 builds for CPython 3.11
    assert pydantic_core.name == "_pydantic_core.cpython-311-aarch64-linux-gnu.so"
    assert set(machines.values()) == {EM_AARCH64}, machines


def test_artifact_holds_no_test_tooling_or_emulator(artifact: Path) -> None:
    # Given everything in the artifact
    paths = [p.relative_to(artifact) for p in artifact.rglob("*")]

    # When looking for what must never ship
    top_level = {p.parts[0] for p in paths}
    conftests = [p.as_posix() for p in paths if p.name == "conftest.py"]

    # Then there is no moto, no emulator, no tests
    assert {"moto", "workforce_emulator", "tests", "samtranslator", "cfnlint"} & top_level == set()
    assert not any(name.startswith(("moto-", "pytest")) for name in top_level)
    assert conftests == []


def test_every_module_ships_its_bytecode_compiled_for_the_runtime(artifact: Path) -> None:
    # Given every module of the package and of its dependencies (read-only /var/task: what
    # ships without bytecode is compiled again at every cold start)
    sources = [p for p in artifact.rglob("*.py") if "__pycache__" not in p.parts]
    assert artifact / "workforce_reconciler" / "handler.py" in sources
    assert artifact / "botocore" / "client.py" in sources

    # When reading the .pyc CPython 3.11 would load for each, and every .pyc shipped
    tag = sys.implementation.cache_tag
    expected = {p.parent / "__pycache__" / f"{p.stem}.{tag}.pyc" for p in sources}
    shipped = set(artifact.rglob("*.pyc"))

    # Then each module has one, and nothing else is bytecode
    assert sys.version_info[:2] == (3, 11)  # the runtime's bytecode format (template.yaml)
    mismatched = sorted(p.relative_to(artifact).as_posix() for p in shipped ^ expected)
    assert mismatched == []

    # And each is unchecked-hash bytecode naming the file where Lambda puts it, so none is a
    # stale copy of the build machine's (timestamped, naming the build directory)
    wrong = []
    for pyc in sorted(shipped):
        data = pyc.read_bytes()
        flags = int.from_bytes(data[4:8], "little")
        filename = marshal.loads(data[16:]).co_filename  # noqa: S302 (our own build's output)
        source = pyc.parent.parent / f"{pyc.name.split('.')[0]}.py"
        if (
            data[:4] != importlib.util.MAGIC_NUMBER
            or flags != UNCHECKED_HASH
            or filename != f"{TASK_ROOT}/{source.relative_to(artifact).as_posix()}"
        ):
            wrong.append((pyc.relative_to(artifact).as_posix(), flags, filename))
    assert wrong == []
