"""`make mutation`: mutation testing of the core with mutmut, module by module.

Each core module is mutated against the tests that cover it (``MODULES`` below: the
module's files, the tests that run them). A mutant is one small change to one line
(``<`` for ``<=``, ``and`` for ``or``, a string or a number changed, an argument dropped);
it is *killed* when one of those tests fails, and *survives* when they all pass: a bug
no test would notice. mutmut runs each mutant in a forked child on only the tests that
call the mutated function (it records which do first), two at a time.

For each module this prints the score (killed / mutants not known to be equivalent) and
every surviving mutant with its file, line and change. Equivalent mutants (the change
alters no behaviour) are listed, each with its reason, in ``mutation-equivalents/<module>.toml``
beside this script (one file per module, so work on two modules does not collide);
an entry that no longer matches a mutant is reported as stale. Exit status 1 when a
module scores below ``--goal`` (90 %) or an equivalent entry is stale.

Not part of ``make test``: it takes tens of minutes. Work files go to build/mutation/.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "mutation"
EQUIVALENTS = ROOT / "scripts" / "mutation-equivalents"
RECONCILER = "src/workforce_reconciler"
EMULATOR = "src/workforce_emulator"
# What the tests read from the repository besides src/ and tests/ (mutmut runs them in a copy).
ALSO_COPY = ["scripts", "examples", "events", "docs", "README.md", "template.yaml", ".ci"]


@dataclass(frozen=True)
class Part:
    """Some of a module's files, mutated against tests of their own in a mutmut run apart
    (``build/mutation/<module>.<part>``): mutmut runs a mutant on every test of its run that
    reaches the function, so pure code that the module's slower tests also reach is kept
    to its own fast tests."""

    name: str
    files: tuple[str, ...]
    tests: tuple[str, ...]


@dataclass(frozen=True)
class Module:
    """A core module: its files, optionally only some functions, and the tests that cover it."""

    files: tuple[str, ...]
    tests: tuple[str, ...]
    # mutmut mutant-name globs (``workforce_emulator._operations.x__check_cidrs__mutmut_*``);
    # empty: every function of the files.
    functions: tuple[str, ...] = ()
    # Files (also listed in ``files``) run against tests of their own instead of ``tests``.
    parts: tuple[Part, ...] = ()


PLANNER = tuple(
    f"{RECONCILER}/engine/{name}.py" for name in ("advice", "compare", "diff", "guardrails")
)

MODULES: dict[str, Module] = {
    "engine": Module(
        files=PLANNER
        + tuple(
            f"{RECONCILER}/engine/{name}.py"
            for name in ("apply", "export", "memory", "observe", "reconcile")
        ),
        tests=(
            "tests/unit/test_diff.py",
            "tests/unit/test_guardrails.py",
            "tests/engine/test_reconcile.py",
            "tests/engine/test_day_two.py",
            "tests/engine/test_interrupted.py",
            "tests/engine/test_what_users_notice.py",
            "tests/engine/test_progress.py",
            "tests/engine/test_parameter_path.py",
            "tests/engine/test_apply_outcomes.py",
            "tests/engine/test_run_records.py",
            "tests/engine/test_run_reports.py",
            "tests/engine/test_export_document.py",
            "tests/cli/test_export.py",
            "tests/unit/test_state_records.py",
        ),
        # The planner is pure (data in, plan out): its own tests pin it without moto; every
        # engine test reaches it too, and would re-run for each of its surviving mutants.
        parts=(
            Part(
                "planner",
                PLANNER,
                tests=(
                    "tests/unit/test_diff.py",
                    "tests/unit/test_guardrails.py",
                    "tests/unit/test_plan_whole_workforce.py",
                    "tests/unit/test_plan_converge.py",
                    "tests/unit/test_lost_race_and_set_comparison.py",
                    "tests/unit/test_guardrail_reasons.py",
                    "tests/unit/test_guardrail_reasons_whole.py",
                ),
            ),
        ),
    ),
    "document": Module(
        files=tuple(
            f"{RECONCILER}/document/{name}.py"
            for name in ("types", "models", "rules", "problems", "loading", "schema")
        ),
        # (the planner's unit tests check the requests the document's models build)
        tests=(
            "tests/unit/test_document.py",
            "tests/unit/test_document_schema.py",
            "tests/unit/test_document_docs.py",
            "tests/unit/test_diff.py",
            "tests/unit/test_plan_whole_workforce.py",
            "tests/unit/test_plan_converge.py",
            "tests/cli/test_validate.py",
            "tests/cli/test_schema.py",
        ),
    ),
    "notifications": Module(
        files=(
            f"{RECONCILER}/notifications/conditions.py",
            f"{RECONCILER}/notifications/messages.py",
        ),
        tests=(
            "tests/unit/test_notifications.py",
            "tests/unit/test_notification_conditions.py",
            "tests/unit/test_message_gallery.py",
            "tests/unit/test_notification_times_and_subjects.py",
            "tests/component/test_sns_notifier.py",
        ),
    ),
    "redaction": Module(
        files=(f"{RECONCILER}/redaction.py", f"{RECONCILER}/render.py"),
        tests=(
            "tests/unit/test_redaction.py",
            "tests/unit/test_render.py",
            "tests/unit/test_render_failed_workforce_ways_out.py",
            "tests/unit/test_notifications.py",
            "tests/unit/test_document.py",
            "tests/cli/test_json_redaction.py",
        ),
    ),
    # The handler's tests each build a deployment on moto (a second or two): only those that
    # pin what an invocation leaves (summary, log lines, metrics, the retry), the pure ones
    # (events, the account), and the waits' log lines and the deadline.
    "handler": Module(
        files=(f"{RECONCILER}/handler.py",),
        tests=(
            "tests/handler/test_events.py",
            "tests/handler/test_parameter_path.py::test_a_change_of_any_parameter_under_the_path_is_ours",
            "tests/handler/test_invocation_account.py",
            "tests/handler/test_ignored_events.py",
            "tests/handler/test_what_a_run_logs_and_counts.py",
            "tests/handler/test_wait_log.py",
            "tests/handler/test_messages_that_fit.py::"
            "test_a_run_with_too_little_time_left_starts_nothing_and_still_reports",
        ),
    ),
    "emulator-validation": Module(
        files=(f"{EMULATOR}/_model.py", f"{EMULATOR}/_operations.py"),
        tests=(
            "tests/emulator/test_validation.py",
            "tests/emulator/test_workforces.py",
            "tests/emulator/test_workteams.py",
            "tests/emulator/test_assumptions.py",
            "tests/emulator/test_validation_messages.py",
            "tests/emulator/test_call_log_redaction.py",
            "tests/emulator/test_rule_messages.py",
            "tests/emulator/test_labeling_job_times.py",
        ),
        # The walker over botocore's model, and the rules the API reference adds.
        functions=(
            "workforce_emulator._model.*",
            *(
                f"workforce_emulator._operations.x_{name}__mutmut_*"
                for name in (
                    "_check_cidrs",
                    "_check_vpc",
                    "_check_members",
                    "_worker_access",
                    "_check_workforce_takes_team_writes",
                    "timestamp",
                )
            ),
        ),
    ),
}

# mutmut's exit codes for a mutant, by what they mean here.
KILLED = {1: "killed", 3: "killed", 36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout"}
KILLED |= {255: "timeout", -9: "timeout", -11: "crashed"}
NOT_KILLED = {0: "survived", 5: "no tests", 33: "no tests"}
NOT_CHECKED = "not checked"  # the run stopped before it (left out of the score, counted)


@dataclass
class Mutant:
    name: str
    file: str
    status: str
    function: str = ""
    line: int = 0
    before: str = ""
    after: str = ""
    equivalent: str = ""  # the reason, when listed as equivalent


@dataclass
class Result:
    module: str
    mutants: list[Mutant] = field(default_factory=list)
    seconds: float = 0.0

    def counted(self, file: str | None = None) -> list[Mutant]:
        return [
            m
            for m in self.mutants
            if not m.equivalent and m.status != NOT_CHECKED and file in (None, m.file)
        ]

    def score(self, file: str | None = None) -> tuple[int, int]:
        counted = self.counted(file)
        return sum(m.status in KILLED.values() for m in counted), len(counted)


def module_name(path: str) -> str:
    return path.removeprefix("src/").removesuffix(".py").replace("/", ".").removesuffix(".__init__")


def mutant_globs(module: Module) -> list[str]:
    return list(module.functions) or [f"{module_name(f)}.*" for f in module.files]


def runs(name: str, module: Module) -> list[tuple[str, Module]]:
    """The module's mutmut runs, each with its work directory's name: one per part, one for
    the rest of its files; with mutant-name globs, only those whose files they may match."""
    in_parts = {file for part in module.parts for file in part.files}
    rest = tuple(file for file in module.files if file not in in_parts)
    found = [
        (f"{name}.{part.name}", Module(part.files, part.tests, module.functions))
        for part in module.parts
    ]
    if rest:
        found.append((name, Module(rest, module.tests, module.functions)))
    return [(n, m) for n, m in found if any(may_match(f, module.functions) for f in m.files)]


def may_match(file: str, globs: tuple[str, ...]) -> bool:
    """Whether one of the mutant-name globs may name a mutant of the file (no globs: all)."""
    dotted = module_name(file)
    return not globs or any(
        g.startswith(f"{dotted}.") or fnmatch.fnmatchcase(f"{dotted}.x", g) for g in globs
    )


def prepare(name: str, module: Module) -> Path:
    """A fresh work directory whose pyproject.toml tells mutmut what to mutate and run."""
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for entry in ["src", "tests", *ALSO_COPY]:
        (work / entry).symlink_to(ROOT / entry)
    settings = {
        "source_paths": ["src"],
        "only_mutate": list(module.files),
        "also_copy": ALSO_COPY,
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-W", "ignore"],
        "pytest_add_cli_args_test_selection": list(module.tests),
        "use_git_change_detection": False,
    }
    lines = [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (work / "pyproject.toml").write_text(
        pyproject + "\n[tool.mutmut]\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    return work


def run_mutmut(name: str, module: Module, jobs: int) -> Path:
    work = prepare(name, module)
    log = work / "mutmut.log"
    mutmut = Path(sys.executable).with_name("mutmut")
    command = [str(mutmut), "run", "--max-children", str(jobs), *mutant_globs(module)]
    # The engine's tests call SageMaker straight on the emulator's operations instead of
    # through botocore and moto's HTTP layer (tests/engine/direct.py): the same answers,
    # and most of the time a mutant of the engine would otherwise take.
    environment = {**os.environ, "WORKFORCE_TESTS_SAGEMAKER": "direct"}
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(
            command, cwd=work, stdout=out, stderr=subprocess.STDOUT, check=False, env=environment
        )
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"mutmut failed for {name} (exit {done.returncode}); {log}:\n{tail}")
    return work


def collect(name: str, module: Module, work: Path) -> Result:
    result = Result(name)
    globs = mutant_globs(module)
    for file in module.files:
        meta = json.loads((work / "mutants" / f"{file}.meta").read_text(encoding="utf-8"))
        for key, code in sorted(meta["exit_code_by_key"].items()):
            if not any(fnmatch.fnmatchcase(key, g) for g in globs):
                continue
            if code is None:
                status = NOT_CHECKED
            else:
                status = KILLED.get(code) or NOT_KILLED.get(code) or f"exit {code}"
            result.mutants.append(Mutant(key, file, status))
    describe([m for m in result.mutants if m.status not in (*KILLED.values(), NOT_CHECKED)], work)
    return result


def describe(mutants: list[Mutant], work: Path) -> None:
    """Fill in function, line, before and after of each mutant (from mutmut's diff)."""
    if not mutants:
        return
    cwd = Path.cwd()
    os.chdir(work)
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        for mutant in mutants:
            diff = get_diff_for_mutant(mutant.name, path=mutant.file)
            locate(mutant, diff)
    finally:
        os.chdir(cwd)


def function_of(name: str) -> tuple[str | None, str]:
    mangled = name.rpartition(".")[2].partition("__mutmut_")[0]
    if mangled.startswith("x\u01c1"):
        _, cls, func = mangled.split("\u01c1")
        return cls, func
    return None, mangled.removeprefix("x_")


def locate(mutant: Mutant, diff: str) -> None:
    cls, func = function_of(mutant.name)
    mutant.function = f"{cls}.{func}" if cls else func
    removed = [line[1:] for line in diff.splitlines()[2:] if line.startswith("-")]
    added = [line[1:] for line in diff.splitlines()[2:] if line.startswith("+")]
    mutant.before = " / ".join(line.strip() for line in removed)
    mutant.after = " / ".join(line.strip() for line in added)
    source = (ROOT / mutant.file).read_text(encoding="utf-8")
    start, end = function_span(source, cls, func)
    lines = source.splitlines()
    first = removed[0] if removed else ""
    for number in range(start, end + 1):
        if first and lines[number - 1] == first:
            mutant.line = number
            return
    mutant.line = start


def function_span(source: str, cls: str | None, func: str) -> tuple[int, int]:
    body = ast.parse(source).body
    if cls is not None:
        owner = next(n for n in body if isinstance(n, ast.ClassDef) and n.name == cls)
        body = owner.body
    node = next(
        n for n in body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == func
    )
    return node.lineno, node.end_lineno or node.lineno


def load_equivalents() -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    for path in sorted(EQUIVALENTS.glob("*.toml")):
        entries += tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", [])
    return entries


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def mark_equivalents(result: Result, entries: list[dict[str, str]]) -> list[dict[str, str]]:
    """Mark the listed equivalent mutants; return the entries of this module that matched none."""
    used: Counter[int] = Counter()
    for mutant in result.mutants:
        if mutant.status in KILLED.values():
            continue
        for index, entry in enumerate(entries):
            if (
                entry["file"] == mutant.file
                and entry["function"] == mutant.function
                and squash(entry["before"]) == squash(mutant.before)
                and squash(entry["after"]) == squash(mutant.after)
            ):
                mutant.equivalent = entry["reason"]
                used[index] += 1
                break
    files = {m.file for m in result.mutants}
    return [e for i, e in enumerate(entries) if e["file"] in files and not used[i]]


def percent(killed: int, total: int) -> float:
    return 100.0 * killed / total if total else 100.0


def report(results: list[Result], stale: list[dict[str, str]], goal: float) -> int:
    print("\nMutation score per module (killed / mutants, equivalent ones left out)\n")
    print(f"{'module':<22} {'file':<48} {'killed':>7} {'of':>5} {'score':>7} {'equiv':>6}")
    below = []
    for result in results:
        for file in sorted({m.file for m in result.mutants}):
            killed, total = result.score(file)
            equivalent = sum(bool(m.equivalent) for m in result.mutants if m.file == file)
            short = file.removeprefix("src/")
            print(
                f"{'':<22} {short:<48} {killed:>7} {total:>5} {percent(killed, total):>6.1f}% "
                f"{equivalent:>6}"
            )
        killed, total = result.score()
        score = percent(killed, total)
        equivalent = sum(bool(m.equivalent) for m in result.mutants)
        minutes = result.seconds / 60
        print(
            f"{result.module:<22} {'(module, ' + f'{minutes:.1f} min)':<48} {killed:>7} "
            f"{total:>5} {score:>6.1f}% {equivalent:>6}\n"
        )
        unchecked = sum(m.status == NOT_CHECKED for m in result.mutants)
        if unchecked:
            print(f"{'':<22} ({unchecked} mutants not checked: the run stopped early)\n")
        if score < goal:
            below.append(result.module)
    print_survivors(results)
    (WORK / "report.json").write_text(
        json.dumps(
            [{"module": r.module, "mutants": [vars(m) for m in r.mutants]} for r in results]
        ),
        encoding="utf-8",
    )
    for entry in stale:
        print(f"stale equivalent entry (matches no surviving mutant): {entry}")
    if below:
        print(f"\nbelow the goal of {goal:.0f}%: {', '.join(below)}")
    return 1 if below or stale else 0


def print_survivors(results: list[Result]) -> None:
    survivors = [m for r in results for m in r.counted() if m.status not in KILLED.values()]
    print(f"Surviving mutants ({len(survivors)}):")
    for m in sorted(survivors, key=lambda m: (m.file, m.line)):
        print(f"  {m.file}:{m.line} {m.function} [{m.status}]")
        print(f"      - {m.before}\n      + {m.after}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"default: all of {', '.join(MODULES)}")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--goal", type=float, default=90.0)
    parser.add_argument(
        "--report-only", action="store_true", help="report the last run again, run nothing"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="GLOB",
        help="only these mutmut mutant names, e.g. 'workforce_reconciler.engine.apply.*' "
        "(repeatable; for working on one file; the score is then of those mutants only)",
    )
    args = parser.parse_args(argv)
    names = args.modules or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; known: {', '.join(MODULES)}")
    entries = load_equivalents()
    results, stale = [], []
    for name in names:
        module = MODULES[name]
        if args.only:
            module = replace(module, functions=tuple(args.only))
        started = time.monotonic()
        result = Result(name)
        for run_name, run in runs(name, module):
            if args.report_only:
                work = WORK / run_name
            else:
                files, tests = len(run.files), len(run.tests)
                print(f"{run_name}: mutating {files} file(s) against {tests} test path(s)")
                sys.stdout.flush()
                work = run_mutmut(run_name, run, args.jobs)
            result.mutants += collect(run_name, run, work).mutants
        result.seconds = time.monotonic() - started
        stale += mark_equivalents(result, entries)
        results.append(result)
    return report(results, stale, args.goal)


if __name__ == "__main__":
    sys.exit(main())
