# workforce-reconciler: every target installs what it needs into .venv the first time.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The test layers, one folder each under tests/ (see the README's Development section).
LAYERS := unit component emulator engine cli handler template probes
# The user's own setting, before the line below turns instance metadata off for the tests:
# the targets that talk to a real account (probe-aws, acceptance) keep it, so an instance
# role works there.
USER_EC2_METADATA_DISABLED := $(AWS_EC2_METADATA_DISABLED)
export SAM_CLI_TELEMETRY := 0
export AWS_EC2_METADATA_DISABLED := true

.PHONY: install test lint typecheck $(addprefix test-,$(LAYERS)) run emulator bench build stackset mutation clean \
	probe-aws acceptance acceptance-cleanup

$(STAMP): pyproject.toml requirements/dev.txt src/requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

## ruff (C901: complexity at most 10 in src/workforce_reconciler) and at most 50 lines
## a function there.
lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/python scripts/check_function_length.py src/workforce_reconciler

## mypy --strict on src, tests and scripts (pyproject.toml, [tool.mypy]).
typecheck: install
	$(BIN)/mypy

## One test layer: make test-unit, test-component, test-emulator, test-engine, test-cli,
## test-handler, test-template, test-probes (pytest tests/<layer>).
$(addprefix test-,$(LAYERS)): test-%: install
	$(BIN)/pytest tests/$*

## The test command the README gives and CI runs (the acceptance scenarios on the emulator,
## whatever WORKFORCE_ACCEPTANCE says).
test: lint typecheck
	$(BIN)/cfn-lint template.yaml
	WORKFORCE_ACCEPTANCE=emulator $(BIN)/pytest

## The end-to-end scenarios of tests/acceptance (docs/acceptance.md): on the emulator, or
## with WORKFORCE_ACCEPTANCE=aws in the account and region of the usual AWS variables.
## ARGS="-k oidc" passes pytest options.
acceptance: install
	AWS_EC2_METADATA_DISABLED=$(USER_EC2_METADATA_DISABLED) $(BIN)/python scripts/run_acceptance.py $(ARGS)

## Remove what a killed aws-mode run of acceptance or probe-aws left (the ledger file).
acceptance-cleanup: install
	AWS_EC2_METADATA_DISABLED=$(USER_EC2_METADATA_DISABLED) $(BIN)/python scripts/run_acceptance.py --cleanup

## The main job on the embedded emulator: no AWS account needed.
run: install
	$(BIN)/python scripts/demo.py

## The emulator as a long-running HTTP server (Ctrl-C to stop).
emulator: install
	$(BIN)/workforce-emulator --host 127.0.0.1 --port $${PORT:-5000}

## The emulator's assumptions checked against the real SageMaker, in the account and region
## of the usual AWS variables (docs/acceptance.md); writes emulator-observed.json.
## ARGS="--list" shows what each probe does, ARGS="--cleanup" removes what a killed run left.
probe-aws: install
	AWS_EC2_METADATA_DISABLED=$(USER_EC2_METADATA_DISABLED) $(BIN)/python scripts/probe_aws.py $(ARGS)

## Mutation testing of the core (scripts/mutation.py), not part of `make test`: the score of
## each core module and every surviving mutant. MODULES="engine handler" runs only those.
## Its own environment: mutmut 3.8 needs a click that aws-sam-cli's pin forbids.
MUTATION_VENV := .venv-mutation
MUTATION_STAMP := $(MUTATION_VENV)/.installed-stamp

$(MUTATION_STAMP): pyproject.toml requirements/dev.txt requirements/mutation.txt
	@test -x $(MUTATION_VENV)/bin/python || $(PYTHON) -m venv $(MUTATION_VENV)
	@mkdir -p build
	grep -v -E '^(aws-sam-cli|click)==' requirements/dev.txt > build/mutation-dev.txt
	$(MUTATION_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r build/mutation-dev.txt -r requirements/mutation.txt
	$(MUTATION_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	$(MUTATION_VENV)/bin/python scripts/mutation.py $(MODULES)

## Call counts and timings of the reconcile engine against the emulator.
bench: install
	$(BIN)/python scripts/bench.py

## The Lambda artifact, without Docker (see template.yaml, src/Makefile).
build: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sam build

## The StackSet form (docs/fleet.md): build/stackset/template.json (no transform, code from
## s3://<CodeBucketPrefix>-<region>/<CodeKey>), the function's zip and upload-code.sh.
stackset: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python scripts/stackset.py
	$(BIN)/cfn-lint --regions us-east-1 eu-west-1 ap-southeast-2 -- build/stackset/template.json

clean:
	rm -rf $(VENV) $(MUTATION_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
