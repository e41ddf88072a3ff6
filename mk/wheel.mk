# The Python distributions users install: the manylinux wheel and the sdist.
#
#   make wheel   dist/commbox-<v>-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl,
#                release build, checked by auditwheel (packaging/README.md: why zig)
#   make sdist   dist/commbox-<v>.tar.gz, which `pip install` builds from
#   make test-wheel          the wheel (dev profile) installed into a fresh venv of each
#                            CPython in WHEEL_PYTHONS, smoke checks against the mock in each;
#                            first, its PyPI description has no relative links
#   make test-python-sources the sdist's PyPI description (no relative links) and contents;
#                            `pip install` of the sdist and of a checkout, each from a
#                            read-only directory, then the smoke checks
#
# The full Python suite runs on one version (test-python in mk/python.mk); these check what
# users install. maturin, ziglang and auditwheel come from PyPI into the project's venv.

WHEEL_TOOLS    := ziglang==0.17.1 auditwheel==6.8.2
WHEEL_PYTHONS  ?= 3.9 3.10 3.11 3.12 3.13
# manylinux2014 = glibc 2.17: the oldest that zig links for and PyPI still accepts.
WHEEL_COMPAT   := manylinux2014
WHEEL_POLICY   := manylinux_2_17_x86_64
WHEEL_TEST_DIR := build/packaging/wheel
SDIST_TEST_DIR := build/packaging/sdist
MATURIN        := PATH=$(CURDIR)/$(PY_VENV)/bin:$$PATH $(PY_VENV)/bin/maturin
AUDITWHEEL     := $(PY_VENV)/bin/auditwheel

.PHONY: wheel sdist wheel-tools test-wheel test-python-sources wheel-for-tests sdist-for-tests

$(PY_VENV)/.wheel-tools: $(PY_VENV)/.tools mk/wheel.mk
	$(PIP) install -q $(WHEEL_TOOLS)
	touch $@

wheel-tools: $(PY_VENV)/.wheel-tools

# --zig links with zig against glibc 2.17's symbols, and --compatibility makes maturin check
# the result against that policy; auditwheel (PyPA's checker) must agree with the tag.
define build_wheel  # $(1): output directory, $(2): cargo profile
	@rm -f $(1)/commbox-*.whl
	$(MATURIN) build --locked --profile $(2) --zig --compatibility $(WHEEL_COMPAT) --out $(1)
	@mkdir -p build/packaging
	@$(AUDITWHEEL) show $(1)/commbox-$(VERSION)-*.whl | tee build/packaging/auditwheel.txt
	@tr -s ' \n' ' ' < build/packaging/auditwheel.txt | grep -q 'consistent with the following platform tag: "$(WHEEL_POLICY)"' \
	  || { echo "auditwheel does not agree with the wheel's tag ($(WHEEL_POLICY))"; exit 1; }
endef

wheel: wheel-tools
	$(call build_wheel,dist,release)

sdist: wheel-tools
	@rm -f dist/commbox-$(VERSION).tar.gz
	$(MATURIN) sdist --out dist

# The suites' copies: the dev profile (a release build of every dependency takes minutes on
# two cores; the wheel's tag, files and metadata are the same), without debug info (zig's
# target directory serves only this build, and a fresh clone builds it all).
wheel-for-tests: export CARGO_PROFILE_DEV_DEBUG = 0
wheel-for-tests: wheel-tools
	$(call build_wheel,$(WHEEL_TEST_DIR),dev)

sdist-for-tests: wheel-tools
	@rm -rf $(SDIST_TEST_DIR)
	@$(MATURIN) sdist --out $(SDIST_TEST_DIR)

# PyPI shows the long description away from the repository: no relative link may be in it
# (docs/tools/check_long_description.py; pyproject.toml's readme is bindings/python/README.md).
test-wheel: wheel-for-tests python-mock
	@$(PY) docs/tools/check_long_description.py $(WHEEL_TEST_DIR)/commbox-$(VERSION)-*.whl
	@tests/packaging/wheel_pythons.sh $(WHEEL_TEST_DIR)/commbox-$(VERSION)-*.whl $(VERSION) $(WHEEL_PYTHONS)

test-python-sources: sdist-for-tests python-mock
	@$(PY) docs/tools/check_long_description.py $(SDIST_TEST_DIR)/commbox-$(VERSION).tar.gz
	@tests/packaging/python_sources.sh $(SDIST_TEST_DIR)/commbox-$(VERSION).tar.gz $(VERSION)

TEST_SUITES += test-wheel test-python-sources
# Last: it reads what test-c-sdk and the two suites above built (mk/versions.mk).
TEST_SUITES += test-versions
