"""Cold start of the Lambda handler against plain boto3, as `make bench` prints it.

Each sample is a fresh ``python3.11 -I -S -B`` process whose only import path is a copy of
the artifact layout: src/Makefile's own recipe (build-ReconcileFunction) run into a
temporary directory, with wheels of the same locked versions for this machine's
architecture (the shipped aarch64 extensions of pydantic_core and wrapt cannot load on
x86_64). So bytecode, or its absence, is as shipped; ``-B`` stands for Lambda's read-only
/var/task (nothing is compiled and kept between samples), ``-S`` keeps the virtualenv
out of the path.

- baseline: ``import boto3; boto3.client("sagemaker", region_name=...)``;
- handler: ``import workforce_reconciler.handler`` and ``handler._app()``, what
  the function builds at cold start, with the variables template.yaml sets (parameter
  defaults) and those the Lambda runtime sets (LAMBDA_TASK_ROOT, so Powertools' Tracer
  is enabled and patches as it does under ``Tracing: Active``), and fake credentials.

Time is measured in the child, from before the first import to after the last client, as
wall clock and as the process's CPU time. The two agree on an idle machine; this one is
shared (other worktrees run their tests on its 2 cores), and there the wall clock also
counts waiting for a CPU, so the goal is reported against both.
Peak RSS is the child's own high-water mark, VmHWM of /proc/self/status (``ru_maxrss``
where there is no /proc): Linux carries a process's ``ru_maxrss`` across ``execve`` from
the image that forked it, so a child of this benchmark (moto and all, ~270 MiB) would
report the parent's peak instead of its own. Medians of ``SAMPLES`` interleaved samples. An
audit hook in the child records any socket connect, send or name lookup: none may
happen (no AWS account is needed, none is reached).
"""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = 7
GOAL_RATIO = 1.5
GOAL_RSS_MIB = 100.0
REGION = "us-east-1"
FUNCTION = "ReconcileFunction"
# Stand-ins for the resources the function's variables name (the stack would create them).
RESOURCE_VALUES = {
    "StateTable": "workforce-reconciler-state",
    "NotificationTopic": f"arn:aws:sns:{REGION}:123456789012:workforce-reconciler",
}

CHILD = """
import sys, time
NETWORK = ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
           "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr")
seen = []
sys.addaudithook(lambda event, args: event in NETWORK and seen.append(event))
root, mode, region = sys.argv[1:4]
sys.path.insert(0, root)
started, cpu_started = time.perf_counter(), time.process_time()
if mode == "baseline":
    import boto3
    boto3.client("sagemaker", region_name=region)
else:
    from workforce_reconciler import handler
    handler._app()
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
import json, resource
try:
    with open("/proc/self/status") as status:
        [peak] = [int(line.split()[1]) for line in status if line.startswith("VmHWM:")]
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "peak_kib": peak, "network": seen}))
"""


@dataclass(frozen=True)
class Figure:
    seconds: float  # wall clock
    cpu_seconds: float  # user + system time of the process
    rss_mib: float


def host_platform() -> str:
    """src/Makefile's PIP_PLATFORM for this machine's architecture instead of aarch64."""
    return (
        f"--platform manylinux2014_{platform.machine()} --implementation cp "
        "--python-version 3.11 --abi cp311 --only-binary=:all:"
    )


def build_layout(dest: Path) -> None:
    """The function's artifact layout into ``dest``, by src/Makefile's own recipe."""
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(ROOT / "src"),
            "build-ReconcileFunction",
            f"ARTIFACTS_DIR={dest}",
            f"PYTHON={sys.executable}",
            f"PIP_PLATFORM={host_platform()}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"building the artifact layout failed:\n{result.stdout}{result.stderr}")


def function_environment(layout: Path, tmp: Path) -> dict[str, str]:
    """What the function's process has at cold start, with nothing that reaches AWS."""
    template: dict[str, Any] = yaml_parse((ROOT / "template.yaml").read_text())
    parameters = template["Parameters"]
    variables = template["Resources"][FUNCTION]["Properties"]["Environment"]["Variables"]
    conditions = template.get("Conditions", {})
    env = {name: _resolve(value, parameters, conditions) for name, value in variables.items()}
    return {
        **env,
        # what the Lambda runtime sets
        "LAMBDA_TASK_ROOT": str(layout),
        "AWS_LAMBDA_FUNCTION_NAME": "workforce-reconciler-ReconcileFunction",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        # no profile of this machine's, no instance metadata
        "AWS_CONFIG_FILE": str(tmp / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
    }


def _holds(condition: Any, parameters: dict[str, Any], conditions: dict[str, Any]) -> bool:
    """A template condition for the parameters' defaults (the functions the function's
    variables depend on; anything else names itself)."""
    [(function, arguments)] = condition.items()
    if function == "Condition":
        return _holds(conditions[arguments], parameters, conditions)
    if function == "Fn::Equals":
        left, right = (_resolve(a, parameters, conditions) for a in arguments)
        return left == right
    if function == "Fn::Not":
        return not _holds(arguments[0], parameters, conditions)
    if function in ("Fn::And", "Fn::Or"):
        values = [_holds(a, parameters, conditions) for a in arguments]
        return all(values) if function == "Fn::And" else any(values)
    raise ValueError(f"cannot evaluate the condition {condition!r}")


def _resolve(value: Any, parameters: dict[str, Any], conditions: dict[str, Any]) -> str:
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        name, when_true, when_false = value["Fn::If"]
        holds = _holds(conditions[name], parameters, conditions)
        return _resolve(when_true if holds else when_false, parameters, conditions)
    if isinstance(value, dict) and set(value) == {"Ref"}:
        name = value["Ref"]
        if name in parameters:
            return str(parameters[name]["Default"])
        return RESOURCE_VALUES[name]  # a KeyError names a variable this script must learn
    if isinstance(value, str | int | float):
        return str(value)
    raise ValueError(f"cannot stand in for the function variable value {value!r}")


def sample(layout: Path, mode: str, env: dict[str, str]) -> Figure:
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", CHILD, str(layout), mode, REGION],
        env=env,
        cwd=layout,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the {mode} sample failed:\n{result.stderr}")
    measured = json.loads(result.stdout.splitlines()[-1])
    if measured["network"]:
        raise RuntimeError(f"the {mode} sample reached for the network: {measured['network']}")
    return Figure(measured["seconds"], measured["cpu_seconds"], measured["peak_kib"] / 1024)


def measure(layout: Path, env: dict[str, str], samples: int = SAMPLES) -> dict[str, Figure]:
    """Medians (each figure's own) of ``samples`` interleaved runs of each mode."""
    runs: dict[str, list[Figure]] = {"baseline": [], "handler": []}
    for _ in range(samples):
        for mode, figures in runs.items():
            figures.append(sample(layout, mode, env))
    return {
        mode: Figure(
            statistics.median(f.seconds for f in figures),
            statistics.median(f.cpu_seconds for f in figures),
            statistics.median(f.rss_mib for f in figures),
        )
        for mode, figures in runs.items()
    }


def bytecode_files(layout: Path) -> int:
    return sum(1 for _ in layout.rglob("*.pyc"))


def report(samples: int = SAMPLES) -> bool:
    """Print the cold-start figures; True if the goal is met on CPU time."""
    with tempfile.TemporaryDirectory(prefix="coldstart-") as tmp:
        layout = Path(tmp) / "artifact"
        build_layout(layout)
        figures = measure(layout, function_environment(layout, Path(tmp)), samples)
        pyc = bytecode_files(layout)
    base, handler = figures["baseline"], figures["handler"]
    ratio = handler.seconds / base.seconds
    cpu_ratio = handler.cpu_seconds / base.cpu_seconds
    small = handler.rss_mib < GOAL_RSS_MIB
    met = {
        "CPU time": cpu_ratio <= GOAL_RATIO and small,
        "wall clock": ratio <= GOAL_RATIO and small,
    }
    print(
        f"cold start: fresh `python{sys.version_info.major}.{sys.version_info.minor} -I -S -B` "
        f"per sample, median of {samples} interleaved, on the artifact layout built by "
        f"src/Makefile ({platform.machine()} wheels, {pyc} .pyc files)"
    )
    rows = [
        ("baseline", 'import boto3 + boto3.client("sagemaker")', base),
        ("handler", "import workforce_reconciler.handler + _app()", handler),
    ]
    width = max(len(what) for _, what, _ in rows)
    for name, what, figure in rows:
        print(
            f"  {name:<8}  {what:<{width}}  {figure.seconds * 1000:6.1f} ms "
            f"(CPU {figure.cpu_seconds * 1000:6.1f} ms)  peak RSS {figure.rss_mib:5.1f} MiB"
        )
    print(
        f"  handler / baseline: {ratio:.2f} wall clock, {cpu_ratio:.2f} CPU time; "
        f"handler peak RSS {handler.rss_mib:.1f} MiB"
    )
    verdicts = ", ".join(f"{'met' if ok else 'NOT met'} on {how}" for how, ok in met.items())
    print(f"  goal (ratio <= {GOAL_RATIO}, peak RSS < {GOAL_RSS_MIB:.0f} MiB): {verdicts}")
    return met["CPU time"]


if __name__ == "__main__":
    report(int(sys.argv[1]) if len(sys.argv) > 1 else SAMPLES)
