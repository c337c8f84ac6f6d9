# The Lambda runtime's Python version and architecture, read from template.yaml's Globals (Function:
# Runtime, Architectures), the one place they are set. The layers' CompatibleRuntimes and
# CompatibleArchitectures repeat them (CloudFormation cannot refer to Globals): tests/unit/test_build.py
# holds them equal. Included by the layer Makefiles and the project's Makefile.
TEMPLATE ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../template.yaml)
LAMBDA_PYTHON := $(shell sed -n 's/^    Runtime: *python\([0-9.]*\) *$$/\1/p' "$(TEMPLATE)")
LAMBDA_ARCH := $(shell sed -n 's/^    Architectures: *\[ *\(arm64\|x86_64\) *\] *$$/\1/p' "$(TEMPLATE)" | sed 's/arm64/aarch64/')
ifeq ($(LAMBDA_PYTHON),)
$(error no "Runtime: python3.x" under Globals/Function in $(TEMPLATE))
endif
ifeq ($(LAMBDA_ARCH),)
$(error no "Architectures: [arm64 or x86_64]" under Globals/Function in $(TEMPLATE))
endif
# The interpreter of the runtime's minor version: a .pyc is read only by the version that wrote it.
LAMBDA_PYTHON_EXE ?= python$(LAMBDA_PYTHON)
