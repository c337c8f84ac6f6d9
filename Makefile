# The two commands a newcomer needs: `make run` and `make test`. Both build .venv from the pinned files.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt layers/dependencies/requirements.txt | sha1sum | cut -c1-12)

.PHONY: run test check lint format typecheck cfn-lint unit functions e2e openapi countries bench clean

$(STAMP):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

## run: the whole product on 127.0.0.1 (AWS emulator :4566, gateway and web :3000)
run: $(STAMP)
	$(PY) -m infra.local

## test: lint, types, template, and every test ring (unit, functions, e2e with schemathesis)
test: check

check: lint typecheck cfn-lint
	$(PY) -m pytest --cov --cov-report=term:skip-covered tests

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

typecheck: $(STAMP)
	$(PY) -m mypy

cfn-lint: $(STAMP)
	$(VENV)/bin/cfn-lint template.yaml

unit functions e2e: $(STAMP)
	$(PY) -m pytest tests/$@

## openapi: regenerate functions/docs/openapi.json from the functions' resolvers
openapi: $(STAMP)
	$(PY) -m infra.openapi

## countries: regenerate certtracker/core/countries.py from the pinned pycountry
countries: $(STAMP)
	$(PY) -m infra.countries

## bench: cold-import ratios per function and gateway requests per second (not part of test)
bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage

## deploy-web: upload web/ to the deployed stack's bucket and refresh CloudFront (ENV=dev|prod, as in samconfig.toml)
.PHONY: deploy-web
deploy-web: ENV ?= dev
deploy-web:
	@set -euo pipefail; \
	read -r stack region < <($(PYTHON) -c 'import sys, tomllib; p = tomllib.load(open("samconfig.toml", "rb"))[sys.argv[1]]["deploy"]["parameters"]; print(p["stack_name"], p["region"])' $(ENV)); \
	output() { aws cloudformation describe-stacks --region "$$region" --stack-name "$$stack" \
		--query "Stacks[0].Outputs[?OutputKey=='$$1'].OutputValue" --output text; }; \
	bucket=$$(output WebBucketName); distribution=$$(output WebDistributionId); \
	echo "web/ -> s3://$$bucket ($$stack, $$region)"; \
	aws s3 sync web/ "s3://$$bucket/" --region "$$region" --delete --exclude '.*'; \
	aws cloudfront create-invalidation --distribution-id "$$distribution" --paths '/*' --query Invalidation.Id --output text
