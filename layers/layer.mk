# What both layer Makefiles share. SAM runs `make -f layers/<layer>/Makefile build-<LogicalId>` in a copy
# of the layer's directory, with ARTIFACTS_DIR set to the layer's output (.aws-sam/build/<LogicalId>).
include $(dir $(lastword $(MAKEFILE_LIST)))runtime.mk

LAYER := $(ARTIFACTS_DIR)/python

# Bytecode for every module, in unchecked-hash mode: Lambda's /opt is read-only, so without it every cold
# start compiles the layer again; "unchecked" because the zip does not keep the sources' timestamps and
# nothing there can change a source, so Python reads the .pyc without looking at the .py.
define compile-layer
	@test "$$($(LAMBDA_PYTHON_EXE) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$(LAMBDA_PYTHON)" \
		|| { echo "$(LAMBDA_PYTHON_EXE) is not a working Python $(LAMBDA_PYTHON), the runtime's version" >&2; exit 1; }
	find "$(LAYER)" -depth \( -name __pycache__ -o -name '*.pyc' \) -exec rm -rf {} +
	$(LAMBDA_PYTHON_EXE) -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(LAYER)"
endef
