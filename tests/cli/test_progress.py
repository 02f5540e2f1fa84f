"""What ``apply`` shows while it waits for the workforce to become Active: a live status
line on a terminal, one line per change of status without one, never on stdout.

The installed program against the emulator over HTTP, whose new workforce stays
Initializing for 1.5 s (apply polls every 5 s: each test waits one poll).
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from cli.helpers import PROGRAM, environment, program, write
from engine.world import example
from workforce_emulator import controls

WAITING = "Workforce labeling-cognito is Initializing, waiting for Active"


@pytest.fixture
def slow_to_activate(emulator_server: str, tmp_path: Path) -> list[str]:
    """The argv of an apply that creates the Cognito example on a workforce slow to settle."""
    controls.configure(activation_seconds=1.5)
    doc = example("cognito")
    doc["Policy"] = {"Mode": "enforce"}
    path = write(tmp_path / "cognito.json", doc)
    return ["apply", "--file", str(path), "--auto-approve", "--endpoint-url", emulator_server]


def _with_stderr_on_a_terminal(argv: list[str], columns: int = 200) -> tuple[int, str, str]:
    """Run with stderr a pseudo-terminal ``columns`` wide and stdout a pipe: exit code,
    stdout, and what reached the terminal."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    process = subprocess.Popen(
        [PROGRAM, *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
        env=environment(TERM="xterm"),
    )
    os.close(follower)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 120)
            if not ready:
                process.kill()
                pytest.fail("the program printed nothing for 120 s")
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the program has closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    out, _ = process.communicate(timeout=120)
    return process.returncode, out.decode(), b"".join(chunks).decode()


def test_on_a_terminal_a_live_line_ticks_then_says_how_the_wait_ended(
    slow_to_activate: list[str],
) -> None:
    # Given stderr a terminal and stdout a pipe taking JSON
    # When apply creates a workforce that stays Initializing for a while
    code, out, terminal = _with_stderr_on_a_terminal([*slow_to_activate, "--output", "json"])

    # Then stdout holds the report and nothing else
    assert code == 0, terminal
    assert json.loads(out)["Status"] == "Corrected"
    assert "Waiting" not in out
    assert "Initializing" not in out
    # and the terminal showed one line rewritten in place (whole: the terminal is 200
    # columns wide), its elapsed time ticking each second through the 5 s poll, ended by
    # the outcome on a line of its own
    frames = terminal.split("\r\x1b[K")
    ticks = [frame for frame in frames if WAITING in frame]
    assert len(ticks) >= 5, frames
    assert ticks[0] == (f"0:00/10:00  {WAITING} (next: CreateWorkteam Workteam/medical-annotators)")
    assert [tick[:10] for tick in ticks[:5]] == [f"0:0{n}/10:00" for n in range(5)]
    assert all("\n" not in tick for tick in ticks)
    assert frames[-1].startswith("Workforce labeling-cognito is Active (waited 0:0")
    assert frames[-1].endswith(").\r\n")  # (the terminal shows "\n" as "\r\n")


def test_without_a_terminal_one_line_per_change_of_status(slow_to_activate: list[str]) -> None:
    # Given stdout and stderr pipes (CI, a log)
    # When apply creates a workforce that stays Initializing for a while
    ran = program(*slow_to_activate)

    # Then stderr has one line for the status seen, and one for the end of the wait;
    # no carriage return, no escape code; stdout is the plan and the results
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.splitlines() == [
        "Waiting for workforce labeling-cognito to be Active before CreateWorkteam "
        "Workteam/medical-annotators: SageMaker reports Initializing, 0:00 elapsed of at "
        "most 10:00",
        ran.stderr.splitlines()[1],
    ]
    assert ran.stderr.splitlines()[1].startswith("Workforce labeling-cognito is Active (waited 0:0")
    assert "\r" not in ran.stderr
    assert "\x1b" not in ran.stderr
    assert "Waiting" not in ran.stdout
    assert ran.stdout.endswith("Status: Corrected (mode enforce, trigger cli-apply).\n")
