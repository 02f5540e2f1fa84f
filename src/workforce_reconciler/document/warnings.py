"""What a valid document may not mean: warnings, for ``validate`` and ``plan`` to show.

A warning never refuses a document (SageMaker would take it, and it may be meant); it
says what the document does that a person may not have intended, and why:

* ``OpenAllowList``: ``SourceIpConfig.Cidrs`` allows every IPv4 (``0.0.0.0/0``) or every
  IPv6 (``::/0``) address, on its own or by blocks that add up to it.
* ``WorkteamNamesDifferInCase``: two team names differ only in case. SageMaker's
  WorkteamName pattern (``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`` in botocore's service model
  and the API reference) admits both cases, and nothing in the API reference says names
  are compared without case, so the document is not refused: they are two teams. A
  person more likely meant one.

``validate`` prints each as a warning line (the exit code stays 0); the plan carries each
as a WARNING ``Finding`` with the same text.
"""

import ipaddress
from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from workforce_reconciler.document.models import DesiredState, WorkforceSpec
from workforce_reconciler.document.problems import quote, render_path


class DocumentWarning(BaseModel):
    """One warning about a valid document: a code, where (a JSON path), what, and about
    which workforce or team."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    Code: str
    Path: str
    Message: str
    ResourceName: str


def document_warnings(state: DesiredState) -> tuple[DocumentWarning, ...]:
    """The warnings about ``state``, in document order."""
    return (*_open_allow_list(state.Workforce), *_names_differing_in_case(state))


_ALL_IPV4 = ipaddress.IPv4Network("0.0.0.0/0")
_ALL_IPV6 = ipaddress.IPv6Network("::/0")


def _open_allow_list(workforce: WorkforceSpec) -> Iterator[DocumentWarning]:
    if workforce.SourceIpConfig is None:
        return
    networks = [ipaddress.ip_network(cidr) for cidr in workforce.SourceIpConfig.Cidrs]
    ipv4 = [n for n in networks if isinstance(n, ipaddress.IPv4Network)]
    ipv6 = [n for n in networks if isinstance(n, ipaddress.IPv6Network)]
    # (blocks that add up to everything count: 0.0.0.0/1 with 128.0.0.0/1 is 0.0.0.0/0)
    open_to: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    if list(ipaddress.collapse_addresses(ipv4)) == [_ALL_IPV4]:
        open_to.append(_ALL_IPV4)
    if list(ipaddress.collapse_addresses(ipv6)) == [_ALL_IPV6]:
        open_to.append(_ALL_IPV6)
    if not open_to:
        return
    if len(open_to) == 2:
        what, blocks, who = "every address", "0.0.0.0/0 and ::/0", "no worker"
    else:
        kind = f"IPv{open_to[0].version}"
        what, blocks, who = f"every {kind} address", str(open_to[0]), f"no {kind} worker"
    yield DocumentWarning(
        Code="OpenAllowList",
        Path=render_path(("Workforce", "SourceIpConfig", "Cidrs")),
        Message=f"allows {what} ({blocks}), so it keeps out {who}: fine if you meant no "
        "restriction, otherwise list only your own networks",
        ResourceName=workforce.WorkforceName,
    )


def _names_differing_in_case(state: DesiredState) -> Iterator[DocumentWarning]:
    first: dict[str, int] = {}  # each name in lower case: where it first appears
    for index, team in enumerate(state.Workteams):
        name = team.WorkteamName
        seen = first.setdefault(name.lower(), index)
        if seen == index:
            continue
        yield DocumentWarning(
            Code="WorkteamNamesDifferInCase",
            Path=render_path(("Workteams", index, "WorkteamName")),
            Message=f"{quote(name)} differs from {quote(state.Workteams[seen].WorkteamName)} "
            f"({render_path(('Workteams', seen))}) only in case: SageMaker's WorkteamName "
            "pattern admits both cases, so these are two teams with their own workers; if "
            "you meant one team, keep one of them",
            ResourceName=name,
        )
