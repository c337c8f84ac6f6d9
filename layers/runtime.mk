# The Lambda runtime's Python version and architecture, read from template.yaml's Globals (Function:
# Runtime, Architectures), the one place they are set. The layers' CompatibleRuntimes and
# CompatibleArchitectures repeat them (CloudFormation cannot refer to Globals): tests/unit/test_build.py
# holds them equal. Included by the layer Makefiles, the functions' Makefile and the project's Makefile.
TEMPLATE ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../template.yaml)
LAMBDA_PYTHON := $(shell sed -n 's/^    Runtime: *python\([0-9.]*\) *$$/\1/p' "$(TEMPLATE)")
LAMBDA_ARCH := $(shell sed -n 's/^    Architectures: *\[ *\(arm64\|x86_64\) *\] *$$/\1/p' "$(TEMPLATE)" | sed 's/arm64/aarch64/')
ifeq ($(LAMBDA_PYTHON),)
$(error no "Runtime: python3.x" under Globals/Function in $(TEMPLATE))
endif
ifeq ($(LAMBDA_ARCH),)
$(error no "Architectures: [arm64 or x86_64]" under Globals/Function in $(TEMPLATE))
endif
# The newest glibc of the runtime's OS, which bounds the manylinux wheels it loads: Amazon Linux 2023
# (python3.12 and later) has 2.34; for python3.11 (Amazon Linux 2) the builds keep manylinux2014's 2.17.
LAMBDA_GLIBC := $(if $(filter 3.8 3.9 3.10 3.11,$(LAMBDA_PYTHON)),17,34)
# Every wheel platform the runtime takes, newest first (pip's --platform does not widen manylinux_2_x by itself).
LAMBDA_PLATFORMS := $(foreach minor,$(shell seq $(LAMBDA_GLIBC) -1 17),manylinux_2_$(minor)_$(LAMBDA_ARCH)) \
	manylinux2014_$(LAMBDA_ARCH)
# The interpreter of the runtime's minor version: a .pyc is read only by the version that wrote it.
# python3.x on PATH if it runs (a pyenv shim is on PATH even when pyenv's selected versions lack it, and
# then fails), else the newest pyenv build of that version, else the bare name (which fails, saying so).
ifndef LAMBDA_PYTHON_EXE
LAMBDA_PYTHON_EXE := $(shell v=$(LAMBDA_PYTHON); \
	if python$$v -c '' 2>/dev/null; then command -v python$$v; \
	else ls -d "$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv")"/versions/$$v.*/bin/python$$v 2>/dev/null \
		| grep "/versions/$$v\.[0-9]*/bin/" | sort -V | tail -n 1; fi)
LAMBDA_PYTHON_EXE := $(or $(LAMBDA_PYTHON_EXE),python$(LAMBDA_PYTHON))
endif

# Bytecode for every module under the directory $(1), in unchecked-hash mode, for the runtime's Python: Lambda's
# /opt and /var/task are read-only, so without it every cold start compiles the code again; "unchecked" because
# the zip does not keep the sources' timestamps and nothing there can change a source, so Python reads the .pyc
# without looking at the .py. Any bytecode already there (a work tree's cache) goes first.
define compile-bytecode
	@test "$$($(LAMBDA_PYTHON_EXE) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$(LAMBDA_PYTHON)" \
		|| { echo "$(LAMBDA_PYTHON_EXE) is not a working Python $(LAMBDA_PYTHON), the runtime's version" >&2; exit 1; }
	find "$(1)" -depth \( -name __pycache__ -o -name '*.pyc' \) -exec rm -rf {} +
	$(LAMBDA_PYTHON_EXE) -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(1)"
endef
