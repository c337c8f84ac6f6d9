# The certificate fonts, made the same way for the layer (Makefile beside this file) and for the tests, the local
# stack and the bench (the project's `make fonts`): `npm ci` fetches the Noto packages that package-lock.json pins
# (npm checks each tarball's integrity hash) into a scratch directory, and slice_fonts.py cuts them into the small
# fonts the renderer embeds, with index.json and the licences. $(1): the directory to fill; $(2): a Python with
# the locked fontTools.
FONTS_SOURCE := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

define make-fonts
	set -e; scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	cp "$(FONTS_SOURCE)/package.json" "$(FONTS_SOURCE)/package-lock.json" "$$scratch/"; \
	npm ci --prefix "$$scratch" --ignore-scripts --no-audit --no-fund --loglevel=error; \
	PYTHONDONTWRITEBYTECODE=1 $(2) "$(FONTS_SOURCE)/slice_fonts.py" "$$scratch/node_modules" "$(1)"
endef
