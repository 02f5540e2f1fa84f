"""One small, reversible probe per emulator assumption (docs/emulator.md's table).

Each probe creates an OIDC workforce of its own (endpoints under ``example.com`` that answer
nothing, as the Terraform provider's acceptance tests use; a random client secret that is
never printed), tagged with the run's id, sometimes a few work teams, makes the calls that
show the behaviour, and reports it as an ``Observation``: the value of the emulator's switch
that matches what the service did, or ``None`` when the service did not show it (the switch
then keeps its default). The runner removes what a probe created before the next one starts
(``Ledger.remove_all``: the teams, then the workforce, waiting until it is gone).

Nothing here depends on the emulator; the tests run the probes against it with each setting
of each switch and check that the probe reports the setting it was given.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .ledger import Ledger
from .target import Target

Value = bool | int | float
TEST_NET = "192.0.2.0/24"  # RFC 5737 documentation range: restricts no real worker
OIDC_BASE = "https://example.com/workforce-reconciler-probe"
TRANSITIONAL = ("Initializing", "Updating")


@dataclass(frozen=True)
class Observation:
    probe: str
    switch: str | None
    value: Value | None
    """The matching switch value, or None: not shown by the service (the default stays)."""
    saw: str
    """What the service did, in one line (error codes and messages as it gave them)."""


class ProbeFailed(Exception):
    """The probe could not get as far as the behaviour it looks at; the message says why."""


@dataclass
class Context:
    target: Target
    ledger: Ledger
    poll_seconds: float = 1.0
    timeout_seconds: float = 900.0
    max_workteams_cap: int = 50
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    cache: dict[str, Any] = field(default_factory=dict)
    number: int = 0
    """Which probe of the run this is: each gets a workforce name of its own."""
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)

    @property
    def sagemaker(self) -> Any:
        return self.target.client("sagemaker")

    @property
    def name(self) -> str:
        """The name of this probe's workforce (its teams' names start with it)."""
        return f"wfr-probe-{self.ledger.run_id}-{self.number}"


def _said(error: ClientError) -> tuple[str, str]:
    details = error.response.get("Error", {})
    return str(details.get("Code", "")), str(details.get("Message", ""))


# The answers that say "the service does not do this" (the codes the emulator and the API
# reference use). Any other error (AccessDenied, throttling after retries, a 5xx) answers
# nothing about the assumption: it is re-raised and the probe reports an error.
REFUSALS = frozenset(
    {
        "ConflictException",
        "ValidationException",
        "ResourceInUse",
        "ResourceInUseException",
        "ResourceLimitExceeded",
    }
)


def _refusal(error: ClientError) -> str:
    """ "Code: message" of a refusal; re-raises an error that is not one."""
    code, message = _said(error)
    if code not in REFUSALS:
        raise error
    return f"{code}: {message}"


def oidc(ctx: Context, path: str = "") -> dict[str, str]:
    base = f"{OIDC_BASE}{path}"
    return {
        "ClientId": "workforce-reconciler-probe",
        "ClientSecret": ctx.secret,
        "Issuer": base,
        "AuthorizationEndpoint": f"{base}/authorize",
        "TokenEndpoint": f"{base}/token",
        "UserInfoEndpoint": f"{base}/userinfo",
        "LogoutEndpoint": f"{base}/logout",
        "JwksUri": f"{base}/keys",
    }


def create_workforce(ctx: Context, **extra: Any) -> str:
    """CreateWorkforce (OIDC, tagged), entered in the ledger first; its name."""
    ctx.ledger.add("sagemaker-workforce", ctx.name)
    ctx.sagemaker.create_workforce(
        WorkforceName=ctx.name, OidcConfig=oidc(ctx), Tags=[ctx.ledger.tag], **extra
    )
    return ctx.name


def create_team(ctx: Context, suffix: str, **extra: Any) -> str:
    """CreateWorkteam (one OIDC group, tagged) in the probe workforce, entered in the ledger
    first (removed before the workforce); its name."""
    name = f"{ctx.name}-{suffix}"
    ctx.ledger.add("sagemaker-workteam", name)
    ctx.sagemaker.create_workteam(
        WorkteamName=name,
        WorkforceName=ctx.name,
        Description="workforce-reconciler probe (removed at once)",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["workforce-reconciler-probe"]}}],
        Tags=[ctx.ledger.tag],
        **extra,
    )
    return name


def status(ctx: Context) -> str:
    return str(ctx.sagemaker.describe_workforce(WorkforceName=ctx.name)["Workforce"]["Status"])


@dataclass(frozen=True)
class Settling:
    describes: int
    """DescribeWorkforce calls (one per poll) that showed Initializing/Updating."""
    seconds: float
    """Seconds from the write's answer to the sending of the last of them (0 if none): the
    workforce was still changing at least that long (a lower bound, to the poll interval)."""


def wait_active(ctx: Context) -> Settling:
    """Poll DescribeWorkforce until Active (bounded); what it showed on the way."""
    start = ctx.monotonic()
    describes, last = 0, 0.0
    while True:
        sent = ctx.monotonic() - start
        shown = ctx.sagemaker.describe_workforce(WorkforceName=ctx.name)["Workforce"]
        if shown["Status"] == "Active":
            return Settling(describes, last)
        if shown["Status"] not in TRANSITIONAL:
            reason = shown.get("FailureReason", "no FailureReason")
            raise ProbeFailed(f"workforce {ctx.name} is {shown['Status']}: {reason}")
        describes, last = describes + 1, sent
        if last > ctx.timeout_seconds:
            raise ProbeFailed(f"workforce {ctx.name} not Active after {ctx.timeout_seconds:.0f} s")
        ctx.sleep(ctx.poll_seconds)


# -- the probes ------------------------------------------------------------------------------


def _activation(ctx: Context) -> tuple[Settling, Settling]:
    """CreateWorkforce, then UpdateWorkforce (an allow-list of TEST_NET), each followed by
    DescribeWorkforce every poll until Active. Shared by the two activation probes."""
    if "activation" not in ctx.cache:
        create_workforce(ctx)
        created = wait_active(ctx)
        ctx.sagemaker.update_workforce(WorkforceName=ctx.name, SourceIpConfig={"Cidrs": [TEST_NET]})
        ctx.cache["activation"] = (created, wait_active(ctx))
    settled: tuple[Settling, Settling] = ctx.cache["activation"]
    return settled


def probe_activation_describes(ctx: Context) -> Observation:
    """CreateWorkforce, then UpdateWorkforce (allow-list 192.0.2.0/24); after each,
    DescribeWorkforce every poll until Active: how many showed Initializing/Updating (at that
    poll interval)."""
    created, updated = _activation(ctx)
    return Observation(
        "probe_activation_describes",
        "activation_describes",
        max(created.describes, updated.describes),
        f"DescribeWorkforce every {ctx.poll_seconds:g} s showed Initializing {created.describes} "
        f"time(s) after CreateWorkforce and Updating {updated.describes} time(s) after "
        "UpdateWorkforce before Active",
    )


def probe_activation_seconds(ctx: Context) -> Observation:
    """The same calls as probe_activation_describes (one workforce serves both when run
    together): seconds from each write's answer to the last DescribeWorkforce that still showed
    Initializing/Updating (a lower bound, as fine as the poll interval)."""
    created, updated = _activation(ctx)
    return Observation(
        "probe_activation_seconds",
        "activation_seconds",
        round(max(created.seconds, updated.seconds), 1),
        f"Initializing still shown {created.seconds:.1f} s after CreateWorkforce answered, "
        f"Updating {updated.seconds:.1f} s after UpdateWorkforce (polling every "
        f"{ctx.poll_seconds:g} s)",
    )


def probe_oidc_update_conflicts_with_workteams(ctx: Context) -> Observation:
    """A workforce with one team; UpdateWorkforce with another OidcConfig (other endpoints)."""
    create_workforce(ctx)
    wait_active(ctx)
    create_team(ctx, "a")
    try:
        ctx.sagemaker.update_workforce(WorkforceName=ctx.name, OidcConfig=oidc(ctx, "/changed"))
    except ClientError as error:
        return Observation(
            "probe_oidc_update_conflicts_with_workteams",
            "oidc_update_conflicts_with_workteams",
            True,
            f"UpdateWorkforce with OidcConfig while a work team exists refused: {_refusal(error)}",
        )
    return Observation(
        "probe_oidc_update_conflicts_with_workteams",
        "oidc_update_conflicts_with_workteams",
        False,
        "UpdateWorkforce with OidcConfig while a work team exists accepted",
    )


def probe_workforce_tags_listable(ctx: Context) -> Observation:
    """CreateWorkforce with the run's tag; ListTags on the workforce's ARN."""
    create_workforce(ctx)
    wait_active(ctx)
    arn = ctx.sagemaker.describe_workforce(WorkforceName=ctx.name)["Workforce"]["WorkforceArn"]
    name, switch = "probe_workforce_tags_listable", "workforce_tags_listable"
    try:
        tags = ctx.sagemaker.list_tags(ResourceArn=arn)["Tags"]
    except ClientError as error:
        return Observation(name, switch, False, f"ListTags on the workforce: {_refusal(error)}")
    kept = "with" if ctx.ledger.tag in tags else "WITHOUT"
    return Observation(
        name,
        switch,
        True,
        f"ListTags on the workforce answered {len(tags)} tag(s), {kept} "
        "the one CreateWorkforce was given",
    )


def probe_delete_workforce_with_workteams(ctx: Context) -> Observation:
    """A workforce with one team; DeleteWorkforce."""
    create_workforce(ctx)
    wait_active(ctx)
    team = create_team(ctx, "a")
    name, switch = "probe_delete_workforce_with_workteams", "delete_workforce_with_workteams"
    try:
        ctx.sagemaker.delete_workforce(WorkforceName=ctx.name)
    except ClientError as error:
        return Observation(
            name, switch, False, f"DeleteWorkforce with a work team refused: {_refusal(error)}"
        )
    teams = [t["WorkteamName"] for t in ctx.sagemaker.list_workteams()["Workteams"]]
    left = "was still listed" if team in teams else "was gone"
    return Observation(
        name,
        switch,
        True,
        f"DeleteWorkforce with a work team accepted; right after, the team {left}",
    )


def probe_deletion_describes(ctx: Context) -> Observation:
    """A workforce, Active; DeleteWorkforce, then DescribeWorkforce every poll until the
    workforce is gone (ListWorkforces no longer lists it): how many answers showed Deleting
    (at that poll interval)."""
    create_workforce(ctx)
    wait_active(ctx)
    ctx.sagemaker.delete_workforce(WorkforceName=ctx.name)
    start, deleting = ctx.monotonic(), 0
    while True:
        try:
            shown = ctx.sagemaker.describe_workforce(WorkforceName=ctx.name)["Workforce"]
        except ClientError:
            # Gone is read from the listing, never from a not-found message's wording.
            listed = ctx.sagemaker.list_workforces()["Workforces"]
            if any(w["WorkforceName"] == ctx.name for w in listed):
                raise
            break
        if shown["Status"] != "Deleting":
            raise ProbeFailed(f"workforce {ctx.name} is {shown['Status']} after DeleteWorkforce")
        deleting += 1
        if ctx.monotonic() - start > ctx.timeout_seconds:
            raise ProbeFailed(f"workforce {ctx.name} not gone after {ctx.timeout_seconds:.0f} s")
        ctx.sleep(ctx.poll_seconds)
    return Observation(
        "probe_deletion_describes",
        "deletion_describes",
        deleting,
        f"DescribeWorkforce every {ctx.poll_seconds:g} s showed Deleting {deleting} time(s) "
        "after DeleteWorkforce before the workforce was gone",
    )


def probe_max_workteams(ctx: Context) -> Observation:
    """CreateWorkteam until ResourceLimitExceeded, at most ``max_workteams_cap`` teams (the
    region has no other private team: the probes run only where there is no workforce)."""
    create_workforce(ctx)
    wait_active(ctx)
    name, switch = "probe_max_workteams", "max_workteams"
    for count in range(ctx.max_workteams_cap):
        try:
            create_team(ctx, f"{count:02d}")
        except ClientError as error:
            if _said(error)[0] != "ResourceLimitExceeded":
                raise
            return Observation(
                name, switch, count, f"CreateWorkteam number {count + 1} refused: {_refusal(error)}"
            )
    return Observation(
        name,
        switch,
        None,
        f"{ctx.max_workteams_cap} work teams created without a refusal: the "
        "quota is at least that (raise --max-workteams-cap to find it)",
    )


def probe_empty_cidrs_allowed(ctx: Context) -> Observation:
    """A workforce allowing 192.0.2.0/24; UpdateWorkforce with ``SourceIpConfig.Cidrs = []``."""
    create_workforce(ctx, SourceIpConfig={"Cidrs": [TEST_NET]})
    wait_active(ctx)
    name, switch = "probe_empty_cidrs_allowed", "empty_cidrs_allowed"
    try:
        ctx.sagemaker.update_workforce(WorkforceName=ctx.name, SourceIpConfig={"Cidrs": []})
    except ClientError as error:
        return Observation(name, switch, False, f"Cidrs [] refused: {_refusal(error)}")
    wait_active(ctx)
    shown = ctx.sagemaker.describe_workforce(WorkforceName=ctx.name)["Workforce"]
    cidrs = shown.get("SourceIpConfig", {}).get("Cidrs")
    return Observation(name, switch, True, f"Cidrs [] accepted; DescribeWorkforce shows {cidrs}")


def probe_name_contains_ignores_case(ctx: Context) -> Observation:
    """A workforce and a team with lower-case names; ListWorkforces and ListWorkteams with
    ``NameContains`` in upper case (and in lower case, which must find them)."""
    create_workforce(ctx)
    wait_active(ctx)
    create_team(ctx, "a")
    found: dict[tuple[str, str], bool] = {}
    for listing, key in (("list_workforces", "Workforces"), ("list_workteams", "Workteams")):
        for needle in (ctx.name, ctx.name.upper()):
            answer = getattr(ctx.sagemaker, listing)(NameContains=needle)[key]
            found[listing, needle] = bool(answer)
    name, switch = "probe_name_contains_ignores_case", "name_contains_ignores_case"
    if not found["list_workforces", ctx.name] or not found["list_workteams", ctx.name]:
        return Observation(name, switch, None, f"NameContains in the names' own case found {found}")
    workforces, teams = (
        found["list_workforces", ctx.name.upper()],
        found["list_workteams", ctx.name.upper()],
    )
    if workforces != teams:
        return Observation(
            name,
            switch,
            None,
            f"upper-case NameContains found the workforce: {workforces}, "
            f"the team: {teams} (the emulator has one switch for both)",
        )
    return Observation(
        name,
        switch,
        workforces,
        f"upper-case NameContains {'found' if workforces else 'missed'} the workforce and the team",
    )


def probe_server_fills_defaults(ctx: Context) -> Observation:
    """A team created with ``IamPolicyConstraints: {SourceIp: Enabled}`` only; DescribeWorkteam."""
    create_workforce(ctx)
    wait_active(ctx)
    sent = {"S3Presign": {"IamPolicyConstraints": {"SourceIp": "Enabled"}}}
    team = create_team(ctx, "a", WorkerAccessConfiguration=sent)
    shown = ctx.sagemaker.describe_workteam(WorkteamName=team)["Workteam"]
    got = shown.get("WorkerAccessConfiguration")
    constraints = ((got or {}).get("S3Presign") or {}).get("IamPolicyConstraints") or {}
    name, switch = "probe_server_fills_defaults", "server_fills_defaults"
    if "VpcSourceIp" not in constraints:
        return Observation(name, switch, False, f"sent {sent}, DescribeWorkteam shows {got}")
    filled = constraints["VpcSourceIp"]
    note = "" if filled == "Disabled" else " (the emulator fills Disabled: it needs changing)"
    return Observation(
        name, switch, True, f"sent only SourceIp, DescribeWorkteam shows VpcSourceIp {filled}{note}"
    )


def probe_workteam_writes_need_active(ctx: Context) -> Observation:
    """A workforce with team ``a``; UpdateWorkforce (allow-list 192.0.2.0/24); while
    DescribeWorkforce still shows Updating: CreateWorkteam ``b`` and UpdateWorkteam ``a``
    (its description). No answer if the workforce is Active again at once."""
    create_workforce(ctx)
    wait_active(ctx)
    team = create_team(ctx, "a")
    ctx.sagemaker.update_workforce(WorkforceName=ctx.name, SourceIpConfig={"Cidrs": [TEST_NET]})
    name, switch = "probe_workteam_writes_need_active", "workteam_writes_need_active"
    before = status(ctx)
    if before not in TRANSITIONAL:
        return Observation(
            name,
            switch,
            None,
            f"the workforce was {before} at once after "
            "UpdateWorkforce: no moment to try a team write in",
        )
    answers = []
    writes: tuple[Callable[[], object], ...] = (
        lambda: create_team(ctx, "b"),
        lambda: ctx.sagemaker.update_workteam(WorkteamName=team, Description="changed"),
    )
    for write in writes:
        try:
            write()
        except ClientError as error:
            answers.append(f"refused ({_refusal(error)})")
        else:
            answers.append("accepted")
    after = status(ctx)
    saw = f"while {before}: CreateWorkteam {answers[0]}, UpdateWorkteam {answers[1]}; then {after}"
    refused = [a != "accepted" for a in answers]
    if all(refused):
        return Observation(name, switch, True, saw)
    if not any(refused) and after in TRANSITIONAL:
        return Observation(name, switch, False, saw)
    return Observation(name, switch, None, saw)


def probe_not_found_wording(ctx: Context) -> Observation:
    """DescribeWorkforce and DescribeWorkteam of names that do not exist (creates nothing).
    No switch: the emulator answers ``ValidationException`` "No workforce found with name ..."
    and "The work team ... does not exist."; the value says whether the service agrees."""
    answers = []
    calls: tuple[Callable[[], object], ...] = (
        lambda: ctx.sagemaker.describe_workforce(WorkforceName=f"{ctx.name}-missing"),
        lambda: ctx.sagemaker.describe_workteam(WorkteamName=f"{ctx.name}-missing"),
    )
    for call in calls:
        try:
            call()
        except ClientError as error:
            answers.append(_said(error))
        else:
            raise ProbeFailed(f"{ctx.name}-missing exists")
    (workforce_code, workforce_text), (team_code, team_text) = answers
    matches = (
        workforce_code == team_code == "ValidationException"
        and workforce_text.startswith("No workforce")
        and team_text.startswith("The work team")
    )
    return Observation(
        "probe_not_found_wording",
        None,
        matches,
        f"DescribeWorkforce: {workforce_code}: "
        f"{workforce_text} | DescribeWorkteam: {team_code}: {team_text}",
    )


@dataclass(frozen=True)
class Probe:
    name: str
    switch: str | None
    run: Callable[[Context], Observation]

    @property
    def description(self) -> str:
        return " ".join((self.run.__doc__ or "").split())


PROBES = {
    probe.name: probe
    for probe in (
        Probe("probe_activation_describes", "activation_describes", probe_activation_describes),
        Probe("probe_activation_seconds", "activation_seconds", probe_activation_seconds),
        Probe(
            "probe_oidc_update_conflicts_with_workteams",
            "oidc_update_conflicts_with_workteams",
            probe_oidc_update_conflicts_with_workteams,
        ),
        Probe(
            "probe_workforce_tags_listable",
            "workforce_tags_listable",
            probe_workforce_tags_listable,
        ),
        Probe(
            "probe_delete_workforce_with_workteams",
            "delete_workforce_with_workteams",
            probe_delete_workforce_with_workteams,
        ),
        Probe("probe_deletion_describes", "deletion_describes", probe_deletion_describes),
        Probe("probe_max_workteams", "max_workteams", probe_max_workteams),
        Probe("probe_empty_cidrs_allowed", "empty_cidrs_allowed", probe_empty_cidrs_allowed),
        Probe(
            "probe_name_contains_ignores_case",
            "name_contains_ignores_case",
            probe_name_contains_ignores_case,
        ),
        Probe("probe_server_fills_defaults", "server_fills_defaults", probe_server_fills_defaults),
        Probe(
            "probe_workteam_writes_need_active",
            "workteam_writes_need_active",
            probe_workteam_writes_need_active,
        ),
        Probe("probe_not_found_wording", None, probe_not_found_wording),
    )
}


class LeftBehind(Exception):
    """A probe's resources could not be removed: the next probe cannot create a workforce."""


def run_probe(ctx: Context, probe: Probe) -> Observation:
    """One probe, then removal of whatever it created; an error is reported, not raised.
    Raises ``LeftBehind`` if something it created could not be removed."""
    ctx.number += 1
    try:
        observation = probe.run(ctx)
    except (ClientError, BotoCoreError, ProbeFailed) as error:
        observation = Observation(probe.name, probe.switch, None, f"error: {error}")
    finally:
        left = ctx.ledger.remove_all()
    if left:
        raise LeftBehind("; ".join(f"{e.kind} {e.name}: {e.problem}" for e in left))
    return observation
