# The C ABI (libcommbox.so / .a), the C++ wrapper, `make install`, and their suites.
#
#   make install PREFIX=/opt/commbox     optimised build, then lib/, include/, pkgconfig, cmake,
#                                        and the CLI: bin/commbox, its man pages and completions
#                                        (INSTALL_CLI=0: the library only)
#   make man                             the CLI's man pages, one per command, into build/man/
#   make header                          regenerate include/commbox.h after changing an export

PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
INSTALL_CLI ?= 1
PROFILE    ?= release
VERSION    := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
MAJOR      := $(firstword $(subst ., ,$(VERSION)))
# From `cargo rustc -p commbox-ffi --crate-type staticlib -- --print native-static-libs`.
STATIC_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

CC  ?= cc
CXX ?= c++
C_STRICT   := -std=c11 -Wall -Wextra -Werror -pedantic
CXX_STRICT := -std=c++17 -Wall -Wextra -Werror -pedantic
VALGRIND   := valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
              --show-leak-kinds=definite,indirect --quiet --suppressions=tests/c/valgrind.supp

# The suites link against a real installed tree (debug build, to spare CI a release build).
TEST_PREFIX := $(CURDIR)/build/prefix
TEST_PC     := PKG_CONFIG_PATH=$(TEST_PREFIX)/lib/pkgconfig
WITH_MOCK   := tests/with-mock.sh
C_EXAMPLES  := email sms bulk_sms whatsapp chat customer_message agent_message chatwoot

PROFILE_DIR  = $(if $(filter release,$(PROFILE)),release,debug)
CARGO_PROFILE = $(if $(filter release,$(PROFILE)),--release,)

.PHONY: header lib-c cli man install-cli cli-extras install uninstall c-tools test-c test-cpp test-c-examples test-c-install demo-c demo-cpp
.PHONY: test-cpp-webhooks

header:
	COMMBOX_UPDATE_HEADER=1 $(CARGO) test -p commbox-ffi --test header

lib-c:
	$(CARGO) build -p commbox-ffi $(CARGO_PROFILE)

# The ABI series (packaging/README.md): 0.MINOR before 1.0, MAJOR from 1.0 on. It is the
# SONAME's suffix (crates/commbox-ffi/build.rs): libcommbox.so.0.1 for every 0.1.x.
SOVERSION  := $(if $(filter 0,$(MAJOR)),0.$(word 2,$(subst ., ,$(VERSION))),$(MAJOR))
# commbox.pc and the CMake config find the tree from their own location (relocatable);
# PC_RELOCATABLE=0 writes absolute paths into commbox.pc instead (the .deb, mk/dist.mk).
PC_RELOCATABLE ?= 1
relpath     = $(shell realpath -m --relative-to='$(1)' '$(2)')
PC_PREFIX   = $(if $(filter 1,$(PC_RELOCATABLE)),$${pcfiledir}/$(call relpath,$(LIBDIR)/pkgconfig,$(PREFIX)),$(PREFIX))
PC_SUBST    = -e 's|@PC_PREFIX@|$(PC_PREFIX)|' \
              -e 's|@PC_LIBDIR@|$${prefix}/$(call relpath,$(PREFIX),$(LIBDIR))|' \
              -e 's|@PC_INCLUDEDIR@|$${prefix}/$(call relpath,$(PREFIX),$(INCLUDEDIR))|'
CMAKE_SUBST = -e 's|@CMAKE_TO_PREFIX@|$(call relpath,$(LIBDIR)/cmake/commbox,$(PREFIX))|' \
              -e 's|@PREFIX_TO_LIBDIR@|$(call relpath,$(PREFIX),$(LIBDIR))|' \
              -e 's|@PREFIX_TO_INCLUDEDIR@|$(call relpath,$(PREFIX),$(INCLUDEDIR))|'

cli:
	$(CARGO) build -p commbox-cli $(CARGO_PROFILE)

man: cli
	rm -rf build/man && target/$(PROFILE_DIR)/commbox man --dir build/man

# $(call cli_extras,COMMBOX,DATADIR): the man pages and completions that binary generates,
# where man, bash-completion, zsh and fish look for them below DATADIR (share/).
cli_extras = set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(1) man --dir "$$tmp/man"; \
	install -d $(2)/man/man1 $(2)/bash-completion/completions $(2)/zsh/site-functions \
	    $(2)/fish/vendor_completions.d; \
	install -m 644 "$$tmp"/man/*.1 $(2)/man/man1/; \
	$(1) completions bash > $(2)/bash-completion/completions/commbox; \
	$(1) completions zsh > $(2)/zsh/site-functions/_commbox; \
	$(1) completions fish > $(2)/fish/vendor_completions.d/commbox.fish

install-cli: cli
	install -D -m 755 target/$(PROFILE_DIR)/commbox $(DESTDIR)$(BINDIR)/commbox
	@$(call cli_extras,target/$(PROFILE_DIR)/commbox,$(DESTDIR)$(DATADIR))

# mk/dist.mk's DIST_HOOKS: the tarball's and the .deb's man pages and completions, from the
# tree's own bin/commbox.
cli-extras:
	@$(call cli_extras,$(DIST_ROOT)/bin/commbox,$(DIST_ROOT)/share)

install: lib-c $(if $(filter 1,$(INSTALL_CLI)),install-cli)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(LIBDIR)/cmake/commbox $(DESTDIR)$(INCLUDEDIR)
	install -m 755 target/$(PROFILE_DIR)/libcommbox.so $(DESTDIR)$(LIBDIR)/libcommbox.so.$(VERSION)
	ln -sf libcommbox.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcommbox.so.$(SOVERSION)
	ln -sf libcommbox.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libcommbox.so
	install -m 644 target/$(PROFILE_DIR)/libcommbox.a $(DESTDIR)$(LIBDIR)/libcommbox.a
	install -m 644 include/commbox.h bindings/cpp/commbox.hpp $(DESTDIR)$(INCLUDEDIR)/
	sed $(PC_SUBST) -e 's|@VERSION@|$(VERSION)|' -e 's|@STATIC_LIBS@|$(STATIC_LIBS)|' \
	    packaging/commbox.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/commbox.pc
	sed $(CMAKE_SUBST) -e 's|@VERSION@|$(VERSION)|' -e 's|@SOVERSION@|$(SOVERSION)|' \
	    -e 's|@STATIC_LIBS_CMAKE@|$(subst $() ,;,$(patsubst -l%,%,$(filter-out -lc,$(STATIC_LIBS))))|' \
	    packaging/commboxConfig.cmake.in > $(DESTDIR)$(LIBDIR)/cmake/commbox/commboxConfig.cmake
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@MAJOR@|$(MAJOR)|' -e 's|@SOVERSION@|$(SOVERSION)|' \
	    packaging/commboxConfigVersion.cmake.in > $(DESTDIR)$(LIBDIR)/cmake/commbox/commboxConfigVersion.cmake

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libcommbox.so* $(DESTDIR)$(LIBDIR)/libcommbox.a \
	      $(DESTDIR)$(INCLUDEDIR)/commbox.h $(DESTDIR)$(INCLUDEDIR)/commbox.hpp \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/commbox.pc
	rm -rf $(DESTDIR)$(LIBDIR)/cmake/commbox
	rm -f $(DESTDIR)$(BINDIR)/commbox $(DESTDIR)$(DATADIR)/man/man1/commbox.1 \
	      $(DESTDIR)$(DATADIR)/man/man1/commbox-*.1 $(DESTDIR)$(DATADIR)/bash-completion/completions/commbox \
	      $(DESTDIR)$(DATADIR)/zsh/site-functions/_commbox $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/commbox.fish

# Tools the C suites need, installed from Debian's packages when missing (CI starts clean).
c-tools:
	@missing=""; \
	command -v valgrind >/dev/null || missing="$$missing valgrind"; \
	command -v cmake >/dev/null || missing="$$missing cmake"; \
	command -v pkg-config >/dev/null || missing="$$missing pkg-config"; \
	command -v $(CXX) >/dev/null || missing="$$missing g++"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# A debug build installed under build/prefix (cheap to redo: cargo and copies only).
.PHONY: test-prefix
test-prefix:
	@$(CARGO) build -q -p commbox-ffi -p commbox-mock --bin commbox-mock
	@$(CARGO) build -q -p commbox-cli --bin commbox
	@$(MAKE) --no-print-directory -s install PROFILE=debug PREFIX=$(TEST_PREFIX) >/dev/null

# test_fault_cases and test_hostile_cases run the case table (tests/cases/: the fault matrix
# F01-F23 and the hostile inputs H01-H94 of docs/reliability.md), which tests/c/cases_to_c.py
# writes as C data into build/cases/; test_fault_cases starts its own HTTPS mock.
# test_same_json: the C results and the CLI's output are the same documents (docs/json-forms.md).
C_SUITES := test_commbox test_chatwoot test_hostile_cases test_fault_cases test_same_json test_json_forms \
            test_upload_progress
CASE_HEADERS := build/cases/fault_cases.h build/cases/hostile_cases.h
# test_webhooks: receiving (parse and verify webhook deliveries); needs no server.
C_SUITES += test_webhooks
# test_live_replies: a contact's live replies over the mock's /cable (reply, echo, reconnect
# after a drop, close from another thread, a rejected token).
C_SUITES += test_live_replies

build/cases/fault_cases.h: tests/cases/faults.json tests/c/cases_to_c.py
	@mkdir -p $(@D)
	@python3 tests/c/cases_to_c.py $< $@
build/cases/hostile_cases.h: tests/cases/hostile.json tests/c/cases_to_c.py
	@mkdir -p $(@D)
	@python3 tests/c/cases_to_c.py $< $@

test-c: c-tools test-prefix $(CASE_HEADERS)
	@set -e; for t in $(C_SUITES); do \
	  $(CC) $(C_STRICT) -Ibuild/cases $$($(TEST_PC) pkg-config --cflags commbox) -o build/$$t tests/c/$$t.c \
	      $$($(TEST_PC) pkg-config --libs commbox) -Wl,-rpath,$(TEST_PREFIX)/lib -pthread; \
	  echo "== $$t (valgrind)"; \
	  COMMBOX_TEST_EXCLUDE=fork COMMBOX_MOCK_BIN=$(CURDIR)/target/debug/commbox-mock \
	      COMMBOX_CLI_BIN=$(CURDIR)/target/debug/commbox \
	      $(WITH_MOCK) $(VALGRIND) build/$$t; \
	done
	@# Under valgrind a forked child exits with valgrind's own status (the parent's threads
	@# are unreachable there by construction), so the fork test runs natively.
	@echo "== test_commbox fork (native)"
	@COMMBOX_TEST_ONLY=fork $(WITH_MOCK) build/test_commbox

CPP_SUITES := test_commbox test_upload_progress test_live_replies

test-cpp: c-tools test-prefix
	@set -e; for t in $(CPP_SUITES); do \
	  $(CXX) $(CXX_STRICT) $$($(TEST_PC) pkg-config --cflags commbox) -o build/$${t}_cpp tests/cpp/$$t.cpp \
	      $$($(TEST_PC) pkg-config --libs commbox) -Wl,-rpath,$(TEST_PREFIX)/lib -pthread; \
	  echo "== $$t (C++)"; \
	  $(WITH_MOCK) build/$${t}_cpp; \
	done

# The C++ wrapper's webhook functions, under valgrind (no server).
test-cpp-webhooks: c-tools test-prefix
	$(CXX) $(CXX_STRICT) $$($(TEST_PC) pkg-config --cflags commbox) -o build/test_webhooks_cpp tests/cpp/test_webhooks.cpp \
	    $$($(TEST_PC) pkg-config --libs commbox) -Wl,-rpath,$(TEST_PREFIX)/lib
	$(VALGRIND) build/test_webhooks_cpp

# Every example compiles warning-free and runs against the mock.
test-c-examples: c-tools test-prefix
	@set -e; mkdir -p build/examples; \
	for ex in $(C_EXAMPLES); do \
	  $(CC) $(C_STRICT) -Iexamples/c $$($(TEST_PC) pkg-config --cflags commbox) -o build/examples/$$ex examples/c/$$ex.c \
	      $$($(TEST_PC) pkg-config --libs commbox) -Wl,-rpath,$(TEST_PREFIX)/lib; \
	  $(CXX) $(CXX_STRICT) -Iexamples/cpp $$($(TEST_PC) pkg-config --cflags commbox) -o build/examples/$$ex-cpp examples/cpp/$$ex.cpp \
	      $$($(TEST_PC) pkg-config --libs commbox) -Wl,-rpath,$(TEST_PREFIX)/lib; \
	done; \
	for ex in $(C_EXAMPLES); do \
	  $(WITH_MOCK) build/examples/$$ex >/dev/null; \
	  $(WITH_MOCK) build/examples/$$ex-cpp >/dev/null; \
	  echo "example $$ex (C and C++): ok"; \
	done

# A consumer of the installed tree: pkg-config and CMake, shared and static. Every binary
# runs, and the summary counts the runs that passed and failed.
test-c-install: c-tools test-prefix
	@set -e; \
	libdir=$$($(TEST_PC) pkg-config --variable=libdir commbox); \
	$(CC) $(C_STRICT) -Iexamples/c $$($(TEST_PC) pkg-config --cflags commbox) -o build/sms_pc_shared examples/c/sms.c \
	    $$($(TEST_PC) pkg-config --libs commbox) -Wl,-rpath,$$libdir; \
	$(CC) $(C_STRICT) -Iexamples/c $$($(TEST_PC) pkg-config --cflags commbox) -o build/sms_pc_static examples/c/sms.c \
	    $$libdir/libcommbox.a $$($(TEST_PC) pkg-config --static --libs-only-l commbox | sed 's/-lcommbox//'); \
	if readelf -d build/sms_pc_static | grep -q libcommbox; then echo "static build links libcommbox.so"; exit 1; fi; \
	readelf -d build/sms_pc_shared | grep -q 'libcommbox.so.$(MAJOR)'; \
	rm -rf build/cmake-consumer; \
	cmake -S tests/cmake -B build/cmake-consumer -DCMAKE_PREFIX_PATH=$(TEST_PREFIX) \
	      -DEXAMPLE_SOURCE=$(CURDIR)/examples/c/sms.c -DCMAKE_C_FLAGS=-I$(CURDIR)/examples/c >/dev/null; \
	cmake --build build/cmake-consumer >/dev/null; \
	passed=0; failed=0; \
	for bin in build/sms_pc_shared build/sms_pc_static build/cmake-consumer/sms_shared build/cmake-consumer/sms_static; do \
	  if $(WITH_MOCK) $$bin >/dev/null; then echo "$$bin: ok"; passed=$$((passed + 1)); \
	  else echo "$$bin: FAILED"; failed=$$((failed + 1)); fi; \
	done; \
	echo "$$passed passed, $$failed failed"; \
	[ "$$failed" -eq 0 ] && [ "$$passed" -gt 0 ]

demo-c: c-tools test-prefix
	@mkdir -p build/examples
	@for ex in agent_message chatwoot; do \
	  $(CC) $(C_STRICT) -Iexamples/c $$($(TEST_PC) pkg-config --cflags commbox) -o build/examples/$$ex examples/c/$$ex.c \
	      $$($(TEST_PC) pkg-config --libs commbox) -Wl,-rpath,$(TEST_PREFIX)/lib; \
	done
	@echo "== C: open a conversation and reply as an agent (examples/c/agent_message.c)"
	@$(WITH_MOCK) build/examples/agent_message
	@echo "== C: Chatwoot, a contact's conversation with a file (examples/c/chatwoot.c)"
	@$(WITH_MOCK) build/examples/chatwoot

demo-cpp: c-tools test-prefix
	@mkdir -p build/examples
	@$(CXX) $(CXX_STRICT) -Iexamples/cpp $$($(TEST_PC) pkg-config --cflags commbox) -o build/examples/agent_message-cpp \
	    examples/cpp/agent_message.cpp $$($(TEST_PC) pkg-config --libs commbox) -Wl,-rpath,$(TEST_PREFIX)/lib
	@echo "== C++: the same through the RAII wrapper (examples/cpp/agent_message.cpp)"
	@$(WITH_MOCK) build/examples/agent_message-cpp

TEST_SUITES += test-c test-cpp test-c-examples test-c-install
TEST_SUITES += test-cpp-webhooks
DEMO_STEPS  += demo-c demo-cpp
