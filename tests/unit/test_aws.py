"""aws.py: one botocore data loader per process (each service model JSON is parsed once) and
one client per service per ``Clients``."""

from __future__ import annotations

import json
import os
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Any

import botocore.loaders
import pytest

from workforce_reconciler import constraints
from workforce_reconciler.aws import Clients, PlainJSONFileLoader, data_loader

# What the handler's clients and the document's constraints load.
HANDLER_DATA = [
    "endpoints",
    "partitions",
    "sdk-default-configuration",
    *(
        f"{service}/{version}/{kind}"
        for service, version in [
            ("sagemaker", "2017-07-24"),
            ("ssm", "2014-11-06"),
            ("secretsmanager", "2017-10-17"),
            ("dynamodb", "2012-08-10"),
            ("sns", "2010-03-31"),
        ]
        for kind in ("service-2", "endpoint-rule-set-1")
    ),
]


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every JSON file botocore parses from now on, by path relative to its data directory."""
    counts: Counter[str] = Counter()
    original = botocore.loaders.JSONFileLoader.load_file

    def counting(self: Any, file_path: str) -> Any:
        data = original(self, file_path)
        if data is not None:
            counts[Path(file_path).as_posix().split("/data/", 1)[-1]] += 1
        return data

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", counting)
    return counts


def test_constraints_and_every_clients_session_share_one_loader() -> None:
    # Given the loader the document's constraints read SageMaker's model through
    shared = data_loader(os.environ.get("AWS_DATA_PATH"))
    model = constraints.service_model("sagemaker")
    description = vars(model)["_service_description"]  # (what the model was built from)
    assert description is shared.load_service_model("sagemaker", "service-2")

    # When two sets of clients are created, as the handler and the CLI do
    first, second = Clients.create(), Clients.create()

    # Then both sessions load through that same loader
    for clients in (first, second):
        assert clients.session._session.get_component("data_loader") is shared


def test_a_service_model_is_parsed_once_per_process_however_many_sessions(
    parsed: Counter[str],
) -> None:
    # Given the constraints' SageMaker model (the document module loaded it at import)
    constraints.service_model("sagemaker")

    # When clients of every service the handler uses are created from two sessions
    for clients in (Clients.create(), Clients.create(region="eu-west-1")):
        clients.sagemaker()
        clients.ssm()
        clients.secretsmanager()
        clients.dynamodb()
        clients.sns()

    # Then no file was parsed twice, and SageMaker's model not again at all
    assert [name for name, n in parsed.items() if n > 1] == []
    assert "sagemaker/2017-07-24/service-2" not in parsed


def test_boto3s_data_directory_is_searched_once_however_many_sessions() -> None:
    # Given several sessions on the shared loader (boto3 appends its directory to each)
    for _ in range(3):
        Clients.create()

    # When listing where the loader looks
    paths = data_loader(os.environ.get("AWS_DATA_PATH")).search_paths

    # Then every directory is there once, boto3's included
    assert len(paths) == len(set(paths))
    assert any(Path(p).parts[-2:] == ("boto3", "data") for p in paths)


def test_a_configured_data_path_gets_a_loader_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given AWS_DATA_PATH naming a directory of extra models
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))

    # When clients are created
    clients = Clients.create()

    # Then their loader searches that directory first, and is not the default one
    loader = clients.session._session.get_component("data_loader")
    assert loader is data_loader(str(tmp_path))
    assert loader is not data_loader(None)
    assert loader.search_paths[0] == str(tmp_path)


def test_each_service_has_one_client_however_often_asked_for() -> None:
    # Given one set of clients
    clients = Clients.create()

    # When SSM is asked for twice (the document source and the secret resolver), and others
    first, second = clients.ssm(), clients.ssm()

    # Then both are one client, and each service has its own
    assert first is second
    made = [clients.sagemaker(), first, clients.secretsmanager(), clients.dynamodb(), clients.sns()]
    assert len({id(client) for client in made}) == 5
    assert [c.meta.service_model.service_name for c in made] == [
        "sagemaker",
        "ssm",
        "secretsmanager",
        "dynamodb",
        "sns",
    ]


@pytest.mark.parametrize("name", HANDLER_DATA)
def test_the_shared_loader_reads_what_botocores_reads_as_plain_dicts(name: str) -> None:
    # Given botocore's own loader and the shared one
    botocores = botocore.loaders.create_loader().load_data(name)
    shared = data_loader(os.environ.get("AWS_DATA_PATH"))
    assert isinstance(shared.file_loader, PlainJSONFileLoader)

    # When both load the same file
    plain = PlainJSONFileLoader().load_file(
        os.path.join(os.path.dirname(botocore.__file__), "data", name)
    )

    # Then the data are equal, key order included, and only the mapping type differs
    assert isinstance(botocores, OrderedDict)
    assert type(plain) is dict
    assert json.dumps(plain) == json.dumps(botocores)


def test_the_shared_loaders_models_are_plain_dicts() -> None:
    # Given the shared loader (botocore's would give OrderedDicts)
    loader = data_loader(os.environ.get("AWS_DATA_PATH"))

    # When it loads a service model through botocore's own search and extras handling
    model = loader.load_service_model("sns", "service-2")

    # Then the plain JSON file loader parsed it
    assert type(model) is dict
    assert type(model["shapes"]) is dict
