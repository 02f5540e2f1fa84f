"""Apply tells its progress listener each status its waits observe, and prints nothing."""

from __future__ import annotations

from typing import Any

from engine.world import World
from handler.deployment import captured_logs
from workforce_emulator import controls
from workforce_reconciler.plan import RunStatus
from workforce_reconciler.ports import WaitProgress


def test_each_status_a_wait_observes_reaches_the_listener(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a service where a new workforce shows Initializing for 2 describes
    controls.configure(activation_describes=2)
    seen: list[WaitProgress] = []
    reconciler = world.reconciler(progress=seen.append)
    world.put_document(oidc_doc)

    # When the workforce and its teams are created
    report = world.run(reconciler=reconciler)

    # Then the first team waited, polling (fake clock: 1 s a poll), and the listener was
    # told each look: what was waited for, before which step, the status, the time
    assert report.status is RunStatus.CORRECTED, report.Results
    assert [(p.status, p.first, p.done, p.elapsed) for p in seen] == [
        ("Initializing", True, False, 0.0),
        ("Active", False, True, 1.0),
    ]  # (the second team needs no look: the workforce was just seen Active)
    assert {(p.workforce, p.wanted, p.bound) for p in seen} == {
        ("labeling-oidc", ("Active",), 30.0)
    }
    assert {p.step for p in seen} == {"CreateWorkteam Workteam/image-labelers"}


def test_a_listener_that_fails_does_not_stop_apply(world: World, oidc_doc: dict[str, Any]) -> None:
    # Given a listener that raises (a closed terminal, a bug in a presenter)
    controls.configure(activation_describes=2)

    def broken(progress: WaitProgress) -> None:
        raise BrokenPipeError("the terminal went away")

    reconciler = world.reconciler(progress=broken)
    world.put_document(oidc_doc)

    # When apply waits, then every step is still applied
    report = world.run(reconciler=reconciler)
    assert report.status is RunStatus.CORRECTED, report.Results
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]


def test_a_listener_that_fails_is_logged_once_per_look_with_its_error(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a listener that raises, and a wait of two looks
    controls.configure(activation_describes=2)

    def broken(progress: WaitProgress) -> None:
        raise BrokenPipeError("the terminal went away")

    reconciler = world.reconciler(progress=broken)
    world.put_document(oidc_doc)

    # When apply waits
    with captured_logs() as logs:
        world.run(reconciler=reconciler)

    # Then each look it could not show is one warning naming the error
    warnings = [
        (line["level"], line["error"])
        for line in logs
        if line["message"] == "could not show the progress of a wait"
    ]
    assert warnings == [("WARNING", "BrokenPipeError('the terminal went away')")] * 2


def test_a_wait_that_reaches_its_bound_ends_with_a_last_look(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a clock that does not start at zero, a workforce Initializing for longer than
    # the 30 s bound, and the listener recording each look
    world.clock = 1000.0
    controls.configure(activation_describes=10_000)
    seen: list[WaitProgress] = []
    reconciler = world.reconciler(progress=seen.append)
    world.put_document(oidc_doc)

    # When the team's wait runs out of time
    world.run(reconciler=reconciler)

    # Then time is counted from the start of apply, and the look at the bound is the
    # last (the second team, reached exactly at the bound, looks once and stops too)
    assert [p.elapsed for p in seen] == [float(s) for s in range(31)] + [30.0]
    assert [p.done for p in seen] == [False] * 30 + [True, True]


def test_a_look_that_sees_the_workforce_failed_ends_the_wait(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given drift on the CIDRs and a team, Updating shown once after UpdateWorkforce, and
    # the workforce turning Failed while the team's step waits
    world.run(oidc_doc)
    world.sagemaker.update_workteam(WorkteamName="text-reviewers", Description="drifted")
    world.sagemaker.update_workforce(
        WorkforceName="labeling-oidc", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}
    )
    controls.configure(activation_describes=1)
    world.while_sleeping = lambda: controls.set_status("labeling-oidc", "Failed", "IdP down")
    seen: list[WaitProgress] = []
    reconciler = world.reconciler(progress=seen.append)

    # When the reconciler runs
    world.run(reconciler=reconciler)

    # Then the look that sees Failed is the wait's last
    assert [(p.status, p.done) for p in seen] == [("Updating", False), ("Failed", True)]
