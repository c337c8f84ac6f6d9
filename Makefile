# The two commands a newcomer needs: `make run` and `make test`. Both build .venv from the locked files.
SHELL := /bin/bash
# The Lambda runtime's Python version and architecture, from template.yaml's Globals.
include layers/runtime.mk
# The runtime's Python (runtime.mk finds it on PATH or in pyenv): .venv must be that version, since the tests
# check the layers' bytecode with it and the lock is resolved for it.
PYTHON ?= $(LAMBDA_PYTHON_EXE)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.txt | sha1sum | cut -c1-12)
# SAM CLI pins its own boto3, pydantic and cfn-lint: it lives in a virtualenv of its own.
SAM_VENV := .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed-$(shell cat requirements-sam.txt | sha1sum | cut -c1-12)
# checkov too (`make checkov`): its pins are its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(shell cat requirements-checkov.txt | sha1sum | cut -c1-12)
# No telemetry (the machine may be offline); the layers are built by .venv's python$(LAMBDA_PYTHON) (and its
# locked pip), the runtime's version, which SAM's python builder also looks for on PATH for the functions.
SAM := PATH="$(abspath $(VENV))/bin:$$PATH" SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam
BUILT := .aws-sam/build/template.yaml
BUILD_SOURCES := template.yaml $(shell find layers functions -type f -not -path '*/__pycache__/*' -not -name '*.pyc')
BENCH_ARGS ?=
# Playwright (tests/browser, the page bench) drives Debian's Chromium by path: it never fetches a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test test-deep check lint format typecheck cfn-lint checkov unit functions e2e browser openapi countries bench build lock fonts clean

# Whether the interpreter $(1) exists and is the runtime's version.
same-python = test -x $(1) && test "$$($(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$(LAMBDA_PYTHON)"

# The locks are complete (every package, with its hashes), so pip installs them as they are (--no-deps: pip's
# hash mode cannot match a dependency on a package with extras to its line in the lock) and `pip check`
# proves nothing is missing or conflicting. A virtualenv of another Python (made before the runtime moved) is
# made again.
$(STAMP):
	@$(PYTHON) -c '' || { echo "no working python$(LAMBDA_PYTHON) (the runtime's version) on PATH or in pyenv" >&2; exit 1; }
	@$(call same-python,$(PY)) || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	@$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.txt
	@$(PY) -m pip check --disable-pip-version-check >/dev/null || $(PY) -m pip check --disable-pip-version-check
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

# A tool's own virtualenv $(1) from its complete lock $(2), made as .venv is; the target is its stamp.
define tool-venv
	@$(PYTHON) -c '' || { echo "no working python$(LAMBDA_PYTHON) (the runtime's version) on PATH or in pyenv" >&2; exit 1; }
	@$(call same-python,$(1)/bin/python) || { rm -rf $(1) && $(PYTHON) -m venv $(1); }
	@$(1)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(2)
	@$(1)/bin/python -m pip check --disable-pip-version-check >/dev/null || $(1)/bin/python -m pip check
	@rm -f $(1)/.installed-* && touch $@
endef

$(SAM_STAMP):
	$(call tool-venv,$(SAM_VENV),requirements-sam.txt)

$(CHECKOV_STAMP):
	$(call tool-venv,$(CHECKOV_VENV),requirements-checkov.txt)

# The certificate fonts the layer ships, cut by the layer's own recipe into .fonts/fonts (git ignores .fonts): the
# tests, the local stack and the bench read them there (infra/lambdas.py sets CERTIFICATE_FONTS_DIR). Made again
# only when the pinned packages or the cutting change.
include layers/certificates/fonts.mk
FONTS := .fonts
FONTS_STAMP := $(FONTS)/.built-$(shell cat layers/certificates/package-lock.json layers/certificates/slice_fonts.py | sha1sum | cut -c1-12)
$(FONTS_STAMP): $(STAMP)
	rm -rf $(FONTS)
	$(call make-fonts,$(abspath $(FONTS))/fonts,$(abspath $(PY)))
	touch $(FONTS_STAMP)

## fonts: the certificate fonts in .fonts/fonts (npm ci of the pinned Noto packages, cut as the layer cuts them)
fonts: $(FONTS_STAMP)

## run: the whole product on 127.0.0.1 (AWS emulator :4566, gateway and web :3000)
run: $(STAMP) $(FONTS_STAMP)
	$(PY) -m infra.local

## test: lint, types, template, sam build, and every test ring (unit, functions, e2e with schemathesis)
test: check

## test-deep: make test with the generated tests at their deep counts (hypothesis's deep profile, tests/depth.py):
## more examples per property, per schemathesis operation and of the every-reader model; before a release
test-deep:
	$(MAKE) --no-print-directory check PYTEST_ARGS="$(PYTEST_ARGS) --hypothesis-profile=deep"

# The rings run on every core (pytest-xdist, at most four workers), each test file whole on one worker: its order
# stays as written, and its local stack (one per ring and worker) is put back as it started before it. The files are
# handed out in collection order (browser, e2e, functions, unit), not most-tests-first: most-tests-first interleaved
# the rings on a worker, and each return to a ring started its stack (and Chromium) again, and it put the longest
# files (the screenshots, schemathesis, the every-reader model: one test each) last, to run alone at the end. In
# collection order a worker meets each ring once, and the longest work comes first. PYTEST_ARGS="-n0" runs them in
# one process.
PYTEST_ARGS ?= --numprocesses=auto --maxprocesses=4 --dist=loadfile --no-loadscope-reorder

# build comes before the tests: tests/unit/test_build.py checks what it made. The four checks run two at a time (37 s
# instead of 54 s on two cores), each one's output kept together (-O).
check: $(STAMP) $(FONTS_STAMP)
	$(MAKE) --no-print-directory -j2 -O lint typecheck cfn-lint build
	$(PY) -m pytest $(PYTEST_ARGS) --cov --cov-report=term:skip-covered tests

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

## checkov: checkov over template.yaml, its failed checks grouped by check id with their resources, and any
## failure the README's "Static analysis" table does not explain (then it exits 1); not part of check
checkov: $(STAMP) $(CHECKOV_STAMP)
	$(PY) -m infra.checkov_report --checkov $(CHECKOV_VENV)/bin/checkov template.yaml

unit functions e2e browser: $(STAMP) $(FONTS_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS) tests/$@

## build: `sam validate --lint` and `sam build` (no container): the layers with their bytecode, in .aws-sam/build
# The layer's fonts are the ones `make fonts` cut (same recipe, same pins): cut once, not twice.
build: $(STAMP) $(SAM_STAMP) $(FONTS_STAMP)
	$(SAM) validate --lint
	CERTIFICATE_FONTS_BUILT="$(abspath $(FONTS))/fonts" $(SAM) build --parallel

$(BUILT): $(BUILD_SOURCES)
	$(MAKE) --no-print-directory build

## lock: the runtime locks (both layers', for Lambda's platform), the dev, SAM and checkov locks, with hashes; UPGRADE=1 takes newer releases
lock: $(STAMP)
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/uv pip compile --quiet --generate-hashes $(if $(UPGRADE),--upgrade) \
		--python-version $(LAMBDA_PYTHON) --python-platform $(LAMBDA_ARCH)-manylinux_2_$(LAMBDA_GLIBC) \
		layers/dependencies/requirements.in -o layers/dependencies/requirements.txt
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/uv pip compile --quiet --generate-hashes $(if $(UPGRADE),--upgrade) \
		--python-version $(LAMBDA_PYTHON) --python-platform $(LAMBDA_ARCH)-manylinux_2_$(LAMBDA_GLIBC) \
		layers/certificates/requirements.in -o layers/certificates/requirements.txt
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/uv pip compile --quiet --generate-hashes $(if $(UPGRADE),--upgrade) \
		--universal --python-version $(LAMBDA_PYTHON) requirements-dev.in -o requirements-dev.txt
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/uv pip compile --quiet --generate-hashes $(if $(UPGRADE),--upgrade) \
		--universal --python-version $(LAMBDA_PYTHON) requirements-sam.in -o requirements-sam.txt
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/uv pip compile --quiet --generate-hashes $(if $(UPGRADE),--upgrade) \
		--universal --python-version $(LAMBDA_PYTHON) requirements-checkov.in -o requirements-checkov.txt

## openapi: regenerate functions/docs/openapi.json from the functions' resolvers
openapi: $(STAMP)
	$(PY) -m infra.openapi

## countries: regenerate certtracker/core/countries.py and web/pages/countries.js from the pinned pycountry
countries: $(STAMP)
	$(PY) -m infra.countries

# The dependencies layer's arm64 extension modules do not load on another machine: there the bench reads a
# twin built by the same recipe from the same lock, with this machine's wheels.
HOST_ARCH := $(shell uname -m)
BENCH_DEPENDENCIES := .aws-sam/bench-$(HOST_ARCH)/DependenciesLayer
$(BENCH_DEPENDENCIES)/python: $(STAMP) layers/dependencies/requirements.txt layers/dependencies/Makefile layers/layer.mk
	cd layers/dependencies && PATH="$(abspath $(VENV))/bin:$$PATH" $(MAKE) --no-print-directory -f Makefile \
		build-DependenciesLayer LAMBDA_ARCH=$(HOST_ARCH) ARTIFACTS_DIR="$(abspath $(BENCH_DEPENDENCIES))"

## bench: cold-import ratios per function on the built artifacts, gateway requests per second, and each page's
## bytes and requests in Chromium against the budget (not part of test); BENCH_ARGS="--only pages" for one part
bench: $(STAMP) $(FONTS_STAMP) $(BUILT) $(if $(filter $(HOST_ARCH),$(LAMBDA_ARCH)),,$(BENCH_DEPENDENCIES)/python)
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) $(FONTS) .aws-sam .pytest_cache .mypy_cache .ruff_cache .coverage

## deploy-web: upload web/ and Swagger UI's files to the deployed stack's bucket and refresh CloudFront (ENV=dev|prod, as in samconfig.toml)
# Swagger UI's files come from the pinned swagger-ui-py in .venv (infra/swagger_ui.py), the bytes `make run` serves,
# uploaded beside web/ in one sync so that --delete keeps them.
.PHONY: deploy-web
deploy-web: ENV ?= dev
deploy-web: $(STAMP)
	@set -euo pipefail; \
	site=$$(mktemp -d); trap 'rm -rf "$$site"' EXIT; \
	cp -R web/. "$$site/"; \
	$(PY) -m infra.swagger_ui "$$site/swagger-ui"; \
	read -r stack region < <($(PYTHON) -c 'import sys, tomllib; p = tomllib.load(open("samconfig.toml", "rb"))[sys.argv[1]]["deploy"]["parameters"]; print(p["stack_name"], p["region"])' $(ENV)); \
	output() { aws cloudformation describe-stacks --region "$$region" --stack-name "$$stack" \
		--query "Stacks[0].Outputs[?OutputKey=='$$1'].OutputValue" --output text; }; \
	bucket=$$(output WebBucketName); distribution=$$(output WebDistributionId); \
	echo "web/ and Swagger UI -> s3://$$bucket ($$stack, $$region)"; \
	aws s3 sync "$$site/" "s3://$$bucket/" --region "$$region" --delete --exclude '.*'; \
	aws cloudfront create-invalidation --distribution-id "$$distribution" --paths '/*' --query Invalidation.Id --output text
