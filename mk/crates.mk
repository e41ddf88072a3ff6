# The Rust crates as crates.io would get them, and their API documentation.
#
#   make test-crates   `cargo package` of every publishable crate, offline, its workspace
#                      dependencies taken from the .crates just made (commbox-mock, then
#                      commbox, then commbox-ffi and commbox-cli), and rustdoc with warnings
#                      as errors for every library
#   make test-crates CRATES_VERIFY=1   also builds each .crate on its own, as cargo publish
#                      does: about 2 minutes more from a fresh clone (each crate alone
#                      resolves its dependencies' features differently, so they build again),
#                      hence not in make test
#
# commbox-python is not published (publish = false): PyPI gets it as the `commbox` wheel.
# Documentation is built per library, as docs.rs does: commbox-ffi's library is also named
# `commbox`, so one `cargo doc --workspace` cannot hold both. The CLI is a binary: docs.rs
# shows its README, and its doc comments are its --help text.
# --allow-dirty: a developer's run packages the working tree; CI's clone is clean anyway.

CRATES_PUBLISHED := commbox-mock commbox commbox-ffi commbox-cli
CRATE_DOC_RUNS   := commbox,commbox-mock,commbox-python commbox-ffi
CRATES_VERIFY    ?=

.PHONY: test-crates

test-crates:
	@passed=0; failed=0; log=$$(mktemp); \
	if $(CARGO) package --offline --allow-dirty --locked $(if $(CRATES_VERIFY),,--no-verify) \
	     $(addprefix -p ,$(CRATES_PUBLISHED)) >$$log 2>&1 \
	   && ! grep -E '^(warning|error)' $$log; then \
	  for c in $(CRATES_PUBLISHED); do \
	    f=target/package/$$c-$(VERSION).crate; \
	    if [ -f $$f ] && tar tzf $$f | grep -x "$$c-$(VERSION)/LICENSE-MIT" >/dev/null && tar tzf $$f | grep -x "$$c-$(VERSION)/README.md" >/dev/null; then \
	      echo "ok cargo package $$c ($(if $(CRATES_VERIFY),verified; ,)README, licenses)"; passed=$$((passed + 1)); \
	    else echo "FAILED cargo package $$c: no $$f, or it lacks its README or licenses"; failed=$$((failed + 1)); fi; \
	  done; \
	else \
	  grep -vE '^ +(Compiling|Checking|Packaging|Packaged|Verifying|Updating|Locking|Adding|Archiving|Unpacking|Blocking|Finished)' $$log | tail -40; \
	  echo "FAILED cargo package"; failed=$$((failed + 1)); \
	fi; \
	for run in $(CRATE_DOC_RUNS); do \
	  if RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --locked $$(echo "-p $$run" | sed 's/,/ -p /g') >$$log 2>&1; then \
	    echo "ok cargo doc -D warnings: $$run"; passed=$$((passed + 1)); \
	  else \
	    grep -A12 -E '^(warning|error)' $$log | head -60; \
	    echo "FAILED cargo doc -D warnings: $$run"; failed=$$((failed + 1)); \
	  fi; \
	done; \
	rm -f $$log; \
	echo "$$passed passed, $$failed failed"; \
	[ "$$failed" -eq 0 ]

TEST_SUITES += test-crates
