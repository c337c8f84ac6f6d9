# What both layer Makefiles share. SAM runs `make -f layers/<layer>/Makefile build-<LogicalId>` in a copy
# of the layer's directory, with ARTIFACTS_DIR set to the layer's output (.aws-sam/build/<LogicalId>).
include $(dir $(lastword $(MAKEFILE_LIST)))runtime.mk

LAYER := $(ARTIFACTS_DIR)/python

# Bytecode for every module of the layer (runtime.mk's compile-bytecode: unchecked-hash, the runtime's Python).
compile-layer = $(call compile-bytecode,$(LAYER))

# The packages' own tests, of no use on Lambda (uharfbuzz ships its test module compiled, annotated_types its
# test cases): directories named test or tests, and test_*.py, *_test.py, conftest.py and *_test extension
# modules anywhere. tests/unit/test_build.py looks for the same names in the built layers.
define strip-tests
	find "$(LAYER)" -depth -type d \( -name test -o -name tests \) -exec rm -rf {} +
	find "$(LAYER)" -type f \( -name 'test_*.py' -o -name '*_test.py' -o -name conftest.py \
		-o -name '*_test.so' -o -name '*_test.*.so' \) -delete
endef
