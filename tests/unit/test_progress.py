"""What a person sees while apply waits: one line per change without a terminal, a live
line on one (fed with the observations apply makes; the real waits are in tests/cli)."""

from __future__ import annotations

import io

from workforce_reconciler.ports import WaitProgress
from workforce_reconciler.progress import LiveLine, StatusChanges, clock


def look(
    status: str | None,
    elapsed: float,
    *,
    first: bool = False,
    done: bool = False,
    wanted: tuple[str, ...] = ("Active",),
) -> WaitProgress:
    return WaitProgress(
        workforce="labeling-oidc",
        wanted=wanted,
        step="CreateWorkteam Workteam/image-labelers",
        status=status,
        elapsed=elapsed,
        bound=600.0,
        first=first,
        done=done,
    )


def lines_of(*looks: WaitProgress) -> list[str]:
    shown: list[str] = []
    listener = StatusChanges(lambda line, _: shown.append(line))
    for observed in looks:
        listener(observed)
    return shown


def test_without_a_terminal_one_line_per_change_of_status_and_one_at_the_end() -> None:
    # Given a wait that sees Initializing three times, then Updating, then Active
    shown = lines_of(
        look("Initializing", 2, first=True),
        look("Initializing", 7),
        look("Initializing", 12),
        look("Updating", 17),
        look("Active", 22, done=True),
    )

    # Then each status is told once, with what is waited for, elapsed and the bound
    assert shown == [
        "Waiting for workforce labeling-oidc to be Active before CreateWorkteam "
        "Workteam/image-labelers: SageMaker reports Initializing, 0:02 elapsed of at most "
        "10:00",
        "Waiting for workforce labeling-oidc to be Active before CreateWorkteam "
        "Workteam/image-labelers: SageMaker reports Updating, 0:17 elapsed of at most 10:00",
        "Workforce labeling-oidc is Active (waited 0:20).",
    ]


def test_a_wait_that_finds_the_workforce_ready_shows_nothing() -> None:
    assert lines_of(look("Active", 0.3, first=True, done=True)) == []


def test_how_a_wait_ends_is_said_plainly() -> None:
    assert lines_of(look("Updating", 0, first=True), look("Failed", 30, done=True))[-1] == (
        "Workforce labeling-oidc became Failed (waited 0:30)."
    )
    assert lines_of(look("Updating", 0, first=True), look("Updating", 600, done=True))[-1] == (
        "Workforce labeling-oidc is still Updating: gave up after 10:00, at the run's bound "
        "of 10:00."
    )
    deleting = (look("Deleting", 5, first=True, wanted=()), look(None, 65, done=True, wanted=()))
    assert lines_of(*deleting) == [
        "Waiting for workforce labeling-oidc to be deleted before CreateWorkteam "
        "Workteam/image-labelers: SageMaker reports Deleting, 0:05 elapsed of at most 10:00",
        "Workforce labeling-oidc is deleted (waited 1:00).",
    ]


def test_a_live_line_is_rewritten_in_place_and_ticks_between_polls() -> None:
    # Given a terminal (a stream), a fake clock, and a live line on it
    terminal = io.StringIO()
    now = [100.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    line = LiveLine(terminal, monotonic=lambda: now[0], sleeper=sleep)

    # When a wait sees Initializing, apply sleeps 3 s, then the wait sees Active
    line(look("Initializing", 0, first=True))
    line.sleep(3)
    line(look("Active", 3, done=True))

    # Then the one line was redrawn each second, then left with the outcome
    frames = terminal.getvalue().split("\r\x1b[K")
    assert frames[0] == ""
    # (a terminal that does not say its width is taken as 80 columns: the line is cut)
    assert frames[1:5] == [
        f"0:0{n}/10:00  Workforce labeling-oidc is Initializing, waiting for Active (nex..."
        for n in range(4)
    ]
    assert frames[-1] == "Workforce labeling-oidc is Active (waited 0:03).\n"
    assert terminal.getvalue().count("\n") == 1


def test_a_live_line_left_open_by_an_interrupt_is_ended() -> None:
    terminal = io.StringIO()
    line = LiveLine(terminal)
    line(look("Updating", 1, first=True))
    line.close()
    assert terminal.getvalue() == (
        "\r\x1b[K0:01/10:00  Workforce labeling-oidc is Updating, waiting for Active (next: C...\n"
    )


def test_stopwatch_times() -> None:
    assert [clock(s) for s in (0, 7.9, 65, 600, 3723)] == [
        "0:00",
        "0:07",
        "1:05",
        "10:00",
        "1:02:03",
    ]
