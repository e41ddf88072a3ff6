# The C SDK for users without a Rust toolchain: a relocatable tarball and Debian packages.
#
#   make dist   dist/commbox-<version>-<target>.tar.gz (release build): bin/commbox,
#               include/ (commbox.h, commbox.hpp), lib/ (libcommbox.so.<version> with its
#               SONAME link, libcommbox.a, pkgconfig/commbox.pc, cmake/commbox/), and
#               share/doc/commbox/ (licenses). Unpack it anywhere: commbox.pc and the CMake
#               config find the tree from their own location.
#   make deb    dist/libcommbox<abi>_<version>_<arch>.deb (the shared library),
#               dist/libcommbox-dev_… (headers, libcommbox.a, the .so link, pkg-config, CMake)
#               and dist/commbox_… (the CLI). The runtime package is named after the ABI
#               series (libcommbox0.1), so two series install side by side.
#   make test-c-sdk   both, in the debug profile, unpacked or extracted into temporary roots;
#               the C and C++ examples built against each with pkg-config and with CMake
#               (shared and static) and run against the mock; the C++ header refused below C++17.
#
# The ABI policy (SONAME per 0.x minor) is in packaging/README.md.

DIST_DIR      ?= dist
DIST_PROFILE  ?= release
DIST_PROFILE_DIR = $(if $(filter release,$(DIST_PROFILE)),release,debug)
DIST_TRIPLE    = $(shell rustc -vV | sed -n 's/^host: //p')
DIST_NAME      = commbox-$(VERSION)-$(DIST_TRIPLE)
DIST_STAGE     = build/dist-stage
DIST_TAR_GZIP ?= gzip -9n
# Files from one commit get one time stamp: the same tree gives the same tarball.
DIST_MTIME     = $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
# Targets that add files before the tarball and the commbox .deb are packed, each called with
# DIST_ROOT=<the tree's root> (the tarball's top directory; /usr of the .deb), which holds
# bin/commbox. TODO(issue 14, CLI surface): the CLI's man pages (share/man/man1) and shell
# completions (share/bash-completion/completions, share/zsh/site-functions,
# share/fish/vendor_completions.d) hook in here once `commbox` can generate them.
DIST_HOOKS    ?=

# The release profile keeps line tables (backtraces) and the debug one everything: the SDK
# ships without them, as Debian's packages do (31 MB -> 6 MB for the library here).
DIST_STRIP    ?= strip --strip-debug

DEB_ARCH       = $(shell dpkg --print-architecture)
DEB_MULTIARCH  = $(shell gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH)
DEB_STAGE      = build/deb-stage
DEB_COMPRESS  ?= -Zxz
DEB_RUNTIME    = libcommbox$(SOVERSION)

.PHONY: dist dist-build deb test-c-sdk dist-tools

# dpkg-dev: dpkg-shlibdeps, which computes the packages' Depends.
dist-tools: c-tools
	@command -v dpkg-shlibdeps >/dev/null || { echo "installing: dpkg-dev"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev >/dev/null; }

# One crate at a time, as lib-c and test-prefix build them: together, cargo would unify their
# dependencies' features and rebuild the library at every switch.
dist-build:
	$(CARGO) build -p commbox-ffi $(if $(filter release,$(DIST_PROFILE)),--release,)
	$(CARGO) build -p commbox-cli $(if $(filter release,$(DIST_PROFILE)),--release,)

dist: dist-build
	@rm -rf $(DIST_STAGE) && mkdir -p $(DIST_STAGE) $(DIST_DIR)
	@$(MAKE) --no-print-directory -s install PROFILE=$(DIST_PROFILE) PREFIX=$(CURDIR)/$(DIST_STAGE)/$(DIST_NAME) >/dev/null
	@install -D -m 755 target/$(DIST_PROFILE_DIR)/commbox $(DIST_STAGE)/$(DIST_NAME)/bin/commbox
	@cd $(DIST_STAGE)/$(DIST_NAME) && $(DIST_STRIP) lib/libcommbox.so.$(VERSION) lib/libcommbox.a bin/commbox
	@install -D -m 644 -t $(DIST_STAGE)/$(DIST_NAME)/share/doc/commbox LICENSE-MIT LICENSE-APACHE packaging/README.md
	@set -e; for hook in $(DIST_HOOKS); do $(MAKE) --no-print-directory $$hook DIST_ROOT=$(CURDIR)/$(DIST_STAGE)/$(DIST_NAME); done
	@tar -C $(DIST_STAGE) --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$(DIST_MTIME) \
	    -I '$(DIST_TAR_GZIP)' -cf $(DIST_DIR)/$(DIST_NAME).tar.gz $(DIST_NAME)
	@rm -rf $(DIST_STAGE)
	@echo "$(DIST_DIR)/$(DIST_NAME).tar.gz"

deb: dist-build dist-tools
	@DEB_STAGE=$(DEB_STAGE) DIST_DIR=$(DIST_DIR) VERSION=$(VERSION) SOVERSION=$(SOVERSION) \
	  DEB_ARCH=$(DEB_ARCH) DEB_MULTIARCH=$(DEB_MULTIARCH) DEB_COMPRESS="$(DEB_COMPRESS)" \
	  PROFILE=$(DIST_PROFILE) PROFILE_DIR=$(DIST_PROFILE_DIR) MAKE="$(MAKE)" DIST_STRIP="$(DIST_STRIP)" \
	  DIST_HOOKS="$(DIST_HOOKS)" \
	  packaging/deb/build.sh

# The debug profile (what the other suites built) and light compression: the test is about
# the trees' layout and paths, not about the optimiser.
SDK_TEST_DIR := build/packaging/sdk
.PHONY: sdk-for-tests
sdk-for-tests: dist-tools test-prefix
	@rm -rf $(SDK_TEST_DIR) && mkdir -p $(SDK_TEST_DIR)
	@$(MAKE) --no-print-directory -s dist DIST_PROFILE=debug DIST_DIR=$(SDK_TEST_DIR) DIST_TAR_GZIP='gzip -1n' >/dev/null
	@$(MAKE) --no-print-directory -s deb DIST_PROFILE=debug DIST_DIR=$(SDK_TEST_DIR) DEB_COMPRESS='-Zgzip -z1' >/dev/null

test-c-sdk: sdk-for-tests
	@tests/packaging/c_sdk.sh $(SDK_TEST_DIR)/$(DIST_NAME).tar.gz $(SDK_TEST_DIR) $(VERSION) $(SOVERSION) $(DEB_MULTIARCH)

TEST_SUITES += test-c-sdk
