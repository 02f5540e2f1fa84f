"""The progress of apply's waits, as people see it: the words, and two ways to show them.

Apply polls DescribeWorkforce while the workforce is Initializing or Updating (within the
run's one bound, 10 minutes by default) and tells the ``ProgressListener`` it was given
(``ports.py``) each status it sees. What is shown is decided here, never in the engine:

* ``StatusChanges(write)``: one line per change of status, and one when the wait ends;
  for the Lambda's log and for the CLI without a terminal (a pipe, CI).
* ``LiveLine(stream)``: on a terminal, one status line (``live``: elapsed/bound, the
  status, the goal) rewritten in place, whose elapsed time keeps ticking between polls
  (``LiveLine.sleep`` is the sleep apply is given), and left with the outcome when the
  wait ends.

A wait whose first look finds what it waits for shows nothing: nothing was waited for.
No terminal library: a carriage return and ``ESC [K`` (erase to the end of the line) are
all a live line needs, and the Lambda artifact ships no terminal library.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from typing import IO

from workforce_reconciler.ports import WaitProgress

_ERASE_LINE = "\r\033[K"  # back to the start of the line, erase to its end


def clock(seconds: float) -> str:
    """``0:07``, ``10:00``, ``1:02:03``: minutes and seconds, as a stopwatch shows them."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _goal(progress: WaitProgress) -> str:
    if not progress.wanted:
        return "be deleted"
    return "be " + " or ".join(progress.wanted)


def waiting(progress: WaitProgress) -> str:
    """The line shown while apply waits: what for, what SageMaker reports, how long."""
    before = f" before {progress.step}" if progress.step else ""
    return (
        f"Waiting for workforce {progress.workforce} to {_goal(progress)}{before}: "
        f"SageMaker reports {progress.status}, "
        f"{clock(progress.elapsed)} elapsed of at most {clock(progress.bound)}"
    )


def live(progress: WaitProgress) -> str:
    """The terminal's status line: the same, short enough for 80 columns up to the goal
    (what does not fit is cut from the end, the step first)."""
    goal = " or ".join(progress.wanted) if progress.wanted else "deleted"
    before = f" (next: {progress.step})" if progress.step else ""
    return (
        f"{clock(progress.elapsed)}/{clock(progress.bound)}  Workforce {progress.workforce} "
        f"is {progress.status}, waiting for {goal}{before}"
    )


def ended(progress: WaitProgress, waited: float) -> str:
    """The line a wait ends with; ``waited``: how long this wait took."""
    name, took = progress.workforce, clock(waited)
    if progress.status is None:
        if not progress.wanted:
            return f"Workforce {name} is deleted (waited {took})."
        return f"Workforce {name} no longer exists (waited {took})."
    if progress.wanted and progress.status in progress.wanted:
        return f"Workforce {name} is {progress.status} (waited {took})."
    if progress.status == "Failed":
        return f"Workforce {name} became Failed (waited {took})."
    return (
        f"Workforce {name} is still {progress.status}: gave up after {took}, "
        f"at the run's bound of {clock(progress.bound)}."
    )


class StatusChanges:
    """A listener that writes one line per change of status, and one when the wait ends.

    ``write(line, progress)`` gets each line with the observation it describes (the
    handler logs both; the CLI prints the line).
    """

    def __init__(self, write: Callable[[str, WaitProgress], None]) -> None:
        self._write = write
        self._began = 0.0
        self._shown: str | None = None

    def __call__(self, progress: WaitProgress) -> None:
        if progress.first:
            self._began, self._shown = progress.elapsed, None
            if progress.done:
                return  # found as wanted at the first look: nothing was waited for
        if progress.done:
            self._write(ended(progress, progress.elapsed - self._began), progress)
        elif progress.first or progress.status != self._shown:
            self._shown = progress.status
            self._write(waiting(progress), progress)


def _columns(stream: IO[str]) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 80
    return columns or 80  # a terminal that has not told its size says 0


class LiveLine:
    """A listener for a terminal: one line rewritten in place while apply waits.

    Give apply ``LiveLine.sleep`` as its sleep: between two polls the elapsed time keeps
    ticking (once a ``tick``). ``close()`` ends a line a wait left open (an interrupt).
    """

    def __init__(
        self,
        stream: IO[str],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleeper: Callable[[float], None] = time.sleep,
        tick: float = 1.0,
    ) -> None:
        self._stream = stream
        self._monotonic = monotonic
        self._sleeper = sleeper
        self._tick = tick
        self._began = 0.0
        self._current: WaitProgress | None = None
        self._seen_at = 0.0

    def __call__(self, progress: WaitProgress) -> None:
        if progress.first:
            self._began = progress.elapsed
            if progress.done:
                return  # found as wanted at the first look: nothing was waited for
        if progress.done:
            self._draw(ended(progress, progress.elapsed - self._began))
            self._end_line()
            return
        self._current, self._seen_at = progress, self._monotonic()
        self._draw(live(progress))

    def sleep(self, seconds: float) -> None:
        """Sleep as apply asked, redrawing the line (its elapsed time) once a tick."""
        end = self._monotonic() + seconds
        while (left := end - self._monotonic()) > 0:
            self._sleeper(min(self._tick, left))
            current = self._current
            if current is not None:
                since = self._monotonic() - self._seen_at
                self._draw(live(replace(current, elapsed=current.elapsed + since)))

    def close(self) -> None:
        if self._current is not None:
            self._end_line()

    def _draw(self, text: str) -> None:
        width = max(_columns(self._stream) - 1, 20)  # a wrapped line cannot be redrawn
        shown = text if len(text) <= width else text[: width - 3] + "..."
        self._stream.write(_ERASE_LINE + shown)
        self._stream.flush()

    def _end_line(self) -> None:
        self._stream.write("\n")
        self._stream.flush()
        self._current = None
