"""Apply tells its progress listener each status its waits observe, and prints nothing."""

from __future__ import annotations

from typing import Any

from engine.world import PARAMETER, World
from workforce_emulator import controls
from workforce_reconciler.adapters.documents import SsmDocumentSource
from workforce_reconciler.plan import RunStatus
from workforce_reconciler.ports import WaitProgress


def test_each_status_a_wait_observes_reaches_the_listener(
    world: World, oidc_doc: dict[str, Any]
) -> None:
    # Given a service where a new workforce shows Initializing for 2 describes
    controls.configure(activation_describes=2)
    seen: list[WaitProgress] = []
    reconciler = world.reconciler()
    reconciler.progress = seen.append
    world.put_document(oidc_doc)

    # When the workforce and its teams are created
    report = reconciler.run(SsmDocumentSource(world.ssm, PARAMETER), "test")

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

    reconciler = world.reconciler()
    reconciler.progress = broken
    world.put_document(oidc_doc)

    # When apply waits, then every step is still applied
    report = reconciler.run(SsmDocumentSource(world.ssm, PARAMETER), "test")
    assert report.status is RunStatus.CORRECTED, report.Results
    assert sorted(world.teams()) == ["image-labelers", "text-reviewers"]
