"""`make acceptance`: the end-to-end scenarios of tests/acceptance, on the emulator or in a
real account.

    WORKFORCE_ACCEPTANCE=emulator|aws  (default emulator)
    WORKFORCE_ACCEPTANCE_ADOPT=1       (aws: hand over the region's existing workforce)
    python scripts/run_acceptance.py [--cleanup] [PYTEST ARGS...]

In aws mode it checks, before pytest starts and before anything is created, that there is a
region, that the credentials work (one STS GetCallerIdentity), and that the region has no
workforce that is not the suite's; otherwise it says why and exits 1. Then it runs
``pytest tests/acceptance`` (the same checks are made there, for a direct ``pytest`` run).
``--cleanup`` removes what a killed run left, from ``workforce-reconciler-leftovers.json``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from realaws.ledger import LEFTOVERS, TAG_KEY, cleanup_leftovers
from realaws.target import (
    ACCEPTANCE_ADOPT_HINT,
    NotReady,
    connect,
    refuse_a_workforce_that_is_not_ours,
)

PROG = "acceptance"
ROOT = Path(__file__).resolve().parents[1]
CREATES = (
    f"In aws mode the suite creates, tagged {TAG_KEY}=<run id>, and removes at the end (also after "
    "a failure or Ctrl-C): a Cognito user pool with a domain, an app client and two groups; a "
    "Secrets Manager secret ($0.40 per secret-month, prorated); a DynamoDB table (on-demand); "
    "an SNS topic; an SSM parameter; and one SageMaker workforce at a time (no charge), with "
    "work teams. The OIDC workforce's endpoints are under example.com: no identity provider "
    "is needed, and no worker can sign in."
)


def cleanup() -> int:
    try:
        target = connect()
    except NotReady as error:
        print(f"{PROG}: cannot clean up: {error}", file=sys.stderr)
        return 1
    return cleanup_leftovers(target, LEFTOVERS, PROG)


def preflight() -> int:
    """0 when aws mode can start; otherwise 1, with the reason on stderr."""
    adopt = os.environ.get("WORKFORCE_ACCEPTANCE_ADOPT") == "1"
    try:
        target = connect()
        refuse_a_workforce_that_is_not_ours(
            target,
            adopt=adopt,
            adopt_hint=ACCEPTANCE_ADOPT_HINT,
        )
    except NotReady as error:
        print(f"{CREATES}\n", file=sys.stderr)
        print(f"{PROG} (WORKFORCE_ACCEPTANCE=aws): cannot start: {error}", file=sys.stderr)
        return 1
    print(f"{PROG}: running in {target.where}. {CREATES}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    mode = os.environ.get("WORKFORCE_ACCEPTANCE", "emulator") or "emulator"
    if mode not in ("emulator", "aws"):
        print(
            f"{PROG}: WORKFORCE_ACCEPTANCE must be emulator or aws, not {mode!r}", file=sys.stderr
        )
        return 1
    if args[:1] == ["--cleanup"]:
        return cleanup()
    if mode == "aws" and preflight() != 0:
        return 1
    return int(pytest.main([str(ROOT / "tests" / "acceptance"), *args]))


if __name__ == "__main__":
    sys.exit(main())
