# One version number for every artifact (packaging/README.md): set once in [workspace.package]
# of Cargo.toml, read back from each artifact by tests/packaging/check_versions.py.
#
#   make test-versions   crates, pyproject, wheel, sdist, header macros, commbox_version() and
#                        the SONAME, pkg-config, CMake, `commbox --version`, .debs, tarball
#
# It reads the artifacts test-wheel, test-python-sources and test-c-sdk left in
# build/packaging/, and builds any that are missing. mk/wheel.mk, included after this file,
# adds it to TEST_SUITES after its own suites, so that make test builds each artifact once.

.PHONY: test-versions

test-versions: c-tools
	@ls $(WHEEL_TEST_DIR)/commbox-$(VERSION)-*.whl >/dev/null 2>&1 || $(MAKE) --no-print-directory wheel-for-tests
	@ls $(SDIST_TEST_DIR)/commbox-$(VERSION).tar.gz >/dev/null 2>&1 || $(MAKE) --no-print-directory sdist-for-tests
	@ls $(SDK_TEST_DIR)/commbox-$(VERSION)-*.tar.gz $(SDK_TEST_DIR)/*_$(VERSION)_*.deb >/dev/null 2>&1 \
	  || $(MAKE) --no-print-directory sdk-for-tests
	@$(PYTHON) tests/packaging/check_versions.py --wheel-dir $(WHEEL_TEST_DIR) --sdist-dir $(SDIST_TEST_DIR) \
	    --sdk-dir $(SDK_TEST_DIR)

