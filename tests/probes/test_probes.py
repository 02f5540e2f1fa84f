"""Each probe against the emulator, with each setting of its switch: the probe reports the
setting the emulator was given, and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from realaws.probes import PROBES, Context, Observation, run_probe

from workforce_emulator import controls

from .conftest import SECRET_OF_THE_RUN

# (probe, the emulator's settings, what the probe must report): each switch both ways.
CASES: list[tuple[str, dict[str, Any], Any]] = [
    ("probe_activation_describes", {"activation_describes": 0}, 0),
    ("probe_activation_describes", {"activation_describes": 3}, 3),
    ("probe_activation_seconds", {"activation_seconds": 0.0}, 0.0),
    ("probe_activation_seconds", {"activation_seconds": 0.3}, 0.3),
    (
        "probe_oidc_update_conflicts_with_workteams",
        {"oidc_update_conflicts_with_workteams": True},
        True,
    ),
    (
        "probe_oidc_update_conflicts_with_workteams",
        {"oidc_update_conflicts_with_workteams": False},
        False,
    ),
    ("probe_workforce_tags_listable", {"workforce_tags_listable": True}, True),
    ("probe_workforce_tags_listable", {"workforce_tags_listable": False}, False),
    ("probe_delete_workforce_with_workteams", {"delete_workforce_with_workteams": False}, False),
    ("probe_delete_workforce_with_workteams", {"delete_workforce_with_workteams": True}, True),
    ("probe_deletion_describes", {"deletion_describes": 0}, 0),
    ("probe_deletion_describes", {"deletion_describes": 3}, 3),
    ("probe_max_workteams", {"max_workteams": 25}, 25),
    ("probe_max_workteams", {"max_workteams": 3}, 3),
    ("probe_empty_cidrs_allowed", {"empty_cidrs_allowed": False}, False),
    ("probe_empty_cidrs_allowed", {"empty_cidrs_allowed": True}, True),
    ("probe_name_contains_ignores_case", {"name_contains_ignores_case": True}, True),
    ("probe_name_contains_ignores_case", {"name_contains_ignores_case": False}, False),
    ("probe_server_fills_defaults", {"server_fills_defaults": False}, False),
    ("probe_server_fills_defaults", {"server_fills_defaults": True}, True),
    # Team writes can only be tried while the workforce shows Updating: 3 describes of it.
    (
        "probe_workteam_writes_need_active",
        {"workteam_writes_need_active": True, "activation_describes": 3},
        True,
    ),
    (
        "probe_workteam_writes_need_active",
        {"workteam_writes_need_active": False, "activation_describes": 3},
        False,
    ),
]


def region_is_empty(context: Context) -> bool:
    sagemaker = context.sagemaker
    return (
        not sagemaker.list_workforces()["Workforces"]
        and not sagemaker.list_workteams()["Workteams"]
    )


@pytest.mark.parametrize(
    ("name", "settings", "expected"),
    CASES,
    ids=[f"{name}-{'-'.join(f'{k}={v}' for k, v in s.items())}" for name, s, _ in CASES],
)
def test_probe_reports_the_setting_the_emulator_was_given(
    context: Context, tmp_path: Path, name: str, settings: dict[str, Any], expected: Any
) -> None:
    # Given an emulator with this setting of the switch
    controls.configure(**settings)
    # When the probe runs
    observation = run_probe(context, PROBES[name])
    # Then it reports that setting, and nothing it created is left, nor the ledger file
    assert observation.switch == PROBES[name].switch
    # (seconds are measured to the poll interval, and a loaded machine answers late)
    assert observation.value == pytest.approx(expected, abs=0.15), observation.saw
    assert type(observation.value) is type(expected)
    assert region_is_empty(context)
    assert not (tmp_path / "leftovers.json").exists()


def test_every_switch_has_a_probe_and_both_settings_are_tested() -> None:
    # Given the emulator's switches and the probes
    switches = set(controls.EmulatorSettings.model_fields)
    # Then each switch has its probe, named probe_<switch>, tested here both ways
    assert {p.switch for p in PROBES.values() if p.switch} == switches
    for switch in switches:
        assert PROBES[f"probe_{switch}"].switch == switch
        reported = {repr(expected) for name, _, expected in CASES if name == f"probe_{switch}"}
        assert len(reported) == 2, switch


def test_team_writes_cannot_be_judged_when_the_workforce_is_active_at_once(
    context: Context,
) -> None:
    # Given a service whose workforce is Active as soon as UpdateWorkforce answers
    controls.configure(activation_describes=0, activation_seconds=0)
    # When the team-write probe runs
    observation = run_probe(context, PROBES["probe_workteam_writes_need_active"])
    # Then it reports no value (the default stays) and says why
    assert observation.value is None
    assert "Active at once" in observation.saw
    assert region_is_empty(context)


def test_a_quota_above_the_cap_is_reported_as_not_found(context: Context) -> None:
    # Given a quota higher than the number of teams the probe may create
    controls.configure(max_workteams=40)
    # When the quota probe runs with its cap of 30
    observation = run_probe(context, PROBES["probe_max_workteams"])
    # Then no value is reported, the message says how to find it, and the 30 teams are gone
    assert observation.value is None
    assert "at least that" in observation.saw
    assert "--max-workteams-cap" in observation.saw
    assert region_is_empty(context)


def test_a_refused_call_is_an_error_of_that_probe_and_everything_is_removed(
    context: Context,
) -> None:
    # Given a service that refuses the probe's ListTags
    controls.add_fault("ListTags", error="AccessDeniedException", message="not allowed")
    # When the tag probe runs
    observation = run_probe(context, PROBES["probe_workforce_tags_listable"])
    # Then it reports the error and no value (an error says nothing about the assumption),
    # and its workforce is gone
    assert observation.value is None
    assert observation.saw.startswith("error: ")
    assert "AccessDeniedException" in observation.saw
    assert region_is_empty(context)


def test_not_found_wording_is_compared_with_the_emulators(context: Context) -> None:
    # When the observation-only probe runs (it creates nothing)
    observation = run_probe(context, PROBES["probe_not_found_wording"])
    # Then it finds the emulator's own wording, and has no switch to write
    assert (observation.switch, observation.value) == (None, True)
    assert "No workforce found with name" in observation.saw
    assert {c["Operation"] for c in controls.calls()} <= {
        "DescribeWorkforce",
        "DescribeWorkteam",
        "ListWorkforces",
        "ListWorkteams",
    }


def test_the_client_secret_never_shows(context: Context, tmp_path: Path) -> None:
    # When every probe runs
    observations: list[Observation] = [run_probe(context, p) for p in PROBES.values()]
    # Then the run's client secret is in no observation and in no call the emulator logged
    shown = repr(observations) + repr(controls.calls())
    assert SECRET_OF_THE_RUN not in shown
    assert '"***"' in repr(controls.calls()).replace("'", '"')


def test_the_docs_describe_every_probe() -> None:
    # Given docs/acceptance.md's probe table and docs/emulator.md's switch table
    docs = Path(__file__).resolve().parents[2] / "docs"
    acceptance = (docs / "acceptance.md").read_text(encoding="utf-8")
    emulator = (docs / "emulator.md").read_text(encoding="utf-8")
    described = {
        line.split("|")[1].strip().strip("`")
        for line in acceptance.splitlines()
        if line.startswith("| `probe_")
    }
    # Then each probe has its row there, and each switch's probe is named in the emulator's
    assert described == set(PROBES)
    for probe in PROBES.values():
        if probe.switch:
            assert f"| `{probe.name}` |" in emulator
