"""`make probe-aws`: check the emulator's assumptions against the real SageMaker.

For each assumption switch in docs/emulator.md, one small, reversible probe
(``realaws.probes``) runs in the account and region the usual AWS variables name, prints
what the service did, and the matching switch values are written to an emulator config
file that ``workforce-emulator --config FILE`` and ``controls.load_config(FILE)`` read.

    python scripts/probe_aws.py [--out emulator-observed.json] [--probe NAME ...]
                                [--region R] [--profile P] [--poll-seconds 1]
                                [--max-workteams-cap 50] [--list] [--cleanup]

It refuses to start (exit 1, nothing created) without credentials or a region (it then
prints what it would do), or where a workforce already exists (one per account and
region; not the probes' to touch). Every resource is tagged
``workforce-reconciler:test-run=<run id>``, entered in a ledger file first
(``workforce-reconciler-leftovers.json`` while anything is left) and removed after each
probe, also after an error or Ctrl-C; ``--cleanup`` removes what a killed run left.
Exit 0 when every probe ran (a probe the service gave no answer to keeps its default),
1 when one failed or something could not be removed.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from realaws import probes
from realaws.ledger import LEFTOVERS, TAG_KEY, Ledger, Waits, cleanup_leftovers
from realaws.target import NotReady, Target, connect, refuse_a_workforce_that_is_not_ours

PROG = "probe-aws"


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Check the emulator's assumptions against the real SageMaker."
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("emulator-observed.json"),
        help="the emulator config file to write (default emulator-observed.json)",
    )
    parser.add_argument(
        "--probe",
        action="append",
        choices=sorted(probes.PROBES),
        metavar="NAME",
        help="run only this probe (repeatable); default: every probe",
    )
    parser.add_argument("--region", help="default: AWS_REGION, AWS_DEFAULT_REGION, the profile's")
    parser.add_argument("--profile", help="a named profile (default: AWS_PROFILE or the default)")
    parser.add_argument(
        "--poll-seconds",
        type=float,
        default=1.0,
        help="seconds between DescribeWorkforce calls while waiting (default 1)",
    )
    parser.add_argument(
        "--timeout-seconds",
        type=float,
        default=900.0,
        help="the longest wait for a workforce to be Active or gone (default 900)",
    )
    parser.add_argument(
        "--max-workteams-cap",
        type=int,
        default=50,
        help="probe_max_workteams creates at most this many teams (default 50)",
    )
    parser.add_argument(
        "--ledger",
        type=Path,
        default=LEFTOVERS,
        help=f"where the ledger of created resources is kept (default {LEFTOVERS})",
    )
    parser.add_argument(
        "--list", action="store_true", help="print what each probe does; no AWS call"
    )
    parser.add_argument(
        "--cleanup",
        action="store_true",
        help="remove what a killed run left (read from --ledger); no probe runs",
    )
    return parser.parse_args(argv)


def plan(names: list[str]) -> str:
    """What the run would do, probe by probe (for --list, and when it cannot start)."""
    lines = [
        "Each probe creates an OIDC workforce of its own (endpoints under example.com, no users), "
        f"tagged {TAG_KEY}, sometimes work teams, and removes them before the next probe. "
        "SageMaker charges nothing for a private workforce or its work teams.",
        "",
    ]
    for name in names:
        probe = probes.PROBES[name]
        switch = f"switch {probe.switch}" if probe.switch else "no switch: observation only"
        lines.append(f"{name} ({switch}):\n    {probe.description}")
    return "\n".join(lines)


def settings_of(observations: list[probes.Observation]) -> dict[str, Any]:
    """The emulator config (PascalCase keys, as ``--config`` reads) of what was observed."""
    # Imported here: the emulator loads moto (seconds), which a run that cannot start or
    # only lists the probes does not need.
    from workforce_emulator.state import EmulatorSettings

    fields = EmulatorSettings.model_fields
    observed = {
        fields[o.switch].alias or o.switch: o.value
        for o in observations
        if o.switch is not None and o.value is not None
    }
    EmulatorSettings.model_validate(observed)  # what the emulator will accept
    return observed


def probe_all(target: Target, args: argparse.Namespace, names: list[str]) -> int:
    run_id = secrets.token_hex(4)
    waits = Waits(poll_seconds=args.poll_seconds, timeout_seconds=args.timeout_seconds)
    ledger = Ledger(target, run_id, args.ledger, waits)
    context = probes.Context(
        target,
        ledger,
        poll_seconds=args.poll_seconds,
        timeout_seconds=args.timeout_seconds,
        max_workteams_cap=args.max_workteams_cap,
    )
    print(
        f"Probing SageMaker in {target.where}: run {run_id}, {len(names)} probe(s); every "
        f"resource is tagged {TAG_KEY}={run_id} and removed after its probe.",
        flush=True,
    )
    observations: list[probes.Observation] = []
    code = 0
    try:
        for name in names:
            observation = probes.run_probe(context, probes.PROBES[name])
            observations.append(observation)
            shown = (
                "not shown (the default stays)" if observation.value is None else observation.value
            )
            switch = probes.PROBES[name].switch or "matches the emulator"
            print(f"{name}: {observation.saw}\n    -> {switch}: {shown}", flush=True)
            code = code or int(observation.saw.startswith("error:"))
    except probes.LeftBehind as error:
        print(f"{PROG}: stopped: could not remove what a probe created: {error}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; removing what the probes created", file=sys.stderr)
        code = 130
    finally:
        left = ledger.remove_all()
        print("Created and removed in this run:")
        print("\n".join(ledger.summary()) or "  nothing")
        if left:
            print(f"{PROG}: some resources are left; `{PROG} --cleanup` retries", file=sys.stderr)
            code = code or 1
    report(args.out, observations, target)
    return code


def report(out: Path, observations: list[probes.Observation], target: Target) -> None:
    if not observations:
        return
    settings = settings_of(observations)
    out.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    day = datetime.now(UTC).date().isoformat()
    print(
        f"\nWrote {out}: {len(settings)} switch value(s) observed "
        f"(`workforce-emulator --config {out}`)."
    )
    print("For docs/emulator.md's observed column:")
    for o in observations:
        if o.value is not None:
            print(f"  {o.switch or o.probe}: `{o.value!r}` ({day}, {target.region})")


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    names = args.probe or list(probes.PROBES)
    if args.list:
        print(plan(names))
        return 0
    try:
        target = connect(region=args.region, profile=args.profile)
        if args.cleanup:
            return cleanup_leftovers(
                target, args.ledger, PROG, Waits(args.poll_seconds, args.timeout_seconds)
            )
        refuse_a_workforce_that_is_not_ours(
            target,
            adopt=False,
            adopt_hint="Run the probes in a region without a workforce (AWS_REGION=...).",
        )
    except NotReady as error:
        if not args.cleanup:
            print(f"Would run, once it can start:\n\n{plan(names)}\n")
        print(f"{PROG}: cannot start: {error}", file=sys.stderr)
        return 1
    return probe_all(target, args, names)


if __name__ == "__main__":
    sys.exit(main())
